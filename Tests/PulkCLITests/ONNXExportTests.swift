import Foundation
import Testing

/// `pulk export MODEL --format onnx`: the exported graph, run by onnxruntime on the same raw columns,
/// answers what `pulk predict` answers (labels identical, probabilities and values within 1e-9), for
/// every exportable estimator and task; the others say why they cannot be exported.
@Suite("ONNX export: parity with onnxruntime")
struct ONNXExportTests {
    let cli = PulkCLI()
    static let python = ProcessInfo.processInfo.environment["PULK_PYTHON"]

    /// Penguins (numbers with missing values, two text features) for every estimator and task; then
    /// real datasets of ../shared/datasets (scripts/datasets) when they are there: titanic (a
    /// high-cardinality text column, missing ages) and diamonds (54,000 rows, three text features).
    static let datasets = ProcessInfo.processInfo.environment["PULK_DATASETS"]
    static let cases: [(model: String, target: String, params: [String], data: String?)] = [
        ("gbdt", "species", ["n_estimators=30"], nil),
        ("gbdt", "sex", ["n_estimators=30"], nil),
        ("gbdt", "body_mass_g", ["n_estimators=30"], nil),
        ("gbdt", "body_mass_g", ["n_estimators=20", "objective=poisson"], nil),
        ("random-forest", "species", ["n_estimators=20"], nil),
        ("random-forest", "body_mass_g", ["n_estimators=20"], nil),
        ("extra-trees", "island", ["n_estimators=20"], nil),
        ("decision-tree", "species", [], nil),
        ("logistic", "species", [], nil),
        ("logistic", "sex", ["scale=robust", "impute=median"], nil),
        ("linear", "body_mass_g", ["scale=minmax"], nil),
        ("ridge", "body_mass_g", ["max_categories=2", "impute=most_frequent"], nil),
        ("lasso", "flipper_length_mm", ["select_k=3", "scale=none"], nil),
        ("naive-bayes", "species", [], nil),
        ("naive-bayes", "class", [], "titanic.csv"),
        ("gbdt", "survived", ["n_estimators=30"], "titanic.csv"),
        ("logistic", "survived", [], "titanic.csv"),
        ("elasticnet", "price", [], "diamonds.csv"),
        ("gbdt", "cut", ["n_estimators=10"], "diamonds.csv"),
        ("random-forest", "price", ["n_estimators=5", "max_depth=8"], "diamonds.csv"),
    ]

    @Test(.enabled(if: python != nil), arguments: cases.indices)
    func onnxruntimeAnswersAsPulkDoes(index: Int) throws {
        let c = Self.cases[index]
        var data = cli.penguins
        if let file = c.data {
            guard let dir = Self.datasets, FileManager.default.fileExists(atPath: "\(dir)/\(file)") else {
                print("SKIPPED ONNX parity on \(file): PULK_DATASETS is not set or lacks it (scripts/test exports the datasets)")
                return
            }
            data = "\(dir)/\(file)"
        }
        let model = "m\(index).pulk"
        _ = try cli.ok(["train", "--data", data, "--target", c.target, "--model", c.model, "--out", model, "--no-profile"]
                       + c.params.flatMap { ["--param", $0] })
        let onnx = cli.dir.appendingPathComponent("m\(index).onnx").path
        let exported = try cli.ok(["export", model, "--format", "onnx", "--out", onnx])
        #expect(exported.stdout.contains("as ONNX to"))
        let predictions = cli.dir.appendingPathComponent("p\(index).csv").path
        _ = try cli.ok(["predict", "--model", model, "--data", data, "--out", predictions])
        let answer = try #require(try runOracle("onnx_oracle.py", [onnx, data]) as? [String: Any])
        let outputs = try #require(answer["outputs"] as? [String: Any])
        let lines = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0], rows = lines.dropFirst()
        // The graph's outputs are `pulk predict`'s columns, by name.
        #expect(Set(outputs.keys) == Set(header), "\(outputs.keys.sorted()) vs \(header)")
        for (k, name) in header.enumerated() {
            if let labels = outputs[name] as? [String] {
                #expect(labels.count == rows.count)
                let differ = zip(labels, rows).enumerated().filter { $0.element.0 != $0.element.1[k] }
                #expect(differ.isEmpty, "\(c.model) \(c.target) \(name): \(differ.count) of \(rows.count) labels differ, first at row \(differ.first?.offset ?? 0)")
            } else {
                let values = try #require(outputs[name] as? [Double], "\(name)")
                #expect(values.count == rows.count)
                var worst = 0.0, at = 0
                for (i, row) in rows.enumerated() {
                    let pulk = Double(row[k])!, error = abs(pulk - values[i]) / max(1, abs(pulk))
                    if error > worst { worst = error; at = i }
                }
                #expect(worst <= 1e-9, "\(c.model) \(c.target) \(name): relative error \(worst) at row \(at)")
            }
        }
    }

    /// Every run's model is an MLflow model: the real mlflow client loads `models:/NAME@champion`
    /// from `pulk server` with pyfunc (the ONNX flavor) and predicts what `pulk predict` does.
    @Test(.enabled(if: python != nil))
    func mlflowPyfuncLoadsPulkModels() throws {
        let live = LiveServer(cli: cli)
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        for (model, target) in [("gbdt", "species"), ("random-forest", "body_mass_g"), ("logistic", "sex")] {
            let trained = try PulkCLI.object(try cli.ok(["train", "--data", cli.penguins, "--target", target, "--model", model, "--no-profile",
                                                         "--server", live.url, "--json"]))
            let run = try #require(trained["run_id"] as? String)
            let name = "penguins-\(model)"
            _ = try cli.ok(["models", "register", run, "--name", name, "--server", live.url])
            _ = try cli.ok(["models", "alias", "\(name)@champion", "1", "--server", live.url])
            let expected = cli.dir.appendingPathComponent("\(model).csv").path
            _ = try cli.ok(["predict", "--model", "\(name)@champion", "--data", cli.penguins, "--out", expected, "--server", live.url])
            let r = try PulkCLI.execute(Self.python!, [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/mlflow_pyfunc_onnx.py").path,
                                                       live.url, "models:/\(name)@champion", cli.penguins, expected])
            #expect(r.status == 0 && r.stdout.contains("\"ok\": true"), "\(model): \(r.stderr.suffix(3000))")
        }
    }

    @Test func modelsThatCannotBeExportedSayWhy() throws {
        _ = try cli.ok(["train", "--data", cli.penguins, "--target", "species", "--model", "knn", "--out", "l.pulk"])
        let r = try cli.run("export", "l.pulk", "--format", "onnx", "--out", cli.dir.appendingPathComponent("l.onnx").path)
        #expect(r.status != 0 && r.stderr.contains("knn models cannot be exported to ONNX yet"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.dir.appendingPathComponent("l.onnx").path))
        let f = try cli.run("export", "l.pulk", "--format", "pmml", "--out", "x")
        #expect(f.status != 0 && f.stderr.contains("--format must be onnx"), "\(f.stderr)")
    }
}

/// Runs a Python oracle script with arguments and parses its JSON output.
func runOracle(_ script: String, _ arguments: [String]) throws -> Any {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["PULK_PYTHON"]!)
    p.arguments = [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/\(script)").path] + arguments
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
    return try JSONSerialization.jsonObject(with: data)
}
