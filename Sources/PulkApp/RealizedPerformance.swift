import Foundation
import PulkEndpoints
import PulkLearn

/// How well a model did on the requests of a window whose truth came back as feedback: each logged
/// answer's prediction for a row beside the row's true value.
enum RealizedPerformance {
    /// The logged predictions of each answered request, by request id (from the response body's
    /// `predictions`, whichever scoring shape answered).
    static func predictions(_ entries: [ServingLogEntry]) -> [String: [Any]] {
        var out: [String: [Any]] = [:]
        for e in entries where e.status == 200 {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(e.output.utf8))) as? [String: Any],
                  let p = object["predictions"] as? [Any] else { continue }
            out[e.requestId] = p
        }
        return out
    }

    /// `{"rows_with_truth", "coverage", then accuracy, balanced_accuracy and f1_macro for labels, or
    /// mae, rmse and r2 for numbers}`; empty without any matching feedback.
    static func compute(entries: [ServingLogEntry], feedback: [Feedback]) -> [String: Double] {
        let predicted = predictions(entries)
        let rows = predicted.values.reduce(0) { $0 + $1.count }
        var pairs: [(Any, String)] = []
        for f in feedback {
            guard let p = predicted[f.requestId], f.row < p.count else { continue }
            pairs.append((p[f.row], f.truth))
        }
        guard !pairs.isEmpty else { return [:] }
        var out: [String: Double] = ["rows_with_truth": Double(pairs.count), "coverage": rows > 0 ? Double(pairs.count) / Double(rows) : 0]
        let numeric = pairs.allSatisfy { ($0.0 is NSNumber) && !($0.0 is Bool) && Double($0.1) != nil }
        if numeric {
            let y = pairs.map { Double($0.1)! }, p = pairs.map { ($0.0 as! NSNumber).doubleValue }
            out["mae"] = try? RegressionMetrics.meanAbsoluteError(y, p)
            out["rmse"] = try? RegressionMetrics.rootMeanSquaredError(y, p)
            if y.count > 1 { out["r2"] = try? RegressionMetrics.r2(y, p) }
        } else {
            let labels = pairs.map { ("\($0.0)", $0.1) }
            let classes = Array(Set(labels.flatMap { [$0.0, $0.1] })).sorted()
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            let yTrue = labels.map { index[$0.1]! }, yPred = labels.map { index[$0.0]! }
            out["accuracy"] = ClassificationMetrics.accuracy(yTrue, yPred)
            out["balanced_accuracy"] = ClassificationMetrics.balancedAccuracy(yTrue, yPred, classCount: classes.count)
            out["f1_macro"] = ClassificationMetrics.f1(yTrue, yPred, classCount: classes.count, average: .macro)
        }
        return out
    }

    static func json(_ figures: [String: Double]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }
}
