import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PulkAccess
import PulkApp
@testable import PulkServer
import PulkSQL
import PulkStore
import PulkTracking
import PulkWorkspace
import Testing

/// AutoML searches over the native API and in the web UI: started, listed, followed and cancelled;
/// every bad request a 4xx with a JSON body; the page of a search follows it without a reload.
@Suite("Native API and web UI: AutoML searches")
struct AutoMLRoutesTests {
    struct Fixture: Sendable {
        let store: SQLTrackingStore
        let jobs: AutoMLJobs
    }

    static func withApp(users: Bool = false, _ body: @Sendable (any TestClientProtocol, Fixture) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-automl-api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.open(at: dir.appendingPathComponent("ws").path)
        let csv = dir.appendingPathComponent("toy.csv").path
        var text = "x,z,label\n"
        for i in 0..<120 { text += "\(i),\(i % 7),\(i % 3 == 0 ? "yes" : "no")\n" }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        _ = try ws.datasets.add(file: csv, name: "toy")
        let store = try await StoreLocation.workspace.open(workspace: ws)
        if users {
            let admin = AccessAdmin(store: store, rounds: 1_000)
            for (name, role) in AccessTests.roles {
                _ = try await admin.createUser(name: name, password: AccessTests.Fixture.password(name), role: role, by: AccessTests.owner)
            }
        }
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let catalog = LocalDatasets(store: ws.datasets, location: "test server", readers: { DatasetReaders(store: store) })
        let jobs = AutoMLJobs(store: store, datasets: catalog, tracking: LocalTracking(store: store, artifacts: artifacts, datasets: ws.datasets, location: "test server"),
                              cores: 2)
        let app = try TrackingServer.application(store: store, artifacts: artifacts, datasets: ws.datasets, automl: jobs)
        try await app.test(.router) { client in try await body(client, Fixture(store: store, jobs: jobs)) }
    }

