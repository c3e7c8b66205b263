import Foundation
import Testing
import PulkFrame
import PulkLearn
import PulkTestSupport
import PulkTrees

/// Gradient boosting against LightGBM with equal parameters on real datasets (../shared/datasets):
/// both train on the same rows and are scored on the same held-out rows. Run by scripts/test, which
/// provides PULK_PYTHON (a venv with LightGBM) and PULK_DATASETS.
@Suite("LightGBM parity")
struct LightGBMParityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var dataset: String
        var target: String
        var objective: String
        var drop: [String] = []
        /// Largest allowed difference: absolute for AUC, relative for log loss and RMSE.
        var tolerance: Double
        var testDescription: String { "\(dataset) (\(objective))" }
    }

    static let cases: [Case] = ProcessInfo.processInfo.environment["PULK_DATASETS"] == nil ? [] : [
        Case(dataset: "breast_cancer", target: "target", objective: "binary", tolerance: 0.01),
        // Titanic: age has missing values, class and sex are native categories; the name is an identifier.
        Case(dataset: "titanic", target: "survived", objective: "binary", drop: ["name"], tolerance: 0.015),
        Case(dataset: "image_segment", target: "category", objective: "multiclass", tolerance: 0.25),
        Case(dataset: "diamonds", target: "price", objective: "regression", tolerance: 0.02),
        Case(dataset: "bikeshare_hourly", target: "bikers", objective: "regression", drop: ["casual", "registered"], tolerance: 0.02),
    ]

    @Test(arguments: cases)
    func testMetricsMatchLightGBM(c: Case) throws {
        let dir = ProcessInfo.processInfo.environment["PULK_DATASETS"]!
        var frame = try CSVReader().read(path: "\(dir)/\(c.dataset).csv").0
        frame = try frame.select(frame.names.filter { !c.drop.contains($0) })
        let split = try Splitter.random(rows: frame.rowCount, testFraction: 0.2, seed: 7)
        let train = frame.take(split.train), test = frame.take(split.test)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("lgbm-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let trainPath = tmp.appendingPathComponent("train.csv").path, testPath = tmp.appendingPathComponent("test.csv").path
        try CSVWriter().write(train, to: trainPath)
        try CSVWriter().write(test, to: testPath)

        let reference = try runOracle("lightgbm_parity.py", arguments: [trainPath, testPath, c.target, c.objective]) as! [String: Double]
        let model = try GradientBoostingEstimator(["objective": c.objective]).fit(train, target: c.target, seed: 42)
        let ours = Dictionary(uniqueKeysWithValues: try Evaluation.metrics(model.predict(test), frame: test, target: c.target).map { ($0.name, $0.value) })
        for (name, theirs) in reference {
            let mine = try #require(ours[name])
            if name == "roc_auc" || name == "accuracy" {
                #expect(mine >= theirs - c.tolerance, "\(name): pulk \(mine), LightGBM \(theirs)")
            } else {
                // Losses: no worse than LightGBM's by more than the tolerance (relative).
                #expect(mine <= theirs * (1 + c.tolerance), "\(name): pulk \(mine), LightGBM \(theirs)")
            }
        }
    }
}

/// Boosting learns the trees LightGBM learns: after 1, 3 and 10 rounds on the same rows with the
/// same parameters, every training row's prediction equals LightGBM's to 1e-9 (binning, the order in
/// which thresholds are tried, row counts estimated per bin, the softmax's gradients). On data
/// where two splits tie exactly (digits' constant first-round gradients) the two break ties by
/// floating-point noise, so the check runs on data without such ties.
@Suite("LightGBM's trees, round by round")
struct LightGBMRoundsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var target: String
        var objective: String
        var testDescription: String { "\(source) (\(objective))" }
    }

    static let cases: [Case] = ProcessInfo.processInfo.environment["PULK_PYTHON"] == nil ? [] : [
        Case(source: "wine", target: "label", objective: "multiclass"),
    ] + (ProcessInfo.processInfo.environment["PULK_DATASETS"] == nil ? [] : [
        Case(source: "breast_cancer", target: "target", objective: "binary"),
    ])

    @Test(arguments: cases)
    func predictionsEqualLightGBMsRoundByRound(c: Case) throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("lgbm-rounds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let path = tmp.appendingPathComponent("train.csv").path
        let source = ["wine", "digits"].contains(c.source) ? c.source : "\(ProcessInfo.processInfo.environment["PULK_DATASETS"]!)/\(c.source).csv"
        for rounds in [1, 3, 10] {
            let reference = try runOracle("lightgbm_rounds.py", arguments: [source, c.target, c.objective, String(rounds), path]) as! [String: Any]
            let expected = reference["predictions"] as! [[Double]]
            let frame = try CSVReader().read(path: path).0
            let model = try GradientBoostingEstimator(["objective": c.objective, "num_iterations": String(rounds), "num_threads": "2"])
                .fit(frame, target: c.target, seed: 42)
            let got: [[Double]]
            switch try model.predict(frame) {
            case .classification(let classes, _, let p):
                #expect(classes == reference["classes"] as! [String])
                got = (0..<frame.rowCount).map { p[$0] }
            case .regression(let v): got = v.map { [$0] }
            case .clustering, .anomaly, .recommendation: Issue.record("boosting predicts numbers or classes"); return
            }
            let worst = zip(expected, got).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
            #expect(worst < 1e-9, "after \(rounds) rounds the largest difference from LightGBM is \(worst)")
        }
    }
}
