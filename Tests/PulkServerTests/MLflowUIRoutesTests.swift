import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import PulkServer
import PulkSQL
import PulkStore
import Testing

/// The routes MLflow's UI and client use beside its protobuf API: /version, bulk and sampled metric
/// histories, dataset summaries, the unproxied artifact API and the UI's upload.
@Suite("MLflow's UI routes")
struct MLflowUIRoutesTests {
    static func withServer(_ body: @Sendable (any TestClientProtocol, SQLTrackingStore, ArtifactStore) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-ui-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let app = try TrackingServer.application(store: store, artifacts: artifacts)
        try await app.test(.router) { client in try await body(client, store, artifacts) }
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, body: String? = nil,
                    type: String = "application/json") async throws -> (status: Int, text: String, json: [String: Any], headers: HTTPFields) {
        try await client.execute(uri: uri, method: method, headers: body == nil ? [:] : [.contentType: type], body: body.map { ByteBuffer(string: $0) }) { r in
            let text = String(buffer: r.body)
            return (r.status.code, text, (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:], r.headers)
        }
    }

    static func metric(_ m: Any) -> (String, Int, Double) {
        let o = m as! [String: Any]
        return (o["run_id"] as! String, (o["step"] as! NSNumber).intValue, (o["value"] as! NSNumber).doubleValue)
    }

    @Test("GET /version answers the MLflow API level, without credentials")
    func version() async throws {
        try await Self.withServer { client, _, _ in
            let r = try await Self.get(client, "/version")
            #expect(r.status == 200 && r.text == MLflowUIRoutes.mlflowAPIVersion)
        }
    }

    @Test("Bulk histories: every point of several runs, with run ids; sampled histories keep each run's ends")
    func histories() async throws {
        try await Self.withServer { client, store, _ in
            let a = try await store.createRun(experimentId: "0", userId: "u", startTime: nil, runName: nil, tags: []).info.runId
            let b = try await store.createRun(experimentId: "0", userId: "u", startTime: nil, runName: nil, tags: []).info.runId
            try await store.logBatch(runId: a, metrics: (0..<100).map { Metric("m", Double($0), timestamp: 1000 + Int64($0), step: Int64($0)) }, params: [], tags: [])
            try await store.logBatch(runId: b, metrics: (0..<10).map { Metric("m", Double($0) * 2, timestamp: 2000 + Int64($0), step: Int64($0)) }, params: [], tags: [])
            let bulk = try await Self.get(client, "/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=\(a)&run_id=\(b)&metric_key=m")
            let points = try #require(bulk.json["metrics"] as? [Any]).map(Self.metric)
            #expect(points.count == 110 && points.filter { $0.0 == b }.map(\.2) == (0..<10).map { Double($0) * 2 })
            #expect(try await Self.get(client, "/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=\(a)&metric_key=m&max_results=5").json["metrics"].map { ($0 as! [Any]).count } == 5)

            // The same samples as MLflow 3.17's SQL store (its get_metric_history_bulk_interval on the same points).
            let sampled = try await Self.get(client, "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=\(a)&run_ids=\(b)&metric_key=m&max_results=10")
            let got = try #require(sampled.json["metrics"] as? [Any]).map(Self.metric)
            #expect(got.filter { $0.0 == a }.map(\.1) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 99], "\(got)")
            #expect(got.filter { $0.0 == b }.map(\.1) == Array(0..<10))
            let window = try await Self.get(client, "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=\(a)&metric_key=m&max_results=7&start_step=10&end_step=50")
            #expect(try #require(window.json["metrics"] as? [Any]).map(Self.metric).map(\.1) == [10, 16, 22, 28, 34, 40, 50])

            for bad in ["metrics/get-history-bulk?metric_key=m", "metrics/get-history-bulk?run_id=\(a)",
                        "metrics/get-history-bulk-interval?run_ids=\(a)&metric_key=m&start_step=5",
                        "metrics/get-history-bulk-interval?run_ids=\(a)&metric_key=m&start_step=9&end_step=2",
                        "metrics/get-history-bulk-interval?run_ids=\(a)&metric_key=m&max_results=0",
                        "metrics/get-history-bulk?metric_key=m&" + (0..<101).map { "run_id=r\($0)" }.joined(separator: "&")] {
                let r = try await Self.get(client, "/ajax-api/2.0/mlflow/" + bad)
                #expect(r.status == 400 && r.json["error_code"] as? String == "INVALID_PARAMETER_VALUE", "\(bad): \(r.status) \(r.text)")
            }
            #expect(try await Self.get(client, "/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=nope&metric_key=m").status == 404)
        }
    }

    @Test("Sampling matches MLflow's on repeated steps and a single sample")
    func sampling() {
        let c = [Metric("m", 1, timestamp: 5, step: 0), Metric("m", 2, timestamp: 6, step: 0), Metric("m", 3, timestamp: 7, step: 0), Metric("m", 4, timestamp: 8, step: 7)]
        #expect(MetricSampling.sample([c], maxResults: 2, start: nil, end: nil)[0].map(\.value) == [1, 4])
        let b = (0..<10).map { Metric("m", Double($0), timestamp: Int64($0), step: Int64($0)) }
        #expect(MetricSampling.sample([b], maxResults: 1, start: nil, end: nil)[0].map(\.step) == [9])
        #expect(MetricSampling.sample([b], maxResults: 5, start: nil, end: nil)[0].map(\.step) == [0, 2, 4, 6, 9])
        #expect(MetricSampling.sample([[]], maxResults: 5, start: nil, end: nil) == [[]])
    }

