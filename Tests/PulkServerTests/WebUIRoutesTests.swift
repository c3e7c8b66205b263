import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PulkApp
import PulkEndpoints
import PulkFrame
@testable import PulkServer
import PulkSQL
import PulkStore
import PulkWorkspace
import Testing

/// Every page of the web UI, answered in process over one workspace that holds an experiment with a
/// run, a dataset, a registered model with an alias and an endpoint: each page is HTML naming what it
/// shows, an unknown name is a 404 page, never a 500. (The browser checks in PulkCLITests run the
/// same pages in Chromium through a real `pulk server`.)
@Suite("Web UI routes, in process")
struct WebUIRoutesTests {
    struct Seeded: Sendable {
        var experimentId: String
        var runId: String
    }

    static func withServer(_ body: @Sendable (any TestClientProtocol, Seeded) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-webui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.open(at: dir.appendingPathComponent("ws").path)
        let csv = dir.appendingPathComponent("iris-like.csv")
        try "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n".write(to: csv, atomically: true, encoding: .utf8)
        _ = try ws.datasets.add(file: csv.path, name: "flowers")
        // A SQL snapshot: a Parquet file with its query as lineage.
        let parquet = dir.appendingPathComponent("orders.parquet").path
        try ParquetWriter().write(try Frame(columns: [Column(name: "id", storage: .int64(ColumnBuffer([1, 2])))]), to: parquet)
        var snapshot = DatasetStore.AddOptions()
        snapshot.origin = ["sql": "SELECT id FROM orders WHERE amount > 10", "sql_source": "sqlite:shop.db"]
        snapshot.sourcePath = "sqlite:shop.db (SQL snapshot)"
        _ = try ws.datasets.add(file: parquet, name: "orders", options: snapshot)
        let store = try await StoreLocation.workspace.open(workspace: ws)
        let experimentId = try await store.createExperiment(name: "ui-experiment", artifactLocation: nil, tags: [])
        let run = try await store.createRun(experimentId: experimentId, userId: "alice", startTime: 1_000, runName: "first-run", tags: [])
        let runId = run.info.runId
        try await store.logBatch(runId: runId, metrics: [Metric("test_accuracy", 0.93, timestamp: 1_000)], params: [Param("num_leaves", "31")], tags: [])
        _ = try await store.createRegisteredModel(name: "flower-model", description: "", tags: [], user: "alice")
        _ = try await store.createModelVersion(name: "flower-model", source: "runs:/\(runId)/model", runId: runId, modelId: nil, description: "",
                                               tags: [], runLink: "", user: "alice")
        try await store.setAlias(name: "flower-model", alias: "champion", version: "1", user: "alice")
        _ = try await store.createEndpoint(name: "flower-ep", description: "flowers", settings: EndpointSettings(), user: "alice")
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let app = try TrackingServer.application(store: store, artifacts: artifacts, datasets: ws.datasets)
        try await app.test(.router) { client in try await body(client, Seeded(experimentId: experimentId, runId: runId)) }
    }

    static func page(_ client: any TestClientProtocol, _ uri: String) async throws -> (status: Int, type: String, html: String) {
        try await client.execute(uri: uri, method: .get, headers: [.accept: "text/html"]) { r in
            (Int(r.status.code), r.headers[.contentType] ?? "", String(buffer: r.body))
        }
    }

