import Foundation
import Testing
@testable import PulkSQL
@testable import PulkStore

/// The model registry, logged models and run inputs/outputs: the same contract on every backend.
@Suite("Registry and logged models contract")
struct RegistryContractTests {
    static let backends = StoreBackend.available

    /// An experiment with one run, for versions to point at.
    static func seeded(_ backend: StoreBackend) async throws -> (SQLTrackingStore, String, Run) {
        let store = try await backend.make()
        let eid = try await store.createExperiment(name: "churn", artifactLocation: nil, tags: [])
        let run = try await store.createRun(experimentId: eid, userId: "ana", startTime: nil, runName: "fit", tags: [])
        return (store, eid, run)
    }

    @Test("Runs searched by their dataset inputs: datasets.name, .digest and .context, as MLflow", arguments: backends)
    func runsByDatasetInputs(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "inputs", artifactLocation: nil, tags: [])
        let a = try await store.createRun(experimentId: exp, userId: "u", startTime: 1, runName: "a", tags: []).info.runId
        let b = try await store.createRun(experimentId: exp, userId: "u", startTime: 2, runName: "b", tags: []).info.runId
        _ = try await store.createRun(experimentId: exp, userId: "u", startTime: 3, runName: "none", tags: [])
        let penguins = LoggedDataset(name: "penguins", digest: "0123abcd", sourceType: "pulk", source: "{}")
        let churn = LoggedDataset(name: "churn", digest: "ffee0011", sourceType: "local", source: "{}")
        try await store.logInputs(runId: a, datasets: [DatasetInput(dataset: penguins, tags: [Tag("mlflow.data.context", "train")])], models: [])
        try await store.logInputs(runId: b, datasets: [DatasetInput(dataset: penguins, tags: [Tag("mlflow.data.context", "eval")]),
                                                       DatasetInput(dataset: churn, tags: [])], models: [])
        func names(_ filter: String) async throws -> [String] {
            try await store.searchRuns(experimentIds: [exp], filter: filter, view: .activeOnly, maxResults: 10, orderBy: ["attributes.run_name ASC"],
                                       pageToken: nil).items.map(\.info.runName)
        }
        let cases: [(String, [String])] = [
            ("datasets.name = 'penguins'", ["a", "b"]),
            ("datasets.name = 'churn'", ["b"]),
            ("datasets.digest = '0123abcd'", ["a", "b"]),
            ("datasets.digest IN ('ffee0011', 'nothing')", ["b"]),
            ("datasets.context = 'train'", ["a"]),
            ("datasets.context = 'eval' AND datasets.name = 'churn'", ["b"]),
            ("datasets.name LIKE 'pen%'", ["a", "b"]),
            ("datasets.name ILIKE 'CHU%'", ["b"]),
            ("datasets.name != 'penguins'", ["b"]),
        ]
        for (filter, expected) in cases { #expect(try await names(filter) == expected, "\(filter)") }
        await #expect(throws: StoreError.self) { try await names("datasets.size = '1'") }
    }

