import Foundation
import Testing
@testable import PulkSQL
@testable import PulkStore

/// A deterministic clock and run ids, so ordering never depends on sleeping.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Int64 = 1_700_000_000_000
    private var n = 0
    func now() -> Int64 { lock.lock(); defer { lock.unlock() }; t += 1; return t }
    func runId() -> String { lock.lock(); defer { lock.unlock() }; n += 1; return String(format: "%032x", n) }
    func advance(_ ms: Int64) { lock.lock(); defer { lock.unlock() }; t += ms }
}

/// The stores the contract runs against: SQLite always; PostgreSQL when the test script started one
/// (PULK_POSTGRES_URL).
enum StoreBackend: String, CaseIterable, Sendable {
    /// SQLite as `pulk server` runs it by default; with `--durability full` (fsync per commit,
    /// commits grouped); PostgreSQL.
    case sqlite, sqliteFull, postgres

    static let postgresURL = ProcessInfo.processInfo.environment["PULK_POSTGRES_URL"]
    /// SQLite, and PostgreSQL when the test script started a cluster.
    static var available: [StoreBackend] { postgresURL == nil ? [.sqlite, .sqliteFull] : [.sqlite, .sqliteFull, .postgres] }

    func make(_ clock: TestClock = TestClock()) async throws -> SQLTrackingStore {
        try await SQLTrackingStore.open(try await database(), artifactRoot: "mlflow-artifacts:", now: { clock.now() }, newRunId: { clock.runId() })
    }

    /// A new, empty database of this backend.
    func database() async throws -> any SQLDatabase {
        if self == .postgres {
            // A fresh database per test.
            let admin = try PostgresDatabase(url: Self.postgresURL!, maxConnections: 1)
            let name = "pulk_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await admin.executeOutsideTransaction("CREATE DATABASE \(name)")
            var url = URLComponents(string: Self.postgresURL!)!
            url.path = "/" + name
            return try PostgresDatabase(url: url.string!)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try SQLiteDatabase(path: dir.appendingPathComponent("tracking.sqlite").path, durability: self == .sqliteFull ? .full : .normal)
    }
}

@Suite("Tracking store contract")
struct TrackingStoreContractTests {
    static let backends = StoreBackend.available

    @Test("Experiment activity: active runs counted, the latest start or end time among them", arguments: backends)
    func experimentActivity(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.experimentActivity().isEmpty)
        let id = try await store.createExperiment(name: "busy", artifactLocation: nil, tags: [])
        let a = try await store.createRun(experimentId: id, userId: "u", startTime: 1_000, runName: "a", tags: [])
        let b = try await store.createRun(experimentId: id, userId: "u", startTime: 2_000, runName: "b", tags: [])
        _ = try await store.updateRun(id: a.info.runId, status: .finished, endTime: 5_000, runName: nil)
        let c = try await store.createRun(experimentId: "0", userId: "u", startTime: 9_000, runName: "c", tags: [])
        try await store.deleteRun(id: c.info.runId)
        let activity = try await store.experimentActivity()
        #expect(activity[id] == ExperimentActivity(runs: 2, lastRunTime: 5_000))
        #expect(activity["0"] == nil, "deleted runs do not count")
        _ = b
    }

