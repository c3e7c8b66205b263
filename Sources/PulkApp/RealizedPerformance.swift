import Foundation
import PulkEndpoints
import PulkLearn
import PulkJSON

/// How well a model did on the requests of a window whose truth came back as feedback: each logged
/// answer's prediction for a row beside the row's true value.
enum RealizedPerformance {
    /// The logged predictions of each answered request, by request id (from the response body's
    /// `predictions`, whichever scoring shape answered).
    static func predictions(_ entries: [ServingLogEntry]) -> [String: Answer] {
        var out: [String: Answer] = [:]
        for e in entries where e.status == 200 {
            var text = e.output
            guard let object = text.withUTF8({ (try? JSON.parse(UnsafeRawBufferPointer($0))) as? [String: Any] }),
                  let p = object["predictions"] as? [Any] else { continue }
            out[e.requestId] = Answer(predictions: p.map(Predicted.init), classes: object["classes"] as? [String],
                                      probabilities: (object["probabilities"] as? [[Any]])?.map { $0.compactMap(Self.number) })
        }
        return out
    }

    static func number(_ v: Any) -> Double? {
        if let d = v as? Double { return d }
        if let i = v as? Int64 { return Double(i) }
        return nil
    }

    /// One logged prediction: a number (a regressor's value) or a label.
    enum Predicted {
        case number(Double)
        case label(String)

        init(_ v: Any) {
            if let d = RealizedPerformance.number(v) { self = .number(d) }
            else if let s = v as? String { self = .label(s) }
            else { self = .label("\(v)") }
        }

        /// The prediction as a class label ("3" for the number 3).
        var label: String {
            switch self {
            case .label(let s): return s
            case .number(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
            }
        }
    }

    /// One logged answer: its predictions, and a classifier's classes and probabilities (Pulk's
    /// scoring response has them; MLflow's `/invocations` answer does not).
    struct Answer {
        var predictions: [Predicted]
        var classes: [String]?
        var probabilities: [[Double]]?
    }

    /// `{"rows_with_truth", "coverage", then accuracy, balanced_accuracy and f1_macro for labels, or
    /// mae, rmse and r2 for numbers}`; empty without any matching feedback.
    /// `rows`: the rows the window's answers scored, when `entries` holds only those with feedback.
    static func compute(entries: [ServingLogEntry], feedback: [Feedback], rows answeredRows: Int? = nil) -> [String: Double] {
        let predicted = predictions(entries)
        let rows = answeredRows ?? predicted.values.reduce(0) { $0 + $1.predictions.count }
        var pairs: [(Predicted, String)] = []
        // with the classes and probability row of each, when every answer had them under one class list
        var scored: [(classes: [String], probabilities: [Double], truth: String)] = []
        for f in feedback {
            guard let a = predicted[f.requestId], f.row < a.predictions.count else { continue }
            pairs.append((a.predictions[f.row], f.truth))
            if let c = a.classes, let p = a.probabilities, f.row < p.count, p[f.row].count == c.count { scored.append((c, p[f.row], f.truth)) }
        }
        guard !pairs.isEmpty else { return [:] }
        var out: [String: Double] = ["rows_with_truth": Double(pairs.count), "coverage": rows > 0 ? Double(pairs.count) / Double(rows) : 0]
        let numbers = pairs.compactMap { pair -> (Double, Double)? in
            guard case .number(let p) = pair.0, let y = Double(pair.1) else { return nil }
            return (y, p)
        }
        if numbers.count == pairs.count {
            let y = numbers.map(\.0), p = numbers.map(\.1)
            out["mae"] = try? RegressionMetrics.meanAbsoluteError(y, p)
            out["rmse"] = try? RegressionMetrics.rootMeanSquaredError(y, p)
            if y.count > 1 { out["r2"] = try? RegressionMetrics.r2(y, p) }
        } else {
            let labels = pairs.map { ($0.0.label, $0.1) }
            let classes = Array(Set(labels.flatMap { [$0.0, $0.1] })).sorted()
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            let yTrue = labels.map { index[$0.1]! }, yPred = labels.map { index[$0.0]! }
            out["accuracy"] = ClassificationMetrics.accuracy(yTrue, yPred)
            out["balanced_accuracy"] = ClassificationMetrics.balancedAccuracy(yTrue, yPred, classCount: classes.count)
            out["f1_macro"] = ClassificationMetrics.f1(yTrue, yPred, classCount: classes.count, average: .macro)
            out["precision_macro"] = ClassificationMetrics.precision(yTrue, yPred, classCount: classes.count, average: .macro)
            out["recall_macro"] = ClassificationMetrics.recall(yTrue, yPred, classCount: classes.count, average: .macro)
            out["precision_weighted"] = ClassificationMetrics.precision(yTrue, yPred, classCount: classes.count, average: .weighted)
            out["recall_weighted"] = ClassificationMetrics.recall(yTrue, yPred, classCount: classes.count, average: .weighted)
            out["f1_weighted"] = ClassificationMetrics.f1(yTrue, yPred, classCount: classes.count, average: .weighted)
            // From the probabilities: ROC AUC and log loss over the model's classes (rows whose truth is
            // not one of them are left out of these two).
            if scored.count == pairs.count, let modelClasses = scored.first?.classes, scored.allSatisfy({ $0.classes == modelClasses }) {
                let index = Dictionary(modelClasses.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                let known = scored.compactMap { s in index[s.truth].map { ($0, s.probabilities) } }
                if !known.isEmpty {
                    let y = known.map(\.0), probabilities = known.map(\.1)
                    out["log_loss"] = ClassificationMetrics.logLoss(y, probabilities: probabilities)
                    if modelClasses.count == 2 {
                        let positive = y.map { $0 == 1 }, scores = probabilities.map { $0[1] }
                        out["roc_auc"] = RankingMetrics.rocAUC(positive, scores)
                        out["average_precision"] = RankingMetrics.averagePrecision(positive, scores)
                        out["brier"] = ClassificationMetrics.brierScore(y, positiveProbability: scores)
                    } else {
                        out["roc_auc_ovr_macro"] = RankingMetrics.rocAUC(y, probabilities: probabilities, classCount: modelClasses.count, average: .macro)
                    }
                }
            }
        }
        return out
    }

    static func json(_ figures: [String: Double]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }
}
