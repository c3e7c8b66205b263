public import Foundation
public import PulkStore

/// Managing users, tokens and grants: the one flow the CLI (on a workspace) and the server's API
/// both call. Every change is checked against who asks (`by`), recorded in the audit trail, and
/// never leaves the workspace without an admin.
public struct AccessAdmin: Sendable {
    public let store: any AccessStore & AuditStore
    let now: @Sendable () -> Int64
    let rounds: Int

    public init(store: any AccessStore & AuditStore, rounds: Int = Credentials.rounds,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.rounds = rounds
        self.now = now
    }

    static func json(_ value: some Encodable) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    func requireAdmin(_ by: Identity, _ what: String) throws(StoreError) {
        guard by.role == .admin else { throw .denied("Only an admin can \(what); '\(by.user)' is a \(by.role.rawValue)") }
    }

    /// Admins, and whoever holds MANAGE on the resource (its creator, or whom they gave it), as in
    /// MLflow's basic-auth app.
    func requireManager(_ by: Identity, _ kind: ResourceKind, _ resource: String, _ what: String) throws(StoreError) {
        guard by.role == .admin || by.grants.contains(where: { $0.kind == kind && $0.resource == resource && $0.permission == .manage }) else {
            throw .denied("Only an admin or a user with MANAGE on \(kind.rawValue) '\(resource)' can \(what); '\(by.user)' has neither")
        }
    }

    func audit(_ by: Identity, _ action: String, _ kind: String, _ resource: String, before: String = "", after: String = "") async throws(StoreError) {
        try await store.appendAudit(AuditRecord(actor: by.user, action: action, resourceKind: kind, resource: resource, before: before, after: after))
    }

    public func createUser(name: String, password: String, role: Role, by: Identity) async throws(StoreError) -> User {
        try requireAdmin(by, "add users")
        let user = try await store.createUser(name: name, passwordHash: try Credentials.hashPassword(password, rounds: rounds), role: role)
        try await audit(by, "users/create", "user", name, after: Self.json(user))
        return user
    }

    public func updateUser(name: String, role: Role?, password: String?, by: Identity) async throws(StoreError) -> User {
        if role != nil { try requireAdmin(by, "change roles") }
        if password != nil, by.user != name { try requireAdmin(by, "set another user's password") }
        guard let before = try await store.credentials(user: name)?.user else { throw .notFound("No user named '\(name)'; `pulk users list` shows them") }
        if let role, role != .admin, before.role == .admin { try await keepAnAdmin(besides: name, "make '\(name)' a \(role.rawValue)") }
        let hash = try password.map { p throws(StoreError) in try Credentials.hashPassword(p, rounds: rounds) }
        let user = try await store.updateUser(name: name, role: role, passwordHash: hash)
        try await audit(by, password != nil && role == nil ? "users/password" : "users/update", "user", name, before: Self.json(before), after: Self.json(user))
        return user
    }

    public func deleteUser(name: String, by: Identity) async throws(StoreError) {
        try requireAdmin(by, "remove users")
        guard let before = try await store.credentials(user: name)?.user else { throw .notFound("No user named '\(name)'; `pulk users list` shows them") }
        if before.role == .admin { try await keepAnAdmin(besides: name, "remove '\(name)'") }
        try await store.deleteUser(name: name)
        try await audit(by, "users/delete", "user", name, before: Self.json(before))
    }

    func keepAnAdmin(besides name: String, _ what: String) async throws(StoreError) {
        let admins = try await store.users().filter { $0.role == .admin && $0.name != name }
        guard !admins.isEmpty else { throw StoreError(.invalidState, "Cannot \(what): it is the last admin; make another user admin first") }
    }

    public func users(by: Identity) async throws(StoreError) -> [User] {
        if by.role == .admin { return try await store.users() }
        return try await store.users().filter { $0.name == by.user }
    }

    /// A new token for `user` (yourself, or anyone for an admin); the secret is returned once and never stored.
    public func createToken(user: String, name: String, expiresInDays: Int?, by: Identity) async throws(StoreError) -> (token: APIToken, secret: String) {
        if user != by.user { try requireAdmin(by, "create tokens for other users") }
        if let d = expiresInDays, !(1...3650).contains(d) { throw .invalid("A token expires in 1 to 3650 days, not \(d)") }
        let secret = Credentials.newSecret()
        let token = try await store.createToken(user: user, name: name, secretHash: Credentials.secretHash(secret),
                                                expiresTime: expiresInDays.map { now() + Int64($0) * 86_400_000 })
        try await audit(by, "tokens/create", "token", token.id, after: Self.json(token))
        return (token, secret)
    }

    public func tokens(user: String?, by: Identity) async throws(StoreError) -> [APIToken] {
        if by.role != .admin {
            if let user, user != by.user { throw .denied("Only an admin can list other users' tokens") }
            return try await store.tokens(user: by.user)
        }
        return try await store.tokens(user: user)
    }

    public func revokeToken(id: String, by: Identity) async throws(StoreError) -> APIToken {
        guard let before = try await store.tokens(user: by.role == .admin ? nil : by.user).first(where: { $0.id == id }) else {
            throw .notFound("No token with id '\(id)'\(by.role == .admin ? "" : " of yours"); `pulk tokens list` shows them")
        }
        let token = try await store.revokeToken(id: id)
        try await audit(by, "tokens/revoke", "token", id, before: Self.json(before), after: Self.json(token))
        return token
    }

    public func setGrant(_ grant: Grant, by: Identity) async throws(StoreError) {
        try requireManager(by, grant.kind, grant.resource, "grant permissions on it")
        let before = try await store.grant(user: grant.user, kind: grant.kind, resource: grant.resource)
        try await store.setGrant(grant)
        try await audit(by, "grants/set", grant.kind.rawValue, grant.resource, before: before.map { Self.json(Grant(user: grant.user, kind: grant.kind, resource: grant.resource, permission: $0)) } ?? "",
                        after: Self.json(grant))
    }

    public func deleteGrant(user: String, kind: ResourceKind, resource: String, by: Identity) async throws(StoreError) {
        try requireManager(by, kind, resource, "revoke permissions on it")
        let before = try await store.grant(user: user, kind: kind, resource: resource)
        try await store.deleteGrant(user: user, kind: kind, resource: resource)
        try await audit(by, "grants/delete", kind.rawValue, resource, before: before.map { Self.json(Grant(user: user, kind: kind, resource: resource, permission: $0)) } ?? "")
    }

    public func grants(user: String?, by: Identity) async throws(StoreError) -> [Grant] {
        if by.role != .admin, user != by.user { return try await store.grants(user: by.user) }
        return try await store.grants(user: user)
    }

    public func auditEntries(after: Int64, limit: Int, actor: String?, resource: String?, by: Identity) async throws(StoreError) -> [AuditEntry] {
        try requireAdmin(by, "read the audit trail")
        return try await store.auditEntries(after: after, limit: limit, actor: actor, resource: resource)
    }

    public func verifyAudit(by: Identity) async throws(StoreError) -> AuditVerification {
        try requireAdmin(by, "check the audit trail")
        return try await store.verifyAudit()
    }
}
