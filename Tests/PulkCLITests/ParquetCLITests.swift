import Foundation
import Testing

/// Parquet wherever a CSV goes: `data add` (a file, a file whose name says otherwise, a folder of part
/// files), `data export --format parquet`, and training, prediction and batch scoring straight from a
/// Parquet file, with the same results as from the CSV.
@Suite("Parquet: end to end")
struct ParquetCLITests {
    let cli = PulkCLI()

    @Test func addExportTrainPredictScore() throws {
        _ = try cli.ok(["data", "add", cli.penguins, "--name", "penguins"])
        let parquet = cli.dir.appendingPathComponent("penguins.parquet").path
        let exported = try cli.ok(["data", "export", "penguins", "--out", parquet])
        #expect(exported.stdout.contains("Wrote penguins:1 to"))
        let magic = try #require(FileManager.default.contents(atPath: parquet))
        #expect(magic.prefix(4) == Data("PAR1".utf8) && magic.suffix(4) == Data("PAR1".utf8))

        // Added back: the same rows and schema.
        let added = try PulkCLI.object(try cli.ok(["data", "add", parquet, "--name", "from-parquet", "--json"]))
        let version = try #require(added["version"] as? [String: Any])
        #expect(version["row_count"] as? Int == 344)
        #expect(version["format"] as? String == "parquet")
        let csvVersion = try #require((try PulkCLI.object(try cli.ok(["data", "show", "penguins", "--json"])))["version"] as? [String: Any])
        #expect(NSDictionary(dictionary: version["schema"] as! [String: Any]).isEqual(to: csvVersion["schema"] as! [String: Any]))

        // Chosen by content: a Parquet file named .csv reads as Parquet.
        let misnamed = cli.dir.appendingPathComponent("actually-parquet.csv").path
        try FileManager.default.copyItem(atPath: parquet, toPath: misnamed)
        let sniffed = try PulkCLI.object(try cli.ok(["data", "add", misnamed, "--name", "misnamed", "--json"]))
        #expect((sniffed["version"] as? [String: Any])?["row_count"] as? Int == 344)

        // A folder of part files (as Spark writes it) is one dataset.
        let folder = cli.dir.appendingPathComponent("parts")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for part in ["part-00000.parquet", "part-00001.parquet"] {
            try FileManager.default.copyItem(atPath: parquet, toPath: folder.appendingPathComponent(part).path)
        }
        FileManager.default.createFile(atPath: folder.appendingPathComponent("_SUCCESS").path, contents: Data())
        let parts = try PulkCLI.object(try cli.ok(["data", "add", folder.path, "--name", "parts", "--json"]))
        #expect((parts["version"] as? [String: Any])?["row_count"] as? Int == 688)

        // Train from the Parquet file; predict and score it and the CSV alike.
        _ = try cli.ok(["train", "--data", parquet, "--target", "species", "--model", "gbdt", "--param", "n_estimators=10", "--out", "m.pulk"])
        let fromParquet = cli.dir.appendingPathComponent("p1.csv").path, fromCSV = cli.dir.appendingPathComponent("p2.csv").path
        _ = try cli.ok(["predict", "--model", "m.pulk", "--data", parquet, "--out", fromParquet])
        _ = try cli.ok(["predict", "--model", "m.pulk", "--data", cli.penguins, "--out", fromCSV])
        #expect(try String(contentsOfFile: fromParquet, encoding: .utf8) == String(contentsOfFile: fromCSV, encoding: .utf8))
        // Predictions as Parquet, by the name: the same table.
        let asParquet = cli.dir.appendingPathComponent("p.parquet").path
        _ = try cli.ok(["predict", "--model", "m.pulk", "--data", parquet, "--out", asParquet])
        _ = try cli.ok(["data", "add", asParquet, "--name", "predictions"])
        let back = cli.dir.appendingPathComponent("p3.csv").path
        _ = try cli.ok(["data", "export", "predictions", "--out", back])
        #expect(try String(contentsOfFile: back, encoding: .utf8) == String(contentsOfFile: fromCSV, encoding: .utf8))
        let scoredParquet = cli.dir.appendingPathComponent("s1.csv").path, scoredCSV = cli.dir.appendingPathComponent("s2.csv").path
        _ = try cli.ok(["score", "--model", "m.pulk", "--data", parquet, "--out", scoredParquet, "--keep", "island"])
        _ = try cli.ok(["score", "--model", "m.pulk", "--data", cli.penguins, "--out", scoredCSV, "--keep", "island"])
        #expect(try String(contentsOfFile: scoredParquet, encoding: .utf8) == String(contentsOfFile: scoredCSV, encoding: .utf8))
    }

    @Test func badParquetGetsAClearMessage() throws {
        let cut = cli.dir.appendingPathComponent("cut.parquet").path
        FileManager.default.createFile(atPath: cut, contents: Data("PAR1 not really".utf8))
        let r = try cli.run("data", "add", cut, "--name", "cut")
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot read this Parquet file") && r.stderr.contains("does not end with `PAR1`"), "\(r.stderr)")
        let format = try cli.run("data", "export", "nothing", "--out", "x.out", "--format", "xlsx")
        #expect(format.status != 0 && format.stderr.contains("--format must be csv or parquet"), "\(format.stderr)")
    }

    @Test func sqlSnapshotsBecomeVersionsWithTheirQuery() throws {
        let db = cli.dir.appendingPathComponent("shop.db").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("CREATE TABLE orders (id INTEGER, amount REAL, customer TEXT)")
            c.executemany("INSERT INTO orders VALUES (?, ?, ?)", [(i, i * 1.5, "c%d" % (i % 3)) for i in range(100)])
            c.commit()
            """, db]
        try make.run()
        make.waitUntilExit()
        try #require(make.terminationStatus == 0)
        let query = "SELECT id, amount, customer FROM orders WHERE id < 50"
        let added = try PulkCLI.object(try cli.ok(["data", "add", "--sql", query, "--from", "sqlite:\(db)", "--name", "orders", "--json"]))
        let version = try #require(added["version"] as? [String: Any])
        #expect(version["row_count"] as? Int == 50 && added["created"] as? Bool == true)
        let shown = try PulkCLI.object(try cli.ok(["data", "show", "orders", "--json"]))
        let options = try #require((shown["version"] as? [String: Any])?["read_options"] as? [String: String])
        #expect(options["sql"] == query && options["sql_source"] == "sqlite:\(db)")
        let again = try PulkCLI.object(try cli.ok(["data", "add", "--sql", query, "--from", "sqlite:\(db)", "--name", "orders", "--json"]))
        #expect(again["created"] as? Bool == false)
        // Misuses, each with what to do.
        for (args, message) in [
            (["data", "add", "--name", "x"], "Name a file to add, or a query with --sql and --from"),
            (["data", "add", "--sql", query, "--name", "x"], "--sql needs --from"),
            (["data", "add", "--sql", "SELECT nope FROM orders", "--from", "sqlite:\(db)", "--name", "x"], "the query failed"),
            (["data", "add", "--sql", query, "--from", "mysql://u:pw@h/db", "--name", "x"], "--from must be postgresql://"),
        ] {
            let r = try cli.run(args)
            #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains(":pw@"))
        }
    }
}
