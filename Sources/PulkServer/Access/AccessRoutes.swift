import PulkJSON
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PulkAccess
import PulkStore

/// Users, tokens, grants and the audit trail over the native API (`/api/pulk/v1/…`), the web UI's
/// login and logout, and its audit page. Every change goes through `AccessAdmin` as the signed-in
/// caller; on an open server (no users, or `--no-auth`) they refuse changes: the first admin is made
/// on the server's machine with `pulk users add`.
struct AccessRoutes: Sendable {
    let admin: AccessAdmin
    let authenticator: Authenticator
    let settings: AccessSettings
    let bodyLimit: Int
    /// For the admins' webhooks page.
    let webhooks: any WebhookStore

    static let base = "/api/pulk/v1"

    /// The caller, or a refusal on an open server.
    func caller(_ change: Bool) async throws -> Identity {
        if let id = RequestIdentity.current { return id }
        if change {
            throw StoreError.denied("This server is open (no users\(settings.noAuth ? ", or --no-auth" : "")): add the first admin on its machine with `pulk users add NAME --role admin`")
        }
        // Reading on an open server: everyone may read everything.
        return Identity(user: "anonymous", role: .admin, method: .local)
    }

    func body(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: bodyLimit)
        guard buffer.readableBytes > 0 else { return [:] }
        guard let object = buffer.readableBytesView.withUnsafeBytes({ raw in try? JSON.parse(raw) }) as? [String: Any] else {
            throw StoreError(.badRequest, "The request body is not a JSON object")
        }
        return object
    }

    static func string(_ body: [String: Any], _ key: String, required: Bool = true) throws -> String? {
        guard let v = body[key] else {
            if required { throw StoreError.invalid("Missing '\(key)' in the request body") }
            return nil
        }
        guard let s = v as? String else { throw StoreError.invalid("'\(key)' must be a string") }
        return s
    }

    static func role(_ text: String?) throws -> Role? {
        guard let text else { return nil }
        guard let r = Role(rawValue: text) else { throw StoreError.invalid("Unknown role '\(text.prefix(40))': use reader, contributor, deployer or admin") }
        return r
    }

    static func user(_ u: User) -> [String: Any] {
        ["name": u.name, "role": u.role.rawValue, "creation_time": u.creationTime, "last_updated_time": u.lastUpdatedTime]
    }

    static func token(_ t: APIToken) -> [String: Any] {
        var out: [String: Any] = ["id": t.id, "user": t.user, "name": t.name, "creation_time": t.creationTime, "active": t.isActive(at: Int64(Date().timeIntervalSince1970 * 1000))]
        if let e = t.expiresTime { out["expires_time"] = e }
        if let r = t.revokedTime { out["revoked_time"] = r }
        return out
    }

    static func grant(_ g: Grant) -> [String: Any] {
        ["user": g.user, "kind": g.kind.rawValue, "resource": g.resource, "permission": g.permission.rawValue]
    }

    static func entry(_ e: AuditEntry) -> [String: Any] {
        ["sequence": e.sequence, "time": e.time, "actor": e.actor, "action": e.action, "resource_kind": e.resourceKind, "resource": e.resource,
         "before": e.before, "after": e.after, "previous_hash": e.previousHash, "hash": e.hash]
    }

    func register(_ router: Router<BasicRequestContext>) {
        let r = self, base = Self.base
        router.get("\(base)/whoami") { _, _ in
            let id = RequestIdentity.current
            var out: [String: Any] = ["authentication": id == nil ? "off" : "on"]
            if let id { out["user"] = id.user; out["role"] = id.role.rawValue; out["method"] = id.method.rawValue }
            return json(out)
        }
        router.get("\(base)/users") { _, _ in json(["users": try await r.admin.users(by: try await r.caller(false)).map(Self.user)]) }
        router.post("\(base)/users") { request, _ in
            let b = try await r.body(request)
            let user = try await r.admin.createUser(name: try Self.string(b, "name")!, password: try Self.string(b, "password")!,
                                                    role: try Self.role(try Self.string(b, "role", required: false)) ?? .reader, by: try await r.caller(true))
            r.authenticator.invalidate()
            return json(["user": Self.user(user)], status: .created)
        }
        router.patch("\(base)/users/{name}") { request, context in
            let b = try await r.body(request)
            let user = try await r.admin.updateUser(name: try context.parameters.require("name"), role: try Self.role(try Self.string(b, "role", required: false)),
                                                    password: try Self.string(b, "password", required: false), by: try await r.caller(true))
            r.authenticator.invalidate()
            return json(["user": Self.user(user)])
        }
        router.delete("\(base)/users/{name}") { _, context in
            try await r.admin.deleteUser(name: try context.parameters.require("name"), by: try await r.caller(true))
            r.authenticator.invalidate()
            return json([:])
        }
        router.get("\(base)/tokens") { request, _ in
            let user = WebUI.query(request)["user"]?.first
            return json(["tokens": try await r.admin.tokens(user: user, by: try await r.caller(false)).map(Self.token)])
        }
        router.post("\(base)/tokens") { request, _ in
            let b = try await r.body(request)
            let by = try await r.caller(true)
            var days: Int?
            if let d = b["expires_in_days"] {
                guard let n = (d as? Int64).map(Int.init) ?? (d as? Int) ?? (d as? Double).flatMap({ Int(exactly: $0) }) else {
                    throw StoreError.invalid("'expires_in_days' must be a whole number of days")
                }
                days = n
            }
            let (token, secret) = try await r.admin.createToken(user: try Self.string(b, "user", required: false) ?? by.user,
                                                                name: try Self.string(b, "name", required: false) ?? "token", expiresInDays: days, by: by)
            return json(["token": Self.token(token), "secret": secret], status: .created)
        }
        router.delete("\(base)/tokens/{id}") { _, context in
            let token = try await r.admin.revokeToken(id: try context.parameters.require("id"), by: try await r.caller(true))
            r.authenticator.invalidate()
            return json(["token": Self.token(token)])
        }
        router.get("\(base)/grants") { request, _ in
            let user = WebUI.query(request)["user"]?.first
            return json(["grants": try await r.admin.grants(user: user, by: try await r.caller(false)).map(Self.grant)])
        }
        router.put("\(base)/grants") { request, _ in
            let b = try await r.body(request)
            let g = try Self.parseGrant(b, needsPermission: true)
            try await r.admin.setGrant(g, by: try await r.caller(true))
            r.authenticator.invalidate()
            return json(["grant": Self.grant(g)])
        }
        router.delete("\(base)/grants") { request, _ in
            var b = try await r.body(request)
            for (k, v) in WebUI.query(request) where b[k] == nil { b[k] = v.first }
            let g = try Self.parseGrant(b, needsPermission: false)
            try await r.admin.deleteGrant(user: g.user, kind: g.kind, resource: g.resource, by: try await r.caller(true))
            r.authenticator.invalidate()
            return json([:])
        }
        router.get("\(base)/audit") { request, _ in
            let q = WebUI.query(request)
            let after = try Self.integer(q["after"]?.first, "after", default: 0, range: 0...Int64.max)
            let limit = try Self.integer(q["limit"]?.first, "limit", default: 100, range: 1...10_000)
            let entries = try await r.admin.auditEntries(after: after, limit: Int(limit), actor: q["actor"]?.first, resource: q["resource"]?.first,
                                                         by: try await r.caller(false))
            var out: [String: Any] = ["entries": entries.map(Self.entry)]
            if entries.count == Int(limit), let last = entries.last { out["next_after"] = last.sequence }
            return json(out)
        }
        router.get("\(base)/audit/verify") { _, _ in
            let v = try await r.admin.verifyAudit(by: try await r.caller(false))
            var out: [String: Any] = ["entries": v.entries, "intact": v.intact, "head": v.head]
            if let b = v.firstBroken { out["first_broken"] = b }
            if let p = v.problem { out["problem"] = p }
            return json(out)
        }
        registerLogin(router)
    }

    static func integer(_ text: String?, _ name: String, default value: Int64, range: ClosedRange<Int64>) throws -> Int64 {
        guard let text else { return value }
        guard let n = Int64(text), range.contains(n) else { throw StoreError.invalid("'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return n
    }

    static func parseGrant(_ b: [String: Any], needsPermission: Bool) throws -> Grant {
        let user = try string(b, "user")!, kindText = try string(b, "kind")!, resource = try string(b, "resource")!
        guard let kind = ResourceKind(rawValue: kindText) else {
            throw StoreError.invalid("Unknown kind '\(kindText.prefix(40))': use experiment, registered_model or endpoint")
        }
        var permission = Permission.none
        if needsPermission {
            let text = try string(b, "permission")!
            guard let p = Permission(name: text) else { throw StoreError.invalid("Unknown permission '\(text.prefix(40))': use READ, USE, EDIT, MANAGE or NO_PERMISSIONS") }
            permission = p
        }
        return Grant(user: user, kind: kind, resource: resource, permission: permission)
    }
}