    @Test(arguments: backends)
    func registeredModelsLifecycle(backend: StoreBackend) async throws {
        let (store, _, run) = try await Self.seeded(backend)
        let m = try await store.createRegisteredModel(name: "churn-model", description: "first", tags: [Tag("team", "ml")], user: "ana")
        #expect(m.name == "churn-model" && m.description == "first" && m.tags == [Tag("team", "ml")] && m.latestVersions.isEmpty)
        do {
            _ = try await store.createRegisteredModel(name: "churn-model", description: "", tags: [], user: "")
            Issue.record("a second model of the same name must be refused")
        } catch { #expect(error.code == .resourceAlreadyExists) }
        let v1 = try await store.createModelVersion(name: "churn-model", source: "runs:/\(run.info.runId)/model", runId: run.info.runId,
                                                    modelId: nil, description: "", tags: [Tag("k", "v")], runLink: "", user: "ana")
        #expect(v1.version == 1 && v1.status == "READY" && v1.currentStage == .none && v1.tags == [Tag("k", "v")])
        #expect(v1.storageLocation == run.info.artifactUri + "/model")
        let v2 = try await store.createModelVersion(name: "churn-model", source: "runs:/\(run.info.runId)/model", runId: run.info.runId,
                                                    modelId: nil, description: "", tags: [], runLink: "", user: "ana")
        #expect(v2.version == 2)
        // A deleted version's number is never reused.
        try await store.deleteModelVersion(name: "churn-model", version: "2")
        let v3 = try await store.createModelVersion(name: "churn-model", source: "runs:/\(run.info.runId)/model", runId: nil,
                                                    modelId: nil, description: "", tags: [], runLink: "", user: "")
        #expect(v3.version == 3)
        _ = try await store.updateModelVersion(name: "churn-model", version: "3", description: "better")
        #expect(try await store.modelVersion(name: "churn-model", version: "3").description == "better")
        try await store.setModelVersionTag(name: "churn-model", version: "3", Tag("validated", "yes"))
        try await store.deleteModelVersionTag(name: "churn-model", version: "1", key: "k")
        #expect(try await store.modelVersion(name: "churn-model", version: "1").tags.isEmpty)
        // Stages: archive_existing moves the other Production version to Archived.
        _ = try await store.transitionStage(name: "churn-model", version: "1", stage: "production", archiveExisting: false)
        _ = try await store.transitionStage(name: "churn-model", version: "3", stage: "Production", archiveExisting: true)
        #expect(try await store.modelVersion(name: "churn-model", version: "1").currentStage == .archived)
        let latest = try await store.latestVersions(name: "churn-model", stages: ["Production"])
        #expect(latest.map(\.version) == [3])
        #expect(try await store.registeredModel(name: "churn-model").latestVersions.map(\.version) == [1, 3])
        await #expect(throws: StoreError.self) { _ = try await store.transitionStage(name: "churn-model", version: "3", stage: "Live", archiveExisting: false) }
        // Rename carries versions, tags and aliases.
        try await store.setAlias(name: "churn-model", alias: "champion", version: "3", user: "ana")
        let renamed = try await store.renameRegisteredModel(name: "churn-model", to: "churn")
        #expect(renamed.aliases == ["champion": 3] && renamed.tags == [Tag("team", "ml")])
        #expect(try await store.modelVersion(name: "churn", alias: "champion").version == 3)
        #expect(try await store.aliasHistory(name: "churn", alias: nil).count == 1)
        do {
            _ = try await store.registeredModel(name: "churn-model")
            Issue.record("the old name must be gone")
        } catch { #expect(error.code == .resourceDoesNotExist && error.message.contains("churn-model")) }
        _ = try await store.updateRegisteredModel(name: "churn", description: "second")
        try await store.setRegisteredModelTag(name: "churn", Tag("tier", "gold"))
        try await store.deleteRegisteredModelTag(name: "churn", key: "team")
        #expect(try await store.registeredModel(name: "churn").tags == [Tag("tier", "gold")])
        try await store.deleteRegisteredModel(name: "churn")
        await #expect(throws: StoreError.self) { _ = try await store.modelVersion(name: "churn", version: "1") }
        // The alias history outlives the model: the deletion is its last move.
        let history = try await store.aliasHistory(name: "churn", alias: "champion")
        #expect(history.map(\.toVersion) == [3, nil] && history.map(\.fromVersion) == [nil, 3])
    }

    /// All versions of one model, whatever its name holds (a quote cannot break the lookup).
    @Test(arguments: backends)
    func versionsOfOneModel(backend: StoreBackend) async throws {
        let (store, _, run) = try await Self.seeded(backend)
        for name in ["o'brien", "o'brien-2"] {
            _ = try await store.createRegisteredModel(name: name, description: "", tags: [], user: "")
            for _ in 0..<2 {
                _ = try await store.createModelVersion(name: name, source: "runs:/\(run.info.runId)/model", runId: nil, modelId: nil,
                                                       description: "", tags: [], runLink: "", user: "")
            }
        }
        try await store.deleteModelVersion(name: "o'brien", version: "1")
        _ = try await store.createModelVersion(name: "o'brien", source: "runs:/\(run.info.runId)/model", runId: nil, modelId: nil,
                                               description: "", tags: [], runLink: "", user: "")
        #expect(try await store.modelVersions(name: "o'brien").map(\.version) == [2, 3])
        await #expect(throws: StoreError.self) { _ = try await store.modelVersions(name: "nobody") }
    }

    @Test(arguments: backends)
    func aliasesMoveWithHistory(backend: StoreBackend) async throws {
        let (store, _, run) = try await Self.seeded(backend)
        _ = try await store.createRegisteredModel(name: "m", description: "", tags: [], user: "")
        for _ in 0..<3 {
            _ = try await store.createModelVersion(name: "m", source: "runs:/\(run.info.runId)/model", runId: run.info.runId, modelId: nil,
                                                   description: "", tags: [], runLink: "", user: "")
        }
        try await store.setAlias(name: "m", alias: "champion", version: "1", user: "ana")
        try await store.setAlias(name: "m", alias: "champion", version: "1", user: "ana")  // no move: no history row
        try await store.setAlias(name: "m", alias: "challenger", version: "3", user: "bo")
        try await store.setAlias(name: "m", alias: "champion", version: "2", user: "bo")
        #expect(try await store.modelVersion(name: "m", alias: "champion").version == 2)
        #expect(try await store.modelVersion(name: "m", version: "2").aliases == ["champion"])
        #expect(try await store.registeredModel(name: "m").aliases == ["champion": 2, "challenger": 3])
        let moves = try await store.aliasHistory(name: "m", alias: "champion")
        #expect(moves.map(\.fromVersion) == [nil, 1] && moves.map(\.toVersion) == [1, 2] && moves.map(\.user) == ["ana", "bo"])
        #expect(moves[0].time < moves[1].time && moves[0].sequence < moves[1].sequence)
        // Deleting a version drops its aliases, recorded as a move to nothing.
        try await store.deleteModelVersion(name: "m", version: "3")
        await #expect(throws: StoreError.self) { _ = try await store.modelVersion(name: "m", alias: "challenger") }
        #expect(try await store.aliasHistory(name: "m", alias: "challenger").last?.toVersion == nil)
        try await store.deleteAlias(name: "m", alias: "champion", user: "cy")
        #expect(try await store.aliasHistory(name: "m", alias: nil).count == 5)
        // Alias rules, as MLflow's.
        for bad in ["latest", "v3", "", "a b", "x/y"] {
            do {
                try await store.setAlias(name: "m", alias: bad, version: "1", user: "")
                Issue.record("alias '\(bad)' must be refused")
            } catch { #expect(error.code == .invalidParameterValue) }
        }
        await #expect(throws: StoreError.self) { try await store.setAlias(name: "m", alias: "ok", version: "9", user: "") }
        await #expect(throws: StoreError.self) { try await store.deleteAlias(name: "m", alias: "never", user: "") }
    }

    @Test(arguments: backends)
    func versionSourcesStayInsideTheStore(backend: StoreBackend) async throws {
        let (store, eid, run) = try await Self.seeded(backend)
        _ = try await store.createRegisteredModel(name: "m", description: "", tags: [], user: "")
        let lm = try await store.createLoggedModel(experimentId: eid, name: "model", modelType: "", sourceRunId: run.info.runId, params: [], tags: [])
        let fromModel = try await store.createModelVersion(name: "m", source: "models:/\(lm.modelId)", runId: run.info.runId, modelId: nil,
                                                           description: "", tags: [], runLink: "", user: "")
        #expect(fromModel.storageLocation == lm.artifactLocation && fromModel.modelId == lm.modelId)
        #expect(try await store.downloadURI(name: "m", version: "1") == lm.artifactLocation)
        // The logged model lists the versions registered from it (MLflow's `mlflow.modelVersions` tag).
        _ = try await store.createRegisteredModel(name: "m2", description: "", tags: [], user: "")
        _ = try await store.createModelVersion(name: "m2", source: "models:/\(lm.modelId)", runId: nil, modelId: lm.modelId, description: "", tags: [], runLink: "", user: "")
        let tagged = try await store.loggedModel(id: lm.modelId).tags.first { $0.key == "mlflow.modelVersions" }?.value
        #expect(tagged == #"[{"name": "m", "version": 1}, {"name": "m2", "version": 1}]"#, "\(String(describing: tagged))")
        // A copy of a registered version (MLflow's copy_model_version): the same files.
        _ = try await store.createRegisteredModel(name: "copy", description: "", tags: [], user: "")
        let copied = try await store.createModelVersion(name: "copy", source: "models:/m/1", runId: nil, modelId: nil, description: "", tags: [], runLink: "", user: "")
        #expect(copied.storageLocation == lm.artifactLocation)
        await #expect(throws: StoreError.self) {
            _ = try await store.createModelVersion(name: "copy", source: "models:/m/99", runId: nil, modelId: nil, description: "", tags: [], runLink: "", user: "")
        }
        let direct = try await store.createModelVersion(name: "m", source: "mlflow-artifacts:\(eid)/x/model", runId: nil, modelId: nil,
                                                        description: "", tags: [], runLink: "", user: "")
        #expect(direct.storageLocation == "mlflow-artifacts:\(eid)/x/model")
        let refused = ["/etc/passwd", "file:///etc", "s3://bucket/m", "http://evil/m", "mlflow-artifacts:../../etc", "mlflow-artifacts:1/../../x",
                       "runs:/\(run.info.runId)/../../x", "mlflow-artifacts:1/%2e%2e/x", "mlflow-artifacts:/abs", "runs://model", "models:/m-nope"]
        for source in refused {
            do {
                _ = try await store.createModelVersion(name: "m", source: source, runId: nil, modelId: nil, description: "", tags: [], runLink: "", user: "")
                Issue.record("source '\(source)' must be refused")
            } catch { #expect(error.code == .invalidParameterValue || error.code == .resourceDoesNotExist, "\(source): \(error)") }
        }
        // A run this store does not have: kept as the runs:/ URI (as MLflow keeps every runs:/ source).
        let dangling = try await store.createModelVersion(name: "m", source: "runs:/nope/model", runId: "nope", modelId: nil, description: "", tags: [], runLink: "", user: "")
        #expect(dangling.storageLocation == "runs:/nope/model" && dangling.runId == "nope")
        #expect(try await store.searchModelVersions(filter: nil, orderBy: [], maxResults: 100, pageToken: nil).items.count == 5)
    }

    @Test(arguments: backends)
    func registrySearch(backend: StoreBackend) async throws {
        let (store, _, run) = try await Self.seeded(backend)
        for (i, name) in ["fraud", "churn-a", "churn-b"].enumerated() {
            _ = try await store.createRegisteredModel(name: name, description: "", tags: [Tag("tier", i == 0 ? "gold" : "bronze")], user: "")
            _ = try await store.createModelVersion(name: name, source: "runs:/\(run.info.runId)/model", runId: run.info.runId, modelId: nil,
                                                   description: "", tags: [Tag("n", String(i))], runLink: "", user: "")
        }
        _ = try await store.createModelVersion(name: "churn-a", source: "runs:/\(run.info.runId)/model", runId: nil, modelId: nil,
                                               description: "", tags: [], runLink: "", user: "")
        func names(_ filter: String?, _ order: [String] = []) async throws -> [String] {
            try await store.searchRegisteredModels(filter: filter, orderBy: order, maxResults: 100, pageToken: nil).items.map(\.name)
        }
        #expect(try await names(nil) == ["churn-a", "churn-b", "fraud"])
        #expect(try await names("name LIKE 'churn%'") == ["churn-a", "churn-b"])
        #expect(try await names("name ILIKE 'CHURN-A'") == ["churn-a"])
        #expect(try await names("tags.tier = 'gold'") == ["fraud"])
        #expect(try await names("tags.tier = 'gold' OR name = 'churn-b'") == ["churn-b", "fraud"])
        // `!=` on a tag also matches models without it (MLflow's client relies on it).
        #expect(try await names("tags.tier != 'gold'") == ["churn-a", "churn-b"])
        #expect(try await names("tags.missing != 'x' AND name LIKE 'churn%'") == ["churn-a", "churn-b"])
        #expect(try await names(nil, ["name DESC"]) == ["fraud", "churn-b", "churn-a"])
        let first = try await store.searchRegisteredModels(filter: nil, orderBy: [], maxResults: 2, pageToken: nil)
        let rest = try await store.searchRegisteredModels(filter: nil, orderBy: [], maxResults: 2, pageToken: first.nextPageToken)
        #expect(first.items.count == 2 && rest.items.map(\.name) == ["fraud"] && rest.nextPageToken == nil)

        func versions(_ filter: String) async throws(StoreError) -> [String] {
            try await store.searchModelVersions(filter: filter, orderBy: ["name ASC", "version_number DESC"], maxResults: 100, pageToken: nil)
                .items.map { "\($0.name)/\($0.version)" }
        }
        // MLflow 3's default order: last updated first, then name, then the newest version.
        let all = try await store.searchModelVersions(filter: nil, orderBy: [], maxResults: 100, pageToken: nil).items
        #expect(all.map { "\($0.name)/\($0.version)" } == all.sorted { a, b in
            a.lastUpdatedTime != b.lastUpdatedTime ? a.lastUpdatedTime > b.lastUpdatedTime : a.name != b.name ? a.name < b.name : a.version > b.version
        }.map { "\($0.name)/\($0.version)" })
        #expect(try await versions("name = 'churn-a'") == ["churn-a/2", "churn-a/1"])
        #expect(try await versions("run_id = '\(run.info.runId)'") == ["churn-a/1", "churn-b/1", "fraud/1"])
        #expect(try await versions("name IN ('fraud', 'churn-b')") == ["churn-b/1", "fraud/1"])
        #expect(try await versions("version_number > 1") == ["churn-a/2"])
        #expect(try await versions("tags.n = '2'") == ["churn-b/1"])
        for bad in ["colour = 'red'", "name >= 3", "version_number = 'x'", "name IN ()", "tags.n IN ('1')"] {
            do {
                _ = try await versions(bad)
                Issue.record("filter '\(bad)' must be refused")
            } catch { #expect(error.code == .invalidParameterValue, "\(bad)") }
        }
    }

    @Test(arguments: backends)
    func loggedModelsAndRunIO(backend: StoreBackend) async throws {
        let (store, eid, run) = try await Self.seeded(backend)
        let lm = try await store.createLoggedModel(experimentId: eid, name: "model", modelType: "sklearn", sourceRunId: run.info.runId,
                                                   params: [Param("alpha", "1")], tags: [Tag("mlflow.source", "x")])
        #expect(lm.modelId.hasPrefix("m-") && lm.status == .pending && lm.artifactLocation == "mlflow-artifacts:\(eid)/models/\(lm.modelId)/artifacts")
        #expect(lm.params == [Param("alpha", "1")])
        let ready = try await store.finalizeLoggedModel(id: lm.modelId, status: .ready)
        #expect(ready.status == .ready)
        _ = try await store.setLoggedModelTags(id: lm.modelId, [Tag("stage", "dev")])
        try await store.deleteLoggedModelTag(id: lm.modelId, key: "mlflow.source")
        try await store.logLoggedModelParams(id: lm.modelId, [Param("beta", "2")])
        let got = try await store.loggedModel(id: lm.modelId)
        #expect(got.tags == [Tag("stage", "dev")] && got.params == [Param("alpha", "1"), Param("beta", "2")])
        // Run outputs and inputs.
        try await store.logOutputs(runId: run.info.runId, models: [(lm.modelId, 3)])
        let data = LoggedDataset(name: "penguins", digest: "7d8686e3", sourceType: "local", source: "{\"uri\": \"penguins.csv\"}", schema: "{}", profile: "{}")
        try await store.logInputs(runId: run.info.runId, datasets: [DatasetInput(dataset: data, tags: [Tag("mlflow.data.context", "train")])], models: [lm.modelId])
        try await store.logInputs(runId: run.info.runId, datasets: [DatasetInput(dataset: data, tags: [Tag("mlflow.data.context", "train")])], models: [])
        let io = try await store.run(id: run.info.runId).io
        #expect(io.datasetInputs == [DatasetInput(dataset: data, tags: [Tag("mlflow.data.context", "train")])])
        #expect(io.modelOutputs.map(\.modelId) == [lm.modelId] && io.modelOutputs.map(\.step) == [3] && io.modelInputs == [lm.modelId])
        // Metrics logged for a model are kept with it and do not duplicate the run's history.
        try await store.logMetric(runId: run.info.runId, Metric("acc", 0.9, timestamp: 5, step: 0))
        try await store.logBatch(runId: run.info.runId, metrics: [Metric("acc", 0.9, timestamp: 5, step: 0, modelId: lm.modelId)], params: [], tags: [])
        #expect(try await store.metricHistory(runId: run.info.runId, key: "acc", maxResults: nil, pageToken: nil).items.count == 1)
        #expect(try await store.loggedModel(id: lm.modelId).metrics.map(\.key) == ["acc"])
        // Search.
        let other = try await store.createLoggedModel(experimentId: eid, name: "other", modelType: "", sourceRunId: nil, params: [], tags: [])
        func found(_ filter: String?) async throws -> [String] {
            try await store.searchLoggedModels(experimentIds: [eid], filter: filter, maxResults: 10, pageToken: nil).items.map(\.name)
        }
        #expect(try await found(nil) == ["other", "model"])
        #expect(try await found("source_run_id = '\(run.info.runId)'") == ["model"])
        #expect(try await found("tags.stage = 'dev'") == ["model"])
        try await store.deleteLoggedModel(id: other.modelId)
        #expect(try await found(nil) == ["model"])
        await #expect(throws: StoreError.self) { _ = try await store.loggedModel(id: other.modelId) }
        await #expect(throws: StoreError.self) { try await store.logOutputs(runId: run.info.runId, models: [("m-missing", 0)]) }
        await #expect(throws: StoreError.self) {
            _ = try await store.createLoggedModel(experimentId: "999", name: nil, modelType: "", sourceRunId: nil, params: [], tags: [])
        }
    }

    @Test("search_logged_models: params, metrics on datasets, and ordering by a metric's latest value", arguments: backends)
    func loggedModelSearch(backend: StoreBackend) async throws {
        let (store, eid, run) = try await Self.seeded(backend)
        var ids: [String: String] = [:]
        for (name, depth) in [("a", "3"), ("b", "5"), ("c", "5")] {
            ids[name] = try await store.createLoggedModel(experimentId: eid, name: name, modelType: "", sourceRunId: run.info.runId,
                                                          params: [Param("depth", depth)], tags: []).modelId
        }
        func log(_ model: String, _ value: Double, _ dataset: String, _ digest: String, time: Int64) async throws {
            try await store.logBatch(runId: run.info.runId, metrics: [Metric("auc", value, timestamp: time, step: 0, modelId: ids[model],
                                                                             datasetName: dataset, datasetDigest: digest)], params: [], tags: [])
        }
        try await log("a", 0.90, "test", "d1", time: 1)
        try await log("a", 0.70, "train", "d0", time: 2)
        try await log("b", 0.80, "test", "d1", time: 1)
        try await log("b", 0.95, "test", "d2", time: 3)
        func found(_ filter: String?, _ datasets: [LoggedModelDataset] = [], _ order: [LoggedModelOrder] = []) async throws -> [String] {
            try await store.searchLoggedModels(experimentIds: [eid], filter: filter, datasets: datasets, orderBy: order, maxResults: 10, pageToken: nil)
                .items.map(\.name)
        }
        #expect(Set(try await found("params.depth = '5'")) == ["b", "c"])
        #expect(try await found("params.depth LIKE '3%'") == ["a"])
        // Any logged value matches, unless datasets narrow it.
        #expect(Set(try await found("metrics.auc > 0.85")) == ["a", "b"])
        #expect(try await found("metrics.auc > 0.85", [LoggedModelDataset(name: "test", digest: "d1")]) == ["a"])
        #expect(try await found("metrics.auc < 0.75", [LoggedModelDataset(name: "test")]).isEmpty)
        // Datasets without a metric condition: models with a metric on one of them.
        #expect(Set(try await found(nil, [LoggedModelDataset(name: "test")])) == ["a", "b"])
        #expect(try await found(nil, [LoggedModelDataset(name: "train")]) == ["a"])
        // Order by the latest value (a: 0.70 from train at time 2; b: 0.95), models without it last.
        #expect(try await found(nil, [], [LoggedModelOrder(field: "metrics.auc", ascending: false)]) == ["b", "a", "c"])
        #expect(try await found(nil, [], [LoggedModelOrder(field: "metrics.auc", ascending: true)]) == ["a", "b", "c"])
        #expect(try await found(nil, [], [LoggedModelOrder(field: "metrics.auc", ascending: false, datasetName: "test", datasetDigest: "d1")]) == ["a", "b", "c"])
        #expect(try await found(nil, [], [LoggedModelOrder(field: "name", ascending: false)]) == ["c", "b", "a"])
        #expect(try await found("params.depth = '5' AND metrics.auc >= 0.95") == ["b"])
        for bad in ["metrics.auc = 'x'", "params.depth > 3", "bogus.x = '1'"] {
            await #expect(throws: StoreError.self, "\(bad)") { _ = try await found(bad) }
        }
        await #expect(throws: StoreError.self) { _ = try await found(nil, [], [LoggedModelOrder(field: "params.depth")]) }
        await #expect(throws: StoreError.self) { _ = try await found(nil, [LoggedModelDataset(name: "")]) }
    }
}

@Suite("Metric history chunks")
struct MetricChunkTests {
    @Test(arguments: StoreBackend.available)
    func historyIsOrderedDeduplicatedAndPaged(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let run = try await store.createRun(experimentId: "0", userId: "", startTime: nil, runName: nil, tags: [])
        let id = run.info.runId
        // Steps logged out of order over several calls, an exact duplicate, NaN and infinities.
        try await store.logBatch(runId: id, metrics: [Metric("loss", 0.5, timestamp: 10, step: 2), Metric("loss", 0.9, timestamp: 10, step: 0)], params: [], tags: [])
        try await store.logBatch(runId: id, metrics: [Metric("loss", 0.7, timestamp: 10, step: 1), Metric("loss", 0.5, timestamp: 10, step: 2)], params: [], tags: [])
        try await store.logMetric(runId: id, Metric("loss", .nan, timestamp: 11, step: 3))
        try await store.logMetric(runId: id, Metric("loss", -.infinity, timestamp: 12, step: 3))
        try await store.logMetric(runId: id, Metric("loss", .infinity, timestamp: 13, step: 4))
        try await store.logMetric(runId: id, Metric("acc", 1, timestamp: 13, step: 4))
        let all = try await store.metricHistory(runId: id, key: "loss", maxResults: nil, pageToken: nil)
        #expect(all.items.map(\.step) == [0, 1, 2, 3, 3, 4])
        #expect(all.items[3].value.isNaN && all.items[4].value == -.infinity && all.items[5].value == .infinity)
        #expect(all.nextPageToken == nil)
        let first = try await store.metricHistory(runId: id, key: "loss", maxResults: 4, pageToken: nil)
        let rest = try await store.metricHistory(runId: id, key: "loss", maxResults: 4, pageToken: first.nextPageToken)
        #expect(first.items.count == 4 && rest.items.count == 2 && rest.nextPageToken == nil)
        #expect(try await store.run(id: id).metrics.first { $0.key == "loss" }?.value == .infinity)
        #expect(try await store.metricHistory(runId: id, key: "nope", maxResults: nil, pageToken: nil).items.isEmpty)
    }

