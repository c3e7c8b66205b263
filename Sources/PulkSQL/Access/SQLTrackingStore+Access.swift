public import PulkStore
import Foundation

/// Users, tokens, sessions, grants and the audit trail in the tracking store's database.
extension SQLTrackingStore: AccessStore, AuditStore {
    static let userColumns = "name, role, creation_time, last_updated_time"

    static func user(_ row: SQLRow) throws(StoreError) -> User {
        guard let role = Role(rawValue: row[1].text ?? "") else { throw StoreError(.internalError, "user '\(row[0].text ?? "")' has an unknown role") }
        return User(name: row[0].text ?? "", role: role, creationTime: row[2].int ?? 0, lastUpdatedTime: row[3].int ?? 0)
    }

    static func userRow(_ s: any SQLSession, _ name: String) throws(StoreError) -> User {
        guard let row = try s.query("SELECT \(userColumns) FROM users WHERE name = ?", .text(name)).first else {
            throw .notFound("No user named '\(name)'; `pulk users list` shows them")
        }
        return try user(row)
    }

    public func createUser(name: String, passwordHash: String, role: Role) async throws(StoreError) -> User {
        try AccessRules.checkUserName(name)
        let t = now()
        return try await db.write { s throws(StoreError) in
            if try !s.query("SELECT 1 FROM users WHERE name = ?", .text(name)).isEmpty { throw .exists("User '\(name)' already exists") }
            try s.execute("INSERT INTO users (name, password_hash, role, creation_time, last_updated_time) VALUES (?, ?, ?, ?, ?)",
                          .text(name), .text(passwordHash), .text(role.rawValue), .int(t), .int(t))
            return try Self.userRow(s, name)
        }
    }

    public func credentials(user: String) async throws(StoreError) -> (user: User, passwordHash: String)? {
        try await db.read { s throws(StoreError) in
            guard let row = try s.query("SELECT \(Self.userColumns), password_hash FROM users WHERE name = ?", .text(user)).first else { return nil }
            return (try Self.user(row), row[4].text ?? "")
        }
    }

    public func users() async throws(StoreError) -> [User] {
        try await db.read { s throws(StoreError) in
            var out: [User] = []
            for row in try s.query("SELECT \(Self.userColumns) FROM users ORDER BY name") { out.append(try Self.user(row)) }
            return out
        }
    }

    public func updateUser(name: String, role: Role?, passwordHash: String?) async throws(StoreError) -> User {
        let t = now()
        return try await db.write { s throws(StoreError) in
            _ = try Self.userRow(s, name)
            if let role { try s.execute("UPDATE users SET role = ?, last_updated_time = ? WHERE name = ?", .text(role.rawValue), .int(t), .text(name)) }
            if let passwordHash {
                try s.execute("UPDATE users SET password_hash = ?, last_updated_time = ? WHERE name = ?", .text(passwordHash), .int(t), .text(name))
                try s.execute("DELETE FROM login_sessions WHERE user_name = ?", .text(name))
            }
            return try Self.userRow(s, name)
        }
    }

    public func deleteUser(name: String) async throws(StoreError) {
        let t = now()
        try await db.write { s throws(StoreError) in
            _ = try Self.userRow(s, name)
            try s.execute("DELETE FROM users WHERE name = ?", .text(name))
            try s.execute("UPDATE api_tokens SET revoked_time = ? WHERE user_name = ? AND revoked_time IS NULL", .int(t), .text(name))
            try s.execute("DELETE FROM login_sessions WHERE user_name = ?", .text(name))
            try s.execute("DELETE FROM grants WHERE user_name = ?", .text(name))
        }
    }

    public func userCount() async throws(StoreError) -> Int {
        try await db.read { s throws(StoreError) in Int(try s.query("SELECT COUNT(*) FROM users").first?[0].int ?? 0) }
    }

    // MARK: tokens

    static let tokenColumns = "token_id, user_name, name, creation_time, expires_time, revoked_time"

    static func token(_ row: SQLRow) -> APIToken {
        APIToken(id: row[0].text ?? "", user: row[1].text ?? "", name: row[2].text ?? "", creationTime: row[3].int ?? 0,
                 expiresTime: row[4].int, revokedTime: row[5].int)
    }

