/// How per-class scores are combined, as scikit-learn's `average=` argument.
public enum Averaging: Sendable, Hashable {
    /// The score of one class (scikit-learn's `pos_label`).
    case binary(positive: Int)
    /// Unweighted mean over classes.
    case macro
    /// From global counts of true positives, false positives and false negatives.
    case micro
    /// Mean over classes weighted by their support (true count).
    case weighted
}

/// Classification metrics over class indices `0..<classCount`, defined exactly as scikit-learn's
/// (`sklearn.metrics`), which the test suite checks to 1e-9 on random inputs.
public enum ClassificationMetrics {
    /// Counts `matrix[true][predicted]`.
    public static func confusionMatrix(_ yTrue: [Int], _ yPred: [Int], classCount: Int) -> [[Int]] {
        precondition(yTrue.count == yPred.count, "yTrue and yPred differ in length")
        var m = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (t, p) in zip(yTrue, yPred) { m[t][p] += 1 }
        return m
    }

    public static func accuracy(_ yTrue: [Int], _ yPred: [Int]) -> Double {
        precondition(yTrue.count == yPred.count && !yTrue.isEmpty)
        return Double(zip(yTrue, yPred).filter { $0 == $1 }.count) / Double(yTrue.count)
    }

    /// Mean recall over the classes present in `yTrue`.
    public static func balancedAccuracy(_ yTrue: [Int], _ yPred: [Int], classCount: Int) -> Double {
        let m = confusionMatrix(yTrue, yPred, classCount: classCount)
        let recalls = (0..<classCount).compactMap { c -> Double? in
            let support = m[c].reduce(0, +)
            return support == 0 ? nil : Double(m[c][c]) / Double(support)
        }
        return recalls.reduce(0, +) / Double(recalls.count)
    }

    /// Per-class true positives, predicted counts and true counts.
    static func counts(_ yTrue: [Int], _ yPred: [Int], classCount: Int) -> (tp: [Int], predicted: [Int], actual: [Int]) {
        var tp = [Int](repeating: 0, count: classCount), pred = tp, act = tp
        for (t, p) in zip(yTrue, yPred) {
            if t == p { tp[t] += 1 }
            pred[p] += 1
            act[t] += 1
        }
        return (tp, pred, act)
    }

    /// Classes scikit-learn averages over: those in either labels array.
    static func present(_ yTrue: [Int], _ yPred: [Int]) -> [Int] { Array(Set(yTrue).union(yPred)).sorted() }

    /// Precision, recall and F-beta with scikit-learn's conventions (0 where undefined).
    public static func precisionRecallF(_ yTrue: [Int], _ yPred: [Int], classCount: Int, average: Averaging,
                                        beta: Double = 1) -> (precision: Double, recall: Double, f: Double) {
        let (tp, pred, act) = counts(yTrue, yPred, classCount: classCount)
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        func fScore(_ p: Double, _ r: Double) -> Double {
            let b2 = beta * beta
            return p + r == 0 ? 0 : (1 + b2) * p * r / (b2 * p + r)
        }
        switch average {
        case .binary(let positive):
            let p = ratio(tp[positive], pred[positive]), r = ratio(tp[positive], act[positive])
            return (p, r, fScore(p, r))
        case .micro:
            let p = ratio(tp.reduce(0, +), pred.reduce(0, +)), r = ratio(tp.reduce(0, +), act.reduce(0, +))
            return (p, r, fScore(p, r))
        case .macro, .weighted:
            let classes = present(yTrue, yPred)
            var ps = 0.0, rs = 0.0, fs = 0.0, total = 0.0
            for c in classes {
                let w = average == .macro ? 1 : Double(act[c])
                let p = ratio(tp[c], pred[c]), r = ratio(tp[c], act[c])
                ps += w * p; rs += w * r; fs += w * fScore(p, r); total += w
            }
            return total == 0 ? (0, 0, 0) : (ps / total, rs / total, fs / total)
        }
    }

