public import Foundation
public import PulkFrame
import GRDB
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A query's result as a frame: the rows a SELECT returns from PostgreSQL or SQLite, streamed into
/// columns (the driver hands rows over one at a time; only the columns grow). The query runs in a
/// read-only transaction (PostgreSQL) or on a read-only connection (SQLite), so a snapshot never
/// changes the source.
public enum SQLSnapshot {
    /// Where the query runs.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also `postgres://`).
        case postgres(URLComponents)
        /// `sqlite:PATH` (also `sqlite://PATH`).
        case sqlite(String)

        public init(parsing text: String) throws(FrameError) {
            if text.hasPrefix("sqlite:") {
                var path = String(text.dropFirst("sqlite:".count))
                if path.hasPrefix("//") { path.removeFirst(2) }
                guard !path.isEmpty else { throw .invalidArgument("--from sqlite: needs a file, as in sqlite:shop.db") }
                self = .sqlite(path)
                return
            }
            guard let u = URLComponents(string: text), ["postgresql", "postgres"].contains(u.scheme ?? ""), let host = u.host, !host.isEmpty else {
                throw .invalidArgument("--from must be postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE or sqlite:FILE, not '\(Source.redact(text))'")
            }
            self = .postgres(u)
        }

        /// The source without its password: what lineage records and messages show.
        public var description: String {
            switch self {
            case .sqlite(let path): return "sqlite:" + path
            case .postgres(var u):
                if u.password != nil { u.password = nil }
                return u.string ?? "postgresql://"
            }
        }

