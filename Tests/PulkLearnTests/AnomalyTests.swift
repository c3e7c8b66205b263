import Foundation
import Testing
@testable import PulkFrame
@testable import PulkLearn
import PulkTestSupport

/// Anomaly detection: isolation forest and robust z-scores on crafted data with known anomalies,
/// the contamination threshold, the reasons given for a flag, and parity with scikit-learn's
/// `IsolationForest` on a real dataset.
@Suite("Anomaly detection")
struct AnomalyTests {
    /// 300 ordinary rows around (0, 0) with a category, then 6 rows far out in `b` only.
    static func data() -> Frame {
        var rng = SeededGenerator(seed: 3)
        var a: [Double] = [], b: [Double] = [], known: [Int64] = []
        for i in 0..<306 {
            let outlier = i >= 300
            a.append(Double.random(in: -1...1, using: &rng))
            b.append(outlier ? 12 + Double(i - 300) : Double.random(in: -1...1, using: &rng))
            known.append(outlier ? 1 : 0)
        }
        return try! Frame(columns: [Column(name: "a", storage: .float64(a)), Column(name: "b", storage: .float64(b)),
                                    Column(name: "known", storage: .int64(known))])
    }

    @Test(arguments: ["isolation-forest", "robust-zscore", "local-outlier-factor"])
    func findsTheOutliersAndSaysWhy(model: String) throws {
        let frame = Self.data()
        let trainer = Trainer(estimator: try EstimatorRegistry.estimator(named: model).init([:]), seed: 1)
        let (fitted, report, _) = try trainer.runWithHoldout(frame, target: "known")
        #expect(fitted.schema.features.map(\.name) == ["a", "b"], "the label is no feature")
        let metrics = Dictionary(uniqueKeysWithValues: report.metrics.map { ($0.name, $0.value) })
        #expect(metrics["roc_auc"] == 1, "\(model): \(metrics)")
        #expect(metrics["recall"] == 1, "every planted anomaly is flagged: \(metrics)")
        let flagged = try #require(report.anomalies)
        #expect(flagged.count >= 6 && flagged.prefix(6).allSatisfy { $0.row >= 300 })
        #expect(flagged.first?.reasons.first?.feature == "b", "the reason is the feature that is off")
        #expect((flagged.first?.reasons.first?.z ?? 0) > 3.5)
        // Scores survive the model file.
        let back = try ModelFile.decode(ModelFile.encode(fitted))
        #expect(try back.predict(frame) == fitted.predict(frame))
    }

