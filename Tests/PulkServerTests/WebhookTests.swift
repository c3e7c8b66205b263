import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PulkAccess
@testable import PulkServer
import PulkSQL
import PulkStore
import PulkEndpoints
import Testing

/// Registry webhooks end to end: MLflow's API, the events the registry sends, signed deliveries to a
/// live receiver, retries, the test endpoint, and who may manage them.
@Suite("Registry webhooks")
struct WebhookTests {
    /// What a receiver got.
    struct Delivery: Sendable {
        var path: String
        var headers: HTTPFields
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// A live HTTP receiver: records every POST and answers 503 to the first `failures` of each path.
    final class Receiver: @unchecked Sendable {
        let lock = NSLock()
        var failuresLeft: [String: Int]
        let stream: AsyncStream<Delivery>
        let sink: AsyncStream<Delivery>.Continuation
        init(failures: [String: Int] = [:]) {
            failuresLeft = failures
            (stream, sink) = AsyncStream.makeStream(of: Delivery.self)
        }
        func status(for path: String) -> HTTPResponse.Status {
            lock.lock(); defer { lock.unlock() }
            guard let n = failuresLeft[path], n > 0 else { return .ok }
            failuresLeft[path] = n - 1
            return .serviceUnavailable
        }
        /// The next `n` deliveries, in order of arrival.
        func next(_ n: Int) async -> [Delivery] {
            var out: [Delivery] = []
            for await d in stream { out.append(d); if out.count == n { break } }
            return out
        }
    }

    static func withReceiver(_ receiver: Receiver, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("/**") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            receiver.sink.yield(Delivery(path: request.uri.path, headers: request.headers, body: String(buffer: bytes)))
            return Response(status: receiver.status(for: request.uri.path), body: .init(byteBuffer: ByteBuffer(string: "thanks")))
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            try await body(try #require(client.port))
        }
    }

    /// An open server whose webhooks may call loopback over http, retrying at once.
    static func withServer(_ body: @Sendable (any TestClientProtocol, SQLTrackingStore) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        let settings = WebhookSettings(policy: OutboundURLPolicy(allowHTTP: true, allowPrivate: true), timeout: .seconds(10), retries: 2,
                                       backoff: { _, _ in })
        let app = try TrackingServer.application(store: store, artifacts: try ArtifactStore(root: dir.appendingPathComponent("artifacts")),
                                                 configuration: ServerConfiguration(webhooks: settings))
        try await app.test(.router) { client in try await body(client, store) }
    }