        static func redact(_ text: String) -> String {
            guard var u = URLComponents(string: text), u.password != nil else { return text }
            u.password = nil
            return u.string ?? "(a URL)"
        }
    }

    /// The rows `query` returns from `source`. `progress` is called with the rows read so far.
    public static func frame(query: String, from source: Source, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Frame {
        switch source {
        case .sqlite(let path): return try sqlite(query: query, path: path, progress: progress)
        case .postgres(let url): return try await postgres(query: query, url: url, progress: progress)
        }
    }

    // MARK: SQLite

    static func sqlite(query: String, path: String, progress: (@Sendable (Int) -> Void)?) throws -> Frame {
        guard FileManager.default.fileExists(atPath: path) else { throw FrameError.fileNotFound(path) }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db in
                let statement = try db.makeStatement(sql: query)
                let builders = try ColumnBuilders(names: statement.columnNames, source: "sqlite:\(path)")
                let cursor = try Row.fetchCursor(statement)
                var rows = 0
                while let row = try cursor.next() {
                    for i in 0..<builders.count {
                        let value: DatabaseValue = row[i]
                        switch value.storage {
                        case .null: builders[i].appendNull()
                        case .int64(let v): try builders[i].append(int: v)
                        case .double(let v): try builders[i].append(double: v)
                        case .string(let s): try builders[i].append(text: s)
                        case .blob: throw FrameError.invalidArgument("column '\(builders[i].name)' holds a BLOB, which has no Pulk column type; leave it out of the SELECT or cast it (CAST(x AS TEXT))")
                        }
                    }
                    rows += 1
                    if rows % 100_000 == 0 { progress?(rows) }
                }
                return try builders.frame()
            }
        } catch let e as FrameError {
            throw e
        } catch let e as DatabaseError {
            throw FrameError.invalidArgument("the query failed in sqlite:\(path): \(e.message ?? e.description)")
        }
    }

    // MARK: PostgreSQL

    static func postgres(query: String, url: URLComponents, progress: (@Sendable (Int) -> Void)?) async throws -> Frame {
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let configuration = PostgresConnection.Configuration(host: url.host ?? "localhost", port: url.port ?? 5432, username: url.user ?? "postgres",
                                                             password: url.password, database: database.isEmpty ? nil : database, tls: .disable)
        let shown = Source.postgres(url).description
        let logger = Logger(label: "pulk.sql-source")
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger)
        } catch {
            throw FrameError.invalidArgument("cannot connect to \(shown): \(Self.message(error))")
        }
        do {
            try await connection.query("START TRANSACTION READ ONLY", logger: logger)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: query), logger: logger)
            var builders: ColumnBuilders?
            var kinds: [PostgresKind] = []
            var count = 0
            for try await row in rows {
                if builders == nil {
                    let cells = Array(row)
                    builders = try ColumnBuilders(names: cells.map(\.columnName), source: shown)
                    kinds = try cells.map { try PostgresKind($0.dataType, column: $0.columnName) }
                }
                var i = 0
                for cell in row {
                    try kinds[i].append(cell, to: builders![i])
                    i += 1
                }
                count += 1
                if count % 100_000 == 0 { progress?(count) }
            }
            try await connection.query("COMMIT", logger: logger)
            try await connection.close()
            // No rows: the columns are still known, from the query's description.
            if builders == nil {
                throw FrameError.invalidArgument("the query returned no rows; a dataset needs at least one")
            }
            return try builders!.frame()
        } catch {
            try? await connection.close()
            if let e = error as? FrameError { throw e }
            throw FrameError.invalidArgument("the query failed in \(shown): \(Self.message(error))")
        }
    }

    static func message(_ error: any Error) -> String {
        if let p = error as? PSQLError {
            if let m = p.serverInfo?[.message] { return m }
            return "\(p.code)"
        }
        return "\(error)"
    }

    /// How one PostgreSQL column's binary values become Pulk values.
    enum PostgresKind {
        case bool, int2, int4, int8, float4, float8, numeric, text, date, timestamp, uuid

        init(_ type: PostgresDataType, column: String) throws {
            switch type {
            case .bool: self = .bool
            case .int2: self = .int2
            case .int4: self = .int4
            case .int8: self = .int8
            case .float4: self = .float4
            case .float8: self = .float8
            case .numeric: self = .numeric
            case .text, .varchar, .bpchar, .name, .json, .jsonb, .char: self = .text
            case .uuid: self = .uuid
            case .date: self = .date
            case .timestamp, .timestamptz: self = .timestamp
            default:
                if type.rawValue >= 16384 { self = .text; return } // user-defined types (enums) arrive as their labels
                throw FrameError.invalidArgument("column '\(column)' is of PostgreSQL type \(type), which has no Pulk column type; cast it in the SELECT (\(column)::text or ::float8)")
            }
        }

        func append(_ cell: PostgresCell, to b: ColumnBuilder) throws {
            guard var buffer = cell.bytes else { b.appendNull(); return }
            switch self {
            case .bool: try b.append(bool: try cell.decode(Bool.self))
            case .int2: try b.append(int: Int64(try cell.decode(Int16.self)))
            case .int4: try b.append(int: Int64(try cell.decode(Int32.self)))
            case .int8: try b.append(int: try cell.decode(Int64.self))
            case .float4: try b.append(double: Double(try cell.decode(Float.self)))
            case .float8: try b.append(double: try cell.decode(Double.self))
            case .numeric:
                let d = try cell.decode(Decimal.self)
                try b.append(double: Double(d.description) ?? NSDecimalNumber(decimal: d).doubleValue)
            case .text:
                if cell.dataType == .jsonb, cell.format == .binary { _ = buffer.readInteger(as: UInt8.self) }
                try b.append(text: buffer.readString(length: buffer.readableBytes) ?? "")
            case .uuid: try b.append(text: try cell.decode(UUID.self).uuidString.lowercased())
            case .date:
                guard let days = buffer.readInteger(as: Int32.self) else { throw FrameError.invalidArgument("a date value is damaged") }
                try b.append(date: days &+ 10_957) // days since 2000-01-01 → since 1970-01-01
            case .timestamp:
                guard let micros = buffer.readInteger(as: Int64.self) else { throw FrameError.invalidArgument("a timestamp value is damaged") }
                try b.append(datetime: micros &+ 946_684_800_000_000)
            }
        }
    }
}

/// Growing columns for rows that arrive one at a time. A column's type follows its values: integers,
/// then floats when a float arrives (the integers become floats), and text once any value is text
/// (the values before become their text), as SQLite's values may change type within a column.
final class ColumnBuilder {
    enum Kind { case empty, int, double, bool, text, date, datetime }
    let name: String
    var kind = Kind.empty
    var ints: [Int64] = []
    var doubles: [Double] = []
    var bools: [Bool] = []
    var days: [Int32] = []
    var codes: [Int32] = []
    var dictionary: [String] = []
    var index: [String: Int32] = [:]
    var valid: [Bool] = []
    var nulls = 0

    init(name: String) { self.name = name }

    func appendNull() {
        valid.append(false)
        nulls += 1
        switch kind {
        case .empty: break
        case .int, .datetime: ints.append(0)
        case .double: doubles.append(0)
        case .bool: bools.append(false)
        case .date: days.append(0)
        case .text: codes.append(0)
        }
    }