    static func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, as user: String? = nil,
                     body: String? = nil) async throws -> (status: Int, body: String, json: [String: Any]) {
        let r = try await AccessTests.call(client, method, uri, as: user, body: body)
        return (r.status, r.body, (try? JSONSerialization.jsonObject(with: Data(r.body.utf8))) as? [String: Any] ?? [:])
    }

    static let start = #"{"data": "toy", "target": "label", "time_budget": 30, "max_trials": 3, "models": ["logistic", "naive-bayes"], "parallel": 1, "experiment": "api"}"#

    @Test("Start, follow, read the leaderboard, see it in the UI; an ended search cannot be cancelled")
    func lifecycle() async throws {
        try await Self.withApp { client, f in
            let created = try await Self.call(client, .post, "/api/pulk/v1/automl", body: Self.start)
            #expect(created.status == 201, "\(created.body)")
            let search = try #require(created.json["search"] as? [String: Any])
            let id = try #require(search["id"] as? String)
            #expect(search["status"] as? String == "queued" && (search["request"] as? [String: Any])?["data"] as? String == "toy:1")

            // Queued: listed, its page says so and keeps polling.
            let list = try await Self.call(client, .get, "/api/pulk/v1/automl")
            #expect(((list.json["searches"] as? [[String: Any]])?.map { $0["id"] as? String }) == [id])
            let queuedPage = try await Self.call(client, .get, "/ui/automl/\(id)")
            #expect(queuedPage.status == 200 && queuedPage.body.contains("data-done=\"0\"") && queuedPage.body.contains("aria-label=\"Cancel search\">"))

            #expect(await f.jobs.runNext())
            let status = try await Self.call(client, .get, "/api/pulk/v1/automl/\(id)")
            let done = try #require(status.json["search"] as? [String: Any])
            #expect(done["status"] as? String == "finished" && done["trials"] as? Int == 3 && done["metric"] as? String == "roc_auc", "\(status.body)")
            let runId = try #require((done["result"] as? [String: Any])?["run_id"] as? String)

            let board = try await Self.call(client, .get, "/api/pulk/v1/automl/\(id)/leaderboard")
            let entries = try #require(board.json["entries"] as? [[String: Any]])
            #expect(entries.count == 3 && entries.map { $0["rank"] as? Int } == [1, 2, 3] && entries.allSatisfy { $0["run_id"] is String })
            let scores = entries.compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >), "best first for a metric where higher is better")

            let page = try await Self.call(client, .get, "/ui/automl/\(id)")
            #expect(page.body.contains("data-done=\"1\"") && page.body.contains("<a href=\"/ui/runs/\(runId)\">") && page.body.contains("Best roc_auc over the search"))
            #expect(!page.body.contains("aria-label=\"Cancel search\">"))
            let live = try await Self.call(client, .get, "/ui/automl/\(id)/live")
            #expect(live.status == 200 && live.body.contains("id=\"leaderboard\"") && !live.body.contains("<html"))
            #expect(try await Self.call(client, .get, "/ui/automl").body.contains("/ui/automl/\(id)"))

            let cancel = try await Self.call(client, .post, "/api/pulk/v1/automl/\(id)/cancel", body: "{}")
            #expect(cancel.status == 400 && cancel.json["error_code"] as? String == "INVALID_STATE")
        }
    }

    @Test("A queued search is cancelled at once and never runs")
    func cancelQueued() async throws {
        try await Self.withApp { client, f in
            let id = try #require(((try await Self.call(client, .post, "/api/pulk/v1/automl", body: Self.start)).json["search"] as? [String: Any])?["id"] as? String)
            let cancelled = try await Self.call(client, .post, "/api/pulk/v1/automl/\(id)/cancel", body: "{}")
            #expect(cancelled.status == 200 && (cancelled.json["search"] as? [String: Any])?["status"] as? String == "cancelled")
            #expect(await f.jobs.runNext() == false)
        }
    }

    @Test("Bad requests: 4xx with a JSON body that says what to fix", arguments: [
        ("POST", "/api/pulk/v1/automl", "not json", 400),
        ("POST", "/api/pulk/v1/automl", #"{"data": "toy"}"#, 400),
        ("POST", "/api/pulk/v1/automl", #"{"data": "toy", "target": "label", "time_budget": "soon"}"#, 400),
        ("POST", "/api/pulk/v1/automl", #"{"data": "toy", "target": "label", "time_budget": -5}"#, 400),
        ("POST", "/api/pulk/v1/automl", #"{"data": "toy", "target": "label", "time_budget": 1e9}"#, 400),
        ("POST", "/api/pulk/v1/automl", #"{"data": "toy", "target": "label", "cv": 3, "holdout": 0.2}"#, 400),
        ("POST", "/api/pulk/v1/automl", #"{"data": "toy", "target": "label", "task": "clustering"}"#, 400),
        ("POST", "/api/pulk/v1/automl", #"{"data": "missing", "target": "label"}"#, 404),
        ("POST", "/api/pulk/v1/automl", #"{"data": "/etc/passwd", "target": "label"}"#, 404),
        ("POST", "/api/pulk/v1/automl", #"{"data": "toy", "target": "label", "seed": -1}"#, 400),
        ("GET", "/api/pulk/v1/automl/nope", "", 404),
        ("GET", "/api/pulk/v1/automl/nope/leaderboard", "", 404),
        ("POST", "/api/pulk/v1/automl/nope/cancel", "{}", 404),
        ("GET", "/api/pulk/v1/automl?max_results=0", "", 400),
        ("GET", "/api/pulk/v1/automl?max_results=x", "", 400),
        ("GET", "/api/pulk/v1/automl?page_token=%%%", "", 400),
    ])
    func badRequests(method: String, uri: String, body: String, status: Int) async throws {
        try await Self.withApp { client, f in
            let r = try await Self.call(client, HTTPRequest.Method(method)!, uri, body: body.isEmpty ? nil : body)
            #expect(r.status == status, "\(r.body)")
            #expect(r.json["error_code"] is String && (r.json["message"] as? String)?.isEmpty == false, "\(r.body)")
            #expect(try await f.jobs.list(maxResults: nil, pageToken: nil).items.isEmpty, "nothing queued")
        }
    }

    @Test("Roles: readers cannot start; a contributor cannot cancel another's search; its owner and admins can")
    func roles() async throws {
        try await Self.withApp(users: true) { client, _ in
            #expect(try await Self.call(client, .post, "/api/pulk/v1/automl", as: "rex", body: Self.start).status == 403)
            let started = try await Self.call(client, .post, "/api/pulk/v1/automl", as: "cy", body: Self.start)
            let id = try #require((started.json["search"] as? [String: Any])?["id"] as? String)
            #expect((started.json["search"] as? [String: Any])?["user"] as? String == "cy")
            #expect(try await Self.call(client, .get, "/api/pulk/v1/automl/\(id)", as: "rex").status == 200)
            #expect(try await Self.call(client, .post, "/api/pulk/v1/automl/\(id)/cancel", as: "dee", body: "{}").status == 403)
            #expect(try await Self.call(client, .post, "/api/pulk/v1/automl/\(id)/cancel", as: "cy", body: "{}").status == 200)
            let other = try await Self.call(client, .post, "/api/pulk/v1/automl", as: "cy", body: Self.start)
            let otherId = try #require((other.json["search"] as? [String: Any])?["id"] as? String)
            #expect(try await Self.call(client, .post, "/api/pulk/v1/automl/\(otherId)/cancel", as: "ana", body: "{}").status == 200)
        }
    }

    @Test("A server without a workspace runs no searches and says so")
    func noWorkspace() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-automl-none-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        let app = try TrackingServer.application(store: store, artifacts: try ArtifactStore(root: dir.appendingPathComponent("a")))
        try await app.test(.router) { client in
            let r = try await Self.call(client, .post, "/api/pulk/v1/automl", body: Self.start)
            #expect(r.status == 404 && (r.json["message"] as? String)?.contains("no workspace") == true)
            #expect(try await Self.call(client, .get, "/ui/automl").status == 404)
        }
    }
}
