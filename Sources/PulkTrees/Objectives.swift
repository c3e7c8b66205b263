import Foundation
import PulkFrame
import PulkLearn

/// What boosting minimises (LightGBM's `objective`).
enum Objective: String, Sendable, CaseIterable {
    case regression, regressionL1 = "regression_l1", huber, quantile, poisson, binary, multiclass

    /// LightGBM's names and aliases for each objective.
    static let aliases: [String: Objective] = [
        "regression": .regression, "regression_l2": .regression, "l2": .regression, "mean_squared_error": .regression,
        "mse": .regression, "l2_root": .regression, "root_mean_squared_error": .regression, "rmse": .regression,
        "regression_l1": .regressionL1, "l1": .regressionL1, "mean_absolute_error": .regressionL1, "mae": .regressionL1,
        "huber": .huber, "quantile": .quantile, "poisson": .poisson, "binary": .binary,
        "multiclass": .multiclass, "softmax": .multiclass,
    ]

    var task: Task { self == .binary || self == .multiclass ? .classification : .regression }

    /// LightGBM's name of the training loss shown in curves.
    var lossName: String {
        switch self {
        case .regression: return "l2"
        case .regressionL1: return "l1"
        case .huber: return "huber"
        case .quantile: return "quantile"
        case .poisson: return "poisson"
        case .binary: return "binary_logloss"
        case .multiclass: return "multi_logloss"
        }
    }

    /// The leaf values of L1 and quantile trees are refitted to a percentile of the residuals.
    var renewsLeaves: Bool { self == .regressionL1 || self == .quantile }
}

/// Settings of an objective.
struct ObjectiveSettings: Sendable {
    var objective: Objective
    var classes: Int
    /// Huber's δ and the quantile's α (LightGBM's `alpha`).
    var alpha: Double = 0.9
    var poissonMaxDeltaStep: Double = 0.7
    var boostFromAverage = true
}

/// Gradients, initial scores and losses for each objective. Scores are class-major: class k of row i
/// at `k * n + i`.
struct ObjectiveFunction: Sendable {
    let s: ObjectiveSettings
    /// Regression targets, or class indices as numbers.
    let y: [Double]
    /// Row weights (class weights, scale_pos_weight); all 1 when none.
    let w: [Double]

    var outputs: Int { s.objective == .multiclass ? s.classes : 1 }

    /// The starting score of each output (LightGBM's `boost_from_average`).
    func initialScores() -> [Double] {
        guard s.boostFromAverage else { return [Double](repeating: 0, count: outputs) }
        let sw = w.reduce(0, +)
        switch s.objective {
        case .regression, .huber:
            return [zip(y, w).reduce(0) { $0 + $1.0 * $1.1 } / sw]
        case .poisson:
            return [log(max(zip(y, w).reduce(0) { $0 + $1.0 * $1.1 } / sw, 1e-15))]
        case .regressionL1: return [weightedPercentile(y, w, 0.5)]
        case .quantile: return [weightedPercentile(y, w, s.alpha)]
        case .binary:
            let p = zip(y, w).reduce(0) { $0 + $1.0 * $1.1 } / sw
            let q = min(max(p, 1e-15), 1 - 1e-15)
            return [log(q / (1 - q))]
        case .multiclass:
            var counts = [Double](repeating: 0, count: s.classes)
            for (c, wi) in zip(y, w) { counts[Int(c)] += wi }
            return counts.map { log(max($0 / sw, 1e-15)) }
        }
    }

    /// Fills the (gradient, hessian) pairs (class-major for multiclass) from the current scores, rows
    /// in parallel, and returns the mean training loss at those scores (the previous round's curve point).
    @discardableResult
    func gradients(scores: UnsafePointer<Double>, into gh: UnsafeMutablePointer<SIMD2<Float>>?, threads: Int) -> Double {
        let n = y.count
        let blocks = max(1, min(threads * 4, n / 8192))
        let gp = UncheckedSendable(gh), sp = UncheckedSendable(scores)
        let me = self
        let partial = ResultSlots<Double>(count: blocks)
        y.withUnsafeBufferPointer { yb in
            w.withUnsafeBufferPointer { wb in
                let yv = UncheckedSendable(yb.baseAddress!), wv = UncheckedSendable(wb.baseAddress!)
                parallelFor(blocks, threads: threads) { b in
                    partial[b] = me.fill(a: n * b / blocks, b: n * (b + 1) / blocks, n: n, y: yv.value, w: wv.value, s: sp.value, gh: gp.value)
                }
            }
        }
        return partial.values.reduce(0) { $0 + $1! } / totalWeight
    }

