public import PulkStore
import Foundation

/// A value bound into or read from SQL.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let v): return Int64(exactly: v)
        case .text(let s): return Int64(s)
        case .null, .blob: return nil
        }
    }
    public var double: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        case .text(let s): return Double(s)
        case .null, .blob: return nil
        }
    }
    public var blob: [UInt8]? { if case .blob(let b) = self { return b }; return nil }

    public var text: String? {
        switch self {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .null, .blob: return nil
        }
    }
}

/// One result row: values in select-list order.
public struct SQLRow: Sendable {
    public var values: [SQLValue]
    public init(_ values: [SQLValue]) { self.values = values }
    public subscript(_ i: Int) -> SQLValue { values[i] }
}

/// The differences between the SQL dialects the store speaks; everything else is shared SQL.
public enum SQLDialect: String, Sendable {
    case sqlite, postgres

    /// Rewrites `?` placeholders into the dialect's form (`$1, $2, …` for PostgreSQL).
    func placeholders(_ sql: String) -> String {
        guard self == .postgres else { return sql }
        var out = "", n = 0, inString = false
        for ch in sql {
            if ch == "'" { inString.toggle() }
            if ch == "?" && !inString { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }

    /// A migration statement in this dialect's words (`{blob}`: BLOB or BYTEA).
    func adapt(_ sql: String) -> String {
        sql.replacingOccurrences(of: "{blob}", with: self == .sqlite ? "BLOB" : "BYTEA")
    }

    /// Case-sensitive and case-insensitive pattern matching (SQLite's LIKE ignores case).
    var like: String { self == .sqlite ? "GLOB" : "LIKE" }
    var ilike: String { self == .sqlite ? "LIKE" : "ILIKE" }
}

/// A connection inside a transaction: statements run synchronously, in order.
public protocol SQLSession {
    var dialect: SQLDialect { get }
    func query(_ sql: String, _ binds: [SQLValue]) throws(StoreError) -> [SQLRow]
    func execute(_ sql: String, _ binds: [SQLValue]) throws(StoreError)
}

extension SQLSession {
    func execute(_ sql: String, _ binds: SQLValue...) throws(StoreError) { try execute(sql, binds) }
    func query(_ sql: String, _ binds: SQLValue...) throws(StoreError) -> [SQLRow] { try query(sql, binds) }
}

/// A database the store runs on: SQLite (GRDB) or PostgreSQL (postgres-nio). `write` runs its body
/// in one transaction, committed (and durable) before it returns; `read` sees a consistent snapshot.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T
}
