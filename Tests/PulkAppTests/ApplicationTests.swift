import Foundation
import PulkApp
import PulkLearn
import PulkSQL
import PulkStore
import PulkEndpoints
import PulkTracking
import PulkWorkspace
import Testing

/// A workbench on a fresh temporary workspace, with a small labelled CSV beside it.
struct Bench {
    let bench: Workbench
    let dir: URL
    let csv: String

    static func make() throws -> Bench {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("toy.csv").path
        var text = "x,z,target\n"
        for i in 0..<120 { text += "\(i),\(i % 7),\(i % 3 == 0 ? "yes" : "no")\n" }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        return Bench(bench: Workbench(workspacePath: dir.appendingPathComponent("ws").path), dir: dir, csv: csv)
    }
}

@Suite("Application layer: tracked training, model references, deploys")
struct ApplicationTests {
    @Test("Training hands the model over in memory: the run's model.pulk is the same bytes, and no file is written without `out`")
    func trainInMemory() async throws {
        let b = try Bench.make()
        let ws = try await b.bench.workspace()
        let version = try ws.datasets.add(file: b.csv, name: "toy").version
        let result = try await Training.train(TrainingRequest(data: "toy", target: "target", model: "logistic", run: RunSettings(experiment: "app", profile: false)),
                                              on: b.bench)
        #expect(result.source == "toy:1")
        #expect(result.report.trainRows + result.report.testRows == 120)
        let run = try #require(result.run)
        let client = try await b.bench.trackingClient()
        #expect(try await client.artifact(run, path: "model/model.pulk") == result.modelBytes)
        // The dataset version lists the run among its uses (from the run's inputs); no model file appeared anywhere.
        #expect(try await b.bench.datasets().detail(DatasetRef(name: "toy", version: version.version)).usedBy.contains { $0.kind == "run" && $0.referrer == run.runId })
        #expect(try FileManager.default.contentsOfDirectory(atPath: b.dir.path).sorted() == ["toy.csv", "ws"])
        // The workbench opened one workspace and one store: the client is the same one each time.
        let again = try await b.bench.trackingClient()
        #expect(again.location == client.location)
    }