    @Test(arguments: StoreBackend.available)
    func longHistoriesFromManyBatches(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let id = try await store.createRun(experimentId: "0", userId: "", startTime: nil, runName: nil, tags: []).info.runId
        for b in 0..<20 {
            try await store.logBatch(runId: id, metrics: (0..<50).flatMap { s in
                ["a", "b"].map { Metric($0, Double(b * 50 + s), timestamp: 1, step: Int64(b * 50 + s)) }
            }, params: [], tags: [])
        }
        let a = try await store.metricHistory(runId: id, key: "a", maxResults: nil, pageToken: nil).items
        #expect(a.count == 1000 && a.map(\.step) == (0..<1000).map(Int64.init) && a.last?.value == 999)
    }

    /// The packed format round-trips any step and timestamp (deltas wrap, varints reach ten bytes).
    @Test(arguments: StoreBackend.available)
    func extremeStepsAndTimestampsRoundTrip(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let id = try await store.createRun(experimentId: "0", userId: "", startTime: nil, runName: nil, tags: []).info.runId
        let points = [Metric("x", 1, timestamp: .max, step: .min), Metric("x", -0.0, timestamp: .min, step: .max), Metric("x", .leastNonzeroMagnitude, timestamp: 0, step: -1),
                      Metric("x", .greatestFiniteMagnitude, timestamp: 1_764_000_000_000, step: 0)]
        try await store.logBatch(runId: id, metrics: points, params: [], tags: [])
        let back = try await store.metricHistory(runId: id, key: "x", maxResults: nil, pageToken: nil).items
        #expect(back.map(\.step) == [.min, -1, 0, .max])
        #expect(back.map(\.timestamp) == [.max, 0, 1_764_000_000_000, .min])
        #expect(back.map(\.value) == [1, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.0])
    }