    @Test(arguments: backends)
    func experimentsLifecycle(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.experiment(id: "0").name == "Default")
        let id = try await store.createExperiment(name: "churn", artifactLocation: nil, tags: [Tag("team", "ml")])
        let e = try await store.experiment(id: id)
        #expect(e.name == "churn" && e.artifactLocation == "mlflow-artifacts:\(id)" && e.tags == [Tag("team", "ml")])
        #expect(try await store.experiment(named: "churn").experimentId == id)
        await #expect(throws: StoreError.self) { _ = try await store.createExperiment(name: "churn", artifactLocation: nil, tags: []) }
        try await store.renameExperiment(id: id, to: "churn-v2")
        try await store.setExperimentTag(id: id, Tag("team", "data"))
        #expect(try await store.experiment(id: id).tags == [Tag("team", "data")])
        try await store.deleteExperimentTag(id: id, key: "team")
        #expect(try await store.experiment(id: id).tags.isEmpty)
        // Soft delete keeps the name taken; permanent delete frees it.
        try await store.deleteExperiment(id: id)
        #expect(try await store.experiment(id: id).lifecycleStage == .deleted)
        do {
            _ = try await store.createExperiment(name: "churn-v2", artifactLocation: nil, tags: [])
            Issue.record("a deleted experiment's name is still taken")
        } catch { #expect(error.code == .resourceAlreadyExists && error.message.contains("deleted state")) }
        try await store.restoreExperiment(id: id)
        #expect(try await store.experiment(id: id).lifecycleStage == .active)
        await #expect(throws: StoreError.self) { try await store.purgeExperiment(id: id) }
        try await store.deleteExperiment(id: id)
        try await store.purgeExperiment(id: id)
        let again = try await store.createExperiment(name: "churn-v2", artifactLocation: "s3://bucket/x", tags: [])
        #expect(again != id)
        do {
            _ = try await store.experiment(id: id)
            Issue.record("a purged experiment is gone")
        } catch { #expect(error.code == .resourceDoesNotExist && error.code.httpStatus == 404) }
        await #expect(throws: StoreError(.invalidParameterValue, "Cannot delete the default experiment '0'. This is an internally reserved experiment.")) {
            try await store.deleteExperiment(id: "0")
        }
    }

