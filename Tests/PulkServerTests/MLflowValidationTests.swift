import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import PulkServer
import PulkSQL
import PulkStore
import Testing

/// Where MLflow's server refuses a request, Pulk refuses it the same way (INVALID_PARAMETER_VALUE,
/// naming the field), instead of guessing what was meant.
@Suite("MLflow API: values of the wrong type are refused as MLflow refuses them")
struct MLflowValidationTests {
    static func withApp(_ body: @Sendable (any TestClientProtocol, SQLTrackingStore) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        let app = try TrackingServer.application(store: store, artifacts: try ArtifactStore(root: dir.appendingPathComponent("artifacts")))
        try await app.test(.router) { client in try await body(client, store) }
    }

    static func post(_ client: any TestClientProtocol, _ path: String, _ body: String) async throws -> (Int, String) {
        try await client.execute(uri: "/api/2.0/mlflow/" + path, method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: body)) { r in (r.status.code, String(buffer: r.body)) }
    }

    @Test("Wrong types and missing fields", arguments: [
        ("experiments/create", #"{"name": 123}"#, "Invalid value 123 for parameter 'name' supplied: expected a string"),
        ("experiments/create", #"{"name": ["a"]}"#, "for parameter 'name' supplied: expected a string"),
        ("runs/log-metric", #"{"run_id": 123, "key": "m", "value": 1, "timestamp": 1, "step": 0}"#, "parameter 'run_id' supplied: expected a string"),
        ("runs/log-parameter", #"{"run_id": 123, "key": "p", "value": "v"}"#, "parameter 'run_id' supplied: expected a string"),
        ("runs/set-tag", #"{"run_id": 1.5, "key": "t", "value": "v"}"#, "parameter 'run_id' supplied: expected a string"),
        ("runs/log-batch", #"{"run_id": "abc", "metrics": "x"}"#, #"Invalid value \"x\" for parameter 'metrics' supplied: expected a list"#),
        ("runs/log-batch", #"{"run_id": "abc", "params": {"k": "v"}}"#, "Invalid value {…} for parameter 'params' supplied: expected a list"),
        ("runs/log-batch", #"{"run_id": "abc", "metrics": [{"key": "m", "value": 1}]}"#, "Missing value for required parameter 'metrics[0].timestamp'"),
        ("runs/log-metric", #"{"run_id": "abc", "key": 31, "value": 1, "timestamp": 1}"#, "Invalid value 31 for parameter 'key' supplied"),
        ("runs/log-batch", #"{"run_id": 7, "metrics": []}"#, "parameter 'run_id' supplied: expected a string"),
        ("runs/log-inputs", #"{"datasets": []}"#, "Missing value for required parameter 'run_id'"),
    ])
    func refused(path: String, body: String, message: String) async throws {
        try await Self.withApp { client, store in
            let (status, text) = try await Self.post(client, path, body)
            #expect(status == 400, "\(path) \(body): \(status) \(text)")
            #expect(text.contains("INVALID_PARAMETER_VALUE") && text.contains(message), "\(text)")
            // Nothing was created by a refused request.
            #expect(try await store.searchExperiments(view: .all, filter: nil, orderBy: [], maxResults: 10, pageToken: nil).items.map(\.name) == ["Default"])
        }
    }

    @Test("Enums may come as names or numbers, as proto3 JSON allows")
    func enumsByNumber() async throws {
        try await Self.withApp { client, store in
            let run = try await store.createRun(experimentId: "0", userId: "u", startTime: 1, runName: "r", tags: [])
            let (status, text) = try await Self.post(client, "runs/update", #"{"run_id": "\#(run.info.runId)", "status": 3, "end_time": 2}"#)
            #expect(status == 200, "\(text)")
            #expect(try await store.run(id: run.info.runId).info.status == .finished)
            let (searched, found) = try await Self.post(client, "experiments/search", #"{"max_results": 10, "view_type": 3}"#)
            #expect(searched == 200 && found.contains("Default"), "\(found)")
        }
    }

    @Test("Experiment search: tags.K != 'v' needs the tag with another value, as MLflow's experiments search does")
    func experimentTagNotEqual() async throws {
        try await Self.withApp { client, store in
            _ = try await store.createExperiment(name: "a", artifactLocation: nil, tags: [Tag("team", "x")])
            _ = try await store.createExperiment(name: "b", artifactLocation: nil, tags: [Tag("team", "y")])
            _ = try await store.createExperiment(name: "c", artifactLocation: nil, tags: [])
            let (status, text) = try await Self.post(client, "experiments/search", #"{"max_results": 10, "filter": "tags.team != 'x'"}"#)
            #expect(status == 200)
            let names = ((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["experiments"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["b"], "\(text)")
        }
    }

    @Test("Artifact downloads carry MLflow's content type by extension, as attachments, never sniffed", arguments: [
        ("notes.txt", "text/plain"), ("conf.yaml", "text/plain"), ("MLmodel", "text/plain"), ("data.csv", "text/plain"),
        ("plot.png", "image/png"), ("photo.JPG", "image/jpeg"), ("page.html", "text/html"), ("model.pkl", "application/octet-stream"),
        ("weights", "application/octet-stream"),
    ])
    func artifactTypes(name: String, type: String) async throws {
        try await Self.withApp { client, _ in
            let path = "/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/" + name
            try await client.execute(uri: path, method: .put, headers: [.contentType: "application/octet-stream"], body: ByteBuffer(string: "x")) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: path, method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == type)
                #expect(r.headers[.contentDisposition] == "attachment; filename=\(name)")
                #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
        }
    }
}
