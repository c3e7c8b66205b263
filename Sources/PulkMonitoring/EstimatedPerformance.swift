/// A classifier's performance estimated from its own confidence, before any label arrives
/// (confidence-based performance estimation, NannyML's CBPE idea): if the model's probabilities are
/// calibrated, a row predicted as class c is truly class k with probability p_k, so the expected
/// confusion matrix is the sum over rows of their probability vectors in the column of their
/// prediction, and every metric of that matrix is an estimate of the real one. Estimates are only as
/// good as the calibration, and say nothing about concept drift (the same inputs now meaning another
/// label), which only realized figures show.
public enum EstimatedPerformance {
    /// `accuracy`, `balanced_accuracy` and `f1_macro` of the expected confusion matrix; `probabilities`
    /// holds `classes` values per row, `predicted` each row's predicted class.
    public static func classification(predicted: [Int], probabilities: [Double], classes k: Int) -> [String: Double] {
        let n = predicted.count
        guard n > 0, k > 1, probabilities.count == n * k else { return [:] }
        // expected[t][c]: expected rows of true class t predicted as c
        var expected = [Double](repeating: 0, count: k * k)
        probabilities.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let c = predicted[i]
                for t in 0..<k { expected[t * k + c] += p[i * k + t] }
            }
        }
        var correct = 0.0, recallSum = 0.0, f1Sum = 0.0
        var present = 0
        for t in 0..<k {
            let tp = expected[t * k + t]
            correct += tp
            var actual = 0.0, predictedAs = 0.0
            for c in 0..<k { actual += expected[t * k + c]; predictedAs += expected[c * k + t] }
            if actual > 0 { recallSum += tp / actual; present += 1 }
            let denominator = actual + predictedAs
            f1Sum += denominator > 0 ? 2 * tp / denominator : 0
        }
        return ["accuracy": correct / Double(n), "balanced_accuracy": present > 0 ? recallSum / Double(present) : 0, "f1_macro": f1Sum / Double(k)]
    }
}
