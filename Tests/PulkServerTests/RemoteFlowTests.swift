import Foundation
import Hummingbird
import HummingbirdTesting
import PulkApp
@testable import PulkServer
import PulkServing
import PulkSQL
import PulkStore
import PulkEndpoints
import PulkTracking
import PulkWorkspace
import Testing

/// The application layer against a live in-process `pulk server`: training records its run there,
/// registering and deploying go through the server's APIs, and endpoint management is the same
/// service as on a local store (`RemoteEndpoints` over the native API).
@Suite("Remote flows: --server against a pulk server")
struct RemoteFlowTests {
    @Test("Train, register, deploy, split, roll back and read endpoints on a server, with the server's refusals passed on")
    func endpointsThroughTheServer() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("toy.csv").path
        var text = "x,z,target\n"
        for i in 0..<90 { text += "\(i),\(i % 5),\(i % 2 == 0 ? "yes" : "no")\n" }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("server.sqlite").path))
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let app = try TrackingServer.application(store: store, artifacts: artifacts, configuration: ServerConfiguration(port: 0))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
            // A laptop's workbench: its own (empty) workspace for files, everything else on the server.
            let bench = Workbench(workspacePath: dir.appendingPathComponent("laptop").path, server: url)
            let trained = try await Training.train(TrainingRequest(data: csv, target: "target", model: "logistic", run: RunSettings(profile: false)), on: bench)
            let run = try #require(trained.run)
            #expect(try await store.run(id: run.runId).info.status == .finished)
            let tracking = try await bench.trackingClient()
            let (version, _) = try await Registering.register(runId: run.runId, name: "toy", client: tracking)
            try await tracking.setAlias(name: "toy", alias: "champion", version: String(version.version), user: "t")

            let endpoints = try await bench.endpoints()
            #expect(endpoints.location == url.absoluteString)
            let created = try await endpoints.create(name: "toy", description: "remote", settings: EndpointSettings())
            #expect(created.description == "remote")
            let blue = try await endpoints.deploy(DeployRequest(endpoint: "toy", model: "toy@champion"))
            #expect(!blue.created && blue.endpoint.deployments.map(\.traffic) == [100])
            _ = try await endpoints.deploy(DeployRequest(endpoint: "toy", model: "toy:1", deployment: "green", traffic: 10))
            let (split, message) = try await endpoints.setTraffic(endpoint: "toy", live: ["blue": 70, "green": 30], mirrors: [:])
            #expect(split.deployments.map(\.traffic) == [70, 30] && message == "blue=70% green=30%")
            let (back, restored) = try await endpoints.rollback(endpoint: "toy")
            #expect(back.deployments.map(\.traffic) == [90, 10] && restored.kind == "deploy")
            let changed = try await endpoints.updateSettings(endpoint: "toy", SettingsChange(maxRows: 7))
            #expect(changed.settings.maxRows == 7)
            let (shown, events) = try await endpoints.endpoint(name: "toy")
            #expect(shown.deployments.map(\.name) == ["blue", "green"])
            #expect(events.map(\.kind) == ["create", "deploy", "deploy", "traffic", "rollback", "settings"])
            #expect(try await endpoints.endpoints().map(\.name) == ["toy"])
            #expect(try await endpoints.servingLog(endpoint: "toy", limit: 5).isEmpty)

            // The server's refusals reach the caller with their kind and message.
            await #expect(throws: AppError.notFound("Model 'toy' has no alias 'nope' (aliases: champion); `pulk models alias toy@nope VERSION` sets it")) {
                try await endpoints.deploy(DeployRequest(endpoint: "toy", model: "toy@nope"))
            }
            await #expect(throws: AppError.self) { try await endpoints.removeDeployment("green", from: "toy") }
            await #expect(throws: AppError.self) { try await endpoints.setTraffic(endpoint: "toy", live: ["red": 100], mirrors: [:]) }
            await #expect(throws: AppError.self) { try await endpoints.endpoint(name: "missing") }
            await #expect(throws: AppError.self) { try await endpoints.create(name: "Bad Name", description: "", settings: EndpointSettings()) }
            await #expect(throws: AppError.self) { try await endpoints.updateSettings(endpoint: "toy", SettingsChange(maxRows: 0)) }
            _ = try await endpoints.setTraffic(endpoint: "toy", live: ["blue": 100], mirrors: [:])
            #expect(try await endpoints.removeDeployment("green", from: "toy").deployments.map(\.name) == ["blue"])
            try await endpoints.delete(name: "toy")
            #expect(try await endpoints.endpoints().isEmpty)
        }
    }

    @Test("Malformed bodies get a 400 that names the field")
    func malformedBodies() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("server.sqlite").path))
        let app = try TrackingServer.application(store: store, artifacts: try ArtifactStore(root: dir.appendingPathComponent("artifacts")))
        try await app.test(.router) { client in
            for (path, body, needle) in [
                ("/api/pulk/v1/endpoints", #"{"description": "x"}"#, "name is missing"),
                ("/api/pulk/v1/endpoints", #"{"name": 5}"#, "name must be String"),
                ("/api/pulk/v1/endpoints/toy/deploy", #"{"deployment": "blue"}"#, "model is missing"),
                ("/api/pulk/v1/endpoints/toy/traffic", #"{"traffic": {"blue": "all"}}"#, "traffic.blue must be Int"),
                ("/api/pulk/v1/endpoints", "[", "not what POST"),
            ] {
                try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(path) \(body)")
                    #expect(String(buffer: response.body).contains(needle), "\(String(buffer: response.body))")
                }
            }
            try await client.execute(uri: "/api/pulk/v1/endpoints/toy/logs?limit=0", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}

@Suite("Remote datasets: every data command against a pulk server")
struct RemoteDatasetTests {
    @Test("Add, export the original bytes, remove a version and a dataset, with the server's refusals passed on")
    func removeAndOriginal() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-remote-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let first = dir.appendingPathComponent("a.csv"), second = dir.appendingPathComponent("b.csv")
        let original = "x;label\n1;yes\n2;no\n3;yes\n"
        try original.write(to: first, atomically: true, encoding: .utf8)
        try "x;label\n4;no\n5;yes\n".write(to: second, atomically: true, encoding: .utf8)
        let serverSide = try Workspace.open(at: dir.appendingPathComponent("server-ws").path)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("server.sqlite").path))
        let app = try TrackingServer.application(store: store, artifacts: try ArtifactStore(root: dir.appendingPathComponent("artifacts")),
                                                 datasets: serverSide.datasets, configuration: ServerConfiguration(port: 0))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let catalog = try await Workbench(workspacePath: dir.appendingPathComponent("laptop").path, server: url).datasets()
            for file in [first, second] {
                _ = try await catalog.add(file: file.path, name: "toy", read: ReadSettings(), description: nil, derivedFrom: nil, progress: NoProgress())
            }
            _ = try await catalog.add(file: first.path, name: "copy", read: ReadSettings(), description: nil, derivedFrom: DatasetRef(name: "toy", version: 1),
                                      progress: NoProgress())

            // Errors and the recorded source name the client's file, never the upload's place on the server.
            let bad = dir.appendingPathComponent("bad.csv")
            try "a,b\n1,2\n3,4,5\n".write(to: bad, atomically: true, encoding: .utf8)
            await #expect { _ = try await catalog.add(file: bad.path, name: "bad", read: ReadSettings(), description: nil, derivedFrom: nil, progress: NoProgress()) }
                throws: { "\($0)".hasPrefix("\(bad.path):3: expected 2 fields") }
            await #expect { _ = try await catalog.add(file: dir.appendingPathComponent("nope.csv").path, name: "bad", read: ReadSettings(), description: nil,
                                                      derivedFrom: nil, progress: NoProgress()) }
                throws: { "\($0)".hasPrefix("\(dir.appendingPathComponent("nope.csv").path): no such file") }
            #expect(try await catalog.version(DatasetRef(name: "toy", version: 1)).sourcePath == first.standardizedFileURL.path + " (uploaded)")

            // The original file's bytes, not the parsed data (the delimiter stays ';'); an existing file is replaced and said so.
            let out = dir.appendingPathComponent("out.csv").path
            #expect(try await catalog.original(try await catalog.version(DatasetRef(name: "toy", version: 1)), to: out) == false)
            #expect(try String(contentsOfFile: out, encoding: .utf8) == original)
            #expect(try await catalog.original(try await catalog.version(DatasetRef(name: "toy", version: 2)), to: out) == true)
            #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("x;label\n4;no"))

            // toy:1 is what copy:1 was derived from: refused while that holds, and nothing is removed.
            await #expect { _ = try await catalog.remove(DatasetRef(name: "toy")) } throws: { "\($0)".contains("still referenced by derived-dataset copy:1") }
            #expect(try await catalog.versions(of: "toy").count == 2)
            #expect(try await catalog.remove(DatasetRef(name: "toy", version: 2)).map(\.reference) == ["toy:2"])
            #expect(try await catalog.remove(DatasetRef(name: "copy")).map(\.reference) == ["copy:1"])
            #expect(try await catalog.remove(DatasetRef(name: "toy")).map(\.reference) == ["toy:1"])
            #expect(try await catalog.list().isEmpty)
            await #expect(throws: AppError.self) { try await catalog.remove(DatasetRef(name: "toy")) }
            #expect(try serverSide.datasets.list().isEmpty)

            // A run trained against the server reads a version: removing it is refused until the run is deleted.
            let again = try await catalog.add(file: first.path, name: "toy", read: ReadSettings(), description: nil, derivedFrom: nil, progress: NoProgress())
            let bench = Workbench(workspacePath: dir.appendingPathComponent("laptop").path, server: url)
            let trained = try await Training.train(TrainingRequest(data: "toy", target: "label", model: "logistic", run: RunSettings(profile: false)), on: bench)
            let run = try #require(trained.run)
            await #expect { _ = try await catalog.remove(DatasetRef(name: "toy", version: again.version.version)) } throws: {
                "\($0)".contains("still read by run \(run.runId)")
            }
            await #expect { _ = try await catalog.remove(DatasetRef(name: "toy")) } throws: { "\($0)".contains("still read by run") }
            try await store.deleteRun(id: run.runId)
            #expect(try await catalog.remove(DatasetRef(name: "toy")).count == 1)
        }
    }
}
