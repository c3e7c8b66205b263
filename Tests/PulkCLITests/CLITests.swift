import Foundation
import Testing

/// Runs the built `pulk` binary end to end and checks stdout, stderr and exit codes.
struct PulkCLI {
    static let binary: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("pulk")
    }()
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let dir: URL
    /// The `pulk server` every command goes to when the suite runs against a server (see `AgainstServer`).
    let remote: AgainstServer?

    init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        remote = AgainstServer.enabled ? AgainstServer(dir: dir) : nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    func start(_ args: [String], env: [String: String] = [:], input: String? = nil) throws -> (Process, Pipe, Pipe) {
        let p = process(args, env: env)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let stdin = Pipe()
        if input != nil { p.standardInput = stdin }
        try p.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        return (p, out, err)
    }

    /// Starts `pulk ARGS` with stdout and stderr written to `output` (a server's log).
    func start(_ args: [String], output: FileHandle) throws -> Process {
        let p = process(args, env: [:])
        p.standardOutput = output
        p.standardError = output
        try p.run()
        return p
    }

    private func process(_ args: [String], env: [String: String]) -> Process {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        p.currentDirectoryURL = dir
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PULK_HOME")
        // Never the tester's own `pulk login` tokens.
        environment["PULK_CONFIG_DIR"] = dir.appendingPathComponent("config").path
        for (k, v) in env { environment[k] = v }
        if let remote, env["PULK_HOME"] == nil, env["PULK_SERVER"] == nil, let url = remote.url(for: args) { environment["PULK_SERVER"] = url }
        p.environment = environment
        return p
    }

    /// Runs any program to its end (a Python oracle, say): exit status, stdout and stderr.
    static func execute(_ executable: String, _ arguments: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return finish((p, out, err))
    }

    static func finish(_ started: (Process, Pipe, Pipe)) -> Result {
        let (p, out, err) = started
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func finish(_ started: (Process, Pipe, Pipe)) -> Result { Self.finish(started) }

    func run(_ args: String..., env: [String: String] = [:]) throws -> Result { finish(try start(args, env: env)) }

    func run(_ args: [String], env: [String: String] = [:]) throws -> Result { finish(try start(args, env: env)) }

    /// Runs `pulk ARGS` and expects it to succeed (the failure names the command and its stderr).
    func ok(_ args: [String], env: [String: String] = [:], input: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let r = finish(try start(args, env: env, input: input))
        #expect(r.status == 0, "pulk \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return r
    }

    /// A command's `--json` output as an object.
    static func object(_ r: Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try r.json() as? [String: Any], "\(r.stdout)", sourceLocation: sourceLocation)
    }

    /// A command's `--json` output as an array of objects.
    static func array(_ r: Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try #require(try r.json() as? [[String: Any]], "\(r.stdout)", sourceLocation: sourceLocation)
    }

    func file(_ name: String, _ text: String) -> String {
        let path = dir.appendingPathComponent(name).path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    var penguins: String { Self.repoRoot.appendingPathComponent("examples/penguins.csv").path }
}

@Suite("pulk data: end to end")
struct CLITests {
    let cli = PulkCLI()

    @Test func quickstart() throws {
        let add = try cli.run("data", "add", cli.penguins, "--name", "penguins", "--description", "Palmer penguins")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.hasPrefix("Added penguins:1: 344 rows × 8 columns"))
        if cli.remote == nil { #expect(FileManager.default.fileExists(atPath: cli.dir.appendingPathComponent("pulk-workspace/pulk.sqlite").path)) }

        let again = try cli.run("data", "add", cli.penguins, "--name", "penguins")
        #expect(again.stdout.hasPrefix("Unchanged: identical content is already penguins:1"))

        let list = try cli.run("data", "list")
        #expect(list.stdout.contains("penguins  1         1       344"))

        let show = try cli.run("data", "show", "penguins:1", "--json")
        let shown = try #require(try show.json() as? [String: Any])
        let version = try #require(shown["version"] as? [String: Any])
        #expect(version["row_count"] as? Int == 344)
        #expect((version["content_sha256"] as? String)?.count == 64)
        #expect(shown["derived_from"] as? [String] == [])

        let text = try cli.run("data", "show", "penguins")
        #expect(text.stdout.contains("bill_length_mm     float64"))
        #expect(text.stdout.contains("Source      \(cli.penguins)"))

        let versions = try cli.run("data", "versions", "penguins", "--json")
        #expect((try versions.json() as? [Any])?.count == 1)

        let report = cli.dir.appendingPathComponent("report.html").path
        let profile = try cli.run("data", "profile", "penguins", "--target", "species", "--html", report)
        #expect(profile.status == 0, "\(profile.stderr)")
        #expect(profile.stdout.contains("Target 'species' (classification)"))
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("<!DOCTYPE html>"))

        let json = try cli.run("data", "profile", "penguins:1", "--json")
        let p = try #require(try json.json() as? [String: Any])
        #expect(p["schema_version"] as? Int == 1)
        #expect((p["summary"] as? [String: Any])?["rows"] as? Int == 344)
        #expect(json.stderr.isEmpty) // no progress bar when output is not a terminal

