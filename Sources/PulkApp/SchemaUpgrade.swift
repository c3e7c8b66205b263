import Foundation
import PulkSQL
public import PulkWorkspace

/// `pulk workspace upgrade`: brings the workspace's catalog and its tracking store (the workspace's
/// own, or a PostgreSQL one) to this pulk's schema: the one step `Ledger`'s policy leaves to the user.
public enum SchemaUpgrade {
    public struct Report: Sendable, Encodable {
        public struct Part: Sendable, Encodable {
            /// "workspace PATH" or "tracking store (…)".
            public var name: String
            /// The migrations applied, oldest first (empty when it was current).
            public var applied: [String]
        }
        public var path: String
        public var parts: [Part]
    }

    public static func run(workspacePath: String, store: StoreLocation) async throws -> Report {
        let ws = try Workspace.open(at: workspacePath, upgrade: true)
        let tracking = try await store.upgrade(workspace: ws)
        return Report(path: ws.root.path, parts: [.init(name: "workspace \(ws.root.path)", applied: ws.upgraded),
                                                  .init(name: "tracking store (\(store.description))", applied: tracking)])
    }
}
