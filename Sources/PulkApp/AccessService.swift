public import Foundation
public import PulkAccess
public import PulkStore

/// Users, tokens, grants and the audit trail, on the workspace's store (as its owner: an admin) or
/// on a `pulk server` through its native API (as whoever the credentials say).
public protocol AccessService: Sendable {
    /// Where the accounts live, for messages: the workspace's path or the server's URL.
    var location: String { get }
    /// Every user, by name.
    func users() async throws -> [User]
    /// Creates a user with a password (kept as a PBKDF2 hash) and a role; a conflict if the name is taken.
    func createUser(name: String, password: String, role: Role) async throws -> User
    /// Changes a user's role and/or password (nil: unchanged); not found for an unknown user.
    func updateUser(name: String, role: Role?, password: String?) async throws -> User
    /// Removes a user, revoking their tokens and ending their sessions and grants; the last admin stays.
    func deleteUser(name: String) async throws
    /// A user's tokens (nil: everyone's for an admin; others see only their own), newest first; secrets are never shown.
    func tokens(user: String?) async throws -> [APIToken]
    /// Creates a token for `user` (nil: the caller) that expires after `expiresInDays` (1–3650; nil: never);
    /// the secret is returned this once and only its hash is kept.
    func createToken(user: String?, name: String, expiresInDays: Int?) async throws -> (token: APIToken, secret: String)
    /// Revokes a token (kept, marked revoked); not found for an unknown id.
    func revokeToken(id: String) async throws -> APIToken
    /// A user's grants (nil: everyone's).
    func grants(user: String?) async throws -> [Grant]
    /// Sets (replaces) a user's permission on one resource.
    func setGrant(_ grant: Grant) async throws
    /// Removes a user's grant on one resource; not found when there is none.
    func deleteGrant(user: String, kind: ResourceKind, resource: String) async throws
    /// Audit entries after sequence `after`, oldest first, at most `limit`, optionally only one actor's or one resource's.
    func audit(after: Int64, limit: Int, actor: String?, resource: String?) async throws -> [AuditEntry]
    /// Checks the audit trail's hash chain from the first entry and says where it breaks, if it does.
    func verifyAudit() async throws -> AuditVerification
}

/// The workspace's own store: whoever can open its files is its admin.
public struct LocalAccess: AccessService {
    let admin: AccessAdmin
    let owner: Identity
    public let location: String

    public init(store: any AccessStore & AuditStore, owner: String, location: String) {
        admin = AccessAdmin(store: store)
        self.owner = .localOwner(owner)
        self.location = location
    }

    public func users() async throws -> [User] { try await admin.users(by: owner) }
    public func createUser(name: String, password: String, role: Role) async throws -> User {
        try await admin.createUser(name: name, password: password, role: role, by: owner)
    }
    public func updateUser(name: String, role: Role?, password: String?) async throws -> User {
        try await admin.updateUser(name: name, role: role, password: password, by: owner)
    }
    public func deleteUser(name: String) async throws { try await admin.deleteUser(name: name, by: owner) }
    public func tokens(user: String?) async throws -> [APIToken] { try await admin.tokens(user: user, by: owner) }
    public func createToken(user: String?, name: String, expiresInDays: Int?) async throws -> (token: APIToken, secret: String) {
        guard let user else { throw AppError.invalid("Say whose token it is with --user NAME (on a workspace there is no signed-in user)") }
        return try await admin.createToken(user: user, name: name, expiresInDays: expiresInDays, by: owner)
    }
    public func revokeToken(id: String) async throws -> APIToken { try await admin.revokeToken(id: id, by: owner) }
    public func grants(user: String?) async throws -> [Grant] { try await admin.grants(user: user, by: owner) }
    public func setGrant(_ grant: Grant) async throws { try await admin.setGrant(grant, by: owner) }
    public func deleteGrant(user: String, kind: ResourceKind, resource: String) async throws {
        try await admin.deleteGrant(user: user, kind: kind, resource: resource, by: owner)
    }
    public func audit(after: Int64, limit: Int, actor: String?, resource: String?) async throws -> [AuditEntry] {
        try await admin.auditEntries(after: after, limit: limit, actor: actor, resource: resource, by: owner)
    }
    public func verifyAudit() async throws -> AuditVerification { try await admin.verifyAudit(by: owner) }
}

/// A `pulk server`'s accounts through `/api/pulk/v1/{users,tokens,grants,audit}`.
public struct RemoteAccess: AccessService {
    public let client: PulkServerClient
    public var location: String { client.base.absoluteString }

    public init(client: PulkServerClient) { self.client = client }

