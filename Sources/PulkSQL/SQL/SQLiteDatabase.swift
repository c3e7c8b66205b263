public import PulkStore
import Foundation
public import GRDB
import GRDBSQLite

/// The embedded default: SQLite through GRDB in WAL mode (readers never block the writer).
/// `synchronous=NORMAL` survives a killed process; `durability: .full` adds an fsync per commit
/// for power loss.
public final class SQLiteDatabase: SQLDatabase {
    public enum Durability: String, Sendable { case normal, full }
    public let pool: DatabasePool
    public var dialect: SQLDialect { .sqlite }
    /// With `.full` durability, concurrent writes share one fsynced commit.
    let group: GroupCommit?

    public init(pool: DatabasePool, groupCommits: Bool = false) {
        self.pool = pool
        group = groupCommits ? GroupCommit(pool: pool) : nil
    }

    /// How many writes each committed group held (empty unless commits are grouped).
    public var groupSizes: [Int] { group?.groupSizes ?? [] }

    public convenience init(path: String, durability: Durability = .normal) throws(StoreError) {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        let sync = durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(sync)") }
        do { self.init(pool: try DatabasePool(path: path, configuration: config), groupCommits: durability == .full) } catch { throw .database(error) }
    }

    struct Session: SQLSession {
        let db: Database
        var dialect: SQLDialect { .sqlite }

        func query(_ sql: String, _ binds: [SQLValue]) throws(StoreError) -> [SQLRow] {
            // Short, fixed-shape lookups reuse their prepared statement; long ones (user filters,
            // IN lists of any length) are prepared each time so the cache stays bounded.
            let statement: Statement
            do { statement = sql.utf8.count <= Self.cachedQueryLength ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql) } catch {
                throw Self.map(error)
            }
            var rows: [SQLRow] = []
            try run(statement, sql, binds) { h in
                let n = sqlite3_column_count(h)
                var values: [SQLValue] = []
                values.reserveCapacity(Int(n))
                for c in 0..<n {
                    switch sqlite3_column_type(h, c) {
                    case SQLITE_INTEGER: values.append(.int(sqlite3_column_int64(h, c)))
                    case SQLITE_FLOAT: values.append(.double(sqlite3_column_double(h, c)))
                    case SQLITE_TEXT:
                        let count = Int(sqlite3_column_bytes(h, c))
                        values.append(.text(count == 0 ? "" : String(decoding: UnsafeBufferPointer(start: sqlite3_column_text(h, c), count: count), as: UTF8.self)))
                    case SQLITE_BLOB:
                        let count = Int(sqlite3_column_bytes(h, c))
                        let base = sqlite3_column_blob(h, c)
                        values.append(.blob(count == 0 || base == nil ? [] : Array(UnsafeRawBufferPointer(start: base, count: count))))
                    default: values.append(.null)
                    }
                }
                rows.append(SQLRow(values))
            }
            return rows
        }

        static let cachedQueryLength = 600

        /// Writes come in a bounded set of shapes (multi-row inserts of at most a few hundred rows), so
        /// every one keeps its prepared statement, and values are bound through SQLite's C API directly
        /// (GRDB's boxed arguments cost half of a 1000-metric insert).
        func execute(_ sql: String, _ binds: [SQLValue]) throws(StoreError) {
            let statement: Statement
            do { statement = try db.cachedStatement(sql: sql) } catch { throw Self.map(error) }
            try run(statement, sql, binds) { _ in }
        }

        /// Binds the values, steps through the result rows (handing each to `row`) and resets the statement.
        func run(_ statement: Statement, _ sql: String, _ binds: [SQLValue], row: (OpaquePointer) -> Void) throws(StoreError) {
            let h = statement.sqliteStatement
            sqlite3_reset(h)
            sqlite3_clear_bindings(h)
            defer { sqlite3_reset(h) }
            for (k, b) in binds.enumerated() {
                let i = Int32(k + 1)
                switch b {
                case .null: sqlite3_bind_null(h, i)
                case .int(let v): sqlite3_bind_int64(h, i, v)
                case .double(let v): sqlite3_bind_double(h, i, v)
                case .text(let v): sqlite3_bind_text(h, i, v, -1, Self.transient)
                case .blob(let v): v.withUnsafeBytes { raw in _ = sqlite3_bind_blob(h, i, raw.baseAddress, Int32(raw.count), Self.transient) }
                }
            }
            while true {
                let rc = sqlite3_step(h)
                if rc == SQLITE_DONE { return }
                if rc == SQLITE_ROW { row(h); continue }
                let extended = sqlite3_extended_errcode(sqlite3_db_handle(h))
                let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(h)))
                let code = ResultCode(rawValue: extended)
                if code == .SQLITE_CONSTRAINT_UNIQUE || code == .SQLITE_CONSTRAINT_PRIMARYKEY {
                    throw StoreError(.resourceAlreadyExists, "already exists (\(message))")
                }
                throw StoreError(.internalError, "database error: SQLite \(extended): \(message) (\(sql.prefix(80)))")
            }
        }

        /// SQLITE_TRANSIENT: SQLite copies the bound text before the call returns.
        static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        static func map(_ error: any Error) -> StoreError {
            if let e = error as? DatabaseError, e.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || e.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                return StoreError(.resourceAlreadyExists, "already exists (\(e.message ?? "unique constraint"))")
            }
            return .database(error)
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        do { return try await pool.read { db in try body(Session(db: db)) } } catch let e as StoreError { throw e } catch { throw .database(error) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        if let group { return try await group.write(body) }
        do { return try await pool.write { db in try body(Session(db: db)) } } catch let e as StoreError { throw e } catch { throw .database(error) }
    }
}
