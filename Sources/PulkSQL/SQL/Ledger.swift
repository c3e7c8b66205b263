public import PulkStore
public import GRDB

/// One named, append-only list of schema migrations: the workspace's catalog tables or the tracking
/// store's. Never edit a migration that has shipped: add a new one.
public struct MigrationSet: Sendable {
    public let name: String
    public let migrations: [(id: String, statements: [String])]
    /// A ledger an earlier pulk kept for this set (table, id column), read as applied.
    let legacyLedger: (table: String, column: String)?
}

/// Every database keeps one ledger, `pulk_store_migrations`, of the migrations applied to it, whatever
/// sets it holds (`pulk.sqlite`: the workspace's and, unless the store is in PostgreSQL, the tracking
/// store's; PostgreSQL: the tracking store's). One policy for every set and database:
///
/// - a set none of whose migrations are applied is created at once (a new database);
/// - a set with all of them opens untouched;
/// - an older set (some applied, not all) is refused until the user upgrades on purpose
///   (`pulk workspace upgrade [--store-uri URI]`, after a backup): `upgrade: true` applies the missing
///   migrations in one transaction, so a failed upgrade leaves the database as it was;
/// - a database holding a migration this pulk does not know (made by a newer pulk) is refused.
///
/// The decision and the migrations run in one write transaction, so two processes opening a new
/// database at once never see it half-made.
public enum Ledger {
    static let table = "pulk_store_migrations"
    /// The PostgreSQL advisory lock key of schema changes ("pulk" in ASCII).
    static let advisoryLock = 0x70756C6B

    /// What opening found.
    public enum Outcome: Sendable, Equatable {
        case current
        case created
        case upgraded([String])
    }

    /// Every migration id this pulk knows, of every set.
    static var known: Set<String> { Set((StoreSchema.workspace.migrations + StoreSchema.tracking.migrations).map(\.id)) }

    /// Why a database was not opened.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// Made by an earlier pulk: these migrations are missing.
        case outOfDate(set: String, missing: [String])
        /// Made by a newer pulk: it has this migration, which this pulk does not know.
        case newer(String)

        public var description: String {
            switch self {
            case .outOfDate(let set, let missing):
                return "the \(set) schema was made by an earlier pulk and needs upgrading (missing: \(missing.joined(separator: ", ")))."
            case .newer(let id):
                return "this database was changed by a newer pulk (it has schema migration \(id), which this pulk does not know); upgrade pulk to use it."
            }
        }
    }

    /// Brings `set` to this pulk's schema in `db` under the policy above; a refusal is a `StoreError`
    /// followed by `upgradeHint` (how to upgrade).
    @discardableResult
    public static func open(_ set: MigrationSet, in db: any SQLDatabase, upgrade: Bool, upgradeHint: String) async throws(StoreError) -> Outcome {
        let result = try await db.write { s throws(StoreError) in try apply(set, session: s, upgrade: upgrade, through: nil) }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let refusal):
            if case .outOfDate = refusal { throw StoreError(.invalidState, refusal.description + " " + upgradeHint) }
            throw StoreError(.invalidState, refusal.description)
        }
    }

    /// The same, synchronously, on a SQLite pool (the workspace opens without a concurrency context);
    /// the refusal is returned for the caller to word.
    public static func open(_ set: MigrationSet, in pool: DatabasePool, upgrade: Bool) throws(StoreError) -> Result<Outcome, Refusal> {
        do {
            return try pool.write { db in try apply(set, session: SQLiteDatabase.Session(db: db), upgrade: upgrade, through: nil) }
        } catch let e as StoreError { throw e } catch { throw .database(error) }
    }

    /// The migrations of `set` that `db` lacks (empty when current).
    public static func pending(_ set: MigrationSet, in db: any SQLDatabase) async throws(StoreError) -> [String] {
        let applied = try await db.write { s throws(StoreError) in try appliedIds(set, session: s) }
        return set.migrations.map(\.id).filter { !applied.contains($0) }
    }

    /// The same, synchronously, on a SQLite pool.
    public static func pending(_ set: MigrationSet, in pool: DatabasePool) throws(StoreError) -> [String] {
        let applied: Set<String>
        do { applied = try pool.write { db in try appliedIds(set, session: SQLiteDatabase.Session(db: db)) } } catch let e as StoreError { throw e } catch { throw .database(error) }
        return set.migrations.map(\.id).filter { !applied.contains($0) }
    }

    /// Applies `set` up to and including migration `id` only, as the pulk that shipped it did: for tests
    /// that need a database at an earlier schema.
    public static func build(_ set: MigrationSet, in db: any SQLDatabase, through id: String) async throws(StoreError) {
        _ = try await db.write { s throws(StoreError) in try apply(set, session: s, upgrade: true, through: id) }
    }

    static func apply(_ set: MigrationSet, session s: any SQLSession, upgrade: Bool, through last: String?) throws(StoreError) -> Result<Outcome, Refusal> {
        let applied = try appliedIds(set, session: s)
        if let unknown = applied.subtracting(known).sorted().first { return .failure(.newer(unknown)) }
        var wanted = set.migrations
        if let last, let end = wanted.firstIndex(where: { $0.id == last }) { wanted = Array(wanted[...end]) }
        let missing = wanted.filter { !applied.contains($0.id) }
        if missing.isEmpty { return .success(.current) }
        let isNew = !set.migrations.contains { applied.contains($0.id) }
        if !isNew && !upgrade { return .failure(.outOfDate(set: set.name, missing: missing.map(\.id))) }
        for m in missing {
            for sql in m.statements { try s.execute(s.dialect.adapt(sql), []) }
            try s.execute("INSERT INTO \(table) (id) VALUES (?)", .text(m.id))
        }
        return .success(isNew ? .created : .upgraded(missing.map(\.id)))
    }

    /// The ledger's ids (created when absent), with those of the set's legacy ledger.
    static func appliedIds(_ set: MigrationSet, session s: any SQLSession) throws(StoreError) -> Set<String> {
        // Openers of one PostgreSQL database take turns, to the end of the transaction (SQLite's writers
        // always do).
        if s.dialect == .postgres { try s.execute("SELECT pg_advisory_xact_lock(\(advisoryLock))", []) }
        try s.execute("CREATE TABLE IF NOT EXISTS \(table) (id TEXT PRIMARY KEY)", [])
        var ids = Set(try s.query("SELECT id FROM \(table)", []).compactMap { $0[0].text })
        if let legacy = set.legacyLedger, s.dialect == .sqlite,
           try !s.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", .text(legacy.table)).isEmpty {
            ids.formUnion(try s.query("SELECT \(legacy.column) FROM \(legacy.table)", []).compactMap { $0[0].text })
        }
        return ids
    }
}
