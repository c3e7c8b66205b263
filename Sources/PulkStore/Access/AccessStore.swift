public import Foundation
import Crypto

/// What a user may do across the workspace, and the permission it gives on every experiment,
/// registered model and endpoint that has no grant of its own.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads everything.
    case reader
    /// Also creates experiments and runs, logs to them, registers models and versions.
    case contributor
    /// Also moves aliases and stages, and creates and changes endpoints.
    case deployer
    /// Everything, including users, tokens, grants and the audit trail.
    case admin

    public static func < (a: Role, b: Role) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// The permission the role gives on a resource without a grant for the user.
    public var defaultPermission: Permission {
        switch self {
        case .reader: return .read
        case .contributor, .deployer: return .edit
        case .admin: return .manage
        }
    }
}

/// A permission on one resource, ordered as MLflow's basic-auth app orders them.
public enum Permission: String, Sendable, Codable, CaseIterable, Comparable {
    case none = "NO_PERMISSIONS"
    /// See it and its runs, versions, history.
    case read = "READ"
    /// Also score it (endpoints) or load it (models).
    case use = "USE"
    /// Also change it: log runs, register versions, set tags and descriptions.
    case edit = "EDIT"
    /// Also delete or rename it and grant permissions on it.
    case manage = "MANAGE"

    public static func < (a: Permission, b: Permission) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// Parses READ, read, NO_PERMISSIONS, none …
    public init?(name: String) {
        let u = name.uppercased()
        if let p = Permission(rawValue: u) { self = p } else if u == "NONE" { self = .none } else { return nil }
    }
}

/// What a grant applies to.
public enum ResourceKind: String, Sendable, Codable, CaseIterable {
    case experiment
    case registeredModel = "registered_model"
    case endpoint
}

public struct User: Sendable, Equatable, Codable {
    public var name: String
    public var role: Role
    public var creationTime: Int64
    public var lastUpdatedTime: Int64

    package init(name: String, role: Role, creationTime: Int64, lastUpdatedTime: Int64) {
        self.name = name
        self.role = role
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
    }
}

/// An API token's record; the secret itself is shown once and stored only as its SHA-256.
public struct APIToken: Sendable, Equatable, Codable {
    public var id: String
    public var user: String
    public var name: String
    public var creationTime: Int64
    /// Milliseconds since 1970 after which it is refused; nil: never expires.
    public var expiresTime: Int64?
    public var revokedTime: Int64?

    package init(id: String, user: String, name: String, creationTime: Int64, expiresTime: Int64?, revokedTime: Int64?) {
        self.id = id
        self.user = user
        self.name = name
        self.creationTime = creationTime
        self.expiresTime = expiresTime
        self.revokedTime = revokedTime
    }

    public func isActive(at time: Int64) -> Bool { revokedTime == nil && (expiresTime.map { time < $0 } ?? true) }
}

/// One user's permission on one resource (an experiment id, a registered model's or an endpoint's name).
public struct Grant: Sendable, Equatable, Codable {
    public var user: String
    public var kind: ResourceKind
    public var resource: String
    public var permission: Permission

    public init(user: String, kind: ResourceKind, resource: String, permission: Permission) {
        self.user = user
        self.kind = kind
        self.resource = resource
        self.permission = permission
    }
}

/// A web UI login: the cookie's secret is stored only as its SHA-256.
public struct LoginSession: Sendable, Equatable {
    public var user: String
    public var expiresTime: Int64

    package init(user: String, expiresTime: Int64) {
        self.user = user
        self.expiresTime = expiresTime
    }
}

/// Users, their API tokens, grants and web sessions. Secrets never reach the store: passwords arrive
/// hashed (PBKDF2), token and session secrets as SHA-256.
public protocol AccessStore: Sendable {
    /// Creates a user; RESOURCE_ALREADY_EXISTS if the name is taken.
    func createUser(name: String, passwordHash: String, role: Role) async throws(StoreError) -> User
    /// The user and its password hash, or nil.
    func credentials(user: String) async throws(StoreError) -> (user: User, passwordHash: String)?
    /// Every user, by name.
    func users() async throws(StoreError) -> [User]
    /// Changes a user's role or password (nil: unchanged); a new password ends the user's sessions.
    func updateUser(name: String, role: Role?, passwordHash: String?) async throws(StoreError) -> User
    /// Deletes a user with its tokens, sessions and grants (the audit trail keeps the name).
    func deleteUser(name: String) async throws(StoreError)
    /// How many users exist (none: the server is open).
    func userCount() async throws(StoreError) -> Int