        let out = cli.dir.appendingPathComponent("export.csv").path
        #expect(try cli.run("data", "export", "penguins:1", "--out", out).status == 0)
        let reAdded = try cli.run("data", "add", out, "--name", "roundtrip", "--json")
        let rv = try #require((try reAdded.json() as? [String: Any])?["version"] as? [String: Any])
        #expect(rv["row_count"] as? Int == 344)
        let schemaBack = try #require(rv["schema"] as? [String: Any]), schemaOriginal = try #require(version["schema"] as? [String: Any])
        #expect(NSDictionary(dictionary: schemaBack).isEqual(to: schemaOriginal))

        let original = cli.dir.appendingPathComponent("original.csv").path
        #expect(try cli.run("data", "export", "penguins", "--out", original, "--original").status == 0)
        #expect(FileManager.default.contents(atPath: original) == FileManager.default.contents(atPath: cli.penguins))

        let rm = try cli.run("data", "rm", "roundtrip")
        #expect(rm.status == 0 && rm.stdout == "Removed roundtrip:1\n")
    }

    @Test func badInputExitsWithAClearMessage() throws {
        let bad = cli.file("bad.csv", "a,b\n1,2\n3,4,5\n")
        let r = try cli.run("data", "add", bad, "--name", "bad")
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.csv:3: expected 2 fields (as in the header), found 3."))
        #expect(r.stdout.isEmpty)

        let skipped = try cli.run("data", "add", bad, "--name", "bad", "--skip-bad-rows")
        #expect(skipped.status == 0)
        #expect(skipped.stderr.contains("skipped line 3: expected 2 fields, found 3"))

        let missing = try cli.run("data", "show", "nope")
        #expect(missing.status == 1 && missing.stderr.contains("no dataset named 'nope'"))

        let badType = try cli.run("data", "add", bad, "--name", "x", "--type", "a:int")
        #expect(badType.status != 0 && badType.stderr.contains("--type expects COL=TYPE"))

        let noFile = try cli.run("data", "add", "/no/such.csv", "--name", "x")
        #expect(noFile.status == 1 && noFile.stderr.contains("/no/such.csv: no such file"))
    }

    @Test func removalRefusedWhileReferenced() throws {
        let raw = cli.file("raw.csv", "a\n1\n2\n")
        let clean = cli.file("clean.csv", "a\n1\n")
        #expect(try cli.run("data", "add", raw, "--name", "raw").status == 0)
        #expect(try cli.run("data", "add", clean, "--name", "clean", "--derived-from", "raw:1").status == 0)
        let r = try cli.run("data", "rm", "raw:1")
        #expect(r.status == 1)
        #expect(r.stderr.contains("still referenced by derived-dataset clean:1"))
        let show = try cli.run("data", "show", "clean")
        #expect(show.stdout.contains("Derived     from raw:1"))
    }

    @Test func workspaceLocation() throws {
        let data = cli.file("d.csv", "a\n1\n")
        let home = cli.dir.appendingPathComponent("home").path
        #expect(try cli.run("data", "add", data, "--name", "d", env: ["PULK_HOME": home]).status == 0)
        #expect(FileManager.default.fileExists(atPath: home + "/pulk.sqlite"))
        let explicit = cli.dir.appendingPathComponent("explicit").path
        #expect(try cli.run("data", "add", data, "--name", "d", "--workspace", explicit).status == 0)
        let info = try cli.run("workspace", "info", "--workspace", explicit, "--json")
        let obj = try #require(try info.json() as? [String: Any])
        #expect(obj["datasets"] as? Int == 1 && obj["schema_current"] as? Bool == true)
    }

    @Test func profileAFileDirectly() throws {
        let f = cli.file("p.csv", "x,y\n1,a\n2,b\n3,a\n")
        let r = try cli.run("data", "profile", f, "--json")
        #expect(r.status == 0)
        #expect(((try r.json() as? [String: Any])?["source"] as? String) == "p.csv")
    }

    /// Two processes adding to one workspace at once: both succeed, with distinct versions.
    @Test func twoProcessesShareAWorkspace() throws {
        let files = (0..<6).map { cli.file("f\($0).csv", "a,b\n\($0),x\n") }
        let running = try files.map { try cli.start(["data", "add", $0, "--name", "shared"]) }
        let results = running.map { cli.finish($0) }
        for r in results { #expect(r.status == 0, "\(r.stderr)") }
        let versions = try #require(try cli.run("data", "versions", "shared", "--json").json() as? [[String: Any]])
        #expect(versions.compactMap { $0["version"] as? Int }.sorted() == Array(1...6))
        let check = try cli.run("workspace", "info")
        #expect(check.status == 0)
    }

    @Test func trainPredictEvaluate() throws {
        #expect(try cli.run("data", "add", cli.penguins, "--name", "penguins").status == 0)
        let model = cli.dir.appendingPathComponent("ridge.pulk").path
        let train = try cli.run("train", "--data", "penguins", "--target", "body_mass_g", "--model", "ridge",
                                "--param", "alpha=2", "--cv", "3", "--out", model)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("ridge on penguins:1 → body_mass_g (regression); 273 training rows, 69 test rows"))
        #expect(train.stdout.contains("BASELINE mean") && train.stdout.contains("BASELINE median"))
        #expect(train.stdout.contains("3-fold cross-validation rmse:"))
        let json = try cli.run("train", "--data", cli.penguins, "--target", "species", "--model", "most-frequent",
                               "--out", cli.dir.appendingPathComponent("mf.pulk").path, "--json")
        let report = try #require((try json.json() as? [String: Any])?["report"] as? [String: Any])
        #expect(report["task"] as? String == "classification")
        #expect((report["metrics"] as? [[String: Any]])?.first?["name"] as? String == "accuracy")
        let preds = cli.dir.appendingPathComponent("preds.csv").path
        #expect(try cli.run("predict", "--model", model, "--data", "penguins", "--out", preds).status == 0)
        let lines = try String(contentsOfFile: preds, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "prediction" && lines.count == 345)
        let eval = try cli.run("evaluate", "--model", model, "--data", "penguins", "--json")
        let metrics = try #require((try eval.json() as? [String: Any])?["metrics"] as? [[String: Any]])
        #expect(metrics.contains { $0["name"] as? String == "r2" })
        let bad = try cli.run("train", "--data", "penguins", "--target", "body_mass_g", "--model", "lasso", "--param", "alfa=1")
        #expect(bad.status == 1 && bad.stderr.contains("lasso has no parameter 'alfa'. Its parameters: alpha, fit_intercept, max_iter, tol, impute,"))
        let robust = try cli.run("train", "--data", "penguins", "--target", "body_mass_g", "--model", "ridge", "--param", "scale=robust",
                                 "--param", "impute=median", "--out", model)
        #expect(robust.stdout.contains("bill_length_mm: numeric (centred on the median, scaled by the IQR)"))
        let unknown = try cli.run("train", "--data", "penguins", "--target", "species", "--model", "nope")
        #expect(unknown.status == 1 && unknown.stderr.contains("no model named 'nope'"))
        let missing = try cli.run("predict", "--model", model, "--data", cli.file("few.csv", "bill_length_mm\n40\n"), "--out", preds)
        #expect(missing.status == 1 && missing.stderr.contains("model expects 7 features, got 1"))
    }

    @Test func treeModelsTrainAndExplain() throws {
        let model = cli.dir.appendingPathComponent("gbdt.pulk").path
        let train = try cli.run("train", "--data", cli.penguins, "--target", "species", "--model", "gbdt", "--param", "n_estimators=30",
                                "--param", "early_stopping_round=5", "--out", model, "--json")
        #expect(train.status == 0, "\(train.stderr)")
        let report = try #require((try train.json() as? [String: Any])?["report"] as? [String: Any])
        let curves = try #require(report["curves"] as? [[String: Any]])
        #expect(curves.map { $0["name"] as? String } == ["train_multi_logloss", "valid_multi_logloss"])
        #expect((report["feature_importance"] as? [[String: Any]])?.count == 7)
        let importance = try cli.run("explain", "--model", model)
        #expect(importance.status == 0 && importance.stdout.contains("GAIN %"))
        let shap = cli.dir.appendingPathComponent("shap.csv").path
        #expect(try cli.run("explain", "--model", model, "--data", cli.penguins, "--out", shap).status == 0)
        let header = try String(contentsOfFile: shap, encoding: .utf8).split(separator: "\n").first ?? ""
        #expect(header.hasPrefix("Adelie:island,") && header.hasSuffix("Gentoo:expected_value"))
        let tree = cli.dir.appendingPathComponent("tree.pulk").path
        #expect(try cli.run("train", "--data", cli.penguins, "--target", "species", "--model", "decision-tree", "--param", "max_depth=2",
                            "--out", tree).status == 0)
        let rules = try cli.run("explain", "--model", tree, "--rules")
        #expect(rules.status == 0 && rules.stdout.hasPrefix("if ") && rules.stdout.contains("predict "))
        let notATree = try cli.run("explain", "--model", model, "--rules")
        #expect(notATree.status == 1 && notATree.stderr.contains("gbdt models have no single tree to print"))
        let forest = try cli.run("train", "--data", cli.penguins, "--target", "body_mass_g", "--model", "random-forest",
                                 "--param", "n_estimators=20", "--out", cli.dir.appendingPathComponent("rf.pulk").path)
        #expect(forest.status == 0 && forest.stdout.contains("random-forest on penguins.csv → body_mass_g (regression)"))
        #expect(forest.stdout.contains("Out-of-bag r2:"))
    }

    @Test func helpListsCommands() throws {
        let r = try cli.run("data", "--help")
        for sub in ["add", "list", "show", "versions", "export", "rm", "profile"] { #expect(r.stdout.contains(sub)) }
    }
}
