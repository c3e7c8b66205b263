import PulkJSON
public import Foundation
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
public import PulkAccess
import PulkStore
import PulkEndpoints

/// The signed-in user of the request being handled and the server's policy (set by
/// `AccessMiddleware` around the handler), for the handlers that list many resources: they leave out
/// what the user may not read.
enum RequestIdentity {
    @TaskLocal static var current: Identity?
    @TaskLocal static var policy = AccessPolicy()

    /// Whether the caller has `needed` on the resource (always, on an open server).
    static func can(_ kind: ResourceKind, _ name: String, _ needed: Permission = .read) -> Bool {
        guard let id = current else { return true }
        return policy.permission(id, kind, name) >= needed
    }

    /// MLflow's refusal when the caller cannot read a resource found by other means (a name).
    static func requireRead(_ kind: ResourceKind, _ name: String) throws(StoreError) {
        guard can(kind, name) else { throw .denied("'\(current?.user ?? "")' cannot read \(kind.rawValue) '\(name)'") }
    }
}

/// How `pulk server` treats accounts.
public struct AccessSettings: Sendable {
    /// Serve without checking anyone even when users exist (`--no-auth`).
    public var noAuth: Bool
    /// How long a web UI login lasts.
    public var sessionHours: Int
    /// Whether cookies are marked Secure (the server speaks TLS).
    public var secureCookies: Bool
    public var policy: AccessPolicy
    /// Milliseconds since 1970, for token expiry, the credential cache and the password throttle.
    public var clock: @Sendable () -> Int64

    public init(noAuth: Bool = false, sessionHours: Int = 12, secureCookies: Bool = false, policy: AccessPolicy = .init(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.noAuth = noAuth
        self.sessionHours = sessionHours
        self.secureCookies = secureCookies
        self.policy = policy
        self.clock = clock
    }
}

/// Authentication, authorization and the audit trail for every route of the tracking server. When
/// the store has users (and the server was not started with `--no-auth`), a request needs valid
/// credentials (401 otherwise; web pages redirect to /login), a role at least the route's, and a
/// permission on the resource it touches (403 otherwise). Every change that succeeds is appended to
/// the hash-chained audit trail with the authenticated actor (or, on an open server, what the client
/// says), the resource, and its state before and after, before the answer leaves.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: any AccessStore & AuditStore & TrackingStore & ModelRegistryStore & EndpointStore
    let authenticator: Authenticator
    let settings: AccessSettings
    let bodyLimit: Int
    let runs: RunExperiments