    @Test("Dataset summaries of experiments, with the context each was read in")
    func datasets() async throws {
        try await Self.withServer { client, store, _ in
            let run = try await store.createRun(experimentId: "0", userId: "u", startTime: nil, runName: nil, tags: []).info.runId
            let data = LoggedDataset(name: "penguins", digest: "abc", sourceType: "local", source: "{}", schema: "{}", profile: "{}")
            try await store.logInputs(runId: run, datasets: [DatasetInput(dataset: data, tags: [Tag("mlflow.data.context", "training")])], models: [])
            let r = try await Self.get(client, "/ajax-api/2.0/mlflow/experiments/search-datasets", method: .post, body: #"{"experiment_ids": ["0"]}"#)
            let summaries = try #require(r.json["dataset_summaries"] as? [[String: Any]])
            #expect(summaries.count == 1 && summaries[0]["name"] as? String == "penguins" && summaries[0]["context"] as? String == "training"
                    && summaries[0]["experiment_id"] as? String == "0", "\(r.text)")
            #expect(try await Self.get(client, "/ajax-api/2.0/mlflow/experiments/search-datasets", method: .post, body: #"{"experiment_ids": []}"#).status == 400)
        }
    }

    @Test("Artifacts by run, version and logged model, listed and downloaded without the proxy; the UI's upload")
    func artifacts() async throws {
        try await Self.withServer { client, store, artifacts in
            let run = try await store.createRun(experimentId: "0", userId: "u", startTime: nil, runName: nil, tags: []).info.runId
            let up = try await Self.get(client, "/ajax-api/2.0/mlflow/upload-artifact?run_uuid=\(run)&path=notes/a.txt", method: .post,
                                        body: "hello", type: "application/octet-stream")
            #expect(up.status == 200, "\(up.text)")
            let listed = try await Self.get(client, "/api/2.0/mlflow/artifacts/list?run_id=\(run)")
            #expect((listed.json["files"] as? [[String: Any]])?.map { $0["path"] as? String } == ["notes"] && (listed.json["root_uri"] as? String)?.hasSuffix("/artifacts") == true,
                    "\(listed.text)")
            let inner = try await Self.get(client, "/api/2.0/mlflow/artifacts/list?run_id=\(run)&path=notes")
            #expect((inner.json["files"] as? [[String: Any]])?.first?["path"] as? String == "notes/a.txt")
            let file = try await Self.get(client, "/get-artifact?run_id=\(run)&path=notes/a.txt")
            #expect(file.status == 200 && file.text == "hello" && file.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(try await Self.get(client, "/ajax-api/2.0/mlflow/get-artifact?run_uuid=\(run)&path=notes/a.txt").text == "hello")

            _ = try await store.createRegisteredModel(name: "m", description: "", tags: [], user: "u")
            _ = try await store.createModelVersion(name: "m", source: "runs:/\(run)/notes", runId: run, modelId: nil, description: "", tags: [], runLink: "", user: "u")
            #expect(try await Self.get(client, "/model-versions/get-artifact?name=m&version=1&path=a.txt").text == "hello")

            for bad in ["/get-artifact?run_id=\(run)&path=../../etc/passwd", "/get-artifact?run_id=\(run)&path=/etc/passwd", "/get-artifact?run_id=\(run)"] {
                let r = try await Self.get(client, bad)
                #expect(r.status == 400, "\(bad): \(r.status)")
            }
            #expect(try await Self.get(client, "/get-artifact?run_id=\(run)&path=missing.txt").status == 404)
            #expect(try await Self.get(client, "/ajax-api/2.0/mlflow/upload-artifact?run_uuid=\(run)&path=../x", method: .post, body: "x").status == 400)
            #expect(try await Self.get(client, "/ajax-api/2.0/mlflow/upload-artifact?run_uuid=\(run)&path=empty.txt", method: .post, body: "").status == 400)
            #expect(try await Self.get(client, "/ajax-api/2.0/mlflow/upload-artifact?path=a.txt", method: .post, body: "x").status == 400)

            let lm = try await store.createLoggedModel(experimentId: "0", name: "model", modelType: "", sourceRunId: run, params: [], tags: [])
            let key = try artifacts.key(ofLocation: lm.artifactLocation) + "/MLmodel"
            _ = try await artifacts.write(key, chunks: AsyncThrowingStream<ByteBuffer, any Error> { c in c.yield(ByteBuffer(string: "flavors: {}")); c.finish() })
            let mlmodel = try await Self.get(client, "/ajax-api/2.0/mlflow/logged-models/\(lm.modelId)/artifacts/files?artifact_file_path=MLmodel")
            #expect(mlmodel.status == 200 && mlmodel.text == "flavors: {}", "\(mlmodel.status) \(mlmodel.text)")
        }
    }
}