    /// Records a token for a user (its secret's SHA-256 in hex).
    func createToken(user: String, name: String, secretHash: String, expiresTime: Int64?) async throws(StoreError) -> APIToken
    /// The token whose secret has this SHA-256, active or not.
    func token(secretHash: String) async throws(StoreError) -> APIToken?
    /// A user's tokens (nil: everyone's), newest first.
    func tokens(user: String?) async throws(StoreError) -> [APIToken]
    /// Revokes a token (kept, marked revoked); RESOURCE_DOES_NOT_EXIST for an unknown id.
    func revokeToken(id: String) async throws(StoreError) -> APIToken

    /// Records a web UI login session by the SHA-256 of its cookie secret, valid until `expiresTime` (ms).
    func createSession(secretHash: String, user: String, expiresTime: Int64) async throws(StoreError)
    /// The session whose cookie secret has this SHA-256, expired or not (the caller checks the time).
    func session(secretHash: String) async throws(StoreError) -> LoginSession?
    /// Ends a session (logout); nothing happens when there is none.
    func deleteSession(secretHash: String) async throws(StoreError)

    /// Sets (replaces) a user's permission on a resource.
    func setGrant(_ grant: Grant) async throws(StoreError)
    /// Removes a grant; RESOURCE_DOES_NOT_EXIST when there is none.
    func deleteGrant(user: String, kind: ResourceKind, resource: String) async throws(StoreError)
    /// The user's grants (nil: everyone's), by user, kind and resource.
    func grants(user: String?) async throws(StoreError) -> [Grant]
    /// The user's grant on one resource, if any.
    func grant(user: String, kind: ResourceKind, resource: String) async throws(StoreError) -> Permission?
}

public enum AccessRules {
    /// User names: 1 to 64 letters, digits and `. _ - @` (they appear in histories and URLs).
    public static func checkUserName(_ name: String) throws(StoreError) {
        let ok = (1...64).contains(name.count) && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || ".-_@".contains($0) }
        guard ok else { throw .invalid("Invalid user name '\(name.prefix(80))': use 1 to 64 letters, digits and . _ - @") }
    }

    public static func checkTokenName(_ name: String) throws(StoreError) {
        guard (1...100).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("A token name is 1 to 100 printable characters")
        }
    }
}

// MARK: audit trail