    /// Histories written by the earlier one-row-per-point table are merged into the chunks.
    @Test func rowsOfTheEarlierTableAreMerged() async throws {
        let store = try await StoreBackend.sqlite.make()
        let id = try await store.createRun(experimentId: "0", userId: "", startTime: nil, runName: nil, tags: []).info.runId
        try await store.db.write { s throws(StoreError) in
            try s.execute("INSERT INTO metrics VALUES (?, 'loss', 0, 1, 0.9, 0), (?, 'loss', 1, 1, 0.8, 0)", .text(id), .text(id))
        }
        try await store.logBatch(runId: id, metrics: [Metric("loss", 0.8, timestamp: 1, step: 1), Metric("loss", 0.7, timestamp: 1, step: 2)], params: [], tags: [])
        #expect(try await store.metricHistory(runId: id, key: "loss", maxResults: nil, pageToken: nil).items.map(\.value) == [0.9, 0.8, 0.7])
    }
}

@Suite("Search ordered by one metric")
struct SearchByMetricTests {
    /// The index-driven search returns MLflow's order: runs with a value by value (ties by run id),
    /// then runs without one or with NaN, by run id; every page size yields the same sequence.
    @Test(arguments: StoreBackend.available)
    func orderMatchesTheDefinition(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "m", artifactLocation: nil, tags: [])
        var values: [String: Double?] = [:]
        for i in 0..<29 {
            let r = try await store.createRun(experimentId: exp, userId: "", startTime: Int64(i), runName: "r\(i)", tags: [])
            let v: Double? = i % 5 == 0 ? nil : i % 7 == 0 ? .nan : Double(i % 4)
            if let v { try await store.logMetric(runId: r.info.runId, Metric("loss", v, timestamp: 1)) }
            try await store.logParam(runId: r.info.runId, Param("kind", i % 2 == 0 ? "even" : "odd"))
            values[r.info.runId] = v
        }
        for ascending in [true, false] {
            for filter in [nil, "params.kind = 'odd'", "metrics.loss >= 1"] {
                let matching = try await store.searchRuns(experimentIds: [exp], filter: filter, view: .activeOnly, maxResults: 100,
                                                          orderBy: [], pageToken: nil).items.map(\.info.runId)
                let withValue = matching.filter { values[$0]!.map { !$0.isNaN } ?? false }
                    .sorted { a, b in
                        let x = values[a]!!, y = values[b]!!
                        return x != y ? (ascending ? x < y : x > y) : a < b
                    }
                let expected = withValue + matching.filter { !withValue.contains($0) }.sorted()
                for pageSize in 1...7 {
                    var seen: [String] = [], token: String?
                    repeat {
                        let page = try await store.searchRuns(experimentIds: [exp], filter: filter, view: .activeOnly, maxResults: pageSize,
                                                              orderBy: ["metrics.loss \(ascending ? "ASC" : "DESC")"], pageToken: token)
                        seen += page.items.map(\.info.runId)
                        token = page.nextPageToken
                    } while token != nil
                    #expect(seen == expected, "ascending \(ascending), filter \(filter ?? "none"), page size \(pageSize)")
                }
            }
        }
    }
}