    /// Local outlier factors equal scikit-learn's (brute-force neighbours, novelty=True) on the
    /// same design rows: the training rows' own factors (through the contamination threshold) and
    /// new rows' scores, on crafted rows with planted outliers.
    @Test func localOutlierFactorMatchesScikitLearn() throws {
        guard ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil else { return }
        var rng = SeededGenerator(seed: 9)
        let rows = (0..<240).map { i in (0..<4).map { j in Double.random(in: -1...1, using: &rng) * Double(j + 1) + (i % 40 == 0 ? 6 : 0) } }
        let frame = try Frame(columns: (0..<4).map { j in Column(name: "f\(j)", storage: .float64(rows.map { $0[j] })) })
        let train = frame.slice(0..<200), test = frame.slice(200..<240)
        let model = try LocalOutlierFactorEstimator(["n_neighbors": "15", "scale": "none", "contamination": "0.1"]).fit(train, target: "", seed: 0)
        guard case .anomaly(let scores, _, _) = try model.predict(test) else { Issue.record("anomaly predictions"); return }
        struct Input: Encodable { var train: [[Double]]; var test: [[Double]]; var k = 15 }
        let theirs = try runOracle("lof_oracle.py", Input(train: Array(rows[0..<200]), test: Array(rows[200..<240]))) as! [String: [Double]]
        let worst = zip(scores, theirs["test"]!).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-9, "largest difference from scikit-learn's score_samples: \(worst)")
        // The threshold is the 90th percentile of the training rows' own factors.
        let expected = anomalyThreshold(theirs["train"]!, contamination: 0.1, fallback: 1.5)
        #expect(abs((model as! LocalOutlierFactorModel).threshold - expected) < 1e-9)
    }

    @Test func contaminationSetsTheShareFlagged() throws {
        let frame = Self.data()
        for share in [0.01, 0.05, 0.1] {
            let model = try IsolationForestEstimator(["contamination": String(share)]).fit(frame, target: "known", seed: 0)
            guard case .anomaly(_, let flagged, let reasons) = try model.predict(frame) else { Issue.record("anomaly predictions"); return }
            let got = Double(flagged.filter { $0 }.count) / Double(frame.rowCount)
            #expect(abs(got - share) <= 1.5 / Double(frame.rowCount), "contamination \(share): flagged \(got)")
            #expect(zip(flagged, reasons).allSatisfy { $0 || $1.isEmpty }, "only flagged rows carry reasons")
        }
    }

    /// The score is 2^(−E[h]/c(ψ)): a single tree of one split on two distinct rows gives path
    /// length 1 for both, c(2) = 1, so every score is 0.5.
    @Test func scoreDefinition() throws {
        #expect(averagePathLength(1) == 0 && averagePathLength(2) == 1)
        #expect(abs(averagePathLength(256) - 10.244770920119917) < 1e-12, "scikit-learn's _average_path_length(256)")
        let frame = try Frame(columns: [Column(name: "a", storage: .float64([0, 1]))])
        let model = try IsolationForestEstimator(["n_estimators": "3"]).fit(frame, target: "", seed: 0)
        guard case .anomaly(let scores, _, _) = try model.predict(frame) else { return }
        #expect(scores == [0.5, 0.5])
    }

    @Test func labelThatSaysNothingIsAClearError() throws {
        var frame = Self.data()
        try frame.append(Column(name: "colour", storage: .string(codes: [Int32](repeating: 0, count: 306).enumerated().map { Int32($0.offset % 3) },
                                                                 dictionary: ["red", "green", "blue"])))
        let trainer = Trainer(estimator: try IsolationForestEstimator([:]), seed: 1)
        #expect(throws: LearnError.self) { try trainer.runWithHoldout(frame, target: "colour") }
    }

    /// ROC AUC within 0.02 of scikit-learn's IsolationForest with the same trees and sample size
    /// (the forests' randomness differs, so scores are compared by how they rank the anomalies).
    @Test func matchesScikitLearnOnShuttle() throws {
        guard let dir = ProcessInfo.processInfo.environment["PULK_DATASETS"], ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
              FileManager.default.fileExists(atPath: "\(dir)/shuttle_anomaly.csv") else { return }
        let path = "\(dir)/shuttle_anomaly.csv"
        let frame = try CSVReader().read(path: path).0
        let (_, report, _) = try Trainer(estimator: try IsolationForestEstimator(["n_estimators": "100", "max_samples": "256"]), seed: 0)
            .runWithHoldout(frame, target: "anomaly")
        let mine = try #require(report.metrics.first { $0.name == "roc_auc" }?.value)
        let theirs = (try runOracle("anomaly_oracle.py", arguments: [path, "anomaly", "100", "256", "0"]) as! [String: Double])["roc_auc"]!
        #expect(abs(mine - theirs) <= 0.02, "ROC AUC \(mine) vs scikit-learn's \(theirs)")
    }
}

@Suite("Robust profile")
struct RobustProfileTests {
    /// Medians by selection equal medians by sorting, for odd and even counts, ties and negatives.
    @Test(arguments: [[3.0], [2, 1], [5, 1, 3], [4, 4, 4, 1], [-1, 7, 7, 2, 9, 0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10]])
    func medianBySelection(values: [Double]) {
        let sorted = values.sorted(), n = values.count
        let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        var v = values.reversed().map { $0 }
        #expect(RobustProfile.median(&v) == expected)
    }

    @Test func scaleFallsBackToTheMeanAbsoluteDeviation() {
        // More than half the values equal: the MAD is 0, the mean absolute deviation is not.
        let p = RobustProfile([0, 0, 0, 0, 10], rows: 5, names: ["a"])
        #expect(p.medians == [0] && p.scales == [1.2533 * 2])
        #expect(RobustProfile([1, 1], rows: 2, names: ["a"]).scales == [0], "a constant column has no spread")
    }
}
