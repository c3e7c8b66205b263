public import Foundation
import PulkSQL
public import PulkStore
public import PulkTracking
public import PulkWorkspace

/// What a workspace holds at a glance (`pulk workspace info`): datasets, runs, registered models,
/// endpoints and its size on disk.
public struct WorkspaceSummary: Sendable, Encodable {
    public var path: String
    public var datasets: Int
    public var versions: Int
    public var experiments: Int
    /// Active runs, counted up to `runLimit` (more shows as the limit and `runsCapped`).
    public var runs: Int
    public var runsCapped: Bool
    public var registeredModels: Int
    public var endpoints: Int
    public var sizeBytes: Int64
    public var schemaCurrent: Bool

    public static let runLimit = TrackingLimits.maxSearchResults

    /// Reads the workspace of `bench` and its own tracking store.
    public static func of(_ bench: Workbench) async throws -> WorkspaceSummary {
        let ws = try await bench.workspace()
        let datasets = try ws.datasets.list()
        let store = try await StoreLocation.workspace.open(workspace: ws)
        let experiments = try await collect { token in
            let p = try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: [], maxResults: 1000, pageToken: token)
            return (p.items.map(\.experimentId), p.nextPageToken)
        }
        let runs = experiments.isEmpty ? [] : try await store.searchRuns(experimentIds: experiments, filter: nil, view: .activeOnly,
                                                                          maxResults: runLimit, orderBy: [], pageToken: nil).items
        let models = try await collect { token in
            let p = try await store.searchRegisteredModels(filter: nil, orderBy: [], maxResults: RegistryLimits.maxSearchResults, pageToken: token)
            return (p.items.map(\.name), p.nextPageToken)
        }
        return WorkspaceSummary(path: ws.root.path, datasets: datasets.count, versions: datasets.reduce(0) { $0 + $1.versionCount },
                                experiments: experiments.count, runs: runs.count, runsCapped: runs.count >= runLimit, registeredModels: models.count,
                                endpoints: try await store.endpoints().count, sizeBytes: size(of: ws.root), schemaCurrent: try ws.pendingMigrations().isEmpty)
    }

    static func collect(_ page: (String?) async throws -> ([String], String?)) async throws -> [String] {
        var out: [String] = [], token: String?
        repeat {
            let (items, next) = try await page(token)
            out += items
            token = next
        } while token != nil
        return out
    }

    /// Bytes of every file below `folder` (links not followed).
    static func size(of folder: URL) -> Int64 {
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var total: Int64 = 0
        for case let url as URL in walk {
            let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if values?.isRegularFile == true { total += Int64(values?.fileSize ?? 0) }
        }
        return total
    }
}