    static func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil) async throws -> (status: Int, json: [String: Any]) {
        try await client.execute(uri: "/api/2.0/mlflow/" + path, method: method, headers: body == nil ? [:] : [.contentType: "application/json"],
                                 body: body.map { ByteBuffer(string: $0) }) { r in
            (r.status.code, (try? JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8))) as? [String: Any] ?? [:])
        }
    }

    @Test("Every registry event reaches its subscribers, signed as MLflow signs it")
    func deliveries() async throws {
        let receiver = Receiver()
        try await Self.withReceiver(receiver) { port in
            try await Self.withServer { client, store in
                let events = WebhookEvent.all.map { #"{"entity": "\#($0.entity.uppercased())", "action": "\#($0.action.uppercased())"}"# }.joined(separator: ", ")
                let created = try await Self.call(client, .post, "webhooks", #"""
                    {"name": "all-events", "url": "http://127.0.0.1:\#(port)/all", "events": [\#(events)], "secret": "top-secret", "description": "d"}
                    """#)
                #expect(created.status == 200, "\(created)")
                let hook = try #require(created.json["webhook"] as? [String: Any])
                // The audit trail records the change without its secret.
                let audited = try await store.auditEntries(after: 0, limit: 10, actor: nil, resource: nil)
                #expect(audited.last?.action == "webhooks/create" && audited.last?.after.contains("[redacted]") == true
                        && audited.last?.after.contains("top-secret") == false, "\(String(describing: audited.last))")
                #expect(hook["secret"] == nil && hook["status"] as? String == "ACTIVE" && (hook["events"] as? [Any])?.count == 6)
                // A second hook for one event only, and a disabled one: neither adds deliveries to /all.
                _ = try await Self.call(client, .post, "webhooks", #"{"name": "versions", "url": "http://127.0.0.1:\#(port)/versions", "events": ["model_version.created"]}"#)
                _ = try await Self.call(client, .post, "webhooks", #"{"name": "off", "url": "http://127.0.0.1:\#(port)/off", "events": ["model_version.created"], "status": "DISABLED"}"#)

                let run = try await store.createRun(experimentId: "0", userId: "u", startTime: nil, runName: nil, tags: [])
                #expect(try await Self.call(client, .post, "registered-models/create", #"{"name": "churn", "tags": [{"key": "team", "value": "risk"}]}"#).status == 200)
                #expect(try await Self.call(client, .post, "model-versions/create",
                                            #"{"name": "churn", "source": "runs:/\#(run.info.runId)/model", "run_id": "\#(run.info.runId)"}"#).status == 200)
                #expect(try await Self.call(client, .post, "model-versions/set-tag", #"{"name": "churn", "version": "1", "key": "ok", "value": "yes"}"#).status == 200)
                #expect(try await Self.call(client, .delete, "model-versions/delete-tag", #"{"name": "churn", "version": "1", "key": "ok"}"#).status == 200)
                #expect(try await Self.call(client, .post, "registered-models/alias", #"{"name": "churn", "alias": "champion", "version": "1"}"#).status == 200)
                #expect(try await Self.call(client, .delete, "registered-models/alias", #"{"name": "churn", "alias": "champion"}"#).status == 200)
                // A failed change sends nothing.
                #expect(try await Self.call(client, .post, "registered-models/create", #"{"name": "churn"}"#).status != 200)

                let got = await receiver.next(7)
                let all = got.filter { $0.path == "/all" }
                #expect(got.filter { $0.path == "/versions" }.count == 1 && !got.contains { $0.path == "/off" })
                let kinds = Set(all.map { "\($0.json["entity"] ?? "").\($0.json["action"] ?? "")" })
                #expect(kinds == Set(WebhookEvent.all.map(\.description)), "\(kinds)")
                for d in all {
                    let id = try #require(d.headers[HTTPField.Name("X-MLflow-Delivery-Id")!])
                    let time = try #require(d.headers[HTTPField.Name("X-MLflow-Timestamp")!])
                    let signature = try #require(d.headers[HTTPField.Name("X-MLflow-Signature")!])
                    let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(time).\(d.body)".utf8), using: SymmetricKey(data: Data("top-secret".utf8)))
                    #expect(signature == "v1," + Data(mac).base64EncodedString())
                    #expect(d.headers[.contentType] == "application/json" && d.json["timestamp"] is String)
                }
                let version = try #require(all.first { $0.json["entity"] as? String == "model_version" }?.json["data"] as? [String: Any])
                #expect(version["name"] as? String == "churn" && version["version"] as? String == "1" && version["run_id"] as? String == run.info.runId)
                let model = try #require(all.first { $0.json["entity"] as? String == "registered_model" }?.json["data"] as? [String: Any])
                #expect((model["tags"] as? [String: String]) == ["team": "risk"])
                let alias = try #require(all.first { $0.json["entity"] as? String == "model_version_alias" && $0.json["action"] as? String == "created" }?.json["data"] as? [String: Any])
                #expect(alias["alias"] as? String == "champion" && alias["version"] as? String == "1")
                // The hook without a secret is not signed.
                #expect(got.first { $0.path == "/versions" }?.headers[HTTPField.Name("X-MLflow-Signature")!] == nil)
            }
        }
    }

    @Test("Retries on 5xx, the test endpoint, listing, updates and deletion")
    func management() async throws {
        let receiver = Receiver(failures: ["/flaky": 2, "/down": 10])
        try await Self.withReceiver(receiver) { port in
            try await Self.withServer { client, _ in
                let flaky = try #require(try await Self.call(client, .post, "webhooks",
                                                             #"{"name": "flaky", "url": "http://127.0.0.1:\#(port)/flaky", "events": ["registered_model.created"]}"#).json["webhook"] as? [String: Any])
                let id = try #require(flaky["webhook_id"] as? String)
                // Two 503s, then delivered: three attempts.
                #expect(try await Self.call(client, .post, "registered-models/create", #"{"name": "a"}"#).status == 200)
                #expect(await receiver.next(3).map(\.path) == ["/flaky", "/flaky", "/flaky"])

                // The test endpoint sends MLflow's example payload once and reports what came back.
                let tested = try await Self.call(client, .post, "webhooks/\(id)/test", #"{"event": {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"}}"#)
                let result = try #require(tested.json["result"] as? [String: Any])
                #expect(result["success"] as? Bool == true && result["response_status"] as? Int == 200 && result["response_body"] as? String == "thanks", "\(tested)")
                let sample = await receiver.next(1)[0].json
                #expect(sample["entity"] as? String == "model_version_alias" && (sample["data"] as? [String: Any])?["alias"] as? String == "example_alias")

                let down = try #require(try await Self.call(client, .patch, "webhooks/\(id)", #"{"url": "http://127.0.0.1:\#(port)/down", "description": "now down"}"#).json["webhook"] as? [String: Any])
                #expect(down["url"] as? String == "http://127.0.0.1:\(port)/down" && down["name"] as? String == "flaky" && down["description"] as? String == "now down")
                let failed = try #require(try await Self.call(client, .post, "webhooks/\(id)/test").json["result"] as? [String: Any])
                #expect(failed["success"] as? Bool == false && failed["response_status"] as? Int == 503)
                _ = await receiver.next(1)

                let listed = try await Self.call(client, .get, "webhooks?max_results=10")
                #expect((listed.json["webhooks"] as? [[String: Any]])?.map { $0["webhook_id"] as? String } == [id])
                #expect(try await Self.call(client, .get, "webhooks/\(id)").json["webhook"] != nil)
                #expect(try await Self.call(client, .delete, "webhooks/\(id)").status == 200)
                #expect(try await Self.call(client, .get, "webhooks/\(id)").status == 404)
            }
        }
    }

    @Test("Bad requests are 400s that say what to fix; loopback targets need --allow-private-webhooks")
    func refusals() async throws {
        try await Self.withServer { client, _ in
            for body in [#"{"url": "http://127.0.0.1:1/x", "events": ["model_version.created"]}"#,
                         #"{"name": "x", "events": ["model_version.created"]}"#,
                         #"{"name": "x", "url": "http://127.0.0.1:1/x"}"#,
                         #"{"name": "x", "url": "http://127.0.0.1:1/x", "events": []}"#,
                         #"{"name": "x", "url": "http://127.0.0.1:1/x", "events": ["run.created"]}"#,
                         #"{"name": "x", "url": "http://127.0.0.1:1/x", "events": [{"entity": "MODEL_VERSION", "action": "DELETED"}]}"#,
                         #"{"name": "x", "url": "gopher://127.0.0.1:1/x", "events": ["model_version.created"]}"#,
                         #"{"name": "bad name", "url": "http://127.0.0.1:1/x", "events": ["model_version.created"]}"#,
                         #"{"name": "x", "url": "http://127.0.0.1:1/x", "events": ["model_version.created"], "status": "SLEEPING"}"#] {
                let r = try await Self.call(client, .post, "webhooks", body)
                #expect(r.status == 400 && r.json["error_code"] as? String == "INVALID_PARAMETER_VALUE" && (r.json["message"] as? String)?.isEmpty == false, "\(body): \(r)")
            }
            #expect(try await Self.call(client, .get, "webhooks/nope").status == 404)
            #expect(try await Self.call(client, .get, "webhooks?max_results=5000").status == 400)
        }
        // The default policy: https and public addresses only.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        let app = try TrackingServer.application(store: store, artifacts: try ArtifactStore(root: dir.appendingPathComponent("artifacts")))
        try await app.test(.router) { client in
            let loopback = try await Self.call(client, .post, "webhooks", #"{"name": "x", "url": "https://127.0.0.1/x", "events": ["model_version.created"]}"#)
            #expect(loopback.status == 400 && (loopback.json["message"] as? String)?.contains("--allow-private-webhooks") == true, "\(loopback)")
            let plain = try await Self.call(client, .post, "webhooks", #"{"name": "x", "url": "http://hooks.example.com/x", "events": ["model_version.created"]}"#)
            #expect(plain.status == 400 && (plain.json["message"] as? String)?.contains("https") == true, "\(plain)")
        }
    }

    @Test("Only admins manage or read webhooks")
    func adminsOnly() async throws {
        try await AccessTests.withApp { client, _, _ in
            for (user, role) in AccessTests.roles {
                let list = try await AccessTests.call(client, .get, "/api/2.0/mlflow/webhooks", as: user)
                #expect((list.status == 200) == (role == .admin), "\(user): \(list.status)")
                let create = try await AccessTests.call(client, .post, "/api/2.0/mlflow/webhooks", as: user,
                                                        body: #"{"name": "h", "url": "https://127.0.0.1/x", "events": ["model_version.created"]}"#)
                #expect(role == .admin ? create.status == 400 : create.status == 403, "\(user): \(create.status)")
            }
        }
    }
}

@Suite("Monitor alerts to webhooks")
struct MonitorAlertDeliveryTests {
    @Test("A fired alert reaches the webhooks subscribed to it, signed; resolved ones those subscribed to resolutions")
    func delivered() async throws {
        let receiver = WebhookTests.Receiver()
        try await WebhookTests.withReceiver(receiver) { port in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-alerts-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
            _ = try await store.createWebhook(name: "fired", url: "http://127.0.0.1:\(port)/fired", events: [.monitorAlertFired], description: "",
                                              secret: "s3cret", status: .active)
            _ = try await store.createWebhook(name: "resolved", url: "http://127.0.0.1:\(port)/resolved", events: [try WebhookEvent("monitor_alert.resolved")],
                                              description: "", secret: "", status: .active)
            let settings = WebhookSettings(policy: OutboundURLPolicy(allowHTTP: true, allowPrivate: true), timeout: .seconds(10), retries: 1, backoff: { _, _ in })
            let alerts = MonitorAlerts(dispatcher: WebhookDispatcher(store: store, settings: settings))
            alerts.deliver([AlertEvent(monitor: "churn-drift", endpoint: "churn", rule: "drifted_share >= 0.5", action: "fired", value: 0.6,
                                       windowStart: 1_800_000_000_000, windowEnd: 1_800_003_600_000)])
            let fired = await receiver.next(1)
            #expect(fired.map(\.path) == ["/fired"])
            let body = try #require(fired.first?.json)
            #expect(body["entity"] as? String == "monitor_alert" && body["action"] as? String == "fired")
            let data = try #require(body["data"] as? [String: Any])
            #expect(data["monitor"] as? String == "churn-drift" && data["rule"] as? String == "drifted_share >= 0.5" && data["value"] as? Double == 0.6)
            #expect(fired.first?.headers[HTTPField.Name("X-MLflow-Signature")!]?.hasPrefix("v1,") == true)
            alerts.deliver([AlertEvent(monitor: "churn-drift", endpoint: "churn", rule: "drifted_share >= 0.5", action: "resolved", value: 0.1,
                                       windowStart: 1_800_003_600_000, windowEnd: 1_800_007_200_000)])
            #expect(await receiver.next(1).map(\.path) == ["/resolved"])
            // Loopback is refused unless the server's policy allows it.
            let strict = MonitorAlerts(dispatcher: WebhookDispatcher(store: store, settings: WebhookSettings(retries: 0, backoff: { _, _ in })))
            let hook = try #require(try await store.allWebhooks().first { $0.name == "fired" })
            let refused = await strict.dispatcher.deliver(hook, .monitorAlertFired, Array("{}".utf8), retries: 0)
            #expect(!refused.success && refused.error.contains("refused"), "\(refused.error)")
        }
    }
}
