import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn
import PulkTestSupport

@Suite("Logistic regression")
struct LogisticRegressionTests {
    @Test func separatesTwoClouds() throws {
        var rng = SeededGenerator(seed: 4)
        let x = (0..<200).map { i in Double.random(in: -1...1, using: &rng) + (i < 100 ? -2 : 2) }
        let f = try Frame(columns: [
            Column(name: "x", storage: .float64(x)),
            Column(name: "y", storage: .string(codes: (0..<200).map { $0 < 100 ? 0 : 1 }, dictionary: ["neg", "pos"])),
        ])
        let model = try LogisticRegressionEstimator([:]).fit(f, target: "y", seed: 0)
        let metrics = try Evaluation.metrics(try model.predict(f), frame: f, target: "y")
        #expect(metrics.first { $0.name == "accuracy" }!.value == 1)
    }

    @Test func lbfgsMinimisesAQuadratic() {
        // f(x) = Σ (i+1)(x_i − i)²
        let r = LBFGS(maxIterations: 200, gradientTolerance: 1e-10).minimize([Double](repeating: 0, count: 5)) { x, g in
            var v = 0.0
            for i in 0..<5 { let d = x[i] - Double(i); v += Double(i + 1) * d * d; g[i] = 2 * Double(i + 1) * d }
            return v
        }
        #expect(r.converged)
        for i in 0..<5 { #expect(abs(r.x[i] - Double(i)) < 1e-8) }
    }
}

/// Probabilities against scikit-learn's LogisticRegression (lbfgs, tol 1e-10 on both sides) on
/// breast_cancer (binary) and penguins (three species, multinomial).
@Suite("Logistic regression parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                                 "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct LogisticParityTests {
    struct Input: Encodable {
        var x: [[Double]]; var y: [Int]; var C: Double; var class_weight: String?
        var penalty = "l2"; var l1_ratio: Double?
    }

    static var cases: [(String, String, String)] {
        var out = [("examples/penguins.csv", "species", "none"), ("examples/penguins.csv", "sex", "balanced")]
        if let dir = ProcessInfo.processInfo.environment["PULK_DATASETS"] { out.append(("\(dir)/breast_cancer.csv", "target", "none")) }
        return out
    }

    @Test(arguments: cases)
    func matchesScikitLearn(file: String, target: String, classWeight: String) throws {
        let path = file.hasPrefix("/") ? file : repoRoot.appendingPathComponent(file).path
        let frame = try CSVReader().read(path: path).0
        let estimator = try LogisticRegressionEstimator(["C": "0.5", "tol": "1e-10", "max_iter": "10000", "class_weight": classWeight])
        let t = try TargetValues.extract(frame, target: target, task: .classification)
        let training = frame.take(t.rows)
        guard case .classification(_, _, let mine) = try estimator.fit(training, target: target, seed: 0).predict(training) else { return }
        let pipeline = try FeaturePipeline.fit(training, plans: AutoFeaturizer.plan(training, target: target).plans)
        let x = try pipeline.transform(training)
        let rows = (0..<x.rows).map { i in (0..<x.columns).map { x[i, $0] } }
        let o = try runOracle("logistic_oracle.py", Input(x: rows, y: t.classes, C: 0.5, class_weight: classWeight == "none" ? nil : classWeight)) as! [String: Any]
        let theirs = o["proba"] as! [[Double]]
        let worst = zip(mine, theirs).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? 1
        #expect(worst <= 1e-5, "\(target): largest probability difference \(worst)")
        let loss = ClassificationMetrics.logLoss(t.classes, probabilities: Array(mine))
        #expect(abs(loss - (o["log_loss"] as! Double)) <= 1e-6, "\(target): log loss \(loss) vs \(o["log_loss"]!)")
    }

    /// L1 and elastic-net penalties against scikit-learn's saga solver (tol 1e-10 on both sides).
    @Test(arguments: [("l1", 0.0), ("elasticnet", 0.3)])
    func penalties(penalty: String, ratio: Double) throws {
        let path = repoRoot.appendingPathComponent("examples/penguins.csv").path
        let frame = try CSVReader().read(path: path).0
        let target = "species"
        let estimator = try LogisticRegressionEstimator(["C": "0.3", "tol": "1e-10", "max_iter": "10000", "penalty": penalty,
                                                         "l1_ratio": "\(ratio)"])
        let t = try TargetValues.extract(frame, target: target, task: .classification)
        let model = try estimator.fit(frame, target: target, seed: 0)
        guard case .classification(_, _, let mine) = try model.predict(frame) else { return }
        let x = try model.pipeline!.transform(frame)
        let rows = (0..<x.rows).map { i in (0..<x.columns).map { x[i, $0] } }
        let o = try runOracle("logistic_oracle.py", Input(x: rows, y: t.classes, C: 0.3, class_weight: nil, penalty: penalty,
                                                            l1_ratio: penalty == "elasticnet" ? ratio : nil)) as! [String: Any]
        let theirs = o["proba"] as! [[Double]]
        let worst = zip(mine, theirs).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? 1
        #expect(worst <= 1e-4, "\(penalty): largest probability difference \(worst)")
    }
}