    @Test("A run's dataset input is the one record of its read: shown as a use, holding removal while the run is active")
    func runsReadingADataset() async throws {
        let b = try Bench.make()
        let ws = try await b.bench.workspace()
        let version = try ws.datasets.add(file: b.csv, name: "toy").version
        let catalog = try await b.bench.datasets()
        let run = try #require(try await Training.train(TrainingRequest(data: "toy", target: "target", model: "logistic", run: RunSettings(profile: false)),
                                                        on: b.bench).run)
        // Recorded once: no dataset reference row, the run's input only.
        #expect(try ws.datasets.uses(of: version).isEmpty)
        #expect(try await catalog.detail(DatasetRef(name: "toy")).usedBy.map(\.referrer) == [run.runId])
        await #expect { _ = try await catalog.remove(DatasetRef(name: "toy")) } throws: { "\($0)".contains("still read by run \(run.runId)") }
        #expect(try ws.datasets.versions(of: "toy").count == 1)

        // A `run` row of an older workspace: counts while its run is active, is cleared once it is not.
        let store = try await b.bench.runStore()
        try ws.datasets.addUse(of: version, kind: "run", referrer: run.runId)
        #expect(try await catalog.detail(DatasetRef(name: "toy")).usedBy.map(\.referrer) == [run.runId])
        try await store.deleteRun(id: run.runId)
        #expect(try await catalog.detail(DatasetRef(name: "toy")).usedBy.isEmpty)
        #expect(try await catalog.remove(DatasetRef(name: "toy")).map(\.reference) == ["toy:1"])

        // Another dataset with the same bytes is not held up by a run that read the first.
        let a = try ws.datasets.add(file: b.csv, name: "a").version
        _ = try ws.datasets.add(file: b.csv, name: "b")
        _ = try await Training.train(TrainingRequest(data: "a", target: "target", model: "logistic", run: RunSettings(profile: false)), on: b.bench)
        #expect(try await catalog.remove(DatasetRef(name: "b")).map(\.reference) == ["b:1"])
        await #expect { _ = try await catalog.remove(DatasetRef(name: a.name)) } throws: { "\($0)".contains("still read by run") }
    }

    @Test("Evaluation and batch scoring are recorded runs through the same workbench")
    func evaluateAndScore() async throws {
        let b = try Bench.make()
        let out = b.dir.appendingPathComponent("m.pulk").path
        _ = try await Training.train(TrainingRequest(data: b.csv, target: "target", model: "naive-bayes", out: out, run: nil), on: b.bench)
        let evaluated = try await Training.evaluate(EvaluationRequest(model: out, data: b.csv), on: b.bench)
        #expect(evaluated.target == "target")
        #expect(evaluated.metrics.contains { $0.name == "accuracy" })
        #expect(evaluated.run != nil)
        let predictions = b.dir.appendingPathComponent("p.csv").path
        let scored = try await BatchScoring.score(ScoringRequest(model: out, data: b.csv, out: predictions, registerAs: "toy-predictions"), on: b.bench)
        #expect(scored.rows == 120)
        #expect(scored.outputDataset?.reference == "toy-predictions:1")
        let run = try await (try await b.bench.trackingClient()).run(id: try #require(scored.run?.runId))
        #expect(run.io.datasetInputs.map { $0.tags.first { $0.key == "mlflow.data.context" }?.value } == ["scoring", "predictions"])
    }

    @Test("Model references", arguments: [
        ("churn@champion", ModelReference.alias(name: "churn", alias: "champion")),
        ("models:/churn@champion", .alias(name: "churn", alias: "champion")),
        ("churn:3", .version(name: "churn", version: "3")),
        ("models:/churn/3", .version(name: "churn", version: "3")),
        ("ns/churn:12", .version(name: "ns/churn", version: "12")),
        ("model.pulk", .file("model.pulk")),
    ])
    func references(text: String, expected: ModelReference) throws {
        #expect(try ModelReference(parsing: text) == expected)
    }

    @Test("Malformed model references say what to give", arguments: ["churn", "churn@", "@champion", "churn:0", "churn:x", ":3"])
    func badReferences(text: String) {
        #expect(throws: AppError.self) { try ModelReference(parsing: text) }
    }

    @Test("Traffic shares rescale to the rest, largest remainders first", arguments: [
        ([100], 90, [90]),
        ([50, 50], 90, [45, 45]),
        ([70, 30], 50, [35, 15]),
        ([34, 33, 33], 100, [34, 33, 33]),
        ([1, 1, 1], 2, [1, 1, 0]),
        ([0, 100], 60, [0, 60]),
        ([0, 0], 100, [0, 0]),
    ])
    func rescale(shares: [Int], total: Int, expected: [Int]) {
        let ds = shares.enumerated().map { Deployment(name: "d\($0.offset)", model: "m", reference: "1", version: "1", traffic: $0.element) }
        #expect(Deploying.rescale(ds, to: total).map(\.traffic) == expected)
    }

    @Test("Deploy, split, roll back and remove through the application layer; every refusal names the fix")
    func deployFlow() async throws {
        let b = try Bench.make()
        let trained = try await Training.train(TrainingRequest(data: b.csv, target: "target", model: "logistic", run: RunSettings(profile: false)), on: b.bench)
        let client = try await b.bench.trackingClient()
        let run = try #require(trained.run)
        let (v1, _) = try await Registering.register(runId: run.runId, name: "toy", client: client)
        let (v2, _) = try await Registering.register(runId: String(run.runId.prefix(8)), name: "toy", client: client)
        #expect((v1.version, v2.version) == (1, 2))
        await #expect(throws: AppError.self) { try await Registering.register(runId: run.runId, name: "toy", path: "nothing", client: client) }
        try await client.setAlias(name: "toy", alias: "champion", version: "1", user: "t")

        let blue = try await Deploying.deploy(DeployRequest(endpoint: "toy", model: "toy@champion"), on: b.bench)
        #expect(blue.created && blue.endpoint.deployments.map(\.traffic) == [100])
        #expect(blue.endpoint.deployments.first?.alias == "champion")
        let green = try await Deploying.deploy(DeployRequest(endpoint: "toy", model: "toy:2", deployment: "green", traffic: 20), on: b.bench)
        #expect(!green.created && green.endpoint.deployments.map(\.traffic) == [80, 20])
        await #expect(throws: AppError.self) { try await Deploying.deploy(DeployRequest(endpoint: "toy", model: "toy@nope"), on: b.bench) }
        await #expect(throws: AppError.self) { try await Deploying.deploy(DeployRequest(endpoint: "toy", model: "m.pulk"), on: b.bench) }
        // A version whose files hold no Pulk model is refused before the endpoint changes.
        let (notAModel, _) = try await Registering.register(runId: run.runId, name: "toy", path: "metrics.json", client: client)
        await #expect(throws: AppError.self) {
            try await Deploying.deploy(DeployRequest(endpoint: "toy", model: "toy:\(notAModel.version)", deployment: "bad"), on: b.bench)
        }
        #expect(try await b.bench.endpoints().endpoint(name: "toy").endpoint.deployments.map(\.name) == ["blue", "green"])

        let store = try await b.bench.sqlStore()
        let (split, _) = try await Deploying.setTraffic(endpoint: "toy", live: ["blue": 50, "green": 50], mirrors: [:], store: store)
        #expect(split.deployments.map(\.traffic) == [50, 50])
        await #expect(throws: AppError.self) { try await Deploying.setTraffic(endpoint: "toy", live: ["red": 100], mirrors: [:], store: store) }
        await #expect(throws: AppError.self) { try await Deploying.removeDeployment("green", from: "toy", store: store) }
        let (back, restored) = try await Deploying.rollback(endpoint: "toy", store: store)
        #expect(back.deployments.map(\.traffic) == [80, 20] && restored.kind == "deploy")
        _ = try await Deploying.setTraffic(endpoint: "toy", live: ["blue": 100], mirrors: [:], store: store)
        let removed = try await Deploying.removeDeployment("green", from: "toy", store: store)
        #expect(removed.deployments.map(\.name) == ["blue"])
        let settings = try await b.bench.endpoints().updateSettings(endpoint: "toy", SettingsChange(maxRows: 5))
        #expect(settings.settings.maxRows == 5 && settings.settings.maxConcurrency == EndpointSettings().maxConcurrency)

        // Emitting files resolves the same reference and changes no endpoint.
        let folder = b.dir.appendingPathComponent("emit")
        let (files, spec) = try await Deploying.emit(["dockerfile"], endpoint: "toy", model: "toy@champion", folder: folder, port: 8080, maxBatch: 0,
                                                     maxWaitUs: 0, on: b.bench)
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["model.pulk", "Dockerfile"])
        #expect(spec.version == "1")
        await #expect(throws: AppError.self) {
            try await Deploying.emit(["helm"], endpoint: "toy", model: "toy@champion", folder: folder, port: 8080, maxBatch: 0, maxWaitUs: 0, on: b.bench)
        }
    }

    @Test("Lineage follows a version registered from a logged model to the model's source run")
    func lineageThroughLoggedModel() async throws {
        let b = try Bench.make()
        let trained = try await Training.train(TrainingRequest(data: b.csv, target: "target", model: "logistic", run: RunSettings(profile: false)), on: b.bench)
        let run = try #require(trained.run)
        let store = try await b.bench.sqlStore()
        let logged = try await store.createLoggedModel(experimentId: run.experimentId, name: "toy", modelType: "", sourceRunId: run.runId, params: [], tags: [])
        _ = try await store.createRegisteredModel(name: "toy", description: "", tags: [], user: "t")
        let v = try await store.createModelVersion(name: "toy", source: "models:/\(logged.modelId)", runId: nil, modelId: logged.modelId,
                                                   description: "", tags: [], runLink: "", user: "t")
        let lineage = try await Lineage.of(v, client: try await b.bench.trackingClient())
        #expect(lineage.loggedModel?.modelId == logged.modelId)
        #expect(lineage.run?.runId == run.runId)
        #expect(lineage.datasets.map(\.context) == ["training"])
    }
}
