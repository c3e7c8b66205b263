public import PulkStore
import Foundation
public import PostgresNIO

/// PostgreSQL through postgres-nio, for teams that outgrow one machine. The store's SQL runs
/// synchronously inside a transaction on a pooled connection, on a thread of its own (never on the
/// event loop or the concurrency pool), blocking on each query's future.
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    public var dialect: SQLDialect { .postgres }
    let configuration: PostgresConnection.Configuration
    let logger = Logger(label: "pulk.store.postgres")
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var nextId = 0
    private let slots: DispatchSemaphore
    private let queue = DispatchQueue(label: "pulk.store.postgres", attributes: .concurrent)

    public init(configuration: PostgresConnection.Configuration, maxConnections: Int = 8) {
        self.configuration = configuration
        slots = DispatchSemaphore(value: maxConnections)
    }

    /// `postgresql://user[:password]@host[:port]/database` (also `postgres://`).
    public convenience init(url: String, maxConnections: Int = 8) throws(StoreError) {
        guard let u = URLComponents(string: url), ["postgresql", "postgres"].contains(u.scheme ?? ""), let host = u.host, !host.isEmpty else {
            throw .invalid("'\(url)' is not a PostgreSQL URL; use postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        let database = u.path.hasPrefix("/") ? String(u.path.dropFirst()) : u.path
        let config = PostgresConnection.Configuration(host: host, port: u.port ?? 5432, username: u.user ?? "postgres", password: u.password,
                                                      database: database.isEmpty ? nil : database, tls: .disable)
        self.init(configuration: config, maxConnections: maxConnections)
    }

    deinit {
        // Each connection stays alive until its close completes (postgres-nio requires closing first).
        for c in idle {
            let f: EventLoopFuture<Void> = c.close()
            f.whenComplete { _ in withExtendedLifetime(c) {} }
        }
    }

    private func checkout() throws(StoreError) -> PostgresConnection {
        slots.wait()
        lock.lock()
        if let c = idle.popLast() { lock.unlock(); if !c.isClosed { return c } } else { lock.unlock() }
        lock.lock(); nextId += 1; let id = nextId; lock.unlock()
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            slots.signal()
            throw StoreError(.internalError, "cannot connect to PostgreSQL at \(configuration.host ?? "?"): \(String(reflecting: error))")
        }
    }

    private func checkin(_ c: PostgresConnection) {
        lock.lock()
        if !c.isClosed { idle.append(c) }
        lock.unlock()
        slots.signal()
    }

    struct Session: SQLSession {
        let connection: PostgresConnection
        let logger: Logger
        var dialect: SQLDialect { .postgres }

        func query(_ sql: String, _ binds: [SQLValue]) throws(StoreError) -> [SQLRow] {
            var bindings = PostgresBindings(capacity: binds.count)
            for b in binds {
                switch b {
                case .null: bindings.appendNull()
                case .int(let v): bindings.append(v)
                case .double(let v): bindings.append(v)
                case .text(let v): bindings.append(v)
                case .blob(let v): bindings.append(ByteBuffer(bytes: v))
                }
            }
            let result: PostgresQueryResult
            do { result = try connection.query(PostgresQuery(unsafeSQL: SQLDialect.postgres.placeholders(sql), binds: bindings), logger: logger).wait() } catch {
                throw Self.map(error)
            }
            var rows: [SQLRow] = []
            rows.reserveCapacity(result.rows.count)
            for row in result.rows {
                var values: [SQLValue] = []
                for cell in row {
                    values.append(Self.value(cell))
                }
                rows.append(SQLRow(values))
            }
            return rows
        }

        func execute(_ sql: String, _ binds: [SQLValue]) throws(StoreError) { _ = try query(sql, binds) }

        static func value(_ cell: PostgresCell) -> SQLValue {
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .int8, .int4, .int2: return (try? cell.decode(Int64.self)).map(SQLValue.int) ?? .null
            case .float8, .float4, .numeric: return (try? cell.decode(Double.self)).map(SQLValue.double) ?? .null
            case .bool: return (try? cell.decode(Bool.self)).map { .int($0 ? 1 : 0) } ?? .null
            case .bytea: return cell.bytes.map { .blob(Array($0.readableBytesView)) } ?? .null
            default: return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
            }
        }

        static func map(_ error: any Error) -> StoreError {
            if let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] {
                if state == "23505" { return StoreError(.resourceAlreadyExists, "already exists (\(e.serverInfo?[.message] ?? "unique constraint"))") }
                return StoreError(.internalError, "PostgreSQL error \(state): \(e.serverInfo?[.message] ?? "")")
            }
            return StoreError(.internalError, "PostgreSQL: \(String(reflecting: error))")
        }
    }

    /// Runs `body` with a pooled connection on the database's own threads and resumes the caller.
    private func withConnection<T: Sendable>(_ body: @escaping @Sendable (Session) throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            queue.async { [self] in
                continuation.resume(returning: Result { () throws(StoreError) -> T in
                    let c = try checkout()
                    defer { checkin(c) }
                    return try body(Session(connection: c, logger: logger))
                })
            }
        }
        return try result.get()
    }

    private func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await withConnection { s throws(StoreError) in
            try s.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", [])
            do throws(StoreError) {
                let value = try body(s)
                try s.execute("COMMIT", [])
                return value
            } catch {
                _ = try? s.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    /// Runs one statement outside any transaction (CREATE DATABASE and other administration).
    public func executeOutsideTransaction(_ sql: String) async throws(StoreError) {
        try await withConnection { s throws(StoreError) in try s.execute(sql, []) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await transaction(readOnly: true, body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await transaction(readOnly: false, body)
    }
}
