import Foundation
import Testing
@testable import PulkLearn
import PulkTestSupport

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small deterministic generator (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }
}

@Suite("Metrics: hand-computed answers")
struct MetricsTests {
    @Test func binaryBasics() {
        let y = [0, 0, 1, 1], p = [0, 1, 1, 1]
        #expect(ClassificationMetrics.accuracy(y, p) == 0.75)
        let prf = ClassificationMetrics.precisionRecallF(y, p, classCount: 2, average: .binary(positive: 1))
        #expect(prf.precision == 2.0 / 3 && prf.recall == 1 && abs(prf.f - 0.8) < 1e-15)
        #expect(ClassificationMetrics.confusionMatrix(y, p, classCount: 2) == [[1, 1], [0, 2]])
        #expect(RankingMetrics.rocAUC([false, false, true, true], [0.1, 0.4, 0.35, 0.8]) == 0.75)
        #expect(RankingMetrics.rocAUC([true, true], [0.1, 0.2]) == nil) // one class: undefined
        #expect(abs(RankingMetrics.averagePrecision([false, false, true, true], [0.1, 0.4, 0.35, 0.8])! - 0.8333333333333333) < 1e-15)
    }

    @Test func regressionBasics() throws {
        let y = [3.0, -0.5, 2, 7], p = [2.5, 0.0, 2, 8]
        #expect(try RegressionMetrics.meanAbsoluteError(y, p) == 0.5)
        #expect(try RegressionMetrics.meanSquaredError(y, p) == 0.375)
        #expect(abs(try RegressionMetrics.r2(y, p) - 0.9486081370449679) < 1e-15)
        #expect(try RegressionMetrics.maxError(y, p) == 1)
        #expect(try RegressionMetrics.r2([1, 1], [1, 1]) == 1)
        #expect(try RegressionMetrics.r2([1, 1], [1, 2]) == 0)
        #expect(throws: MetricError.negativeValuesForLogError) { try RegressionMetrics.rootMeanSquaredLogError([-1], [1]) }
        #expect(throws: MetricError.lengthMismatch(2, 1)) { try RegressionMetrics.meanAbsoluteError([1, 2], [1]) }
    }
}

/// Every metric against scikit-learn on random inputs (ties included), to 1e-9. The test script
/// sets PULK_PYTHON to a venv with scikit-learn.
@Suite("Metrics parity with scikit-learn", .enabled(if: ProcessInfo.processInfo.environment["PULK_PYTHON"] != nil,
                                                    "set PULK_PYTHON to a Python with scikit-learn (scripts/test does)"))
struct MetricsParityTests {
    struct Inputs: Encodable {
        struct Binary: Encodable { var y: [Int]; var pred: [Int]; var score: [Double] }
        struct Multi: Encodable { var y: [Int]; var pred: [Int]; var proba: [[Double]] }
        struct Regression: Encodable { var y: [Double]; var pred: [Double] }
        var binary: Binary
        var multi: Multi
        var regression: Regression
    }

    static func inputs(seed: UInt64, n: Int, classes: Int) -> Inputs {
        var rng = SplitMix(state: seed)
        let yb = (0..<n).map { _ in Int.random(in: 0...1, using: &rng) }
        // Scores rounded to two decimals so ties occur, correlated with the label.
        let sb = yb.map { y in ((Double.random(in: 0...1, using: &rng) * 0.7 + (y == 1 ? 0.3 : 0)) * 100).rounded() / 100 }
        let pb = sb.map { $0 >= 0.5 ? 1 : 0 }
        let ym = (0..<n).map { _ in Int.random(in: 0..<classes, using: &rng) }
        let proba: [[Double]] = ym.map { y in
            var w = (0..<classes).map { _ in Double.random(in: 0.05...1, using: &rng) }
            w[y] += Double.random(in: 0...1.5, using: &rng)
            let s = w.reduce(0, +)
            return w.map { $0 / s }
        }
        let pm = proba.map { row in row.indices.max { row[$0] < row[$1] }! }
        let yr = (0..<n).map { _ in Double.random(in: -50...150, using: &rng) }
        let pr = yr.map { $0 + Double.random(in: -20...20, using: &rng) }
        return Inputs(binary: .init(y: yb, pred: pb, score: sb), multi: .init(y: ym, pred: pm, proba: proba),
                      regression: .init(y: yr, pred: pr))
    }

    func oracle(_ inputs: Inputs) throws -> [String: Any] {
        try runOracle("metrics_oracle.py", inputs) as! [String: Any]
    }

    func close(_ mine: Double?, _ theirs: Any?, _ what: String) {
        guard let m = mine, let t = theirs as? Double else {
            Issue.record("\(what): pulk \(String(describing: mine)), scikit-learn \(String(describing: theirs))")
            return
        }
        #expect(abs(m - t) <= 1e-9 * max(1, abs(t)), "\(what): pulk \(m) vs scikit-learn \(t)")
    }

