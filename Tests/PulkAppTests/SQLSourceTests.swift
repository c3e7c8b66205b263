import Foundation
import GRDB
import PulkApp
import PulkFrame
import PulkSQL
import PulkSQLSources
import PulkWorkspace
import Testing

/// `pulk data add --sql … --from …`: a query's rows from SQLite and PostgreSQL as a frame with the types
/// the columns hold, the misuses refused with what to do, and the lineage a version keeps (the query and
/// the source, never a password).
@Suite("SQL sources")
struct SQLSourceTests {
    static func sqliteFile(_ statements: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-sql-\(UUID().uuidString).db").path
        let q = try DatabaseQueue(path: path)
        try q.write { db in for s in statements { try db.execute(sql: s) } }
        return path
    }

    static let shop = [
        "CREATE TABLE orders (id INTEGER, amount REAL, mixed, customer TEXT, note TEXT, code BLOB)",
        "INSERT INTO orders VALUES (1, 9.5, 3, 'ada', NULL, NULL)",
        "INSERT INTO orders VALUES (2, NULL, 2.5, 'bo', NULL, NULL)",
        "INSERT INTO orders VALUES (3, 12, 'x', NULL, NULL, x'00ff')",
    ]

    @Test func sqliteTypesFollowTheValues() async throws {
        let path = try Self.sqliteFile(Self.shop)
        let frame = try await SQLSnapshot.frame(query: "SELECT id, amount, mixed, customer, note FROM orders ORDER BY id", from: .sqlite(path))
        #expect(frame.rowCount == 3)
        #expect(frame.schema.fields.map(\.type) == [.int64, .float64, .string, .string, .string])
        #expect(try frame.column("amount").value(at: 2) == .double(12))
        #expect(try frame.column("amount").value(at: 1) == .missing)
        // A column of numbers then text becomes text, each number as it prints.
        #expect(try (0..<3).map { try frame.column("mixed").value(at: $0).description } == ["3", "2.5", "x"])
        #expect(try frame.column("customer").value(at: 2) == .missing)
        #expect(try frame.column("note").missingCount == 3)
    }

    @Test(arguments: [
        ("SELECT code FROM orders", "holds a BLOB"),
        ("SELECT id, id FROM orders", "two columns named 'id'"),
        ("SELECT * FROM orders WHERE id > 10", "returned no rows"),
        ("SELEC id FROM orders", "the query failed"),
        ("DELETE FROM orders", "returns no columns"),
        ("DELETE FROM orders RETURNING id", "the query failed"), // the connection is read-only
    ])
    func sqliteMisusesAreRefused(query: String, message: String) async throws {
        let path = try Self.sqliteFile(Self.shop)
        do {
            _ = try await SQLSnapshot.frame(query: query, from: .sqlite(path))
            Issue.record("\(query): no error")
        } catch {
            #expect("\(error)".contains(message), "\(query): \(error)")
        }
        // Nothing was changed: the snapshot's connection is read-only.
        let rows = try await SQLSnapshot.frame(query: "SELECT COUNT(*) AS n FROM orders", from: .sqlite(path))
        #expect(try rows.column("n").value(at: 0) == .int(3))
    }

    @Test(arguments: [
        ("postgresql://ana:s3cret@db.example:5433/shop", "postgresql://ana@db.example:5433/shop"),
        ("postgres://db/shop", "postgres://db/shop"),
        ("sqlite:data/shop.db", "sqlite:data/shop.db"),
        ("sqlite://shop.db", "sqlite:shop.db"),
    ])
    func sourcesAreShownWithoutPasswords(text: String, shown: String) throws {
        #expect(try SQLSnapshot.Source(parsing: text).description == shown)
    }

