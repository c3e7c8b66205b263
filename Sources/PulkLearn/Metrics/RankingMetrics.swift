/// Threshold-free metrics of scores for a binary outcome (ROC, precision–recall, calibration),
/// with scikit-learn's definitions and tie handling.
public enum RankingMetrics {
    /// Cumulative false and true positives at each distinct score, highest first
    /// (scikit-learn's `_binary_clf_curve`).
    static func binaryCurve(_ positive: [Bool], _ scores: [Double]) -> (fps: [Double], tps: [Double], thresholds: [Double]) {
        precondition(positive.count == scores.count)
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var fps: [Double] = [], tps: [Double] = [], thresholds: [Double] = []
        var tp = 0.0, fp = 0.0
        for (k, i) in order.enumerated() {
            if positive[i] { tp += 1 } else { fp += 1 }
            if k == order.count - 1 || scores[order[k + 1]] != scores[i] {
                fps.append(fp); tps.append(tp); thresholds.append(scores[i])
            }
        }
        return (fps, tps, thresholds)
    }

    /// Area under the ROC curve (trapezoidal, ties between scores averaged); nil when only one class is present.
    public static func rocAUC(_ positive: [Bool], _ scores: [Double]) -> Double? {
        let c = binaryCurve(positive, scores)
        guard let p = c.tps.last, let n = c.fps.last, p > 0, n > 0 else { return nil }
        var area = 0.0, prevF = 0.0, prevT = 0.0
        for (f, t) in zip(c.fps, c.tps) {
            area += (f - prevF) * (t + prevT) / 2
            prevF = f; prevT = t
        }
        return area / (p * n)
    }

    /// One-vs-rest ROC AUC of class probabilities, averaged over classes (`.macro`) or weighted by
    /// prevalence (`.weighted`), as `roc_auc_score(multi_class="ovr")`.
    public static func rocAUC(_ yTrue: [Int], probabilities: [[Double]], classCount: Int, average: Averaging) -> Double? {
        var sum = 0.0, weights = 0.0
        for c in 0..<classCount {
            let positive = yTrue.map { $0 == c }
            let support = Double(positive.filter { $0 }.count)
            guard let auc = rocAUC(positive, probabilities.map { $0[c] }) else { return nil }
            let w = average == .weighted ? support : 1
            sum += w * auc
            weights += w
        }
        return weights == 0 ? nil : sum / weights
    }

    /// Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over descending thresholds.
    public static func averagePrecision(_ positive: [Bool], _ scores: [Double]) -> Double? {
        let c = binaryCurve(positive, scores)
        guard let total = c.tps.last, total > 0 else { return nil }
        var ap = 0.0, prevRecall = 0.0
        for (f, t) in zip(c.fps, c.tps) {
            let precision = t / (t + f), recall = t / total
            ap += (recall - prevRecall) * precision
            prevRecall = recall
        }
        return ap
    }

    /// The ROC curve with collinear points dropped and a first point at threshold +∞, as
    /// `roc_curve(drop_intermediate=True)`.
    public static func rocCurve(_ positive: [Bool], _ scores: [Double]) -> (fpr: [Double], tpr: [Double], thresholds: [Double]) {
        var c = binaryCurve(positive, scores)
        if c.fps.count > 2 {
            var keep = [0]
            for i in 1..<(c.fps.count - 1) {
                let d2f = c.fps[i + 1] - 2 * c.fps[i] + c.fps[i - 1]
                let d2t = c.tps[i + 1] - 2 * c.tps[i] + c.tps[i - 1]
                if d2f != 0 || d2t != 0 { keep.append(i) }
            }
            keep.append(c.fps.count - 1)
            c = (keep.map { c.fps[$0] }, keep.map { c.tps[$0] }, keep.map { c.thresholds[$0] })
        }
        let fps = [0] + c.fps, tps = [0] + c.tps
        let n = fps.last!, p = tps.last!
        return (fps.map { n > 0 ? $0 / n : .nan }, tps.map { p > 0 ? $0 / p : .nan }, [.infinity] + c.thresholds)
    }

    /// Precision and recall at each distinct threshold (ascending thresholds), ending with
    /// precision 1 and recall 0, as `precision_recall_curve`.
    public static func precisionRecallCurve(_ positive: [Bool], _ scores: [Double]) -> (precision: [Double], recall: [Double], thresholds: [Double]) {
        let c = binaryCurve(positive, scores)
        let total = c.tps.last ?? 0
        var precision = zip(c.tps, c.fps).map { t, f in t + f == 0 ? 1 : t / (t + f) }
        var recall = c.tps.map { total == 0 ? 1 : $0 / total }
        precision.reverse(); recall.reverse()
        return (precision + [1], recall + [0], Array(c.thresholds.reversed()))
    }

    /// Fraction of positives and mean predicted probability per non-empty bin of `bins` equal-width
    /// bins over [0, 1], as `calibration_curve(strategy="uniform")`.
    public static func calibrationCurve(_ positive: [Bool], _ probabilities: [Double], bins: Int = 5)
        -> (fractionPositive: [Double], meanPredicted: [Double]) {
        let edges = (0...bins).map { Double($0) / Double(bins) }
        let inner = Array(edges[1..<bins])
        var sums = [Double](repeating: 0, count: bins), trues = sums, totals = sums
        for (y, p) in zip(positive, probabilities) {
            // Index of the first inner edge ≥ p (numpy searchsorted, side left).
            var lo = 0, hi = inner.count
            while lo < hi { let mid = (lo + hi) / 2; if inner[mid] < p { lo = mid + 1 } else { hi = mid } }
            sums[lo] += p; trues[lo] += y ? 1 : 0; totals[lo] += 1
        }
        let nonEmpty = (0..<bins).filter { totals[$0] > 0 }
        return (nonEmpty.map { trues[$0] / totals[$0] }, nonEmpty.map { sums[$0] / totals[$0] })
    }
}
