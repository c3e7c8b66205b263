import Foundation
public import GRDB

/// The embedded default: SQLite through GRDB in WAL mode (readers never block the writer).
/// `synchronous=NORMAL` survives a killed process; `durability: .full` adds an fsync per commit
/// for power loss.
public final class SQLiteDatabase: SQLDatabase {
    public enum Durability: String, Sendable { case normal, full }
    public let pool: DatabasePool
    public var dialect: SQLDialect { .sqlite }

    public init(pool: DatabasePool) { self.pool = pool }

    public convenience init(path: String, durability: Durability = .normal) throws(StoreError) {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        let sync = durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(sync)") }
        do { self.init(pool: try DatabasePool(path: path, configuration: config)) } catch { throw .database(error) }
    }

    struct Session: SQLSession {
        let db: Database
        var dialect: SQLDialect { .sqlite }

        func query(_ sql: String, _ binds: [SQLValue]) throws(StoreError) -> [SQLRow] {
            do {
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(binds.map(\.databaseValue))).map { row in
                    SQLRow(row.databaseValues.map(SQLValue.init))
                }
            } catch { throw Self.map(error) }
        }

        func execute(_ sql: String, _ binds: [SQLValue]) throws(StoreError) {
            do { try db.execute(sql: sql, arguments: StatementArguments(binds.map(\.databaseValue))) } catch { throw Self.map(error) }
        }

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
        do { return try await pool.write { db in try body(Session(db: db)) } } catch let e as StoreError { throw e } catch { throw .database(error) }
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .int(let v): return v.databaseValue
        case .double(let v): return v.databaseValue
        case .text(let v): return v.databaseValue
        }
    }

    init(_ v: DatabaseValue) {
        switch v.storage {
        case .null: self = .null
        case .int64(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .text(s)
        case .blob(let b): self = .text(String(decoding: b, as: UTF8.self))
        }
    }
}