    @Test func badSourcesSayWhatWorks() {
        for text in ["mysql://x/y", "sqlite:", "shop.db", "postgresql://:pw@/db"] {
            #expect(throws: FrameError.self) { try SQLSnapshot.Source(parsing: text) }
        }
        do { _ = try SQLSnapshot.Source(parsing: "mysql://u:hunter2@x/y") } catch { #expect(!"\(error)".contains("hunter2")) }
    }

    @Test func aSnapshotIsAVersionWithItsQueryAsLineage() async throws {
        let path = try Self.sqliteFile(Self.shop)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-ws-\(UUID().uuidString)")
        let bench = Workbench(workspacePath: dir.path)
        let catalog = try await bench.datasets()
        let query = "SELECT id, amount FROM orders"
        let added = try await SQLSources.add(query: query, from: "sqlite:\(path)", name: "orders", description: nil, derivedFrom: nil, catalog: catalog)
        #expect(added.created && added.version.rowCount == 3 && added.version.format == "parquet")
        #expect(added.version.readOptions["sql"] == query)
        #expect(added.version.readOptions["sql_source"] == "sqlite:\(path)")
        #expect(added.version.sourcePath == "sqlite:\(path) (SQL snapshot)")
        // The same rows again: the same version.
        let again = try await SQLSources.add(query: query, from: "sqlite:\(path)", name: "orders", description: nil, derivedFrom: nil, catalog: catalog)
        #expect(!again.created && again.version.version == 1)
    }

    static let postgresURL = ProcessInfo.processInfo.environment["PULK_POSTGRES_URL"]

    @Test(.enabled(if: postgresURL != nil))
    func postgresTypesAndReadOnly() async throws {
        let admin = try PostgresDatabase(url: Self.postgresURL!, maxConnections: 1)
        let name = "pulk_sql_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await admin.executeOutsideTransaction("CREATE DATABASE \(name)")
        var url = URLComponents(string: Self.postgresURL!)!
        url.path = "/" + name
        url.password = "never-shown" // trust authentication ignores it; lineage must not keep it
        let db = try PostgresDatabase(url: url.string!, maxConnections: 1)
        for s in [
            "CREATE TYPE mood AS ENUM ('sad', 'ok')",
            """
            CREATE TABLE t (b boolean, s smallint, i integer, l bigint, r real, d double precision, n numeric(12,3), v varchar(10),
                            c char(3), x text, day date, at timestamp, atz timestamptz, u uuid, j jsonb, m mood, span interval)
            """,
            """
            INSERT INTO t VALUES (true, 1, 2, 9000000000, 1.5, 2.25, 1234.567, 'v', 'abc', 'text', '2024-02-29', '2024-02-29 12:34:56.789',
                                  '2024-02-29 12:00:00+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": 1}', 'ok', '1 day')
            """,
            "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '1969-12-31', NULL, NULL, NULL, NULL, NULL, NULL)",
        ] {
            try await db.executeOutsideTransaction(s)
        }
        let source = try SQLSnapshot.Source(parsing: url.string!)
        #expect(!source.description.contains("never-shown"))
        let frame = try await SQLSnapshot.frame(query: "SELECT b, s, i, l, r, d, n, v, c, x, day, at, atz, u, j, m FROM t ORDER BY s NULLS LAST", from: source)
        #expect(frame.schema.fields.map(\.type) == [.bool, .int64, .int64, .int64, .float64, .float64, .float64, .string, .string, .string,
                                                    .date, .datetime, .datetime, .string, .string, .string])
        let first = frame.columns.map { $0.value(at: 0).description }
        #expect(first == ["true", "1", "2", "9000000000", "1.5", "2.25", "1234.567", "v", "abc", "text", "2024-02-29",
                          "2024-02-29T12:34:56.789000Z", "2024-02-29T10:00:00Z", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{\"k\": 1}", "ok"])
        #expect(frame.columns.filter { $0.name != "day" }.allSatisfy { $0.value(at: 1) == .missing })
        #expect(try frame.column("day").value(at: 1).description == "1969-12-31")
        // A type with no Pulk column type names the cast; a write is refused by the read-only transaction.
        for (query, message) in [("SELECT span FROM t", "span::text"), ("DELETE FROM t", "read-only")] {
            do {
                _ = try await SQLSnapshot.frame(query: query, from: source)
                Issue.record("\(query): no error")
            } catch {
                #expect("\(error)".contains(message), "\(query): \(error)")
                #expect(!"\(error)".contains("never-shown"))
            }
        }
        let count = try await SQLSnapshot.frame(query: "SELECT COUNT(*) AS n FROM t", from: source)
        #expect(try count.column("n").value(at: 0) == .int(2))
    }
}
