import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn
import PulkTestSupport

@Suite("k-NN and naive Bayes")
struct NeighborsBayesTests {
    @Test func nearestNeighbourVotes() throws {
        let f = try Frame(columns: [
            Column(name: "x", storage: .float64([0, 1, 2, 10, 11, 12])),
            Column(name: "y", storage: .string(codes: [0, 0, 0, 1, 1, 1], dictionary: ["low", "high"])),
        ])
        let model = try KNeighborsEstimator(["n_neighbors": "3"]).fit(f, target: "y", seed: 0)
        let q = try Frame(columns: [Column(name: "x", storage: .float64([0.5, 11.5]))])
        #expect(try model.predict(q).labels == ["low", "high"])
        let r = try Frame(columns: [Column(name: "x", storage: .float64([0, 1, 2, 3])), Column(name: "y", storage: .float64([0, 10, 20, 30]))])
        guard case .regression(let p) = try KNeighborsRegressorEstimator(["k": "2", "weights": "distance"]).fit(r, target: "y", seed: 0).predict(r) else { return }
        #expect(p == [0, 10, 20, 30]) // exact matches take all the weight
    }

    @Test func naiveBayesSeparatesGaussians() throws {
        var rng = SeededGenerator(seed: 2)
        let x = (0..<300).map { i in Double.random(in: -1...1, using: &rng) + (i % 3 == 0 ? 5 : 0) }
        let f = try Frame(columns: [
            Column(name: "x", storage: .float64(x)),
            Column(name: "y", storage: .string(codes: (0..<300).map { $0 % 3 == 0 ? 1 : 0 }, dictionary: ["a", "b"])),
        ])
        let m = try Evaluation.metrics(try GaussianNaiveBayesEstimator([:]).fit(f, target: "y", seed: 0).predict(f), frame: f, target: "y")
        #expect(m.first { $0.name == "accuracy" }!.value == 1)
    }
}

@Suite("k-NN and naive Bayes parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                                  "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct NeighborsBayesParityTests {
    struct Input: Encodable { var x: [[Double]]; var y: [Double]; var kind: String; var k: Int; var weights: String }

    func oracle(_ input: Input) throws -> [Any] {
        try runOracle("neighbors_bayes_oracle.py", input) as! [Any]
    }

    /// breast_cancer: 30 continuous features, so neighbour distances do not tie (scikit-learn breaks
    /// ties in its own order). Tolerance: 1e-9, except 1e-6 for distance weights, because scikit-learn
    /// computes distances as ‖x‖² − 2x·y + ‖y‖² (a point's distance to itself comes out near 1e-8
    /// rather than 0), while Pulk sums squared differences.
    @Test(arguments: [("knn", "target", "uniform"), ("knn", "target", "distance"), ("knn-regressor", "mean area", "distance"),
                      ("naive-bayes", "target", "uniform")])
    func matchesScikitLearn(kind: String, target: String, weights: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["PULK_DATASETS"] else { return }
        let frame = try CSVReader().read(path: "\(dir)/breast_cancer.csv").0
        let type = try EstimatorRegistry.estimator(named: kind)
        let estimator = try type.init(type.parameterSpecs.isEmpty || kind == "naive-bayes" ? [:] : ["n_neighbors": "7", "weights": weights])
        let model = try estimator.fit(frame, target: target, seed: 0)
        let task = type.task
        let t = try TargetValues.extract(frame, target: target, task: task)
        let x = try model.pipeline!.transform(frame)
        let rows = (0..<x.rows).map { i in (0..<x.columns).map { x[i, $0] } }
        let theirs = try oracle(Input(x: rows, y: task == .regression ? t.values : t.classes.map(Double.init), kind: kind, k: 7, weights: weights))
        switch try model.predict(frame) {
        case .regression(let mine):
            let expected = theirs as! [Double]
            let worst = zip(mine, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 1
            #expect(worst <= (weights == "distance" ? 1e-6 : 1e-9), "\(kind): \(worst)")
        case .classification(_, _, let mine):
            let expected = theirs as! [[Double]]
            let worst = zip(mine, expected).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? 1
            #expect(worst <= (weights == "distance" ? 1e-6 : 1e-9), "\(kind) \(weights): \(worst)")
        case .clustering, .anomaly, .recommendation:
            Issue.record("\(kind) predicts neither a number nor a class")
        }
    }
}
