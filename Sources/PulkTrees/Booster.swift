import Foundation
import PulkFrame
import PulkLearn

/// Settings of the boosting loop (LightGBM's names).
struct BoostingSettings: Sendable {
    var iterations = 100
    var learningRate = 0.1
    var featureFraction = 1.0
    var baggingFraction = 1.0
    var baggingFreq = 0
    var earlyStoppingRounds = 0
    /// A learning-core metric name, or "auto" for the objective's loss.
    var metric = "auto"
}

/// Training and validation data as the booster sees them.
struct BoostingData {
    var binned: BinnedMatrix
    /// Raw training columns (for rows outside a bag).
    var columns: [[Double]]
    var y: [Double]
    var weights: [Double]
    var validation: (columns: [[Double]], y: [Double])?
}

/// A fitted boosted ensemble: `iterations × outputs` trees, iteration-major.
struct BoostedEnsemble: Sendable {
    var trees: [Tree]
    var initScores: [Double]
    var outputs: Int
    var trainCurve: [Double]
    var validationCurve: [Double]
    var curveMetric: String
    /// Iterations kept (the best one with early stopping).
    var bestIteration: Int
}

/// Whether a larger value of a learning-core metric is better.
func higherIsBetter(_ metric: String) -> Bool {
    let lower: Set<String> = ["rmse", "mae", "mse", "median_absolute_error", "max_error", "mape", "smape", "rmsle", "log_loss",
                              "brier", "l2", "l1", "huber", "quantile", "poisson", "binary_logloss", "multi_logloss"]
    return !lower.contains(metric)
}

/// LightGBM's metric names mapped to the learning core's.
let metricAliases: [String: String] = [
    "auc": "roc_auc", "binary_logloss": "log_loss", "multi_logloss": "log_loss", "logloss": "log_loss", "cross_entropy": "log_loss",
    "l2": "mse", "mean_squared_error": "mse", "regression": "mse", "l2_root": "rmse", "root_mean_squared_error": "rmse",
    "l1": "mae", "mean_absolute_error": "mae", "binary_error": "error", "multi_error": "error", "average_precision": "average_precision",
]

/// Gradient boosting of histogram trees.
enum Boosting {
    static func fit(_ data: BoostingData, objective: ObjectiveSettings, growth: GrowthSettings, boosting b: BoostingSettings,
                    seed: UInt64) throws(LearnError) -> BoostedEnsemble {
        let n = data.y.count
        let f = ObjectiveFunction(s: objective, y: data.y, w: data.weights)
        let k = f.outputs
        let initScores = f.initialScores()
        var scores = [Double](repeating: 0, count: n * k)
        for c in 0..<k { for i in 0..<n { scores[c * n + i] = initScores[c] } }
        var gh = [SIMD2<Float>](repeating: .zero, count: n * k)
        let grower = Grower(data: data.binned, settings: growth)
        var rng = SeededGenerator(seed: seed)
        var trees: [Tree] = []
        var trainCurve: [Double] = [], validationCurve: [Double] = []

        // Validation: raw scores kept up to date tree by tree.
        let nv = data.validation?.y.count ?? 0
        var vScores = [Double](repeating: 0, count: nv * k)
        for c in 0..<k { for i in 0..<nv { vScores[c * nv + i] = initScores[c] } }
        let vf = data.validation.map { ObjectiveFunction(s: objective, y: $0.y, w: [Double](repeating: 1, count: $0.y.count)) }
        let metric = metricAliases[b.metric] ?? b.metric
        let curveMetric = metric == "auto" ? objective.objective.lossName : metric
        let higher = metric == "auto" ? false : higherIsBetter(metric)
        var bestValue = higher ? -Double.infinity : Double.infinity, bestIteration = 0

        var bag = Array(0..<Int32(n))
        let p = data.binned.features
        for iteration in 0..<b.iterations {
            // Rows for this iteration (bagging) and features for this tree.
            if b.baggingFreq > 0 && b.baggingFraction < 1 && iteration % b.baggingFreq == 0 {
                let take = max(1, Int(Double(n) * b.baggingFraction))
                var chosen = Array(0..<Int32(n))
                for i in 0..<take { chosen.swapAt(i, Int.random(in: i..<n, using: &rng)) }
                bag = Array(chosen.prefix(take)).sorted()
            }
            var mask = [Bool](repeating: true, count: p)
            if b.featureFraction < 1 {
                let keep = max(1, Int((Double(p) * b.featureFraction).rounded()))
                var order = Array(0..<p)
                order.shuffle(using: &rng)
                mask = [Bool](repeating: false, count: p)
                for j in order.prefix(keep) { mask[j] = true }
            }
            let previousLoss = scores.withUnsafeBufferPointer { s in
                gh.withUnsafeMutableBufferPointer { f.gradients(scores: s.baseAddress!, into: $0.baseAddress!, threads: growth.threads) }
            }
            if iteration > 0 { trainCurve.append(previousLoss) }
            // Rows outside this round's bag get their scores by walking each new tree.
            var outOfBag: [Int]?
            if bag.count < n {
                var inBag = [Bool](repeating: false, count: n)
                for r in bag { inBag[Int(r)] = true }
                outOfBag = (0..<n).filter { !inBag[$0] }
            }
            var grewAny = false
            for c in 0..<k {
                bag.withUnsafeBufferPointer { grower.indices.update(from: $0.baseAddress!, count: bag.count) }
                var tree = gh.withUnsafeBufferPointer { p in
                    grower.grow(rowCount: bag.count, pairs: p.baseAddress! + c * n, featureMask: mask, rng: &rng)
                }
                if objective.objective.renewsLeaves {
                    renew(&tree, ranges: grower.leafRanges, indices: grower.indices, y: data.y, w: data.weights, scores: scores,
                          alpha: objective.objective == .quantile ? objective.alpha : 0.5)
                }
                tree.scale(b.learningRate)
                if tree.nodeCount > 0 { grewAny = true }
                // Training scores: in-bag rows by their leaf ranges (disjoint rows, so the leaves are
                // shared among the threads), the others by walking the tree.
                let ranges = grower.leafRanges
                let values = tree.leafValue
                scores.withUnsafeMutableBufferPointer { sp in
                    let out = SharedPointer(sp.baseAddress! + c * n), idx = SharedPointer(grower.indices)
                    let chunks = ranges.count > 1 && bag.count >= 65_536 ? min(growth.threads, ranges.count) : 1
                    parallelFor(chunks, threads: chunks) { t in
                        for leaf in stride(from: t, to: ranges.count, by: chunks) {
                            let v = values[leaf]
                            for i in ranges[leaf] { out.base[Int(idx.base[i])] += v }
                        }
                    }
                }
                if let outOfBag {
                    for i in outOfBag {
                        scores[c * n + i] += tree.leafValue[tree.leaf(row: i, columns: data.columns)]
                    }
                }
                if let v = data.validation {
                    let t = tree
                    vScores.withUnsafeMutableBufferPointer { vs in
                        let out = SharedPointer(vs.baseAddress! + c * nv)
                        let blocks = max(1, min(growth.threads * 4, nv / 4096))
                        parallelFor(blocks, threads: growth.threads) { blk in
                            for i in (nv * blk / blocks)..<(nv * (blk + 1) / blocks) {
                                out.base[i] += t.leafValue[t.leaf(row: i, columns: v.columns)]
                            }
                        }
                    }
                }
                trees.append(tree)
            }
            if let v = data.validation, let vf {
                let value: Double
                if metric == "auto" {
                    value = vScores.withUnsafeBufferPointer { vf.loss(scores: $0.baseAddress!, threads: growth.threads) }
                } else {
                    value = try metricValue(metric, raw: vScores, y: v.y, objective: objective)
                }
                validationCurve.append(value)
                if higher ? value > bestValue : value < bestValue {
                    bestValue = value
                    bestIteration = iteration + 1
                } else if b.earlyStoppingRounds > 0 && iteration + 1 - bestIteration >= b.earlyStoppingRounds {
                    break
                }
            }
            if !grewAny { break }  // nothing left to learn: every tree of this round is a single leaf
        }
        trainCurve.append(scores.withUnsafeBufferPointer { f.loss(scores: $0.baseAddress!, threads: growth.threads) })
        let iterations = trees.count / k
        let kept = b.earlyStoppingRounds > 0 && data.validation != nil ? max(bestIteration, 1) : iterations
        return BoostedEnsemble(trees: Array(trees.prefix(kept * k)), initScores: initScores, outputs: k, trainCurve: trainCurve,
                               validationCurve: validationCurve, curveMetric: curveMetric, bestIteration: kept)
    }

