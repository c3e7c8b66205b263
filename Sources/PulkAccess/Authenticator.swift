public import Foundation
public import PulkStore

/// Who a request comes from, once its credentials are checked.
public struct Identity: Sendable, Equatable {
    public enum Method: String, Sendable { case password, token, session, local }
    public var user: String
    public var role: Role
    public var method: Method
    /// The user's grants (their permissions on single resources).
    public var grants: [Grant]

    public init(user: String, role: Role, method: Method, grants: [Grant] = []) {
        self.user = user
        self.role = role
        self.method = method
        self.grants = grants
    }

    /// Whoever runs `pulk` on the workspace itself: the files are theirs, so they are its admin.
    public static func localOwner(_ user: String) -> Identity { Identity(user: user, role: .admin, method: .local) }
}

/// Checks credentials against the access store: HTTP Basic with a password or a token as the
/// password (what MLflow's client sends from `MLFLOW_TRACKING_USERNAME`/`_PASSWORD`), a Bearer token
/// (`MLFLOW_TRACKING_TOKEN`, `PULK_TOKEN`), or the web UI's session cookie. A verified credential is
/// remembered for a few seconds under the SHA-256 of what was sent (never the secret itself), so a
/// client logging thousands of metrics pays for one PBKDF2 check, and a revoked token or a changed
/// role takes effect within `cacheMillis`.
public final class Authenticator: @unchecked Sendable {
    let store: any AccessStore
    let now: @Sendable () -> Int64
    let cacheMillis: Int64
    private let lock = NSLock()
    private var cache: [String: (identity: Identity?, until: Int64)] = [:]
    private var users: (count: Int, until: Int64)?
    /// Whether `enabledNow` has a refresh under way (one at a time, however many requests ask).
    private var refreshing = false
    /// Wrong passwords per user name (see `LoginThrottle`).
    public let throttle = LoginThrottle()

    public init(store: any AccessStore, cacheMillis: Int64 = 5_000, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.cacheMillis = cacheMillis
        self.now = now
    }

    /// Whether any user exists (authentication is on), looked up at most every `cacheMillis`.
    public func enabled() async throws(StoreError) -> Bool {
        let t = now()
        if let u = lock.withLock({ users }), u.until > t { return u.count > 0 }
        let count = try await store.userCount()
        lock.withLock { users = (count, t + cacheMillis) }
        return count > 0
    }

    /// `enabled()` without waiting: the remembered answer, refreshed in the background once it is
    /// older than `cacheMillis`; true (check) when nothing is known yet.
    public func enabledNow() -> Bool {
        let t = now()
        let (known, refresh) = lock.withLock { () -> ((count: Int, until: Int64)?, Bool) in
            if let users, users.until > t { return (users, false) }
            defer { refreshing = true }
            return (users, !refreshing)
        }
        if let known, known.until > t { return known.count > 0 }
        if refresh {
            Task {
                _ = try? await self.enabled()
                lock.withLock { refreshing = false }
            }
        }
        return known.map { $0.count > 0 } ?? true
    }

    /// Forgets every remembered credential (after a change to users, tokens or grants).
    public func invalidate() {
        lock.withLock {
            cache.removeAll()
            users = nil
        }
    }

    /// The identity behind an `Authorization` header or a session cookie's secret; nil when neither is
    /// given; UNAUTHENTICATED when what is given is wrong, expired or revoked.
    public func identity(authorization: String?, session: String?) async throws(StoreError) -> Identity? {
        if let authorization, !authorization.isEmpty { return try await cached("a " + authorization) { () async throws(StoreError) in try await self.check(authorization) } }
        if let session, !session.isEmpty {
            return try await cached("s " + session) { () async throws(StoreError) in
                guard let s = try await self.store.session(secretHash: Credentials.secretHash(session)) else { return nil }
                return try await self.identity(user: s.user, method: .session)
            }
        }
        return nil
    }

    func cached(_ raw: String, _ compute: () async throws(StoreError) -> Identity?) async throws(StoreError) -> Identity {
        let key = Credentials.secretHash(raw), t = now()
        let hit = lock.withLock { () -> (identity: Identity?, until: Int64)? in
            guard let c = cache[key], c.until > t else { return nil }
            return c
        }
        let found: Identity?
        if let hit { found = hit.identity } else {
            found = try await compute()
            lock.withLock {
                if cache.count > 10_000 { cache.removeAll() }
                cache[key] = (found, t + cacheMillis)
            }
        }
        guard let found else {
            throw StoreError(.unauthenticated, "The credentials sent are not valid (a wrong user or password, or a token that is unknown, expired or revoked)")
        }
        return found
    }

    func check(_ header: String) async throws(StoreError) -> Identity? {
        switch try AuthorizationHeader(header) {
        case .bearer(let token):
            return try await tokenIdentity(token, user: nil)
        case .basic(let user, let secret):
            // A token may stand in for the password (MLflow's client sends only Basic or Bearer).
            if secret.hasPrefix(Credentials.tokenPrefix), let id = try await tokenIdentity(secret, user: user) { return id }
            let wait = throttle.wait(user, now: now())
            guard wait == 0 else {
                let seconds = Int((wait + 999) / 1000)
                throw StoreError(.requestLimitExceeded, "Too many wrong passwords for '\(user)': try again in \(seconds) s (or sign in with an API token)",
                                 retryAfter: seconds)
            }
            guard let c = try await store.credentials(user: user) else { return nil }
            guard Credentials.verifyPassword(secret, hash: c.passwordHash) else {
                throttle.failed(user, now: now())
                return nil
            }
            throttle.succeeded(user)
            return try await identity(user: user, method: .password)
        }
    }

    func tokenIdentity(_ secret: String, user: String?) async throws(StoreError) -> Identity? {
        guard let token = try await store.token(secretHash: Credentials.secretHash(secret)), token.isActive(at: now()) else { return nil }
        if let user, user != token.user { return nil }
        return try await identity(user: token.user, method: .token)
    }

    func identity(user: String, method: Identity.Method) async throws(StoreError) -> Identity? {
        guard let c = try await store.credentials(user: user) else { return nil }
        return Identity(user: user, role: c.user.role, method: method, grants: try await store.grants(user: user))
    }
}

/// What a user may do with a resource: an admin anything; otherwise the user's grant on it, else
/// the role's default permission, or nothing when the server denies by default.
public struct AccessPolicy: Sendable {
    /// Non-admins reach only what they were granted or created.
    public var defaultDeny: Bool

    public init(defaultDeny: Bool = false) { self.defaultDeny = defaultDeny }

    public func permission(_ id: Identity, _ kind: ResourceKind, _ resource: String) -> Permission {
        if id.role == .admin { return .manage }
        if let g = id.grants.first(where: { $0.kind == kind && $0.resource == resource }) { return g.permission }
        return defaultDeny ? .none : id.role.defaultPermission
    }

    /// Whether deciding needs the resource's identity (else the role's default decides for all).
    public func dependsOnResource(_ id: Identity, _ kind: ResourceKind) -> Bool {
        id.role != .admin && (defaultDeny || id.grants.contains { $0.kind == kind })
    }
}
