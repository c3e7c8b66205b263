import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PulkAccess
@testable import PulkServer
import PulkSQL
import PulkStore
import Testing

/// Accounts on the tracking server: who may sign in, what each role and grant allows on every route,
/// the web UI's login, and the audit trail those requests leave.
@Suite("Tracking server: users, roles, grants and the audit trail")
struct AccessTests {
    struct Fixture: Sendable {
        let store: SQLTrackingStore
        let admin: AccessAdmin
        /// Basic credentials per user (the password is the user's name, then "-password").
        static func basic(_ user: String) -> String { "Basic " + Data("\(user):\(password(user))".utf8).base64EncodedString() }
        static func password(_ user: String) -> String { user + "-password" }
    }

    static let owner = Identity.localOwner("test")
    static let roles: [(String, Role)] = [("rex", .reader), ("cy", .contributor), ("dee", .deployer), ("ana", .admin)]

    /// A server whose store has a user of each role (unless `users` is false), an experiment with a run,
    /// and a registered model.
    static func withApp(users: Bool = true, defaultDeny: Bool = false, clock: (@Sendable () -> Int64)? = nil,
                        _ body: @Sendable (any TestClientProtocol, Fixture, String) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-access-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLTrackingStore.open(try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path))
        // Few PBKDF2 rounds: debug builds are slow, and the rounds are read back from each stored hash.
        let admin = AccessAdmin(store: store, rounds: 1_000)
        if users {
            for (name, role) in roles { _ = try await admin.createUser(name: name, password: Fixture.password(name), role: role, by: owner) }
        }
        let experiment = try await store.createExperiment(name: "churn", artifactLocation: nil, tags: [])
        let run = try await store.createRun(experimentId: experiment, userId: "ana", startTime: nil, runName: "r", tags: [])
        _ = try await store.createRegisteredModel(name: "m", description: "", tags: [], user: "ana")
        let app = try TrackingServer.application(store: store, artifacts: try ArtifactStore(root: dir.appendingPathComponent("artifacts")),
                                                 configuration: ServerConfiguration(access: clock.map { AccessSettings(policy: AccessPolicy(defaultDeny: defaultDeny), clock: $0) }
                                                                                    ?? AccessSettings(policy: AccessPolicy(defaultDeny: defaultDeny))))
        try await app.test(.router) { client in try await body(client, Fixture(store: store, admin: admin), run.info.runId) }
    }

    static func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, as user: String? = nil, authorization: String? = nil,
                     body: String? = nil, headers extra: HTTPFields = [:]) async throws -> (status: Int, body: String, headers: HTTPFields) {
        var headers = extra
        if let auth = authorization ?? user.map(Fixture.basic) { headers[.authorization] = auth }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
            (r.status.code, String(buffer: r.body), r.headers)
        }
    }

    @Test("An open server (no users) serves everyone, records what clients say, and refuses account changes")
    func open() async throws {
        try await Self.withApp(users: false) { client, f, _ in
            let created = try await Self.call(client, .post, "/api/2.0/mlflow/experiments/create", body: #"{"name": "open"}"#,
                                              headers: [HTTPField.Name("X-Pulk-User")!: "laptop-user"])
            #expect(created.status == 200)
            let entries = try await f.store.auditEntries(after: 0, limit: 10, actor: nil, resource: nil)
            #expect(entries.last?.actor == "laptop-user" && entries.last?.action == "experiments/create" && entries.last?.resource == "open")
            let refused = try await Self.call(client, .post, "/api/pulk/v1/users", body: #"{"name": "eve", "password": "12345678", "role": "admin"}"#)
            #expect(refused.status == 403 && refused.body.contains("pulk users add"), "\(refused)")
            #expect(try await Self.call(client, .get, "/api/pulk/v1/whoami").body.contains(#""authentication":"off""#))
        }
    }

    @Test("Credentials: none, wrong, Basic with a password or a token, Bearer, expired and revoked tokens")
    func authentication() async throws {
        try await Self.withApp { client, f, _ in
            let path = "/api/2.0/mlflow/experiments/search?max_results=5"
            let none = try await Self.call(client, .get, path)
            #expect(none.status == 401 && none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true && none.body.contains("UNAUTHENTICATED"))
            #expect(try await Self.call(client, .get, path, authorization: "Basic " + Data("ana:wrong-password".utf8).base64EncodedString()).status == 401)
            #expect(try await Self.call(client, .get, path, authorization: "Basic !!notbase64").status == 401)
            #expect(try await Self.call(client, .get, path, authorization: "Digest x").status == 401)
            #expect(try await Self.call(client, .get, path, as: "rex").status == 200)

            let (token, secret) = try await f.admin.createToken(user: "cy", name: "ci", expiresInDays: nil, by: Self.owner)
            #expect(secret.hasPrefix("pulk_") && secret.count > 40)
            #expect(try await Self.call(client, .get, path, authorization: "Bearer \(secret)").status == 200)
            #expect(try await Self.call(client, .get, path, authorization: "Basic " + Data("cy:\(secret)".utf8).base64EncodedString()).status == 200)
            // A token stands in only for its own user's password.
            #expect(try await Self.call(client, .get, path, authorization: "Basic " + Data("ana:\(secret)".utf8).base64EncodedString()).status == 401)
            let who = try await Self.call(client, .get, "/api/pulk/v1/whoami", authorization: "Bearer \(secret)")
            #expect(who.body.contains(#""user":"cy""#) && who.body.contains(#""method":"token""#))

            // Revoked through the API: refused from then on.
            #expect(try await Self.call(client, .delete, "/api/pulk/v1/tokens/\(token.id)", authorization: "Bearer \(secret)").status == 200)
            #expect(try await Self.call(client, .get, path, authorization: "Bearer \(secret)").status == 401)
            let expired = "pulk_expired-secret"
            _ = try await f.store.createToken(user: "cy", name: "old", secretHash: Credentials.secretHash(expired), expiresTime: 1)
            #expect(try await Self.call(client, .get, path, authorization: "Bearer \(expired)").status == 401)
        }
    }

    @Test("Wrong passwords: after five, the user waits (doubling, capped), 429 with Retry-After; a right one resets; tokens still work")
    func passwordThrottle() async throws {
        // The throttle alone, on a clock of its own.
        let t = LoginThrottle(freeFailures: 3, maxBlockMillis: 5_000)
        for _ in 0..<2 { t.failed("ana", now: 0) }
        #expect(t.wait("ana", now: 0) == 0)
        t.failed("ana", now: 0)
        #expect(t.wait("ana", now: 0) == 1_000 && t.wait("ana", now: 400) == 600 && t.wait("bo", now: 0) == 0)
        t.failed("ana", now: 1_000)
        #expect(t.wait("ana", now: 1_000) == 2_000)
        for _ in 0..<10 { t.failed("ana", now: 3_000) }
        #expect(t.wait("ana", now: 3_000) == 5_000)
        t.succeeded("ana")
        #expect(t.wait("ana", now: 3_000) == 0)

        // Through the server, on a frozen clock: the sixth try is refused unchecked, even the right password.
        try await Self.withApp(clock: { 1_800_000_000_000 }) { client, f, _ in
            let path = "/api/2.0/mlflow/experiments/search?max_results=5"
            for k in 0..<5 {
                let wrong = "Basic " + Data("rex:wrong-\(k)".utf8).base64EncodedString()
                #expect(try await Self.call(client, .get, path, authorization: wrong).status == 401)
            }
            let blocked = try await Self.call(client, .get, path, as: "rex")
            #expect(blocked.status == 429 && blocked.body.contains("REQUEST_LIMIT_EXCEEDED") && blocked.headers[.retryAfter] != nil, "\(blocked)")
            let (_, secret) = try await f.admin.createToken(user: "rex", name: "laptop", expiresInDays: nil, by: Self.owner)
            #expect(try await Self.call(client, .get, path, authorization: "Bearer \(secret)").status == 200)
            #expect(try await Self.call(client, .get, path, as: "cy").status == 200, "another user is not held up")
        }
    }

    @Test("The actor recorded is the signed-in user, whatever the client claims")
    func actor() async throws {
        try await Self.withApp { client, f, _ in
            let r = try await Self.call(client, .post, "/api/2.0/mlflow/registered-models/create", as: "cy", body: #"{"name": "claimed"}"#,
                                        headers: [HTTPField.Name("X-Pulk-User")!: "ana"])
            #expect(r.status == 200)
            let last = try #require(try await f.store.auditEntries(after: 0, limit: 100, actor: nil, resource: "claimed").last)
            #expect(last.actor == "cy" && last.resourceKind == "registered_model")
            // The creator may manage what they created.
            #expect(try await f.store.grant(user: "cy", kind: .registeredModel, resource: "claimed") == .manage)
        }
    }

    /// A request for every listed MLflow route, with a body naming the fixture's resources.
    static func mlflowRequests(run: String) -> [(HTTPRequest.Method, String, String?)] {
        let body = #"{"experiment_id": "1", "run_id": "\#(run)", "name": "m", "key": "k", "value": "v", "alias": "champion", "version": "1", "#
            + #""stage": "Staging", "new_name": "m2", "timestamp": 1, "step": 0, "source": "x", "description": "d", "status": "FINISHED", "experiment_ids": ["1"]}"#
        return RouteAccess.mlflow.keys.sorted().map { route -> (HTTPRequest.Method, String, String?) in
            let reads = ["get", "get-by-name", "search", "get-history", "get-latest-versions", "get-download-uri", "get-artifact", "list",
                         "get-history-bulk", "get-history-bulk-interval"]
            let method: HTTPRequest.Method = reads.contains(String(route.split(separator: "/").last!)) && !route.hasSuffix("search") ? .get
                : route.contains("delete") && route.hasPrefix("registered-models") || route == "model-versions/delete" || route.hasSuffix("delete-tag") && !route.hasPrefix("experiments") && !route.hasPrefix("runs") ? .delete
                : route == "registered-models/update" || route == "model-versions/update" ? .patch : .post
            if method == .get {
                return (.get, "/api/2.0/mlflow/\(route)?experiment_id=1&run_id=\(run)&run_ids=\(run)&name=m&version=1&experiment_name=churn&metric_key=k&path=a", nil)
            }
            return (method, "/api/2.0/mlflow/\(route)", body)
        }
    }

    @Test("Every route, every role: allowed as the table says or 403, never 401 or a 500")
    func matrix() async throws {
        try await Self.withApp { client, _, run in
            for (user, role) in Self.roles {
                for (method, uri, body) in Self.mlflowRequests(run: run) {
                    let r = try await Self.call(client, method, uri, as: user, body: body)
                    let route = uri.split(separator: "?")[0].dropFirst("/api/2.0/mlflow/".count)
                    let rule = method == .get && route == "registered-models/alias" ? RouteAccess.read(.registeredModel)
                        : try #require(RouteAccess.mlflow[String(route)], "\(route)")
                    let allowed = role >= rule.role && role.defaultPermission >= rule.permission
                    #expect(r.status < 500 && r.status != 401, "\(user) \(method) \(uri): \(r.status) \(r.body.prefix(200))")
                    #expect((r.status == 403) == !allowed, "\(user) (\(role)) \(method) \(route): \(r.status) \(r.body.prefix(200))")
                }
                // Endpoints (deployers and admins), accounts (admins), audit (admins).
                let endpoint = try await Self.call(client, .post, "/api/pulk/v1/endpoints", as: user, body: #"{"name": "e-\#(user)"}"#)
                #expect((endpoint.status == 403) == (role < .deployer), "\(user) creates an endpoint: \(endpoint.status) \(endpoint.body)")
                let account = try await Self.call(client, .post, "/api/pulk/v1/users", as: user, body: #"{"name": "new-\#(user)", "password": "longenough", "role": "reader"}"#)
                #expect((account.status == 403) == (role != .admin), "\(user) adds a user: \(account.status)")
                let audit = try await Self.call(client, .get, "/api/pulk/v1/audit", as: user)
                #expect((audit.status == 403) == (role != .admin), "\(user) reads the audit trail: \(audit.status)")
                let page = try await Self.call(client, .get, "/ui/audit", as: user)
                #expect((page.status == 403) == (role != .admin))
                let hooks = try await Self.call(client, .get, "/ui/webhooks", as: user)
                #expect((hooks.status == 403) == (role != .admin) && (role != .admin || hooks.body.contains("No webhooks yet")), "\(user): \(hooks.status)")
            }
        }
    }

    @Test("Grants raise or lower a role on one resource; lists leave out what cannot be read")
    func grants() async throws {
        try await Self.withApp { client, f, run in
            let other = try await f.store.createExperiment(name: "other", artifactLocation: nil, tags: [])
            let otherRun = try await f.store.createRun(experimentId: other, userId: "ana", startTime: nil, runName: "o", tags: [])
            try await f.admin.setGrant(Grant(user: "rex", kind: .experiment, resource: "1", permission: .edit), by: Self.owner)
            let log = #"{"run_id": "\#(run)", "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}]}"#
            #expect(try await Self.call(client, .post, "/api/2.0/mlflow/runs/log-batch", as: "rex", body: log).status == 200)
            // One entry, written with the batch (the store took the pending record; none is added after).
            let logged = try await f.store.auditEntries(after: 0, limit: 1000, actor: "rex", resource: run)
            #expect(logged.map(\.action) == ["runs/log-batch"] && logged[0].after.contains("sha256"), "\(logged)")
            let elsewhere = try await Self.call(client, .post, "/api/2.0/mlflow/runs/log-batch", as: "rex",
                                                body: log.replacingOccurrences(of: run, with: otherRun.info.runId))
            #expect(elsewhere.status == 403 && elsewhere.body.contains("READ on experiment '\(other)'"), "\(elsewhere)")

            try await f.admin.setGrant(Grant(user: "cy", kind: .experiment, resource: "1", permission: .none), by: Self.owner)
            #expect(try await Self.call(client, .get, "/api/2.0/mlflow/runs/get?run_id=\(run)", as: "cy").status == 403)
            #expect(try await Self.call(client, .get, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=churn", as: "cy").status == 403)
            let listed = try await Self.call(client, .get, "/api/2.0/mlflow/experiments/search?max_results=100", as: "cy")
            #expect(listed.status == 200 && !listed.body.contains("churn") && listed.body.contains("other"))
            let runs = try await Self.call(client, .post, "/api/2.0/mlflow/runs/search", as: "cy", body: #"{"experiment_ids": ["1"]}"#)
            #expect(runs.status == 200 && !runs.body.contains(run))
            #expect(try await Self.call(client, .get, "/ui/experiments/1", as: "cy").status == 403)
            #expect(try await Self.call(client, .get, "/ui/runs/\(run)", as: "cy").status == 403)
        }
    }

    @Test("Deny by default: non-admins reach only what they were granted or created")
    func defaultDeny() async throws {
        try await Self.withApp(defaultDeny: true) { client, _, run in
            #expect(try await Self.call(client, .get, "/api/2.0/mlflow/runs/get?run_id=\(run)", as: "cy").status == 403)
            let created = try await Self.call(client, .post, "/api/2.0/mlflow/experiments/create", as: "cy", body: #"{"name": "mine"}"#)
            #expect(created.status == 200)
            let listed = try await Self.call(client, .get, "/api/2.0/mlflow/experiments/search?max_results=100", as: "cy")
            #expect(listed.body.contains("mine") && !listed.body.contains("churn") && !listed.body.contains("Default"), "\(listed.body)")
            let models = try await Self.call(client, .get, "/api/2.0/mlflow/registered-models/search", as: "cy")
            #expect(models.status == 200 && !models.body.contains(#""name":"m""#))
            // Admins see everything.
            #expect(try await Self.call(client, .get, "/api/2.0/mlflow/experiments/search?max_results=100", as: "ana").body.contains("churn"))
            // The creator manages their experiment: shares it, but nothing they do not manage.
            let id = try #require(created.body.split(separator: "\"").dropFirst(3).first.map(String.init), "\(created.body)")
            #expect(try await Self.call(client, .get, "/api/2.0/mlflow/experiments/get?experiment_id=\(id)", as: "dee").status == 403)
            let shared = try await Self.call(client, .put, "/api/pulk/v1/grants", as: "cy",
                                             body: #"{"user": "dee", "kind": "experiment", "resource": "\#(id)", "permission": "READ"}"#)
            #expect(shared.status == 200, "\(shared.body)")
            #expect(try await Self.call(client, .get, "/api/2.0/mlflow/experiments/get?experiment_id=\(id)", as: "dee").status == 200)
            let notMine = try await Self.call(client, .put, "/api/pulk/v1/grants", as: "cy",
                                              body: #"{"user": "cy", "kind": "experiment", "resource": "1", "permission": "MANAGE"}"#)
            #expect(notMine.status == 403 && notMine.body.contains("MANAGE"), "\(notMine.body)")
        }
    }

    @Test("The web UI: pages send browsers to /login; a session cookie signs in and out")
    func login() async throws {
        try await Self.withApp { client, _, _ in
            let html: HTTPFields = [.accept: "text/html"]
            let page = try await Self.call(client, .get, "/ui/models", headers: html)
            #expect(page.status == 303 && page.headers[.location] == "/login?next=%2Fui%2Fmodels")
            #expect(try await Self.call(client, .get, "/login?next=/ui/models").body.contains("name=\"password\""))
            func post(_ form: String) async throws -> (status: Int, body: String, headers: HTTPFields) {
                try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: form)) { r in (r.status.code, String(buffer: r.body), r.headers) }
            }
            #expect(try await post("user=ana&password=nope&next=%2Fui%2Fmodels").status == 401)
            let signed = try await post("user=ana&password=\(Fixture.password("ana"))&next=https%3A%2F%2Fevil.example")
            #expect(signed.status == 303 && signed.headers[.location] == "/", "an outside next is never followed")
            let cookie = try #require(signed.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
            let session = String(cookie.split(separator: ";")[0])
            let inside = try await Self.call(client, .get, "/ui/models", headers: [.cookie: session])
            #expect(inside.status == 200 && inside.body.contains("Sign out") && inside.body.contains("ana (admin)"))
            #expect(try await Self.call(client, .get, "/api/pulk/v1/whoami", headers: [.cookie: session]).body.contains(#""method":"session""#))
            let out = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: session]) { r in (r.status.code, r.headers[.setCookie]) }
            #expect(out.0 == 303 && out.1?.contains("Max-Age=0") == true)
            #expect(try await Self.call(client, .get, "/ui/models", headers: [.cookie: session, .accept: "text/html"]).status == 303)
        }
    }

    @Test("The audit trail keeps state before and after, is for admins, and its chain checks out")
    func audit() async throws {
        try await Self.withApp { client, f, _ in
            #expect(try await Self.call(client, .post, "/api/2.0/mlflow/experiments/update", as: "ana", body: #"{"experiment_id": "1", "new_name": "churn-v2"}"#).status == 200)
            let rename = try #require(try await f.store.auditEntries(after: 0, limit: 100, actor: "ana", resource: "1").last)
            #expect(rename.action == "experiments/rename" && rename.before.contains(#""name":"churn""#) && rename.after.contains(#""name":"churn-v2""#))
            // A refused change leaves no entry.
            let before = try await f.store.auditEntries(after: 0, limit: 1000, actor: nil, resource: nil).count
            #expect(try await Self.call(client, .post, "/api/2.0/mlflow/experiments/delete", as: "cy", body: #"{"experiment_id": "1"}"#).status == 403)
            #expect(try await f.store.auditEntries(after: 0, limit: 1000, actor: nil, resource: nil).count == before)

            let listed = try await Self.call(client, .get, "/api/pulk/v1/audit?actor=ana&limit=5", as: "ana")
            #expect(listed.status == 200 && listed.body.contains("experiments/rename"))
            let verify = try await Self.call(client, .get, "/api/pulk/v1/audit/verify", as: "ana")
            #expect(verify.body.contains(#""intact":true"#), "\(verify.body)")
            let page = try await Self.call(client, .get, "/ui/audit", as: "ana")
            #expect(page.status == 200 && page.body.contains("is intact") && page.body.contains("experiments/rename"))
            #expect(try await Self.call(client, .get, "/api/pulk/v1/audit?limit=0", as: "ana").status == 400)
        }
    }

    @Test("Account management over the API: users, own tokens, the last admin kept")
    func accountsAPI() async throws {
        try await Self.withApp { client, _, _ in
            let made = try await Self.call(client, .post, "/api/pulk/v1/users", as: "ana", body: #"{"name": "zoe", "password": "zoe-password", "role": "deployer"}"#)
            #expect(made.status == 201 && made.body.contains(#""role":"deployer""#))
            #expect(try await Self.call(client, .post, "/api/pulk/v1/users", as: "ana", body: #"{"name": "short", "password": "123"}"#).status == 400)
            #expect(try await Self.call(client, .post, "/api/pulk/v1/users", as: "ana", body: #"{"name": "x", "password": "longenough", "role": "king"}"#).status == 400)
            // Anyone makes tokens for themselves, not for others.
            let own = try await Self.call(client, .post, "/api/pulk/v1/tokens", as: "rex", body: #"{"name": "laptop", "expires_in_days": 30}"#)
            #expect(own.status == 201 && own.body.contains(#""secret":"pulk_"#) && own.body.contains("expires_time"))
            #expect(try await Self.call(client, .post, "/api/pulk/v1/tokens", as: "rex", body: #"{"user": "ana"}"#).status == 403)
            #expect(try await Self.call(client, .get, "/api/pulk/v1/tokens?user=ana", as: "rex").status == 403)
            // A user changes their own password; roles are the admin's.
            #expect(try await Self.call(client, .patch, "/api/pulk/v1/users/rex", as: "rex", body: #"{"password": "rex-new-password"}"#).status == 200)
            let renewed = "Basic " + Data("rex:rex-new-password".utf8).base64EncodedString()
            #expect(try await Self.call(client, .patch, "/api/pulk/v1/users/rex", authorization: renewed, body: #"{"role": "admin"}"#).status == 403)
            #expect(try await Self.call(client, .get, "/api/pulk/v1/whoami", as: "rex").status == 401, "the old password no longer works")
            #expect(try await Self.call(client, .delete, "/api/pulk/v1/users/ana", as: "ana").status == 400, "the last admin stays")
            #expect(try await Self.call(client, .put, "/api/pulk/v1/grants", as: "ana",
                                        body: #"{"user": "rex", "kind": "endpoint", "resource": "e", "permission": "USE"}"#).status == 200)
            #expect(try await Self.call(client, .get, "/api/pulk/v1/grants?user=rex", as: "ana").body.contains(#""permission":"USE""#))
            #expect(try await Self.call(client, .delete, "/api/pulk/v1/grants?user=rex&kind=endpoint&resource=e", as: "ana").status == 200)
            #expect(try await Self.call(client, .put, "/api/pulk/v1/grants", as: "ana",
                                        body: #"{"user": "rex", "kind": "planet", "resource": "e", "permission": "USE"}"#).status == 400)
        }
    }
}
