import Foundation
public import PulkFrame
public import PulkLearn

/// How the trials' out-of-fold predictions are combined into an ensemble: greedy ensemble selection
/// with replacement (Caruana et al., "Ensemble selection from libraries of models", ICML 2004), or
/// stacking with a regularised linear meta-model, each scored on the same out-of-fold rows as the
/// single best model.
struct Blending {
    /// The answer of each validation row: its class index, or its number.
    let classes: [String]?
    let truth: [Double]
    let metric: String
    let higher: Bool
    /// `truth` as class indexes (classification only), converted once for the many blends scored.
    let labels: [Int]

    init(classes: [String]?, truth: [Double], metric: String, higher: Bool) {
        self.classes = classes
        self.truth = truth
        self.metric = metric
        self.higher = higher
        labels = classes == nil ? [] : truth.map { Int($0) }
    }

    var width: Int { classes?.count ?? 1 }

    /// Appends the predictions of a fold's rows: probabilities in `classes`' order, or numbers.
    static func append(_ p: Predictions, classes: [String]?, to out: inout [Double]) {
        switch p {
        case .classification(let theirs, _, let probabilities):
            let mine = classes ?? theirs
            let at = mine.map { theirs.firstIndex(of: $0) }
            for r in 0..<probabilities.count {
                for j in at { out.append(j.map { probabilities.values[r * theirs.count + $0] } ?? 0) }
            }
        case .regression(let v): out.append(contentsOf: v)
        default: break
        }
    }

    /// The metric of out-of-fold predictions (NaN when the task does not report it). The usual
    /// objectives are computed alone (selection scores hundreds of blends); others from every metric.
    func score(_ oof: [Double]) -> Double {
        let n = truth.count
        if let classes {
            let k = classes.count
            switch metric {
            case "roc_auc" where k == 2:
                return RankingMetrics.rocAUC(truth.map { $0 == 1 }, (0..<n).map { oof[$0 * 2 + 1] }) ?? .nan
            case "log_loss":
                return ClassificationMetrics.logLoss(labels, flatProbabilities: oof, classes: k)
            default: break
            }
        } else {
            switch metric {
            case "r2": return (try? RegressionMetrics.r2(truth, oof)) ?? .nan
            case "rmse": return (try? RegressionMetrics.rootMeanSquaredError(truth, oof)) ?? .nan
            case "mae": return (try? RegressionMetrics.meanAbsoluteError(truth, oof)) ?? .nan
            default: break
            }
        }
        let metrics: [MetricValue]
        if let classes {
            let k = classes.count
            let rows = (0..<n).map { Array(oof[($0 * k)..<(($0 + 1) * k)]) }
            metrics = Evaluation.classification(labels, rows.map { Predictions.mostProbable($0) }, rows, classCount: k)
        } else {
            metrics = Evaluation.regression(truth, oof)
        }
        return metrics.first { $0.name == metric }?.value ?? .nan
    }

    func loss(_ score: Double) -> Double { AutoMLSearch.loss(score, higher) }

    /// Greedy selection with replacement from the best single model: `steps` times, add the
    /// candidate whose inclusion gives the best score; the best prefix is kept. Returns each
    /// candidate's count (index into `candidates`) and the blend's score.
    func selection(_ candidates: [[Double]], steps: Int = 25) -> (counts: [Int], score: Double) {
        let m = candidates.first?.count ?? 0
        var sum = [Double](repeating: 0, count: m), counts = [Int](repeating: 0, count: candidates.count)
        var best = (counts: counts, loss: Double.infinity)
        for step in 1...steps {
            var pick = 0, pickLoss = Double.infinity
            for (c, oof) in candidates.enumerated() {
                let blend = (0..<m).map { (sum[$0] + oof[$0]) / Double(step) }
                let l = loss(score(blend))
                if l < pickLoss { pick = c; pickLoss = l }
            }
            for i in 0..<m { sum[i] += candidates[pick][i] }
            counts[pick] += 1
            if pickLoss < best.loss { best = (counts, pickLoss) }
        }
        return (best.counts, higher ? -best.loss : best.loss)
    }

    /// The members' out-of-fold predictions as features (the last class of each left out).
    func features(_ candidates: [[Double]], rows: [Int]? = nil) -> [Column] {
        let k = width
        let kept = classes == nil ? 1 : max(k - 1, 1)
        let picked = rows ?? Array(0..<truth.count)
        var columns: [Column] = []
        for (j, oof) in candidates.enumerated() {
            for c in 0..<kept {
                columns.append(Column(name: classes == nil ? "m\(j)" : "m\(j)_\(c)", storage: .float64(picked.map { oof[$0 * k + c] })))
            }
        }
        return columns
    }

    func targetColumn(_ rows: [Int]) -> Column {
        if let classes { return Column(name: "y", storage: .string(codes: rows.map { Int32(truth[$0]) }, dictionary: classes)) }
        return Column(name: "y", storage: .float64(rows.map { truth[$0] }))
    }

    /// The meta-model's estimator: logistic regression (C = 1) or ridge (alpha = 1).
    func metaEstimator() throws(LearnError) -> any Estimator {
        classes == nil ? try RidgeEstimator(["alpha": "1"]) : try LogisticRegressionEstimator(["C": "1"])
    }

    /// Stacking validated by 5-fold cross-validation over the out-of-fold rows: the meta-model's
    /// own out-of-fold predictions' score.
    func stackingScore(_ candidates: [[Double]], seed: UInt64) throws(LearnError) -> Double {
        let n = truth.count
        guard n >= 10 else { return .nan }
        let splits: [Split]
        do {
            if classes != nil, let s = try? CrossValidation.stratifiedKFold(labels: labels, k: 5, shuffle: true, seed: seed) { splits = s } else {
                splits = try CrossValidation.kFold(rows: n, k: 5, shuffle: true, seed: seed)
            }
        } catch { return .nan }
        var stacked = [Double](repeating: 0, count: n * width)
        for split in splits {
            let train = try frame(candidates, split.train, withTarget: true), test = try frame(candidates, split.test, withTarget: false)
            let meta = try metaEstimator().fit(train, target: "y", seed: seed)
            var out: [Double] = []
            Blending.append(try meta.predict(test), classes: classes, to: &out)
            for (i, r) in split.test.enumerated() { for c in 0..<width { stacked[r * width + c] = out[i * width + c] } }
        }
        return score(stacked)
    }

    /// The meta-model fit on every out-of-fold row.
    func stackingModel(_ candidates: [[Double]], seed: UInt64) throws(LearnError) -> any Model {
        try metaEstimator().fit(try frame(candidates, Array(0..<truth.count), withTarget: true), target: "y", seed: seed)
    }

    func frame(_ candidates: [[Double]], _ rows: [Int], withTarget: Bool) throws(LearnError) -> Frame {
        do { return try Frame(columns: features(candidates, rows: rows) + (withTarget ? [targetColumn(rows)] : [])) } catch {
            throw .badTarget("ensemble", reason: "\(error)")
        }
    }
}