    /// Makes the column `kind`, converting what it holds (nulls before the first value included).
    private func become(_ new: Kind) {
        if kind == new { return }
        let n = valid.count
        switch (kind, new) {
        case (.empty, _):
            switch new {
            case .int, .datetime: ints = Array(repeating: 0, count: n)
            case .double: doubles = Array(repeating: 0, count: n)
            case .bool: bools = Array(repeating: false, count: n)
            case .date: days = Array(repeating: 0, count: n)
            case .text: codes = Array(repeating: 0, count: n)
            case .empty: break
            }
        case (.int, .double):
            doubles = ints.map(Double.init); ints = []
        default:
            // To text: each value as it would print.
            var texts: [String] = []
            texts.reserveCapacity(n)
            for i in 0..<n {
                switch kind {
                case .int: texts.append(String(ints[i]))
                case .double: texts.append(formatDouble(doubles[i]))
                case .bool: texts.append(bools[i] ? "true" : "false")
                case .date: texts.append(CivilDate.format(days: days[i]))
                case .datetime: texts.append(CivilDate.format(micros: ints[i]))
                default: texts.append("")
                }
            }
            ints = []; doubles = []; bools = []; days = []
            codes = []
            for (i, t) in texts.enumerated() { codes.append(valid[i] ? code(t) : 0) }
        }
        kind = new
    }

    private func code(_ s: String) -> Int32 {
        if let k = index[s] { return k }
        let k = Int32(dictionary.count)
        dictionary.append(s)
        index[s] = k
        return k
    }

    func append(int v: Int64) throws {
        switch kind {
        case .empty, .int: become(.int); ints.append(v)
        case .double: doubles.append(Double(v))
        case .text: codes.append(code(String(v)))
        default: become(.text); codes.append(code(String(v)))
        }
        valid.append(true)
    }

    func append(double v: Double) throws {
        switch kind {
        case .empty, .int, .double: become(.double); doubles.append(v)
        case .text: codes.append(code(formatDouble(v)))
        default: become(.text); codes.append(code(formatDouble(v)))
        }
        valid.append(true)
    }

    func append(text s: String) throws {
        become(.text)
        codes.append(code(s))
        valid.append(true)
    }

    func append(bool v: Bool) throws {
        if kind == .empty || kind == .bool { become(.bool); bools.append(v) } else { become(.text); codes.append(code(v ? "true" : "false")) }
        valid.append(true)
    }

    func append(date v: Int32) throws {
        if kind == .empty || kind == .date { become(.date); days.append(v) } else { become(.text); codes.append(code(CivilDate.format(days: v))) }
        valid.append(true)
    }

    func append(datetime v: Int64) throws {
        if kind == .empty || kind == .datetime { become(.datetime); ints.append(v) } else { become(.text); codes.append(code(CivilDate.format(micros: v))) }
        valid.append(true)
    }

    func column() -> PulkFrame.Column {
        if kind == .empty { become(.text) } // all missing: a text column of nothing
        let validity = nulls > 0 ? Bitmap(valid) : nil
        let storage: ColumnStorage
        switch kind {
        case .int: storage = .int64(ColumnBuffer(ints))
        case .double: storage = .float64(ColumnBuffer(doubles))
        case .bool: storage = .bool(ColumnBuffer(bools))
        case .date: storage = .date(ColumnBuffer(days))
        case .datetime: storage = .datetime(ColumnBuffer(ints))
        case .text, .empty: storage = .string(codes: ColumnBuffer(codes), dictionary: dictionary)
        }
        return PulkFrame.Column(name: name, storage: storage, validity: validity)
    }
}

/// One builder per result column; duplicate names are refused (a frame's columns are unique).
final class ColumnBuilders {
    let builders: [ColumnBuilder]
    var count: Int { builders.count }
    subscript(i: Int) -> ColumnBuilder { builders[i] }

    init(names: [String], source: String) throws {
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw FrameError.invalidArgument("the query returns two columns named '\(n)'; name them apart in the SELECT (… AS \(n)_2)")
        }
        guard !names.isEmpty else { throw FrameError.invalidArgument("the query returns no columns") }
        builders = names.map(ColumnBuilder.init)
    }

    func frame() throws -> Frame {
        guard let first = builders.first, !first.valid.isEmpty else {
            throw FrameError.invalidArgument("the query returned no rows; a dataset needs at least one")
        }
        return try Frame(columns: builders.map { $0.column() })
    }
}
