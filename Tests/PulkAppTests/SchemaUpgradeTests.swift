import Foundation
import GRDB
import PulkApp
import PulkSQL
import PulkStore
import PulkEndpoints
import PulkWorkspace
import Testing

/// Workspaces as earlier pulks left them (`Golden/workspaces/ID.sql`: `sqlite3 .dump` of `pulk.sqlite`
/// whose newest migration is ID, holding a dataset, a tracked run, a registered model with an alias,
/// an endpoint and a user where that schema had them). Each must be refused as it stands, upgrade in
/// one step, keep its data, and end with exactly the schema a new workspace gets.
@Suite("Schema upgrades from every earlier version")
struct SchemaUpgradeTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/workspaces")
    /// Every schema that shipped, oldest first, named by its newest migration (of either set). A new
    /// migration adds the schema before it here, with its dump.
    static let versions = [
        "2026-11-23-tracking", "2026-12-01-registry-models-inputs", "2026-12-02-metric-chunks", "2026-12-02-endpoints",
        "2026-12-05-access-audit", "2026-12-06-webhooks", "2026-12-06-one-ledger",
    ]
    static let runId = "c223bc4fc9e04f9d89f24e643fe8ca29"

    @Test("Every earlier schema has a golden workspace, and only those")
    func everyVersionCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.golden.path).filter { $0.hasSuffix(".sql") }
        #expect(Set(files) == Set(Self.versions.map { "\($0).sql" }))
        // Each names a migration this pulk knows.
        let ids = (StoreSchema.workspace.migrations + StoreSchema.tracking.migrations).map(\.id)
        #expect(Self.versions.allSatisfy(ids.contains))
    }

    @Test("An earlier workspace is refused, upgrades in one step and keeps its data", arguments: versions)
    func upgrade(from version: String) async throws {
        let dir = try Self.restore(version)
        let path = dir.appendingPathComponent("ws").path
        // What the golden workspace had applied, in either ledger.
        let had = Set(try Self.texts("SELECT id FROM pulk_store_migrations", path)
                      + ((try? Self.texts("SELECT identifier FROM grdb_migrations", path)) ?? []))
        #expect(throws: WorkspaceError.self) { try Workspace.open(at: path) }
        do {
            _ = try Workspace.open(at: path)
        } catch {
            #expect(error.description.contains("pulk workspace upgrade"))
        }

        let report = try await SchemaUpgrade.run(workspacePath: path, store: .workspace)
        func since(_ id: String) -> Bool { had.contains(id) }
        #expect(report.parts.map(\.applied) == [StoreSchema.workspace.migrations.map(\.id).filter { !had.contains($0) },
                                                StoreSchema.tracking.migrations.map(\.id).filter { !had.contains($0) }])
        let again = try await SchemaUpgrade.run(workspacePath: path, store: .workspace)
        #expect(again.parts.allSatisfy { $0.applied.isEmpty })

        // The schema is the one a new workspace gets: same tables, indexes, statements and ledger.
        let fresh = dir.appendingPathComponent("fresh").path
        _ = try await StoreLocation.workspace.open(workspace: try Workspace.open(at: fresh))
        #expect(try Self.schema(path) == (try Self.schema(fresh)))
        #expect(try Self.rows("SELECT id FROM pulk_store_migrations ORDER BY id", path)
                == (try Self.rows("SELECT id FROM pulk_store_migrations ORDER BY id", fresh)))
        #expect(try Self.rows("SELECT name FROM counters ORDER BY name", path) == (try Self.rows("SELECT name FROM counters ORDER BY name", fresh)))

        // The data is all there, read through the store.
        let ws = try Workspace.open(at: path)
        let dataset = try #require(try ws.datasets.list().first)
        #expect(dataset.name == "cancer" && dataset.versionCount == 1)
        let store = try await StoreLocation.workspace.open(workspace: ws)
        let experiment = try await store.experiment(named: "golden")
        let run = try await store.run(id: Self.runId)
        #expect(run.info.experimentId == experiment.experimentId)
        let auc = try #require(run.metrics.first { $0.key == "test_roc_auc" })
        let history = try await store.metricHistory(runId: Self.runId, key: "test_roc_auc", maxResults: nil, pageToken: nil).items
        #expect(history.map(\.value) == [auc.value])
        if since("2026-12-01-registry-models-inputs") {
            #expect(try await store.modelVersion(name: "cancer-model", alias: "champion").runId == Self.runId)
        }
        if since("2026-12-02-endpoints") {
            #expect(try await store.endpoint(name: "cancer-ep").deployments.count == 1)
        }
        if since("2026-12-05-access-audit") {
            #expect(try await store.users().map(\.name) == ["alice"])
        }
        // A new run and metric go in after the upgrade.
        let next = try await store.createRun(experimentId: experiment.experimentId, userId: "u", startTime: 1, runName: "after", tags: [])
        try await store.logMetric(runId: next.info.runId, Metric("m", 1, timestamp: 1))
    }

    @Test("A workspace or store that a newer pulk changed is refused, naming the cure")
    func newerRefused() async throws {
        let dir = try Self.restore("2026-12-06-webhooks")
        let path = dir.appendingPathComponent("ws").path
        _ = try await SchemaUpgrade.run(workspacePath: path, store: .workspace)
        try Self.execute("INSERT INTO pulk_store_migrations (id) VALUES ('2099-01-01-future')", path)
        #expect { try Workspace.open(at: path) } throws: { "\($0)".contains("newer pulk") }
        await #expect { try await SchemaUpgrade.run(workspacePath: path, store: .workspace) } throws: { "\($0)".contains("newer pulk") }
    }

    @Test("A tracking store left behind while its workspace is current is refused with the upgrade command")
    func trackingBehind() async throws {
        let dir = try Self.restore("2026-12-05-access-audit")
        let path = dir.appendingPathComponent("ws").path
        let ws = try Workspace.open(at: path, upgrade: true)
        #expect(ws.upgraded == ["2026-12-06-one-ledger", "2026-12-06-catalog-names"])
        await #expect { _ = try await StoreLocation.workspace.open(workspace: ws) } throws: {
            let text = "\($0)"
            return text.contains("pulk workspace upgrade") && text.contains("2026-12-06-webhooks") && text.contains("Back up")
        }
        // Nothing was changed by the refusal.
        #expect(try Self.rows("SELECT name FROM sqlite_master WHERE name = 'webhooks'", path).isEmpty)
    }

    // MARK: helpers

    /// A folder with `ws/pulk.sqlite` restored from the golden dump of `version`.
    static func restore(_ version: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("ws"), withIntermediateDirectories: true)
        let dump = try String(contentsOf: golden.appendingPathComponent("\(version).sql"), encoding: .utf8)
        try execute(dump, dir.appendingPathComponent("ws").path, transaction: false)
        return dir
    }

    static func execute(_ sql: String, _ workspace: String, transaction: Bool = true) throws {
        let queue = try DatabaseQueue(path: workspace + "/pulk.sqlite")
        if transaction { try queue.write { try $0.execute(sql: sql) } } else { try queue.writeWithoutTransaction { try $0.execute(sql: sql) } }
    }

    static func texts(_ sql: String, _ workspace: String) throws -> [String] {
        try DatabaseQueue(path: workspace + "/pulk.sqlite").read { db in try String.fetchAll(db, sql: sql) }
    }

    static func rows(_ sql: String, _ workspace: String) throws -> [[String]] {
        let queue = try DatabaseQueue(path: workspace + "/pulk.sqlite")
        return try queue.read { db in try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { $0.isNull ? "NULL" : "\($0)" } } }
    }

    /// Every table, index and trigger with its statement, whitespace collapsed.
    static func schema(_ workspace: String) throws -> Set<String> {
        Set(try rows("SELECT type, name, tbl_name, sql FROM sqlite_master", workspace).map { row in
            row.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: " | ")
        })
    }
}