    @Test(arguments: backends)
    func searchExperiments(backend: StoreBackend) async throws {
        let store = try await backend.make()
        for name in ["prod-a", "prod-b", "Prod-c", "dev-a"] {
            _ = try await store.createExperiment(name: name, artifactLocation: nil, tags: [Tag("env", name.lowercased().hasPrefix("prod") ? "prod" : "dev")])
        }
        func names(_ filter: String?, view: ViewType = .activeOnly, order: [String] = ["name ASC"]) async throws -> [String] {
            try await store.searchExperiments(view: view, filter: filter, orderBy: order, maxResults: 100, pageToken: nil).items.map(\.name)
        }
        #expect(try await names("name LIKE 'prod%'") == ["prod-a", "prod-b"])
        #expect(try await names("name ILIKE 'prod%'") == ["Prod-c", "prod-a", "prod-b"])
        #expect(try await names("tags.env = 'dev'") == ["Default", "dev-a"].filter { $0 == "dev-a" })
        #expect(try await names("tags.env = 'dev' OR name = 'Default'") == ["Default", "dev-a"])
        let page1 = try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: ["name"], maxResults: 2, pageToken: nil)
        let page2 = try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: ["name"], maxResults: 2, pageToken: page1.nextPageToken)
        let page3 = try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: ["name"], maxResults: 2, pageToken: page2.nextPageToken)
        #expect((page1.items + page2.items + page3.items).map(\.name) == ["Default", "Prod-c", "dev-a", "prod-a", "prod-b"])
        #expect(page3.nextPageToken == nil)
        await #expect(throws: StoreError.self) { _ = try await names("name > 'a'") }
    }

    @Test(arguments: backends)
    func runsParamsTagsMetrics(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "e", artifactLocation: nil, tags: [])
        let run = try await store.createRun(experimentId: exp, userId: "ana", startTime: 10, runName: "first", tags: [Tag("k", "v")])
        let id = run.info.runId
        #expect(run.info.status == .running && run.info.runName == "first" && run.info.artifactUri == "mlflow-artifacts:\(exp)/\(id)/artifacts")
        #expect(Set(run.tags) == [Tag("k", "v"), Tag("mlflow.runName", "first"), Tag("mlflow.user", "ana")])
        try await store.logParam(runId: id, Param("lr", "0.1"))
        try await store.logParam(runId: id, Param("lr", "0.1")) // the same value again is fine
        do {
            try await store.logParam(runId: id, Param("lr", "0.2"))
            Issue.record("params are immutable")
        } catch { #expect(error.message.contains("Changing param values is not allowed")) }
        // Metric history with steps; the latest value is the largest step.
        try await store.logMetric(runId: id, Metric("loss", 0.9, timestamp: 100, step: 0))
        try await store.logMetric(runId: id, Metric("loss", 0.5, timestamp: 101, step: 2))
        try await store.logMetric(runId: id, Metric("loss", 0.7, timestamp: 102, step: 1))
        try await store.logMetric(runId: id, Metric("odd", .nan, timestamp: 103))
        try await store.logMetric(runId: id, Metric("big", .infinity, timestamp: 104))
        let full = try await store.run(id: id)
        #expect(full.metrics.first { $0.key == "loss" } == Metric("loss", 0.5, timestamp: 101, step: 2))
        #expect(full.metrics.first { $0.key == "odd" }!.value.isNaN)
        #expect(full.metrics.first { $0.key == "big" }!.value == .infinity)
        let history = try await store.metricHistory(runId: id, key: "loss", maxResults: nil, pageToken: nil).items
        #expect(history.map(\.step) == [0, 1, 2] && history.map(\.value) == [0.9, 0.7, 0.5])
        let p1 = try await store.metricHistory(runId: id, key: "loss", maxResults: 2, pageToken: nil)
        let p2 = try await store.metricHistory(runId: id, key: "loss", maxResults: 2, pageToken: p1.nextPageToken)
        #expect(p1.items.count == 2 && p2.items.count == 1 && p2.nextPageToken == nil)
        // Tags: set, overwrite, delete.
        try await store.setTag(runId: id, Tag("k", "w"))
        try await store.deleteTag(runId: id, key: "mlflow.user")
        #expect(Set(try await store.run(id: id).tags) == [Tag("k", "w"), Tag("mlflow.runName", "first")])
        await #expect(throws: StoreError.self) { try await store.deleteTag(runId: id, key: "nope") }
        // Update, delete, restore.
        let info = try await store.updateRun(id: id, status: .finished, endTime: 500, runName: "renamed")
        #expect(info.status == .finished && info.endTime == 500 && info.runName == "renamed")
        try await store.deleteRun(id: id)
        #expect(try await store.run(id: id).info.lifecycleStage == .deleted)
        await #expect(throws: StoreError.self) { try await store.logMetric(runId: id, Metric("x", 1, timestamp: 1)) }
        try await store.restoreRun(id: id)
        do {
            _ = try await store.run(id: "0123")
            Issue.record("unknown run")
        } catch { #expect(error.code == .resourceDoesNotExist) }
    }

    @Test(arguments: backends)
    func batchLimitsAndValidation(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let id = try await store.createRun(experimentId: "0", userId: "", startTime: nil, runName: nil, tags: []).info.runId
        let metrics = (0..<1000).map { Metric("m\($0 % 10)", Double($0), timestamp: Int64($0), step: Int64($0)) }
        try await store.logBatch(runId: id, metrics: metrics, params: [], tags: [])
        #expect(try await store.metricHistory(runId: id, key: "m3", maxResults: nil, pageToken: nil).items.count == 100)
        #expect(try await store.run(id: id).metrics.first { $0.key == "m3" }?.value == 993)
        let tooMany = (0..<1001).map { Metric("m", 1, timestamp: Int64($0)) }
        await #expect(throws: StoreError.self) { try await store.logBatch(runId: id, metrics: tooMany, params: [], tags: []) }
        let badKeys: [String] = ["", "../x", "/abs", "semi;colon", String(repeating: "k", count: 251)]
        for key in badKeys {
            await #expect(throws: StoreError.self) { try await store.logParam(runId: id, Param(key, "v")) }
        }
        await #expect(throws: StoreError.self) { try await store.logParam(runId: id, Param("long", String(repeating: "x", count: 6001))) }
        // A run gets a generated name when none is given.
        #expect(try await store.run(id: id).info.runName.split(separator: "-").count == 3)
        await #expect(throws: StoreError.self) { _ = try await store.createRun(experimentId: "x", userId: "", startTime: nil, runName: nil, tags: []) }
    }

    @Test(arguments: backends)
    func searchRunsWithTheMLflowGrammar(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "s", artifactLocation: nil, tags: [])
        var ids: [String] = []
        for i in 0..<12 {
            let r = try await store.createRun(experimentId: exp, userId: i % 2 == 0 ? "ana" : "bo", startTime: Int64(1000 + i),
                                              runName: "run-\(i)", tags: [Tag("team", i < 6 ? "ml" : "Data")])
            ids.append(r.info.runId)
            try await store.logBatch(runId: r.info.runId, metrics: i == 11 ? [] : [Metric("acc", Double(i) / 10, timestamp: 1)],
                                     params: [Param("model", i % 3 == 0 ? "gbdt" : "linear")], tags: [])
        }
        _ = try await store.updateRun(id: ids[0], status: .finished, endTime: nil, runName: nil)
        func search(_ filter: String?, order: [String] = [], max: Int = 100) async throws -> [String] {
            try await store.searchRuns(experimentIds: [exp], filter: filter, view: .activeOnly, maxResults: max, orderBy: order, pageToken: nil)
                .items.map(\.info.runName)
        }
        // Default order: newest first.
        #expect(try await search(nil).first == "run-11")
        #expect(try await search("metrics.acc > 0.85", order: ["metrics.acc DESC"]) == ["run-10", "run-9"])
        #expect(try await search("metrics.acc >= 0.3 AND metrics.acc < 0.5 AND params.model = 'gbdt'") == ["run-3"])
        #expect(try await search("params.model != 'linear' AND tags.team = 'Data'", order: ["start_time ASC"]) == ["run-6", "run-9"])
        #expect(try await search("tags.team LIKE 'D%'").count == 6)
        #expect(try await search("tags.team LIKE 'd%'").isEmpty)       // LIKE is case-sensitive
        #expect(try await search("tags.team ILIKE 'd%'").count == 6)
        #expect(try await search("attributes.status = 'FINISHED'") == ["run-0"])
        #expect(try await search("attributes.user_id IN ('bo') AND metrics.acc < 0.4") == ["run-3", "run-1"])
        #expect(try await search("attributes.run_name = 'run-4'") == ["run-4"])
        #expect(try await search("params.`model` = \"gbdt\"").count == 4)
        // OR and parentheses (Pulk's extension).
        #expect(try await search("(metrics.acc < 0.1 OR metrics.acc > 0.95) AND tags.team = 'ml'") == ["run-0"])
        #expect(try await search("metrics.acc = 0.2 OR attributes.run_name = 'run-11'", order: ["attributes.start_time ASC"]) == ["run-2", "run-11"])
        // Runs without the metric sort last in both directions.
        let asc = try await search(nil, order: ["metrics.acc ASC"])
        #expect(asc.first == "run-0" && asc.last == "run-11")
        #expect(try await search(nil, order: ["metrics.acc DESC"]).last == "run-11")
        // Bad filters are clear 400s.
        for bad in ["metrics.acc ~ 1", "metrics.acc > 'x'", "params.model > 'a'", "colour = 'x'", "metrics.acc > 1 AND", "attributes.colour = 'x'",
                    "(metrics.acc > 1", "tags.team = 'unterminated"] {
            do {
                _ = try await search(bad)
                Issue.record("'\(bad)' must be refused")
            } catch { #expect((error as? StoreError)?.code == .invalidParameterValue, "\(error)") }
        }
    }

    /// Inputs the store refuses instead of storing (the security probe's): names and texts past
    /// MLflow's limits, artifact locations that could point a download anywhere, too many inputs.
    @Test(arguments: backends)
    func oversizedAndUnsafeInputsAreRefused(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let mb = String(repeating: "x", count: 1 << 20)
        let exp = try await store.createExperiment(name: "ok", artifactLocation: nil, tags: [])
        let run = try await store.createRun(experimentId: exp, userId: "ana", startTime: nil, runName: "r", tags: []).info.runId
        _ = try await store.createRegisteredModel(name: "m", description: "", tags: [], user: "")
        let version = try await store.createModelVersion(name: "m", source: "runs:/\(run)/model", runId: run, modelId: nil,
                                                         description: "", tags: [], runLink: "", user: "")
        let dataset = LoggedDataset(name: String(repeating: "d", count: 501), digest: "abc", sourceType: "local", source: "{}", schema: "", profile: "")
        let refusals: [(String, () async throws(StoreError) -> Void)] = [
            ("experiment name", { () async throws(StoreError) in _ = try await store.createExperiment(name: mb, artifactLocation: nil, tags: []) }),
            ("rename", { () async throws(StoreError) in try await store.renameExperiment(id: exp, to: String(repeating: "n", count: 257)) }),
            ("experiment tag", { () async throws(StoreError) in try await store.setExperimentTag(id: exp, Tag("k", String(repeating: "v", count: 5001))) }),
            ("run name", { () async throws(StoreError) in _ = try await store.createRun(experimentId: exp, userId: "", startTime: nil, runName: mb, tags: []) }),
            ("user id", { () async throws(StoreError) in _ = try await store.createRun(experimentId: exp, userId: mb, startTime: nil, runName: nil, tags: []) }),
            ("run rename", { () async throws(StoreError) in _ = try await store.updateRun(id: run, status: nil, endTime: nil, runName: mb) }),
            ("model description", { () async throws(StoreError) in _ = try await store.updateRegisteredModel(name: "m", description: mb) }),
            ("model tag", { () async throws(StoreError) in try await store.setRegisteredModelTag(name: "m", Tag("k", String(repeating: "v", count: 100_001))) }),
            ("version description", { () async throws(StoreError) in _ = try await store.updateModelVersion(name: "m", version: String(version.version), description: mb) }),
            ("dataset name", { () async throws(StoreError) in try await store.logInputs(runId: run, datasets: [DatasetInput(dataset: dataset, tags: [])], models: []) }),
            ("file artifact location", { () async throws(StoreError) in _ = try await store.createExperiment(name: "f", artifactLocation: "file:///etc", tags: []) }),
            ("hostless artifact location", { () async throws(StoreError) in _ = try await store.createExperiment(name: "h", artifactLocation: "http:///#/../x", tags: []) }),
            ("traversing artifact location", { () async throws(StoreError) in _ = try await store.createExperiment(name: "t", artifactLocation: "mlflow-artifacts:/1/../../etc", tags: []) }),
            ("relative artifact location", { () async throws(StoreError) in _ = try await store.createExperiment(name: "r", artifactLocation: "some/folder", tags: []) }),
        ]
        for (what, call) in refusals {
            do {
                try await call()
                Issue.record("\(what) must be refused")
            } catch {
                #expect(error.code == .invalidParameterValue, "\(what): \(error)")
            }
        }
        // Nothing of the refused calls was stored.
        let kept = try await store.experiment(id: exp)
        #expect(kept.name == "ok" && kept.tags.isEmpty)
        #expect(try await store.run(id: run).info.runName == "r")
        // Object stores and this server's own store stay accepted.
        _ = try await store.createExperiment(name: "s3", artifactLocation: "s3://bucket/team/x", tags: [])
        _ = try await store.createExperiment(name: "own", artifactLocation: "mlflow-artifacts:/custom/place", tags: [])
    }

    /// Hostile searches (the security probe's): deep nesting, thousands of clauses, thousands of
    /// order keys and malformed order terms are 400s that name the limit, never a crash or a 500.
    @Test(arguments: backends)
    func hostileSearchesAreRefused(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "h", artifactLocation: nil, tags: [])
        _ = try await store.createRun(experimentId: exp, userId: "", startTime: nil, runName: "r", tags: [])
        let deep = String(repeating: "(", count: 30_000) + "metrics.a > 1" + String(repeating: ")", count: 30_000)
        let clauses = (0..<1000).map { "metrics.m\($0) > 1" }.joined(separator: " OR ")
        let cases: [(filter: String?, order: [String], says: String)] = [
            (deep, [], "nest"),
            (String(repeating: "(", count: 33) + "metrics.a > 1" + String(repeating: ")", count: 33), [], "at most 32"),
            (clauses, [], "at most 200"),
            (nil, (0..<10_000).map { "params.p\($0)" }, "at most 20"),
            (nil, ["metrics.acc foo"], "order_by"),
            (nil, ["metrics."], "order_by"),
        ]
        for c in cases {
            do {
                _ = try await store.searchRuns(experimentIds: [exp], filter: c.filter, view: .activeOnly, maxResults: 10, orderBy: c.order, pageToken: nil)
                Issue.record("must be refused: \(c.says)")
            } catch {
                #expect(error.code == .invalidParameterValue && error.message.contains(c.says), "\(error)")
            }
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.searchExperiments(view: .activeOnly, filter: deep, orderBy: [], maxResults: 10, pageToken: nil)
        }
        let manyNames = (0..<1000).map { "name = 'm\($0)'" }.joined(separator: " OR ")
        await #expect(throws: StoreError.self) {
            _ = try await store.searchRegisteredModels(filter: manyNames, orderBy: [], maxResults: 10, pageToken: nil)
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.searchModelVersions(filter: nil, orderBy: (0..<100).map { _ in "name" }, maxResults: 10, pageToken: nil)
        }
        // Within the limits, a wide OR and nesting still run (the SQL stays under the databases' own limits).
        let wide = (0..<199).map { "metrics.m\($0) > 1" }.joined(separator: " OR ")
        _ = try await store.searchRuns(experimentIds: [exp], filter: wide, view: .activeOnly, maxResults: 10, orderBy: (0..<20).map { "params.p\($0)" }, pageToken: nil)
        let nested = String(repeating: "(", count: 32) + "metrics.a > 1" + String(repeating: ")", count: 32)
        _ = try await store.searchRuns(experimentIds: [exp], filter: nested, view: .activeOnly, maxResults: 10, orderBy: [], pageToken: nil)
    }

    @Test(arguments: backends)
    func keysetPagesCoverEveryRunOnce(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "p", artifactLocation: nil, tags: [])
        for i in 0..<23 {
            let r = try await store.createRun(experimentId: exp, userId: "", startTime: Int64(i % 5), runName: "r\(i)", tags: [])
            // Ties in the metric and missing values both occur.
            if i % 4 != 0 { try await store.logMetric(runId: r.info.runId, Metric("m", Double(i % 3), timestamp: 1)) }
        }
        for order in [[], ["metrics.m DESC"], ["metrics.m ASC", "attributes.start_time DESC"], ["params.none ASC"]] {
            var seen: [String] = [], token: String?
            repeat {
                let page = try await store.searchRuns(experimentIds: [exp], filter: nil, view: .activeOnly, maxResults: 5, orderBy: order, pageToken: token)
                seen += page.items.map(\.info.runName)
                token = page.nextPageToken
            } while token != nil
            let all = try await store.searchRuns(experimentIds: [exp], filter: nil, view: .activeOnly, maxResults: 100, orderBy: order, pageToken: nil)
            #expect(seen == all.items.map(\.info.runName), "\(order)")
            #expect(Set(seen).count == 23)
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.searchRuns(experimentIds: [exp], filter: nil, view: .activeOnly, maxResults: 5, orderBy: [], pageToken: "garbage")
        }
    }

    @Test(arguments: backends)
    func deletedRunsFollowTheViewType(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "v", artifactLocation: nil, tags: [])
        let a = try await store.createRun(experimentId: exp, userId: "", startTime: 1, runName: "a", tags: []).info.runId
        _ = try await store.createRun(experimentId: exp, userId: "", startTime: 2, runName: "b", tags: [])
        try await store.deleteRun(id: a)
        func names(_ view: ViewType) async throws -> [String] {
            try await store.searchRuns(experimentIds: [exp], filter: nil, view: view, maxResults: 10, orderBy: [], pageToken: nil).items.map(\.info.runName)
        }
        #expect(try await names(.activeOnly) == ["b"])
        #expect(try await names(.deletedOnly) == ["a"])
        #expect(try await names(.all) == ["b", "a"])
        // Deleting the experiment deletes its runs; restoring brings them back.
        try await store.deleteExperiment(id: exp)
        #expect(try await names(.activeOnly).isEmpty)
        await #expect(throws: StoreError.self) { _ = try await store.createRun(experimentId: exp, userId: "", startTime: nil, runName: nil, tags: []) }
    }
}

