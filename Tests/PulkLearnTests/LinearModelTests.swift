import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn
import PulkTestSupport

@Suite("Linear models")
struct LinearModelTests {
    /// y = 2x₁ − 3x₂ + 5 exactly: least squares must recover it.
    @Test func recoversAnExactLinearFunction() throws {
        var rng = SeededGenerator(seed: 9)
        let x1 = (0..<50).map { _ in Double.random(in: -3...3, using: &rng) }
        let x2 = (0..<50).map { _ in Double.random(in: -3...3, using: &rng) }
        let f = try Frame(columns: [
            Column(name: "a", storage: .float64(x1)), Column(name: "b", storage: .float64(x2)),
            Column(name: "y", storage: .float64(zip(x1, x2).map { 2 * $0 - 3 * $1 + 5 })),
        ])
        guard case .regression(let p) = try LinearRegressionEstimator([:]).fit(f, target: "y", seed: 0).predict(f) else { return }
        let y = zip(x1, x2).map { 2 * $0 - 3 * $1 + 5 }
        #expect(zip(p, y).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test func collinearColumnsStillPredict() throws {
        let x = (0..<20).map(Double.init)
        let f = try Frame(columns: [
            Column(name: "a", storage: .float64(x)), Column(name: "b", storage: .float64(x.map { 2 * $0 })),
            Column(name: "y", storage: .float64(x.map { 3 * $0 + 1 })),
        ])
        guard case .regression(let p) = try LinearRegressionEstimator([:]).fit(f, target: "y", seed: 0).predict(f) else { return }
        #expect(zip(p, x).allSatisfy { abs($0 - (3 * $1 + 1)) < 1e-8 })
    }

    @Test func strongL1PenaltyZeroesEverything() throws {
        let f = try Frame(columns: [Column(name: "a", storage: .float64([1, 2, 3, 4])), Column(name: "y", storage: .float64([1, 3, 2, 4]))])
        guard case .regression(let p) = try LassoEstimator(["alpha": "100"]).fit(f, target: "y", seed: 0).predict(f) else { return }
        #expect(p == [2.5, 2.5, 2.5, 2.5])
    }
}

/// The same design matrix through scikit-learn's LinearRegression, Ridge, Lasso and ElasticNet:
/// predictions agree to 1e-6 relative (closed forms) and, with tol = 1e-10 on both sides, for the
/// coordinate-descent models.
@Suite("Linear models parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                           "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct LinearParityTests {
    struct Input: Encodable {
        struct M: Encodable { var key: String; var name: String; var params: [String: Double] }
        var x: [[Double]]
        var y: [Double]
        var models: [M]
    }

    static var cases: [(String, String)] {
        var out = [("examples/penguins.csv", "body_mass_g")]
        if let dir = ProcessInfo.processInfo.environment["PULK_DATASETS"] { out.append(("\(dir)/hitters.csv", "Salary")) }
        return out
    }

    @Test(arguments: cases)
    func matchesScikitLearn(file: String, target: String) throws {
        let path = file.hasPrefix("/") ? file : repoRoot.appendingPathComponent(file).path
        let frame = try CSVReader().read(path: path).0
        let models: [(key: String, estimator: any Estimator, sk: Input.M)] = [
            ("linear", try LinearRegressionEstimator([:]), .init(key: "linear", name: "linear", params: [:])),
            ("ridge", try RidgeEstimator(["alpha": "3"]), .init(key: "ridge", name: "ridge", params: ["alpha": 3])),
            ("lasso", try LassoEstimator(["alpha": "0.5", "tol": "1e-10", "max_iter": "100000"]),
             .init(key: "lasso", name: "lasso", params: ["alpha": 0.5, "tol": 1e-10, "max_iter": 100000])),
            ("elasticnet", try ElasticNetEstimator(["alpha": "0.2", "l1_ratio": "0.3", "tol": "1e-10", "max_iter": "100000"]),
             .init(key: "elasticnet", name: "elasticnet", params: ["alpha": 0.2, "l1_ratio": 0.3, "tol": 1e-10, "max_iter": 100000])),
        ]
        let t = try TargetValues.extract(frame, target: target, task: .regression)
        let training = frame.take(t.rows)
        let pipeline = try FeaturePipeline.fit(training, plans: AutoFeaturizer.plan(training, target: target).plans)
        let x = try pipeline.transform(training)
        let rows = (0..<x.rows).map { i in (0..<x.columns).map { x[i, $0] } }
        let o = try runOracle("linear_oracle.py", Input(x: rows, y: t.values, models: models.map(\.sk))) as! [String: [Double]]
        for m in models {
            guard case .regression(let mine) = try m.estimator.fit(training, target: target, seed: 0).predict(training) else { continue }
            let theirs = o[m.key]!
            let scale = theirs.map(abs).max() ?? 1
            let worst = zip(mine, theirs).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-6 * scale, "\(m.key) on \(target): largest difference \(worst)")
        }
    }
}

@Suite("Regularization path parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                                "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct PathParityTests {
    struct Input: Encodable { var x: [[Double]]; var y: [Double]; var l1_ratio: Double; var count: Int }

    @Test(arguments: [1.0, 0.5])
    func matchesEnetPath(l1Ratio: Double) throws {
        let frame = try CSVReader().read(path: repoRoot.appendingPathComponent("examples/penguins.csv").path).0
        let t = try TargetValues.extract(frame, target: "body_mass_g", task: .regression)
        let training = frame.take(t.rows)
        let pipeline = try FeaturePipeline.fit(training, plans: AutoFeaturizer.plan(training, target: "body_mass_g").plans)
        let x = try pipeline.transform(training)
        let path = RegularizationPath.fit(x, t.values, l1Ratio: l1Ratio, count: 20, tol: 1e-10, maxIterations: 100_000)
        #expect(path.points.count == 20)
        #expect(path.points.first!.coef.allSatisfy { abs($0) < 1e-9 }) // the largest penalty zeroes everything
        let rows = (0..<x.rows).map { i in (0..<x.columns).map { x[i, $0] } }
        let o = try runOracle("path_oracle.py", Input(x: rows, y: t.values, l1_ratio: l1Ratio, count: 20)) as! [String: Any]
        let alphas = o["alphas"] as! [Double], coefs = o["coefs"] as! [[Double]]
        for (k, point) in path.points.enumerated() {
            #expect(abs(point.alpha - alphas[k]) <= 1e-9 * alphas[k])
            let worst = zip(point.coef, coefs[k]).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-6 * max(1, coefs[k].map(abs).max() ?? 1), "alpha \(point.alpha): \(worst)")
        }
    }
}