    /// Refits leaf values to the α-percentile of the residuals of their rows (L1 and quantile objectives).
    static func renew(_ tree: inout Tree, ranges: [Range<Int>], indices: UnsafeMutablePointer<Int32>, y: [Double], w: [Double],
                      scores: [Double], alpha: Double) {
        for (leaf, r) in ranges.enumerated() where !r.isEmpty {
            let rows = r.map { Int(indices[$0]) }
            tree.leafValue[leaf] = weightedPercentile(rows.map { y[$0] - scores[$0] }, rows.map { w[$0] }, alpha)
        }
    }

    /// A learning-core metric of raw validation scores.
    static func metricValue(_ metric: String, raw: [Double], y: [Double], objective: ObjectiveSettings) throws(LearnError) -> Double {
        let n = y.count
        let values: [MetricValue]
        switch objective.objective {
        case .binary:
            let p = raw.map { 1 / (1 + exp(-$0)) }
            values = Evaluation.classification(y.map { Int($0) }, p.map { $0 > 0.5 ? 1 : 0 }, p.map { [1 - $0, $0] }, classCount: 2)
        case .multiclass:
            let k = objective.classes
            let prob = transformScores(raw, objective: .multiclass, rows: n, classes: k)
            let rows = (0..<n).map { i in (0..<k).map { prob[$0 * n + i] } }
            values = Evaluation.classification(y.map { Int($0) }, rows.map(Predictions.mostProbable), rows, classCount: k)
        default:
            values = Evaluation.regression(y, transformScores(raw, objective: objective.objective, rows: n, classes: 1))
        }
        var all = values
        if let acc = values.first(where: { $0.name == "accuracy" }) { all.append(MetricValue(name: "error", value: 1 - acc.value)) }
        guard let v = all.first(where: { $0.name == metric }) else {
            throw .badParameterValue(model: "gbdt", name: "metric", value: metric, expected: "one of auto, " + all.map(\.name).joined(separator: ", "))
        }
        return v.value
    }
}

extension Tree {
    /// The leaf of row `i` given column-major raw values.
    func leaf(row i: Int, columns: [[Double]]) -> Int {
        if splitFeature.isEmpty { return 0 }
        var n = 0
        while n >= 0 { n = goesLeft(node: n, columns[splitFeature[n]][i]) ? left[n] : right[n] }
        return ~n
    }
}