    @Test("Every page answers HTML that names what it shows")
    func pages() async throws {
        try await Self.withServer { client, seeded in
            let pages: [(uri: String, shows: [String])] = [
                ("/", ["ui-experiment"]),
                ("/ui/experiments/\(seeded.experimentId)", ["first-run", "test_accuracy"]),
                ("/ui/runs", ["first-run"]),
                ("/ui/runs/\(seeded.runId)", ["first-run", "num_leaves", "31", "0.93"]),
                ("/ui/compare?runs=\(seeded.runId)", ["first-run", "test_accuracy"]),
                ("/ui/datasets", ["flowers"]),
                ("/ui/datasets/flowers", ["flowers", "species"]),
                ("/ui/datasets/orders", ["parquet", "sqlite:shop.db (SQL snapshot)", "SELECT id FROM orders WHERE amount &gt; 10"]),
                ("/ui/models", ["flower-model"]),
                ("/ui/models/flower-model", ["flower-model", "champion"]),
                ("/ui/models/flower-model/versions/1", ["flower-model", seeded.runId]),
                ("/ui/endpoints", ["flower-ep"]),
                ("/ui/endpoints/flower-ep", ["flower-ep"]),
            ]
            for (uri, shows) in pages {
                let r = try await Self.page(client, uri)
                #expect(r.status == 200, "\(uri): \(r.status) \(r.html.prefix(300))")
                #expect(r.type.hasPrefix("text/html"), "\(uri): \(r.type)")
                #expect(r.html.hasPrefix("<!DOCTYPE html>") || r.html.hasPrefix("<!doctype html>"), "\(uri)")
                for text in shows { #expect(r.html.contains(text), "\(uri) does not show \(text)") }
            }
        }
    }

    @Test("An unknown experiment, run, dataset, model, version or endpoint is a 404 page, not a 500")
    func unknownNames() async throws {
        try await Self.withServer { client, _ in
            for uri in ["/ui/experiments/987654", "/ui/runs/0123456789abcdef0123456789abcdef", "/ui/datasets/nothing",
                        "/ui/models/nothing", "/ui/models/flower-model/versions/99", "/ui/endpoints/nothing"] {
                let r = try await Self.page(client, uri)
                #expect(r.status == 404, "\(uri): \(r.status)")
                #expect(r.type.hasPrefix("text/html") && r.html.contains("Not found"), "\(uri)")
            }
        }
    }
}

/// A clustering run's segments, an anomaly run's most unusual rows and a recommender run's sample
/// users, read from the artifacts the run recorder writes (snake_case JSON), as tables on the run page; names are escaped.
@Suite("Web UI: clustering, anomaly and recommendation findings")
struct FindingsTests {
    @Test func segments() {
        let json = #"[{"cluster": 0, "size": 30, "share": 0.75, "distinguishing": [{"feature": "bill<b>", "cluster_mean": 48.5, "overall_mean": 44, "effect": 1.25}]},"#
            + #" {"cluster": -1, "size": 10, "share": 0.25, "distinguishing": []}]"#
        let html = WebUI.segments(Data(json.utf8))
        #expect(html.contains("<h2>Segments</h2>") && html.contains("75.0%") && html.contains("bill&lt;b&gt;") && html.contains("48.5 vs 44 (+1.25)"))
        #expect(html.contains("<td>noise</td>"), "noise rows are named as such")
        #expect(WebUI.segments(Data("not json".utf8)).isEmpty)
    }

    @Test func unusualRows() {
        let json = #"[{"row": 4, "score": 0.81, "reasons": [{"feature": "f6", "value": 3799, "typical": 0, "z": 512.5}]}]"#
        let html = WebUI.unusualRows(Data(json.utf8))
        #expect(html.contains("<h2>Most unusual rows</h2>") && html.contains("<td class=\"num\">5</td>") && html.contains("<b>f6</b> 3799 vs 0 (z +512.5)"))
        #expect(WebUI.unusualRows(Data("[]".utf8)).contains("No training row was flagged"))
    }

    @Test func recommendations() {
        let json = #"{"k": 3, "users": [{"user": "u<1>", "held_out": ["i9", "i2"], "recommended": ["i2", "i5", "i7"], "popular": ["i5", "i6", "i7"]}],"#
            + #" "most_recommended": [{"item": "i5", "users": 40, "share": 0.8}]}"#
        let html = WebUI.recommendations(Data(json.utf8))
        #expect(html.contains("<h2>Recommendations</h2>") && html.contains("u&lt;1&gt;") && html.contains("Model's top 3"))
        #expect(html.contains("<b class=\"hit\">i2 ✓</b> · i5 · i7") && html.contains("i5 · i6 · i7"), "hits marked in the model's list only")
        #expect(html.contains("Most recommended items") && html.contains("80.0%"))
        #expect(WebUI.recommendations(Data("[]".utf8)).isEmpty)
    }
}