/// One change, as the audit trail keeps it: who, when, what, the state before and after (JSON
/// text, empty when there is none or it is not kept), and the hash chaining it to the entry before.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var sequence: Int64
    public var time: Int64
    public var actor: String
    /// What was done, e.g. `experiments/create`, `alias/set`, `users/create`.
    public var action: String
    public var resourceKind: String
    public var resource: String
    public var before: String
    public var after: String
    public var previousHash: String
    public var hash: String

    package init(sequence: Int64, time: Int64, actor: String, action: String, resourceKind: String, resource: String, before: String, after: String,
                 previousHash: String, hash: String) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.action = action
        self.resourceKind = resourceKind
        self.resource = resource
        self.before = before
        self.after = after
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash of the first entry's predecessor.
    public static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 (hex) over the previous hash and every field, each length-prefixed so no two entries
    /// hash alike by moving text between fields.
    public static func chainHash(previous: String, sequence: Int64, time: Int64, actor: String, action: String, resourceKind: String, resource: String,
                                 before: String, after: String) -> String {
        var h = SHA256()
        for field in [previous, String(sequence), String(time), actor, action, resourceKind, resource, before, after] {
            let bytes = Array(field.utf8)
            h.update(data: Array("\(bytes.count):".utf8))
            h.update(data: bytes)
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether this entry's hash is right for its fields and `previousHash`.
    public var isSelfConsistent: Bool {
        hash == Self.chainHash(previous: previousHash, sequence: sequence, time: time, actor: actor, action: action, resourceKind: resourceKind,
                               resource: resource, before: before, after: after)
    }
}

/// A change to record; the store adds the sequence, time and hashes.
public struct AuditRecord: Sendable, Equatable {
    public var actor: String
    public var action: String
    public var resourceKind: String
    public var resource: String
    public var before: String
    public var after: String

    public init(actor: String, action: String, resourceKind: String, resource: String, before: String = "", after: String = "") {
        self.actor = actor
        self.action = action
        self.resourceKind = resourceKind
        self.resource = resource
        self.before = before
        self.after = after
    }
}

/// What checking the chain found.
public struct AuditVerification: Sendable, Equatable, Codable {
    public var entries: Int
    /// The first entry whose hash or link is wrong, if any.
    public var firstBroken: Int64?
    public var problem: String?
    /// The hash of the last intact entry: kept elsewhere, it also shows entries cut off the end.
    public var head: String

    public init(entries: Int, firstBroken: Int64?, problem: String?, head: String) {
        self.entries = entries
        self.firstBroken = firstBroken
        self.problem = problem
        self.head = head
    }

    public var intact: Bool { firstBroken == nil }
}

/// Checks a chain fed in sequence order from its first entry: each links to its predecessor's hash
/// and hashes to its own, and sequences have no gaps.
public struct AuditChainWalker: Sendable {
    var previous = AuditEntry.genesis
    var expected: Int64 = 1
    public private(set) var count = 0
    public private(set) var broken: AuditVerification?

    public init() {}

    /// Takes the next entry; false once the chain is broken.
    public mutating func add(_ e: AuditEntry) -> Bool {
        guard broken == nil else { return false }
        let problem: String?
        if e.sequence != expected { problem = "entry \(expected) is missing (the next is \(e.sequence))" }
        else if e.previousHash != previous { problem = "entry \(e.sequence) does not link to the entry before it" }
        else if !e.isSelfConsistent { problem = "entry \(e.sequence) was changed after it was written" }
        else { problem = nil }
        if let problem {
            broken = .init(entries: count, firstBroken: e.sequence, problem: problem, head: previous)
            return false
        }
        previous = e.hash
        expected = e.sequence + 1
        count += 1
        return true
    }

    public var result: AuditVerification { broken ?? .init(entries: count, firstBroken: nil, problem: nil, head: previous) }
}

/// A change's audit record that the store writes in the same transaction as the change itself, so
/// the change and its entry commit together (one write, not two) and neither is durable without the
/// other. The access layer sets it around a request whose record is known before the change runs
/// (data appended to a run); a store that makes that change takes it, and gives it back if its
/// transaction fails. A record nobody took is appended on its own afterwards.
public final class PendingAudit: @unchecked Sendable {
    @TaskLocal public static var current: PendingAudit?

    private let lock = NSLock()
    private var record: AuditRecord?

    public init(_ record: AuditRecord) { self.record = record }

    /// The record, for the first write that records it; nil once taken.
    public func take() -> AuditRecord? {
        lock.lock(); defer { lock.unlock() }
        let r = record
        record = nil
        return r
    }

    /// Back after the write that took it rolled back.
    public func giveBack(_ r: AuditRecord) {
        lock.lock(); defer { lock.unlock() }
        record = r
    }
}

/// The append-only audit trail: entries are only ever added, each chained to the one before by its hash.
public protocol AuditStore: Sendable {
    /// Appends a change, durable before it returns.
    @discardableResult
    func appendAudit(_ record: AuditRecord) async throws(StoreError) -> AuditEntry
    /// Entries with a sequence above `after`, oldest first, at most `limit`; optionally one actor's or
    /// one resource's (kind and name).
    func auditEntries(after: Int64, limit: Int, actor: String?, resource: String?) async throws(StoreError) -> [AuditEntry]
    /// Walks the whole chain.
    func verifyAudit() async throws(StoreError) -> AuditVerification
}