    var totalWeight: Double { w.reduce(0, +) }

    /// The mean training loss (weighted) at the given scores: the gradient pass without writing gradients.
    func loss(scores: UnsafePointer<Double>, threads: Int = defaultThreadCount()) -> Double {
        gradients(scores: scores, into: nil, threads: threads)
    }

    private func fill(a: Int, b: Int, n: Int, y: UnsafePointer<Double>, w: UnsafePointer<Double>, s sc: UnsafePointer<Double>,
                      gh: UnsafeMutablePointer<SIMD2<Float>>?) -> Double {
        @inline(__always) func put(_ i: Int, _ g: Double, _ h: Double) { gh?[i] = SIMD2<Float>(Float(g), Float(h)) }
        var loss = 0.0
        switch s.objective {
        case .regression:
            for i in a..<b { let d = sc[i] - y[i]; put(i, d * w[i], w[i]); loss += d * d * w[i] }
        case .regressionL1:
            for i in a..<b { let d = sc[i] - y[i]; put(i, (d > 0 ? 1 : (d < 0 ? -1 : 0)) * w[i], w[i]); loss += abs(d) * w[i] }
        case .huber:
            let delta = s.alpha
            for i in a..<b {
                let d = sc[i] - y[i]
                put(i, (abs(d) <= delta ? d : (d > 0 ? delta : -delta)) * w[i], w[i])
                loss += (abs(d) <= delta ? 0.5 * d * d : delta * (abs(d) - 0.5 * delta)) * w[i]
            }
        case .quantile:
            let alpha = s.alpha
            for i in a..<b {
                put(i, (sc[i] >= y[i] ? 1 - alpha : -alpha) * w[i], w[i])
                let d = y[i] - sc[i]
                loss += (d >= 0 ? alpha * d : (alpha - 1) * d) * w[i]
            }
        case .poisson:
            let e = exp(s.poissonMaxDeltaStep)
            // exp of a score past 60 (a mean above 10^26) is held there: the gradients stay finite in
            // Float, so a diverging start (boost_from_average=false on large counts) recovers instead
            // of turning every sum into infinity.
            for i in a..<b { let m = exp(min(sc[i], 60)); put(i, (m - y[i]) * w[i], m * e * w[i]); loss += (m - y[i] * sc[i]) * w[i] }
        case .binary:
            for i in a..<b {
                let p = 1 / (1 + exp(-sc[i]))
                put(i, (p - y[i]) * w[i], max(p * (1 - p), 1e-16) * w[i])
                let q = y[i] == 1 ? p : 1 - p
                loss -= Double(log(Float(max(q, 1e-15)))) * w[i]
            }
        case .multiclass:
            let k = s.classes
            let factor = Double(k) / Double(k - 1)
            var p = [Double](repeating: 0, count: k)
            for i in a..<b {
                var mx = -Double.infinity
                for c in 0..<k { mx = max(mx, sc[c * n + i]) }
                var sum = 0.0
                for c in 0..<k { p[c] = exp(sc[c * n + i] - mx); sum += p[c] }
                let label = Int(y[i])
                loss -= (sc[label * n + i] - mx - log(sum)) * w[i]
                for c in 0..<k {
                    let q = p[c] / sum
                    put(c * n + i, (q - (c == label ? 1 : 0)) * w[i], max(factor * q * (1 - q), 1e-16) * w[i])
                }
            }
        }
        return loss
    }
}

/// The weighted α-percentile (LightGBM's `PercentileFun` without interpolation subtleties).
func weightedPercentile(_ v: [Double], _ w: [Double], _ alpha: Double) -> Double {
    guard !v.isEmpty else { return 0 }
    let order = v.indices.sorted { v[$0] < v[$1] }
    let total = w.reduce(0, +)
    var acc = 0.0
    for i in order {
        acc += w[i]
        if acc >= alpha * total { return v[i] }
    }
    return v[order.last!]
}

/// Turns raw scores into predictions: probabilities for classifiers, means for Poisson.
func transformScores(_ raw: [Double], objective: Objective, rows n: Int, classes k: Int) -> [Double] {
    switch objective {
    case .binary: return raw.map { 1 / (1 + exp(-$0)) }
    case .poisson: return raw.map { exp($0) }
    case .multiclass:
        var out = raw
        for i in 0..<n {
            var mx = -Double.infinity
            for c in 0..<k { mx = max(mx, raw[c * n + i]) }
            var sum = 0.0
            for c in 0..<k { out[c * n + i] = exp(raw[c * n + i] - mx); sum += out[c * n + i] }
            for c in 0..<k { out[c * n + i] /= sum }
        }
        return out
    default: return raw
    }
}