@Suite("Group commit (--durability full)")
struct GroupCommitTests {
    /// Writes queued while a commit is held go out as one group; a failing write in the group is
    /// rolled back and reported alone, and the others are committed.
    @Test func queuedWritesShareOneCommitAndFailAlone() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path, durability: .full)
        let store = try await SQLTrackingStore.open(db)
        let run = try await store.createRun(experimentId: "0", userId: "", startTime: nil, runName: nil, tags: [])
        try await store.logParam(runId: run.info.runId, Param("lr", "0.1"))
        let group = try #require(db.group)
        let before = db.groupSizes.count
        group.hold()
        let results = await withTaskGroup(of: (Int, Bool).self) { tasks in
            for i in 0..<20 {
                tasks.addTask {
                    do {
                        // Write 7 changes an immutable param: it must fail without spoiling the group.
                        if i == 7 { try await store.logParam(runId: run.info.runId, Param("lr", "0.2")) } else {
                            try await store.logMetric(runId: run.info.runId, Metric("m", Double(i), timestamp: 1, step: Int64(i)))
                        }
                        return (i, true)
                    } catch { return (i, false) }
                }
            }
            while group.waiting < 20 { await Task.yield() }
            group.release()
            var out: [Int: Bool] = [:]
            for await (i, ok) in tasks { out[i] = ok }
            return out
        }
        #expect(results.filter { !$0.value }.map(\.key) == [7])
        #expect(Array(db.groupSizes.dropFirst(before)) == [20])
        let history = try await store.metricHistory(runId: run.info.runId, key: "m", maxResults: nil, pageToken: nil).items
        #expect(history.map(\.step) == (0..<20).filter { $0 != 7 }.map(Int64.init))
        #expect(try await store.run(id: run.info.runId).params == [Param("lr", "0.1")])
    }
}
