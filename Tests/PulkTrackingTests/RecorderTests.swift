import Foundation
import PulkFrame
import PulkLearn
import PulkStore
import PulkWorkspace
import Testing
@testable import PulkTracking


/// A workspace in a fresh temporary folder, with its tracking store, and a fixed clock.
struct Fixture {
    let workspace: Workspace
    let client: LocalTracking
    let csv: String

    static func make() async throws -> Fixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-tracking-\(UUID().uuidString)")
        let ws = try Workspace.open(at: dir.path)
        let client = try await LocalTracking.open(ws, now: { 1_700_000_000_000 })
        let csv = dir.appendingPathComponent("data.csv").path
        try "x,target\n1,a\n2,b\n3,a\n4,b\n".write(toFile: csv, atomically: true, encoding: .utf8)
        return Fixture(workspace: ws, client: client, csv: csv)
    }
}

/// Fails the n-th artifact upload (to check a broken recording ends FAILED).
struct FailingArtifacts: TrackingClient {
    let inner: LocalTracking
    var location: String { inner.location }
    func experiment(named name: String) async throws(StoreError) -> Experiment? { try await inner.experiment(named: name) }
    func createExperiment(named name: String) async throws(StoreError) -> String { try await inner.createExperiment(named: name) }
    func experiment(id: String) async throws(StoreError) -> Experiment { try await inner.experiment(id: id) }
    func experiments() async throws(StoreError) -> [Experiment] { try await inner.experiments() }
    func createRun(experimentId: String, runName: String?, userId: String, startTime: Int64, tags: [Tag]) async throws(StoreError) -> RunInfo {
        try await inner.createRun(experimentId: experimentId, runName: runName, userId: userId, startTime: startTime, tags: tags)
    }
    func logBatch(runId: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws(StoreError) {
        try await inner.logBatch(runId: runId, metrics: metrics, params: params, tags: tags)
    }
    func logInputs(runId: String, datasets: [DatasetInput]) async throws(StoreError) { try await inner.logInputs(runId: runId, datasets: datasets) }
    func logArtifact(_ run: RunInfo, path: String, bytes: [UInt8]) async throws(StoreError) { throw StoreError(.internalError, "disk full") }
    func finishRun(runId: String, status: RunStatus, endTime: Int64) async throws(StoreError) { try await inner.finishRun(runId: runId, status: status, endTime: endTime) }
    func run(id: String) async throws(StoreError) -> Run { try await inner.run(id: id) }
    func searchRuns(experimentIds: [String], filter: String?, orderBy: [String], maxResults: Int) async throws(StoreError) -> [Run] {
        try await inner.searchRuns(experimentIds: experimentIds, filter: filter, orderBy: orderBy, maxResults: maxResults)
    }
    func metricHistory(runId: String, key: String) async throws(StoreError) -> [Metric] { try await inner.metricHistory(runId: runId, key: key) }
    func artifactFiles(_ run: RunInfo) async throws(StoreError) -> [String] { try await inner.artifactFiles(run) }
    func artifact(_ run: RunInfo, path: String) async throws(StoreError) -> [UInt8] { try await inner.artifact(run, path: path) }
    func registeredModel(name: String) async throws(StoreError) -> RegisteredModel? { try await inner.registeredModel(name: name) }
    func createRegisteredModel(name: String, user: String) async throws(StoreError) { try await inner.createRegisteredModel(name: name, user: user) }
    func createModelVersion(name: String, source: String, runId: String, user: String) async throws(StoreError) -> ModelVersion {
        try await inner.createModelVersion(name: name, source: source, runId: runId, user: user)
    }
    func modelVersions(name: String) async throws(StoreError) -> [ModelVersion] { try await inner.modelVersions(name: name) }
    func setAlias(name: String, alias: String, version: String, user: String) async throws(StoreError) {
        try await inner.setAlias(name: name, alias: alias, version: version, user: user)
    }
    func aliasHistory(name: String) async throws(StoreError) -> [AliasMove] { try await inner.aliasHistory(name: name) }
    func datasetVersion(_ input: DatasetInput) async -> DatasetVersionInfo? { await inner.datasetVersion(input) }
    func loggedModel(id: String) async throws(StoreError) -> Lineage.LoggedModelSummary { try await inner.loggedModel(id: id) }
    func registeredModels(filter: String?) async throws(StoreError) -> [RegisteredModel] { try await inner.registeredModels(filter: filter) }
    func deleteRegisteredModel(name: String) async throws(StoreError) { try await inner.deleteRegisteredModel(name: name) }
    func deleteModelVersion(name: String, version: String) async throws(StoreError) { try await inner.deleteModelVersion(name: name, version: version) }
    func describeModel(name: String, version: String?, description: String) async throws(StoreError) {
        try await inner.describeModel(name: name, version: version, description: description)
    }
    func tagModel(name: String, version: String?, _ tag: Tag) async throws(StoreError) { try await inner.tagModel(name: name, version: version, tag) }
    func deleteRun(id: String) async throws(StoreError) { try await inner.deleteRun(id: id) }
    func deleteExperiment(id: String) async throws(StoreError) { try await inner.deleteExperiment(id: id) }
}

@Suite("Recording runs")
struct RecorderTests {
    @Test("A recorded run holds every param, metric step, tag, input and artifact, and is FINISHED")
    func record() async throws {
        let f = try await Fixture.make()
        var c = RunContent()
        for i in 0..<250 { c.param("p\(i)", "v\(i)") }  // more than one batch of params
        for i in 0..<2_500 { c.metric("curve", Double(i), step: i) }  // more than one batch of metrics
        c.metric("test_accuracy", 0.75)
        c.tags = [Tag("pulk.model", "logistic")]
        c.artifacts = [("model/model.pulk", [1, 2, 3]), ("plots/a.svg", Array("<svg/>".utf8))]
        let frame = try Frame(columns: [Column(name: "x", storage: .float64([1, 2]))])
        c.inputs = [DatasetInputs.file(path: f.csv, frame: frame, context: "training")]
        let info = try await RunRecorder(client: f.client, now: { 1_700_000_000_000 }).record(c, experiment: "exp", runName: "r1", source: "pulk train",
                                                                                           started: 1_699_999_999_000, user: "ada")
        #expect(info.status == .finished && info.runName == "r1" && info.startTime == 1_699_999_999_000 && info.endTime == 1_700_000_000_000)
        let run = try await f.client.run(id: info.runId)
        #expect(run.params.count == 250)
        #expect(try await f.client.metricHistory(runId: info.runId, key: "curve").map(\.step) == Array(0..<2_500))
        #expect(run.metrics.first { $0.key == "test_accuracy" }?.value == 0.75)
        let tags = Dictionary(run.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(tags["mlflow.user"] == "ada" && tags["mlflow.source.name"] == "pulk train" && tags["pulk.model"] == "logistic")
        #expect(try await f.client.artifactFiles(run.info) == ["model/model.pulk", "plots/a.svg"])
        let input = try #require(run.io.datasetInputs.first)
        #expect(input.dataset.sourceType == "local" && input.dataset.digest.count == 32 && input.dataset.source.contains("file:///"))
        #expect(input.dataset.schema.contains("mlflow_colspec"))
        #expect(try await f.client.experiment(named: "exp") != nil, "the experiment is created on first use")
    }

    @Test("A recording that breaks off leaves the run FAILED, not RUNNING")
    func failure() async throws {
        let f = try await Fixture.make()
        var c = RunContent()
        c.metric("test_accuracy", 1)
        c.artifacts = [("model/model.pulk", [1])]
        let recorder = RunRecorder(client: FailingArtifacts(inner: f.client))
        await #expect(throws: StoreError.self) { try await recorder.record(c, experiment: "Default", runName: "broken", source: "t") }
        let runs = try await f.client.searchRuns(experimentIds: ["0"], filter: nil, orderBy: [], maxResults: 10)
        #expect(runs.map(\.info.status) == [.failed])
    }

    @Test("Lineage: model version → run → workspace dataset version (content hash) → source file")
    func lineage() async throws {
        let f = try await Fixture.make()
        let version = try f.workspace.datasets.add(file: f.csv, name: "toy").version
        let frame = try f.workspace.datasets.loadFrame(version)
        var c = RunContent()
        c.inputs = [DatasetInputs.workspace(version, frame: frame, context: "training")]
        c.artifacts = [("model/model.pulk", [1])]
        let info = try await RunRecorder(client: f.client).record(c, experiment: "Default", runName: "r", source: "t")
        try await f.client.createRegisteredModel(name: "toy-model", user: "u")
        let mv = try await f.client.createModelVersion(name: "toy-model", source: "runs:/\(info.runId)/model", runId: info.runId, user: "u")
        let l = try await Lineage.of(mv, client: f.client)
        #expect(l.run?.runId == info.runId)
        let d = try #require(l.datasets.first)
        #expect(d.context == "training" && d.sourceType == "pulk")
        #expect(d.workspaceVersion?.reference == "toy:1")
        #expect(d.workspaceVersion?.contentSHA256 == version.contentSHA256)
        #expect(d.workspaceVersion?.sourcePath == version.sourcePath)
        // A file input with the same bytes resolves by its digest too.
        let byDigest = DatasetInputs.file(path: f.csv, frame: frame, context: "training")
        #expect(await f.client.datasetVersion(byDigest)?.reference == "toy:1")
    }

    @Test("Run ids resolve by a unique prefix; an ambiguous or short one is refused")
    func prefix() async throws {
        let f = try await Fixture.make()
        let a = try await RunRecorder(client: f.client).record(RunContent(), experiment: "Default", runName: "a", source: "t")
        let found = try await f.client.run(matching: String(a.runId.prefix(8)), experimentIds: ["0"])
        #expect(found.info.runId == a.runId)
        await #expect(throws: StoreError.self) { try await f.client.run(matching: "abc", experimentIds: ["0"]) }
        let b = try await RunRecorder(client: f.client).record(RunContent(), experiment: "other", runName: "b", source: "t")
        let all = try await f.client.experimentIds(nil)
        #expect(Set(all) == ["0", b.experimentId])
        #expect(try await f.client.run(matching: String(b.runId.prefix(8)), experimentIds: all).info.runId == b.runId)
        #expect(try await f.client.experimentIds("other") == [b.experimentId])
        await #expect(throws: StoreError.self) { try await f.client.experimentIds("missing") }
    }
}