    public static func precision(_ yTrue: [Int], _ yPred: [Int], classCount: Int, average: Averaging) -> Double {
        precisionRecallF(yTrue, yPred, classCount: classCount, average: average).precision
    }

    public static func recall(_ yTrue: [Int], _ yPred: [Int], classCount: Int, average: Averaging) -> Double {
        precisionRecallF(yTrue, yPred, classCount: classCount, average: average).recall
    }

    public static func f1(_ yTrue: [Int], _ yPred: [Int], classCount: Int, average: Averaging) -> Double {
        precisionRecallF(yTrue, yPred, classCount: classCount, average: average).f
    }

    /// Matthews correlation coefficient (multiclass form; 0 when undefined).
    public static func matthews(_ yTrue: [Int], _ yPred: [Int], classCount: Int) -> Double {
        let (tp, pred, act) = counts(yTrue, yPred, classCount: classCount)
        let c = Double(tp.reduce(0, +)), s = Double(yTrue.count)
        let pk = pred.map(Double.init), tk = act.map(Double.init)
        let cov = c * s - zip(pk, tk).reduce(0) { $0 + $1.0 * $1.1 }
        let den = ((s * s - pk.reduce(0) { $0 + $1 * $1 }) * (s * s - tk.reduce(0) { $0 + $1 * $1 })).squareRoot()
        return den == 0 ? 0 : cov / den
    }

    /// Cohen's kappa (unweighted).
    public static func cohenKappa(_ yTrue: [Int], _ yPred: [Int], classCount: Int) -> Double {
        let m = confusionMatrix(yTrue, yPred, classCount: classCount)
        let n = Double(yTrue.count)
        let po = Double((0..<classCount).reduce(0) { $0 + m[$1][$1] }) / n
        var pe = 0.0
        for c in 0..<classCount {
            let row = Double(m[c].reduce(0, +)), col = Double((0..<classCount).reduce(0) { $0 + m[$1][c] })
            pe += row * col / (n * n)
        }
        return pe == 1 ? 0 : (po - pe) / (1 - pe)
    }

    /// Mean negative log-likelihood of the true class, probabilities clipped to [ε, 1 − ε]
    /// (ε = machine epsilon, as scikit-learn).
    public static func logLoss(_ yTrue: [Int], probabilities: [[Double]]) -> Double {
        precondition(yTrue.count == probabilities.count && !yTrue.isEmpty)
        return logLoss(rows: yTrue.count) { r in (probabilities[r][yTrue[r]], probabilities[r].reduce(0, +)) }
    }

    /// The same over a row-major n × k buffer of probabilities (AutoML scores hundreds of blends in it).
    public static func logLoss(_ yTrue: [Int], flatProbabilities p: [Double], classes k: Int) -> Double {
        precondition(yTrue.count * k == p.count && !yTrue.isEmpty)
        return logLoss(rows: yTrue.count) { r in
            var sum = 0.0
            for c in 0..<k { sum += p[r * k + c] }
            return (p[r * k + yTrue[r]], sum)
        }
    }

    /// `row(r)`: the true class's probability and the row's total (the probabilities are normalised).
    private static func logLoss(rows n: Int, _ row: (Int) -> (truth: Double, total: Double)) -> Double {
        let eps = Double.ulpOfOne
        var total = 0.0
        for r in 0..<n {
            let (t, sum) = row(r)
            total -= log(min(max(t / sum, eps), 1 - eps))
        }
        return total / Double(n)
    }

    /// Mean squared difference between the positive-class probability and the 0/1 outcome.
    public static func brierScore(_ yTrue: [Int], positiveProbability: [Double], positive: Int = 1) -> Double {
        zip(yTrue, positiveProbability).reduce(0.0) { s, pair in
            let d = pair.1 - (pair.0 == positive ? 1 : 0)
            return s + d * d
        } / Double(yTrue.count)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