    func closeArrays(_ mine: [Double], _ theirs: Any?, _ what: String) {
        let t = (theirs as? [Any])?.map { ($0 as? Double) ?? (($0 as? String) == "inf" ? Double.infinity : .nan) } ?? []
        #expect(mine.count == t.count, "\(what): \(mine.count) points vs \(t.count)")
        for (a, b) in zip(mine, t) where !(a == b) {
            #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(what): \(a) vs \(b)")
        }
    }

    @Test(arguments: [(1 as UInt64, 50, 3), (2, 400, 4), (3, 1000, 7)])
    func matchesScikitLearn(seed: UInt64, n: Int, classes: Int) throws {
        let i = Self.inputs(seed: seed, n: n, classes: classes)
        let o = try oracle(i)
        typealias C = ClassificationMetrics
        let (ym, pm, k) = (i.multi.y, i.multi.pred, classes)
        close(C.accuracy(ym, pm), o["accuracy"], "accuracy")
        close(C.balancedAccuracy(ym, pm, classCount: k), o["balanced_accuracy"], "balanced accuracy")
        for (name, avg) in [("macro", Averaging.macro), ("micro", .micro), ("weighted", .weighted)] {
            let prf = C.precisionRecallF(ym, pm, classCount: k, average: avg)
            close(prf.precision, o["precision_\(name)"], "precision \(name)")
            close(prf.recall, o["recall_\(name)"], "recall \(name)")
            close(prf.f, o["f1_\(name)"], "f1 \(name)")
        }
        let (yb, pb, sb) = (i.binary.y, i.binary.pred, i.binary.score)
        let positive = yb.map { $0 == 1 }
        let binary = C.precisionRecallF(yb, pb, classCount: 2, average: .binary(positive: 1))
        close(binary.precision, o["precision_binary"], "precision binary")
        close(binary.recall, o["recall_binary"], "recall binary")
        close(binary.f, o["f1_binary"], "f1 binary")
        close(C.matthews(ym, pm, classCount: k), o["mcc"], "MCC")
        close(C.matthews(yb, pb, classCount: 2), o["mcc_binary"], "MCC binary")
        close(C.cohenKappa(ym, pm, classCount: k), o["kappa"], "kappa")
        close(C.logLoss(ym, probabilities: i.multi.proba), o["log_loss"], "log loss")
        close(C.brierScore(yb, positiveProbability: sb), o["brier"], "Brier")
        close(RankingMetrics.rocAUC(positive, sb), o["roc_auc"], "ROC AUC")
        close(RankingMetrics.rocAUC(ym, probabilities: i.multi.proba, classCount: k, average: .macro), o["roc_auc_ovr_macro"], "AUC OvR macro")
        close(RankingMetrics.rocAUC(ym, probabilities: i.multi.proba, classCount: k, average: .weighted), o["roc_auc_ovr_weighted"], "AUC OvR weighted")
        close(RankingMetrics.averagePrecision(positive, sb), o["average_precision"], "average precision")
        let roc = RankingMetrics.rocCurve(positive, sb), rocO = o["roc_curve"] as! [Any]
        closeArrays(roc.fpr, rocO[0], "roc fpr"); closeArrays(roc.tpr, rocO[1], "roc tpr"); closeArrays(roc.thresholds, rocO[2], "roc thresholds")
        let pr = RankingMetrics.precisionRecallCurve(positive, sb), prO = o["pr_curve"] as! [Any]
        closeArrays(pr.precision, prO[0], "pr precision"); closeArrays(pr.recall, prO[1], "pr recall"); closeArrays(pr.thresholds, prO[2], "pr thresholds")
        let cal = RankingMetrics.calibrationCurve(positive, sb, bins: 5), calO = o["calibration"] as! [Any]
        closeArrays(cal.fractionPositive, calO[0], "calibration fraction"); closeArrays(cal.meanPredicted, calO[1], "calibration mean")
        #expect(C.confusionMatrix(ym, pm, classCount: k) == (o["confusion"] as! [[Int]]))
        typealias R = RegressionMetrics
        let (yr, pr2) = (i.regression.y, i.regression.pred)
        close(try R.meanAbsoluteError(yr, pr2), o["mae"], "MAE")
        close(try R.meanSquaredError(yr, pr2), o["mse"], "MSE")
        close(try R.rootMeanSquaredError(yr, pr2), o["rmse"], "RMSE")
        close(try R.rootMeanSquaredLogError(yr.map(abs), pr2.map(abs)), o["rmsle"], "RMSLE")
        close(try R.meanAbsolutePercentageError(yr, pr2), o["mape"], "MAPE")
        close(try R.symmetricMeanAbsolutePercentageError(yr, pr2), o["smape"], "sMAPE")
        close(try R.medianAbsoluteError(yr, pr2), o["median_ae"], "median AE")
        close(try R.r2(yr, pr2), o["r2"], "R²")
        close(try R.explainedVariance(yr, pr2), o["explained_variance"], "explained variance")
        close(try R.maxError(yr, pr2), o["max_error"], "max error")
    }
}