    struct WireUser: Codable { var name: String; var role: String; var creationTime: Int64; var lastUpdatedTime: Int64 }
    struct WireToken: Codable {
        var id: String; var user: String; var name: String; var creationTime: Int64; var expiresTime: Int64?; var revokedTime: Int64?
    }
    struct WireGrant: Codable { var user: String; var kind: String; var resource: String; var permission: String }
    struct Users: Codable { var users: [WireUser] }
    struct OneUser: Codable { var user: WireUser }
    struct Tokens: Codable { var tokens: [WireToken] }
    struct OneToken: Codable { var token: WireToken }
    struct NewToken: Codable { var token: WireToken; var secret: String }
    struct Grants: Codable { var grants: [WireGrant] }
    struct Entries: Codable { var entries: [AuditEntryWire] }
    struct AuditEntryWire: Codable {
        var sequence: Int64; var time: Int64; var actor: String; var action: String; var resourceKind: String; var resource: String
        var before: String; var after: String; var previousHash: String; var hash: String
    }
    struct Verify: Codable { var entries: Int; var intact: Bool; var head: String; var firstBroken: Int64?; var problem: String? }
    struct Empty: Codable {}

    static func user(_ u: WireUser) throws -> User {
        guard let role = Role(rawValue: u.role) else { throw AppError.invalid("The server sent an unknown role '\(u.role)'") }
        return User(name: u.name, role: role, creationTime: u.creationTime, lastUpdatedTime: u.lastUpdatedTime)
    }
    static func token(_ t: WireToken) -> APIToken {
        APIToken(id: t.id, user: t.user, name: t.name, creationTime: t.creationTime, expiresTime: t.expiresTime, revokedTime: t.revokedTime)
    }

    public func users() async throws -> [User] { try await client.send("GET", "/users", as: Users.self).users.map(Self.user) }

    public func createUser(name: String, password: String, role: Role) async throws -> User {
        struct Body: Encodable { var name: String; var password: String; var role: String }
        return try Self.user(try await client.send("POST", "/users", json: Body(name: name, password: password, role: role.rawValue), as: OneUser.self).user)
    }

    public func updateUser(name: String, role: Role?, password: String?) async throws -> User {
        struct Body: Encodable { var role: String?; var password: String? }
        return try Self.user(try await client.send("PATCH", "/users/\(PulkServerClient.escape(name))", json: Body(role: role?.rawValue, password: password),
                                                   as: OneUser.self).user)
    }

    public func deleteUser(name: String) async throws { _ = try await client.send("DELETE", "/users/\(PulkServerClient.escape(name))", as: Empty.self) }

    public func tokens(user: String?) async throws -> [APIToken] {
        try await client.send("GET", "/tokens", query: user.map { [("user", $0)] } ?? [], as: Tokens.self).tokens.map(Self.token)
    }

    public func createToken(user: String?, name: String, expiresInDays: Int?) async throws -> (token: APIToken, secret: String) {
        struct Body: Encodable { var user: String?; var name: String; var expiresInDays: Int? }
        let made = try await client.send("POST", "/tokens", json: Body(user: user, name: name, expiresInDays: expiresInDays), as: NewToken.self)
        return (Self.token(made.token), made.secret)
    }

    public func revokeToken(id: String) async throws -> APIToken {
        Self.token(try await client.send("DELETE", "/tokens/\(PulkServerClient.escape(id))", as: OneToken.self).token)
    }

    public func grants(user: String?) async throws -> [Grant] {
        try await client.send("GET", "/grants", query: user.map { [("user", $0)] } ?? [], as: Grants.self).grants.compactMap { g in
            guard let kind = ResourceKind(rawValue: g.kind), let p = Permission(rawValue: g.permission) else { return nil }
            return Grant(user: g.user, kind: kind, resource: g.resource, permission: p)
        }
    }

    public func setGrant(_ grant: Grant) async throws {
        let body = WireGrant(user: grant.user, kind: grant.kind.rawValue, resource: grant.resource, permission: grant.permission.rawValue)
        _ = try await client.raw("PUT", "/grants", json: body)
    }

    public func deleteGrant(user: String, kind: ResourceKind, resource: String) async throws {
        _ = try await client.raw("DELETE", "/grants", query: [("user", user), ("kind", kind.rawValue), ("resource", resource)])
    }

    public func audit(after: Int64, limit: Int, actor: String?, resource: String?) async throws -> [AuditEntry] {
        var query = [("after", String(after)), ("limit", String(limit))]
        if let actor { query.append(("actor", actor)) }
        if let resource { query.append(("resource", resource)) }
        return try await client.send("GET", "/audit", query: query, as: Entries.self).entries.map { e in
            AuditEntry(sequence: e.sequence, time: e.time, actor: e.actor, action: e.action, resourceKind: e.resourceKind, resource: e.resource,
                       before: e.before, after: e.after, previousHash: e.previousHash, hash: e.hash)
        }
    }

    public func verifyAudit() async throws -> AuditVerification {
        let v = try await client.send("GET", "/audit/verify", as: Verify.self)
        return AuditVerification(entries: v.entries, firstBroken: v.firstBroken, problem: v.problem, head: v.head)
    }
}
