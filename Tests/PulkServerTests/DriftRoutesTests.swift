import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PulkApp
@testable import PulkServer
import PulkSQL
import PulkStore
import PulkTracking
import PulkWorkspace
import Testing

/// `POST /api/pulk/v1/drift`: reports on registered dataset versions as JSON or HTML; paths, model
/// files and bad options are 4xx with a JSON body that says why.
@Suite("Native API: drift reports")
struct DriftRoutesTests {
    static func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-drift-api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.open(at: dir.appendingPathComponent("ws").path)
        for (version, shift) in [(1, 0), (2, 40)] {
            let csv = dir.appendingPathComponent("v\(version).csv").path
            var text = "x,city,steady\n"
            for i in 0..<300 { text += "\(i % 100 + shift),\(["oslo", "rome", "lima"][(i + shift / 40) % 3 == 0 || shift == 0 ? i % 3 : 0]),\(i % 10)\n" }
            try text.write(toFile: csv, atomically: true, encoding: .utf8)
            _ = try ws.datasets.add(file: csv, name: "sales")
        }
        let store = try await StoreLocation.workspace.open(workspace: ws)
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let app = try TrackingServer.application(store: store, artifacts: artifacts, datasets: ws.datasets)
        try await app.test(.router) { client in try await body(client) }
    }

    static func post(_ client: any TestClientProtocol, _ body: String) async throws -> (status: Int, body: String, json: [String: Any]) {
        try await client.execute(uri: "/api/pulk/v1/drift", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { r in
            let text = String(buffer: r.body)
            return (Int(r.status.code), text, (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:])
        }
    }

    @Test func reportOfTwoVersions() async throws {
        try await Self.withApp { client in
            let r = try await Self.post(client, #"{"reference": "sales:1", "current": "sales:2", "thresholds": {"steady": 0.5}}"#)
            #expect(r.status == 200, "\(r.body)")
            let report = try #require(r.json["report"] as? [String: Any])
            let features = try #require(report["features"] as? [[String: Any]])
            let byName = Dictionary(uniqueKeysWithValues: features.map { ($0["name"] as! String, $0) })
            #expect(byName["x"]?["drifted"] as? Bool == true)
            #expect(byName["steady"]?["drifted"] as? Bool == false)
            #expect(byName["steady"]?["threshold"] as? Double == 0.5, "a column name with an underscore-free key keeps its spelling")
            #expect(report["reference"] as? String == "sales:1" && report["current_rows"] as? Int == 300)
            #expect((report["generated_at"] as? String)?.hasSuffix("Z") == true)

            let html = try await Self.post(client, #"{"reference": "sales:1", "current": "sales", "format": "html"}"#)
            #expect(html.status == 200 && html.body.hasPrefix("<!DOCTYPE html>"))
        }
    }

    @Test(arguments: [
        (#"{"reference": "/etc/passwd", "current": "sales:2"}"#, 404, "no dataset named '/etc/passwd'"), // never read as a file
        (#"{"reference": "sales:1", "current": "sales:9"}"#, 404, "sales"),
        (#"{"current": "sales:2"}"#, 400, "no reference data"),
        (#"{"reference": "sales:1"}"#, 400, "not both or neither"),
        (#"{"reference": "sales:1", "endpoint": "nope"}"#, 404, "nope"),
        (#"{"reference": "sales:1", "current": "sales:2", "since_seconds": 60}"#, 400, "since_seconds applies"),
        (#"{"reference": "sales:1", "current": "sales:2", "model": "/tmp/model.pulk"}"#, 400, "is a file name"),
        (#"{"reference": "sales:1", "current": "sales:2", "method": "magic"}"#, 400, "unknown drift method"),
        (#"{"reference": "sales:1", "current": "sales:2", "methods": {"city": "ks"}}"#, 400, "ks does not apply"),
        (#"{"reference": "sales:1", "current": "sales:2", "drift_share": 7}"#, 400, "between 0 and 1"),
        (#"{"reference": "sales:1", "current": "sales:2", "columns": []}"#, 400, "no column in common"),
        (#"{"reference": "sales:1", "current": "sales:2", "format": "pdf"}"#, 400, "json or html"),
        (#"{"reference": 3, "current": "sales:2"}"#, 400, "reference"),
        (#"not json"#, 400, "not what POST"),
    ])
    func badRequestsAreClearErrors(body: String, status: Int, message: String) async throws {
        try await Self.withApp { client in
            let r = try await Self.post(client, body)
            #expect(r.status == status, "\(r.body)")
            #expect(r.body.contains(message), "\(r.body)")
            #expect(r.json["message"] != nil || r.json["error_code"] != nil, "a JSON error body: \(r.body)")
        }
    }
}