    public func createToken(user: String, name: String, secretHash: String, expiresTime: Int64?) async throws(StoreError) -> APIToken {
        try AccessRules.checkTokenName(name)
        let t = now(), id = "tok-" + newRunId().suffix(16)
        return try await db.write { s throws(StoreError) in
            _ = try Self.userRow(s, user)
            try s.execute("INSERT INTO api_tokens (token_id, user_name, name, secret_hash, creation_time, expires_time, revoked_time) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                          .text(id), .text(user), .text(name), .text(secretHash), .int(t), expiresTime.map(SQLValue.int) ?? .null)
            guard let row = try s.query("SELECT \(Self.tokenColumns) FROM api_tokens WHERE token_id = ?", .text(id)).first else {
                throw StoreError(.internalError, "the new token is missing")
            }
            return Self.token(row)
        }
    }

    public func token(secretHash: String) async throws(StoreError) -> APIToken? {
        try await db.read { s throws(StoreError) in
            try s.query("SELECT \(Self.tokenColumns) FROM api_tokens WHERE secret_hash = ?", .text(secretHash)).first.map(Self.token)
        }
    }

    public func tokens(user: String?) async throws(StoreError) -> [APIToken] {
        try await db.read { s throws(StoreError) in
            if let user {
                return try s.query("SELECT \(Self.tokenColumns) FROM api_tokens WHERE user_name = ? ORDER BY creation_time DESC, token_id", .text(user)).map(Self.token)
            }
            return try s.query("SELECT \(Self.tokenColumns) FROM api_tokens ORDER BY creation_time DESC, token_id").map(Self.token)
        }
    }

    public func revokeToken(id: String) async throws(StoreError) -> APIToken {
        let t = now()
        return try await db.write { s throws(StoreError) in
            guard try !s.query("SELECT 1 FROM api_tokens WHERE token_id = ?", .text(id)).isEmpty else {
                throw .notFound("No token with id '\(id)'; `pulk tokens list` shows them")
            }
            try s.execute("UPDATE api_tokens SET revoked_time = ? WHERE token_id = ? AND revoked_time IS NULL", .int(t), .text(id))
            return Self.token(try s.query("SELECT \(Self.tokenColumns) FROM api_tokens WHERE token_id = ?", .text(id))[0])
        }
    }

    // MARK: sessions

    public func createSession(secretHash: String, user: String, expiresTime: Int64) async throws(StoreError) {
        let t = now()
        try await db.write { s throws(StoreError) in
            _ = try Self.userRow(s, user)
            // Expired sessions go as new ones come.
            try s.execute("DELETE FROM login_sessions WHERE expires_time <= ?", .int(t))
            try s.execute("INSERT INTO login_sessions (secret_hash, user_name, expires_time) VALUES (?, ?, ?)", .text(secretHash), .text(user), .int(expiresTime))
        }
    }

    public func session(secretHash: String) async throws(StoreError) -> LoginSession? {
        let t = now()
        return try await db.read { s throws(StoreError) in
            guard let row = try s.query("SELECT user_name, expires_time FROM login_sessions WHERE secret_hash = ?", .text(secretHash)).first,
                  let expires = row[1].int, expires > t else { return nil }
            return LoginSession(user: row[0].text ?? "", expiresTime: expires)
        }
    }

    public func deleteSession(secretHash: String) async throws(StoreError) {
        try await db.write { s throws(StoreError) in try s.execute("DELETE FROM login_sessions WHERE secret_hash = ?", .text(secretHash)) }
    }

    // MARK: grants

    public func setGrant(_ grant: Grant) async throws(StoreError) {
        guard !grant.resource.isEmpty, grant.resource.count <= 256 else { throw .invalid("A grant names its resource in 1 to 256 characters") }
        try await db.write { s throws(StoreError) in
            _ = try Self.userRow(s, grant.user)
            try s.execute("DELETE FROM grants WHERE user_name = ? AND kind = ? AND resource = ?", .text(grant.user), .text(grant.kind.rawValue), .text(grant.resource))
            try s.execute("INSERT INTO grants (user_name, kind, resource, permission) VALUES (?, ?, ?, ?)",
                          .text(grant.user), .text(grant.kind.rawValue), .text(grant.resource), .text(grant.permission.rawValue))
        }
    }

    public func deleteGrant(user: String, kind: ResourceKind, resource: String) async throws(StoreError) {
        try await db.write { s throws(StoreError) in
            guard try !s.query("SELECT 1 FROM grants WHERE user_name = ? AND kind = ? AND resource = ?", .text(user), .text(kind.rawValue), .text(resource)).isEmpty else {
                throw .notFound("User '\(user)' has no grant on \(kind.rawValue) '\(resource)'")
            }
            try s.execute("DELETE FROM grants WHERE user_name = ? AND kind = ? AND resource = ?", .text(user), .text(kind.rawValue), .text(resource))
        }
    }

    static func grant(_ row: SQLRow) -> Grant? {
        guard let kind = ResourceKind(rawValue: row[1].text ?? ""), let p = Permission(rawValue: row[3].text ?? "") else { return nil }
        return Grant(user: row[0].text ?? "", kind: kind, resource: row[2].text ?? "", permission: p)
    }

    public func grants(user: String?) async throws(StoreError) -> [Grant] {
        try await db.read { s throws(StoreError) in
            let sql = "SELECT user_name, kind, resource, permission FROM grants"
            if let user { return try s.query(sql + " WHERE user_name = ? ORDER BY kind, resource", .text(user)).compactMap(Self.grant) }
            return try s.query(sql + " ORDER BY user_name, kind, resource").compactMap(Self.grant)
        }
    }

    public func grant(user: String, kind: ResourceKind, resource: String) async throws(StoreError) -> Permission? {
        try await db.read { s throws(StoreError) in
            try s.query("SELECT permission FROM grants WHERE user_name = ? AND kind = ? AND resource = ?", .text(user), .text(kind.rawValue), .text(resource))
                .first.flatMap { Permission(rawValue: $0[0].text ?? "") }
        }
    }

    // MARK: audit trail

    static let auditColumns = "sequence, time, actor, action, resource_kind, resource, before_state, after_state, previous_hash, hash"

    static func audit(_ row: SQLRow) -> AuditEntry {
        AuditEntry(sequence: row[0].int ?? 0, time: row[1].int ?? 0, actor: row[2].text ?? "", action: row[3].text ?? "", resourceKind: row[4].text ?? "",
                   resource: row[5].text ?? "", before: row[6].text ?? "", after: row[7].text ?? "", previousHash: row[8].text ?? "", hash: row[9].text ?? "")
    }

    public func appendAudit(_ record: AuditRecord) async throws(StoreError) -> AuditEntry {
        let t = now()
        return try await db.write { s throws(StoreError) in try Self.insertAudit(s, record, time: t) }
    }

    /// Appends an entry inside the caller's transaction (the change it records commits with it).
    static func insertAudit(_ s: any SQLSession, _ record: AuditRecord, time t: Int64) throws(StoreError) -> AuditEntry {
        // The counter's row lock orders concurrent appends, so each links to the one committed before it.
        guard let seq = try s.query("UPDATE counters SET value = value + 1 WHERE name = 'audit' RETURNING value").first?[0].int else {
            throw StoreError(.internalError, "the audit counter is missing")
        }
        let previous = try s.query("SELECT hash FROM audit_log ORDER BY sequence DESC LIMIT 1").first?[0].text ?? AuditEntry.genesis
        let hash = AuditEntry.chainHash(previous: previous, sequence: seq, time: t, actor: record.actor, action: record.action,
                                        resourceKind: record.resourceKind, resource: record.resource, before: record.before, after: record.after)
        try s.execute("INSERT INTO audit_log (\(Self.auditColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      .int(seq), .int(t), .text(record.actor), .text(record.action), .text(record.resourceKind), .text(record.resource),
                      .text(record.before), .text(record.after), .text(previous), .text(hash))
        return AuditEntry(sequence: seq, time: t, actor: record.actor, action: record.action, resourceKind: record.resourceKind, resource: record.resource,
                          before: record.before, after: record.after, previousHash: previous, hash: hash)
    }

    /// A write that also appends the request's pending audit record (`PendingAudit`), if it has one
    /// nobody took yet, in the same transaction.
    func auditedWrite<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        guard let pending = PendingAudit.current, let record = pending.take() else { return try await db.write(body) }
        let t = now()
        do {
            return try await db.write { s throws(StoreError) in
                let v = try body(s)
                _ = try Self.insertAudit(s, record, time: t)
                return v
            }
        } catch {
            pending.giveBack(record)
            throw error
        }
    }

    public func auditEntries(after: Int64, limit: Int, actor: String?, resource: String?) async throws(StoreError) -> [AuditEntry] {
        guard (1...10_000).contains(limit) else { throw .invalid("limit must be 1 to 10000, not \(limit)") }
        return try await db.read { s throws(StoreError) in
            var sql = "SELECT \(Self.auditColumns) FROM audit_log WHERE sequence > ?"
            var binds: [SQLValue] = [.int(after)]
            if let actor { sql += " AND actor = ?"; binds.append(.text(actor)) }
            if let resource { sql += " AND resource = ?"; binds.append(.text(resource)) }
            sql += " ORDER BY sequence LIMIT \(limit)"
            return try s.query(sql, binds).map(Self.audit)
        }
    }

    public func verifyAudit() async throws(StoreError) -> AuditVerification {
        // In pages, so a long trail is never held whole.
        var walker = AuditChainWalker(), after: Int64 = 0
        while true {
            let page = try await auditEntries(after: after, limit: 5_000, actor: nil, resource: nil)
            guard let last = page.last else { return walker.result }
            for e in page where !walker.add(e) { return walker.result }
            after = last.sequence
        }
    }
}