    static var sessionCookie: String { "pulk_session" }
    static var secretFields: [String] { ["secret", "password", "token"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let rule = RouteAccess.rule(request.method, request.uri.path) else { return try await next(request, context) }
        var request = request
        var identity: Identity?
        if !settings.noAuth, try await authenticator.enabled() {
            do {
                identity = try await authenticator.identity(authorization: request.headers[.authorization], session: request.cookies[Self.sessionCookie]?.value)
            } catch where error.code == .requestLimitExceeded {
                var r = ErrorMiddleware<Context>.error(error.code.rawValue, error.message, status: 429)
                r.headers[.retryAfter] = String(error.retryAfter ?? 1)
                return r
            } catch {
                return Self.unauthenticated(request, error.message)
            }
            if identity == nil { return Self.unauthenticated(request, "Sign in: `pulk login --server URL` once, or send HTTP Basic credentials (MLFLOW_TRACKING_USERNAME and _PASSWORD) or a Bearer token (PULK_TOKEN, MLFLOW_TRACKING_TOKEN)") }
        }
        let mutating = rule.action != nil
        var body: [String: Any] = [:]
        var sent = ""
        if mutating, rule.target != .artifactPath, !request.uri.path.hasPrefix("/api/pulk/v1/datasets") {
            let buffer = try await request.collectBody(upTo: bodyLimit)
            if rule.snapshot || rule.target != .run {
                // Small bodies of changes: read whole, kept whole (up to 16 KiB) in the trail.
                sent = String(buffer: buffer)
                body = buffer.readableBytesView.withUnsafeBytes { raw in (try? JSON.parse(raw)) as? [String: Any] } ?? [:]
                // Secrets (a webhook's signing key, a password) never enter the trail.
                if Self.secretFields.contains(where: { body[$0] != nil }) {
                    var shown = body
                    for k in Self.secretFields where shown[k] != nil { shown[k] = "[redacted]" }
                    sent = String(decoding: Wire.encode(shown), as: UTF8.self)
                }
            } else {
                // Data appended to a run (log-batch of thousands of metrics …): only the run id is read, and
                // the trail keeps the body's size, SHA-256 and first KiB, not a second copy of the data.
                buffer.readableBytesView.withUnsafeBytes { raw in
                    body = JSON.topLevelFields(raw, keys: ["run_id", "run_uuid"])
                    sent = Self.digest(raw)
                }
            }
        }
        let query = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
        let target = await resolve(rule.target, body: body, query: query, path: request.uri.path)
        if let identity, let refusal = refuse(identity, rule, target) { return refusal }

        let actor = identity?.user ?? MLflowRouteBuilder.actor(request.headers)
        func record(_ action: String, before: String, after: String) -> AuditRecord {
            AuditRecord(actor: actor, action: action, resourceKind: target.auditKind.isEmpty ? Self.createdKind(action) : target.auditKind,
                        resource: target.auditName ?? Self.created(action, body, path: request.uri.path), before: before, after: after)
        }
        // Data appended to a run has its record before the change runs: the store writes it in the
        // change's own transaction (one commit, not two).
        let pending = rule.target == .run && !rule.snapshot ? rule.action.map { PendingAudit(record($0, before: "", after: Self.summary(request, sent))) } : nil
        let before = rule.snapshot ? await snapshot(target) : ""
        let response = try await RequestIdentity.$policy.withValue(settings.policy) {
            try await RequestIdentity.$current.withValue(identity) {
                try await PendingAudit.$current.withValue(pending) { try await next(request, context) }
            }
        }
        guard let action = rule.action, response.status.code < 400 else { return response }

        let entry: AuditRecord?
        if let pending { entry = pending.take() } else {
            var after = rule.snapshot ? await snapshot(target) : ""
            if after.isEmpty { after = Self.summary(request, sent) }
            entry = record(action, before: before, after: after)
        }
        if let entry {
            do { try await store.appendAudit(entry) } catch {
                context.logger.error("audit: cannot record \(action) by \(actor): \(error)")
            }
        }
        if let identity, identity.role != .admin { await grantCreator(identity, action, body: body) }
        return response
    }

    /// 401 for the API; the login page for a browser asking for a page.
    static func unauthenticated(_ request: Request, _ message: String) -> Response {
        let path = request.uri.path
        if request.method == .get, !path.hasPrefix("/api/"), !path.hasPrefix("/ajax-api/"),
           request.headers[.accept]?.contains("text/html") == true {
            let next = request.uri.string.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return Response(status: .seeOther, headers: [.location: "/login?next=\(next)"])
        }
        var r = ErrorMiddleware<Context>.error(StoreError.Code.unauthenticated.rawValue, message, status: 401)
        // Bearer, not Basic: Foundation's URLSession on Linux (6.3) waits for ever on a 401 that
        // challenges Basic when it has no credential; clients send Basic unasked either way.
        r.headers[.wwwAuthenticate] = "Bearer realm=\"pulk\""
        return r
    }

    func refuse(_ identity: Identity, _ rule: RouteAccess, _ target: ResolvedTarget) -> Response? {
        func denied(_ message: String) -> Response {
            ErrorMiddleware<Context>.error(StoreError.Code.permissionDenied.rawValue, message, status: 403)
        }
        guard identity.role >= rule.role else {
            return denied("'\(identity.user)' is a \(identity.role.rawValue); this needs the \(rule.role.rawValue) role or above")
        }
        if let kind = target.grantKind, let name = target.grantName {
            let p = settings.policy.permission(identity, kind, name)
            guard p >= rule.permission else {
                return denied("'\(identity.user)' has \(p.rawValue) on \(kind.rawValue) '\(name)'; this needs \(rule.permission.rawValue)")
            }
            return nil
        }
        // Nothing single is touched (a create, a list): the role decides; lists leave out what the user cannot read.
        guard let kind = target.grantKind else { return nil }
        if settings.policy.dependsOnResource(identity, kind) {
            return denied("Cannot tell which \(kind.rawValue) this request touches, so '\(identity.user)''s permission on it cannot be checked")
        }
        guard identity.role.defaultPermission >= rule.permission else {
            return denied("'\(identity.user)' (\(identity.role.rawValue)) has \(identity.role.defaultPermission.rawValue); this needs \(rule.permission.rawValue)")
        }
        return nil
    }

    // MARK: resources

    /// The resource a request touches: what the audit trail names, and what permissions are checked on.
    struct ResolvedTarget {
        var auditKind = ""
        var auditName: String?
        var grantKind: ResourceKind?
        var grantName: String?
    }

    static func field(_ name: String, _ body: [String: Any], _ query: [String: [String]]) -> String? {
        if let v = body[name] { return v as? String ?? "\(v)" }
        return query[name]?.first
    }

    func resolve(_ target: RouteAccess.Target, body: [String: Any], query: [String: [String]], path: String) async -> ResolvedTarget {
        switch target {
        case .none:
            return ResolvedTarget()
        case .experiment:
            let id = Self.field("experiment_id", body, query)
            return ResolvedTarget(auditKind: "experiment", auditName: id, grantKind: .experiment, grantName: id)
        case .run:
            let id = Self.field("run_id", body, query) ?? Self.field("run_uuid", body, query)
            let experiment: String? = if let id { await runs.experiment(of: id, store) } else { nil }
            return ResolvedTarget(auditKind: "run", auditName: id, grantKind: .experiment, grantName: experiment)
        case .registeredModel:
            let name = Self.field("name", body, query)
            return ResolvedTarget(auditKind: "registered_model", auditName: name, grantKind: .registeredModel, grantName: name)
        case .loggedModel:
            let parts = path.split(separator: "/")
            guard let i = parts.firstIndex(of: "logged-models"), i + 1 < parts.count else { return ResolvedTarget(auditKind: "logged_model", grantKind: .experiment) }
            let id = String(parts[i + 1])
            let experiment = try? await store.loggedModel(id: id).experimentId
            return ResolvedTarget(auditKind: "logged_model", auditName: id, grantKind: .experiment, grantName: experiment)
        case .pathModel, .pathEndpoint:
            let marker = target == .pathModel ? "models" : "endpoints"
            let parts = path.split(separator: "/")
            let name = parts.firstIndex(of: Substring(marker)).flatMap { $0 + 1 < parts.count ? String(parts[$0 + 1]).removingPercentEncoding : nil }
            let kind: ResourceKind = target == .pathModel ? .registeredModel : .endpoint
            return ResolvedTarget(auditKind: kind.rawValue, auditName: name, grantKind: kind, grantName: name)
        case .pathExperiment, .pathRun:
            let parts = path.split(separator: "/")
            guard parts.count > 2 else { return ResolvedTarget() }
            let id = String(parts[2]).removingPercentEncoding ?? String(parts[2])
            if target == .pathExperiment { return ResolvedTarget(auditKind: "experiment", auditName: id, grantKind: .experiment, grantName: id) }
            return ResolvedTarget(auditKind: "run", auditName: id, grantKind: .experiment, grantName: await runs.experiment(of: id, store))
        case .artifactPath:
            let rest = path.dropFirst(RouteAccess.artifactsPrefix.count).drop { $0 == "/" }
            let first = rest.split(separator: "/").first.map(String.init)
            let experiment = first.flatMap { Int64($0) != nil ? $0 : nil }
            return ResolvedTarget(auditKind: "artifact", auditName: rest.isEmpty ? nil : String(rest.prefix(1000)), grantKind: .experiment, grantName: experiment)
        }
    }

    /// The resource as it is now, as JSON text ("" when it does not exist or cannot be read).
    func snapshot(_ t: ResolvedTarget) async -> String {
        guard let name = t.auditName else { return "" }
        let object: Any?
        switch t.auditKind {
        case "experiment": object = (try? await store.experiment(id: name)).map(Wire.experiment)
        case "run": object = (try? await store.run(id: name)).map { Wire.runInfo($0.info) }
        case "registered_model":
            if let m = try? await store.registeredModel(name: name) {
                object = ["registered_model": Wire.registeredModel(m), "versions": ((try? await store.modelVersions(name: name)) ?? []).map(Wire.modelVersion)]
            } else { object = nil }
        case "endpoint":
            object = (try? await store.endpoint(name: name)).flatMap { try? JSONEncoder().encode($0) }.map { JSON.Raw(bytes: Array($0)) }
        default: object = nil
        }
        return object.map { String(decoding: Wire.encode($0), as: UTF8.self) } ?? ""
    }

    /// What was sent, for changes whose resource is not kept whole (at most 16 KB of the body).
    /// What the trail keeps of a large body: `sha256:HEX bytes:N` and its first KiB.
    static func digest(_ raw: UnsafeRawBufferPointer) -> String {
        let head = String(decoding: raw.prefix(1024), as: UTF8.self)
        return "sha256:\(Credentials.sha256Hex(raw)) bytes:\(raw.count) " + head + (raw.count > 1024 ? "…" : "")
    }

    static func summary(_ request: Request, _ body: String) -> String {
        var out: [String: Any] = ["method": request.method.rawValue, "path": String(request.uri.path.prefix(2000))]
        if !body.isEmpty { out["body"] = body.count > 16_384 ? String(body.prefix(16_384)) + "…" : body }
        if let length = request.headers[.contentLength] { out["content_length"] = length }
        return String(decoding: Wire.encode(out), as: UTF8.self)
    }

    /// The name of what a create made, from its request (the resource did not exist before).
    static func created(_ action: String, _ body: [String: Any], path: String) -> String {
        if action.hasPrefix("datasets/") {
            let parts = path.split(separator: "/")
            return parts.firstIndex(of: "datasets").flatMap { $0 + 1 < parts.count ? String(parts[$0 + 1]).removingPercentEncoding : nil } ?? ""
        }
        return (body["name"] as? String) ?? (body["experiment_id"].map { "\($0)" }) ?? ""
    }

    static func createdKind(_ action: String) -> String {
        switch action.split(separator: "/").first {
        case "experiments": return "experiment"
        case "registered-models": return "registered_model"
        case "endpoints": return "endpoint"
        case "datasets": return "dataset"
        default: return ""
        }
    }

    /// A non-admin who creates an experiment, registered model or endpoint can manage it (as MLflow's
    /// basic-auth app gives its creator MANAGE).
    func grantCreator(_ identity: Identity, _ action: String, body: [String: Any]) async {
        guard let name = body["name"] as? String else { return }
        let grant: Grant
        switch action {
        case "experiments/create":
            guard let e = try? await store.experiment(named: name) else { return }
            grant = Grant(user: identity.user, kind: .experiment, resource: e.experimentId, permission: .manage)
        case "registered-models/create": grant = Grant(user: identity.user, kind: .registeredModel, resource: name, permission: .manage)
        case "endpoints/create": grant = Grant(user: identity.user, kind: .endpoint, resource: name, permission: .manage)
        default: return
        }
        try? await store.setGrant(grant)
        authenticator.invalidate()
    }
}

/// Runs never change experiment: the experiment of each run asked about, remembered (up to 100,000 runs).
final class RunExperiments: @unchecked Sendable {
    private let lock = NSLock()
    private var known: [String: String] = [:]

    init() {}

    func experiment(of run: String, _ store: any TrackingStore) async -> String? {
        if let e = lock.withLock({ known[run] }) { return e }
        guard let e = try? await store.run(id: run).info.experimentId else { return nil }
        lock.withLock {
            if known.count >= 100_000 { known.removeAll() }
            known[run] = e
        }
        return e
    }
}
