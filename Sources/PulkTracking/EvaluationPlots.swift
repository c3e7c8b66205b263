public import PulkLearn
import PulkProfile

/// The evaluation plots of a run, as SVG files keyed by artifact path: confusion matrix, ROC and
/// precision-recall curves (one-vs-rest per class beyond two), residuals and predicted against
/// actual, feature importance and boosting curves.
public enum EvaluationPlots {
    /// Points drawn in a scatter plot at most (an even sample beyond), so plots stay small.
    public static let maxScatterPoints = 2000
    /// Classes drawn one-vs-rest at most.
    public static let maxCurveClasses = 10

    public static func plots(_ outcomes: Outcomes, importance: [FeatureImportance]?, curves: [TrainingCurve]?,
                             clusterCountChoice: ClusterCountChoice? = nil) -> [(path: String, svg: String)] {
        var out: [(String, String)] = []
        switch outcomes {
        case .regression(let y, let p):
            let (ys, ps) = (sample(y), sample(p))
            let residuals = zip(ys, ps).map { $0 - $1 }
            out.append(("plots/residuals.svg", SVGChart.scatter(x: ps, y: residuals, title: "Residuals (actual − predicted)", xLabel: "predicted",
                                                                yLabel: "residual", zeroLine: true)))
            out.append(("plots/predicted_vs_actual.svg", SVGChart.scatter(x: ys, y: ps, title: "Predicted against actual", xLabel: "actual",
                                                                          yLabel: "predicted", diagonal: true)))
        case .classification(let classes, let y, let p, let probabilities):
            let k = classes.count
            out.append(("plots/confusion_matrix.svg", SVGChart.countMatrix(labels: classes, counts: ClassificationMetrics.confusionMatrix(y, p, classCount: k),
                                                                           title: "Confusion matrix", rowLabel: "true class", columnLabel: "predicted class")))
            // Binary: the positive class (index 1); otherwise each class against the rest.
            let shown = k == 2 ? [1] : Array(0..<min(k, maxCurveClasses))
            var roc: [SVGChart.Series] = [], pr: [SVGChart.Series] = []
            for c in shown where c < (probabilities.first?.count ?? 0) {
                let positive = y.map { $0 == c }
                guard positive.contains(true), positive.contains(false) else { continue }
                let score = probabilities.map { $0[c] }
                let r = RankingMetrics.rocCurve(positive, score), q = RankingMetrics.precisionRecallCurve(positive, score)
                let name = k == 2 ? classes[c] : "\(classes[c]) vs rest"
                let auc = RankingMetrics.rocAUC(positive, score).map { " (AUC \(formatFixed($0, 3)))" } ?? ""
                let ap = RankingMetrics.averagePrecision(positive, score).map { " (AP \(formatFixed($0, 3)))" } ?? ""
                roc.append(SVGChart.Series(name: name + auc, x: r.fpr, y: r.tpr))
                pr.append(SVGChart.Series(name: name + ap, x: q.recall, y: q.precision))
            }
            if !roc.isEmpty {
                out.append(("plots/roc_curve.svg", SVGChart.lines(roc, title: "ROC curve", xLabel: "false positive rate", yLabel: "true positive rate",
                                                                  unit: true, diagonal: true)))
                out.append(("plots/precision_recall_curve.svg", SVGChart.lines(pr, title: "Precision-recall curve", xLabel: "recall", yLabel: "precision",
                                                                               unit: true)))
            }
        case .clustering(let clusters, _, _, _):
            var sizes: [Int: Int] = [:]
            for c in clusters { sizes[c, default: 0] += 1 }
            let n = max(clusters.count, 1)
            let bars = SVGChart.bars(sizes.keys.sorted().map { ($0 < 0 ? "noise" : "cluster \($0)", Double(sizes[$0]!), "\(sizes[$0]!) (" + formatFixed(100 * Double(sizes[$0]!) / Double(n), 1) + "%)") },
                                     title: "Cluster sizes", width: 520)
            out.append(("plots/cluster_sizes.svg", standalone(bars)))
        case .anomaly(let scores, _, let truth):
            // With known anomalies: how well the scores rank them.
            guard let truth, truth.contains(true), truth.contains(false) else { break }
            let r = RankingMetrics.rocCurve(truth, scores), q = RankingMetrics.precisionRecallCurve(truth, scores)
            let auc = RankingMetrics.rocAUC(truth, scores).map { " (AUC \(formatFixed($0, 3)))" } ?? ""
            let ap = RankingMetrics.averagePrecision(truth, scores).map { " (AP \(formatFixed($0, 3)))" } ?? ""
            out.append(("plots/roc_curve.svg", SVGChart.lines([SVGChart.Series(name: "anomaly score" + auc, x: r.fpr, y: r.tpr)], title: "ROC curve",
                                                              xLabel: "false positive rate", yLabel: "true positive rate", unit: true, diagonal: true)))
            out.append(("plots/precision_recall_curve.svg", SVGChart.lines([SVGChart.Series(name: "anomaly score" + ap, x: q.recall, y: q.precision)],
                                                                           title: "Precision-recall curve", xLabel: "recall", yLabel: "precision", unit: true)))
        case .recommendation(let recommended, let relevant, let k, _, _):
            // Recall and precision as the list grows from 1 to k items.
            let ranks = Array(1...max(1, k))
            var recall = [Double](repeating: 0, count: ranks.count), precision = recall
            let users = relevant.filter { !$0.isEmpty }.count
            guard users > 0 else { break }
            for (list, truth) in zip(recommended, relevant) where !truth.isEmpty {
                var hits = 0.0
                for r in ranks.indices {
                    if r < list.count, truth.contains(list[r]) { hits += 1 }
                    recall[r] += hits / Double(truth.count) / Double(users)
                    precision[r] += hits / Double(r + 1) / Double(users)
                }
            }
            let x = ranks.map(Double.init)
            out.append(("plots/precision_recall_at_k.svg", SVGChart.lines([SVGChart.Series(name: "recall", x: x, y: recall),
                                                                           SVGChart.Series(name: "precision", x: x, y: precision)],
                                                                          title: "Precision and recall at k", xLabel: "k (items recommended)", yLabel: "share", unit: false)))
        }
        if let c = clusterCountChoice {
            let k = c.candidates.map(Double.init)
            let chose = "; chose k = \(c.chosen) by \(c.criterion.split(separator: "_").joined(separator: "-"))"
            out.append(("plots/cluster_count.svg", SVGChart.lines([SVGChart.Series(name: "silhouette (higher is better\(c.criterion == "davies_bouldin" ? "" : chose))", x: k, y: c.silhouette),
                                                                   SVGChart.Series(name: "Davies-Bouldin (lower is better\(c.criterion == "davies_bouldin" ? chose : ""))", x: k, y: c.daviesBouldin)],
                                                                  title: "Choosing the number of clusters", xLabel: "k", yLabel: "score", integerX: true, markers: true)))
        }
        if let importance, !importance.isEmpty {
            let total = max(importance.reduce(0) { $0 + $1.gain }, .leastNonzeroMagnitude)
            let top = importance.sorted { $0.gain != $1.gain ? $0.gain > $1.gain : $0.feature < $1.feature }.prefix(20)
            let bars = SVGChart.bars(top.map { ($0.feature, $0.gain, formatFixed(100 * $0.gain / total, 1) + "%") },
                                     title: "Feature importance (share of gain)", width: 520)
            out.append(("plots/feature_importance.svg", standalone(bars)))
        }
        if let curves, !curves.isEmpty {
            let series = curves.map { c in SVGChart.Series(name: c.name, x: c.values.indices.map(Double.init), y: c.values) }
            out.append(("plots/training_curves.svg", SVGChart.lines(series, title: "Training curves", xLabel: "iteration", yLabel: "value")))
        }
        return out
    }

    /// A report chart made to stand alone as a file: the SVG namespace (an image file needs it; the
    /// report's inline charts do not) and the styles its classes get from the report page.
    static func standalone(_ svg: String) -> String {
        guard svg.hasPrefix("<svg "), let end = svg.firstIndex(of: ">") else { return svg }
        let style = "<style>.bar{fill:#2266aa}text{font:11px sans-serif;fill:#333}</style>"
        let open = svg[..<end].contains("xmlns=") ? String(svg[...end]) : "<svg xmlns=\"http://www.w3.org/2000/svg\" " + svg[svg.index(svg.startIndex, offsetBy: 5)...end]
        return open + style + String(svg[svg.index(after: end)...])
    }

    /// An evenly spaced sample of at most `maxScatterPoints` values (the same rows for aligned arrays).
    static func sample(_ v: [Double]) -> [Double] {
        guard v.count > maxScatterPoints else { return v }
        return (0..<maxScatterPoints).map { v[$0 * v.count / maxScatterPoints] }
    }
}
