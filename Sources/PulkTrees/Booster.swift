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

/// Whether a larger value of a learning-core (or LightGBM) metric is better.
func higherIsBetter(_ metric: String) -> Bool { Evaluation.higherIsBetter(metric) }

/// LightGBM's metric names mapped to the learning core's.
let metricAliases: [String: String] = [
    "auc": "roc_auc", "binary_logloss": "log_loss", "multi_logloss": "log_loss", "logloss": "log_loss", "cross_entropy": "log_loss",
    "l2": "mse", "mean_squared_error": "mse", "regression": "mse", "l2_root": "rmse", "root_mean_squared_error": "rmse",
    "l1": "mae", "mean_absolute_error": "mae", "binary_error": "error", "multi_error": "error", "average_precision": "average_precision",
]

/// Gradient boosting of histogram trees.
enum Boosting {
    /// The boosting loop as LightGBM's `TrainOneIter` runs it, stage by stage: draw the bag and the
    /// features, compute gradients, then per output grow a tree, renew its leaves, shrink it and
    /// update the scores; evaluate and stop.
    static func fit(_ data: BoostingData, objective: ObjectiveSettings, growth: GrowthSettings, boosting b: BoostingSettings,
                    seed: UInt64) throws(LearnError) -> BoostedEnsemble {
        var run = BoostingRun(data, objective: objective, growth: growth, boosting: b, seed: seed)
        for iteration in 0..<b.iterations {
            run.drawBag(iteration: iteration)
            let features = run.drawFeatures()
            run.computeGradients()
            var grewAny = false
            for output in 0..<run.outputs {
                var tree = run.grow(output: output, features: features)
                run.renew(&tree)
                tree.scale(b.learningRate)
                if tree.nodeCount > 0 { grewAny = true }
                run.updateScores(with: tree, output: output)
                run.trees.append(tree)
            }
            if try run.evaluateAndStop(iteration: iteration) { break }
            if !grewAny { break }  // nothing left to learn: every tree of this round is a single leaf
        }
        return run.finish()
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

/// The state of one boosting fit and its stages (`Boosting.fit` calls them in order). A struct whose
/// arrays are reached through buffer pointers inside each stage, so the hot loops stay as fast as
/// one function's locals.
struct BoostingRun {
    let data: BoostingData
    let objective: ObjectiveSettings
    let growth: GrowthSettings
    let b: BoostingSettings
    let f: ObjectiveFunction
    let grower: Grower
    /// Outputs per round: one tree each (the classes of a multiclass model).
    let outputs: Int
    let n: Int
    let initScores: [Double]
    /// Raw training scores, output-major (`c * n + i`).
    var scores: [Double]
    /// Gradient and hessian per row and output.
    var gh: [SIMD2<Float>]
    var rng: SeededGenerator
    var trees: [Tree] = []
    var trainCurve: [Double] = []
    var validationCurve: [Double] = []
    /// This round's rows (sorted) and, when bagging leaves some out, the others.
    var bag: [Int32]
    var outOfBag: [Int]?
    // Validation: raw scores kept up to date tree by tree.
    let nv: Int
    var vScores: [Double]
    let vf: ObjectiveFunction?
    let metric: String
    let curveMetric: String
    let higher: Bool
    var bestValue: Double
    var bestIteration = 0

    init(_ data: BoostingData, objective: ObjectiveSettings, growth: GrowthSettings, boosting b: BoostingSettings, seed: UInt64) {
        self.data = data
        self.objective = objective
        self.growth = growth
        self.b = b
        n = data.y.count
        f = ObjectiveFunction(s: objective, y: data.y, w: data.weights)
        outputs = f.outputs
        initScores = f.initialScores()
        let (n, k) = (n, outputs)
        scores = [Double](repeating: 0, count: n * k)
        for c in 0..<k { for i in 0..<n { scores[c * n + i] = initScores[c] } }
        gh = [SIMD2<Float>](repeating: .zero, count: n * k)
        grower = Grower(data: data.binned, settings: growth)
        rng = SeededGenerator(seed: seed)
        bag = Array(0..<Int32(n))
        nv = data.validation?.y.count ?? 0
        vScores = [Double](repeating: 0, count: nv * k)
        for c in 0..<k { for i in 0..<nv { vScores[c * nv + i] = initScores[c] } }
        vf = data.validation.map { ObjectiveFunction(s: objective, y: $0.y, w: [Double](repeating: 1, count: $0.y.count)) }
        metric = metricAliases[b.metric] ?? b.metric
        curveMetric = metric == "auto" ? objective.objective.lossName : metric
        higher = metric == "auto" ? false : higherIsBetter(metric)
        bestValue = higher ? -Double.infinity : Double.infinity
    }

    /// Bagging: every `bagging_freq` rounds, a new sample of `bagging_fraction` of the rows.
    mutating func drawBag(iteration: Int) {
        guard b.baggingFreq > 0 && b.baggingFraction < 1 && iteration % b.baggingFreq == 0 else { return }
        let take = max(1, Int(Double(n) * b.baggingFraction))
        var chosen = Array(0..<Int32(n))
        for i in 0..<take { chosen.swapAt(i, Int.random(in: i..<n, using: &rng)) }
        bag = Array(chosen.prefix(take)).sorted()
        var inBag = [Bool](repeating: false, count: n)
        for r in bag { inBag[Int(r)] = true }
        outOfBag = (0..<n).filter { !inBag[$0] }
    }

    /// Feature sampling: the features this round's trees may use (`feature_fraction`).
    mutating func drawFeatures() -> [Bool] {
        let p = data.binned.features
        guard b.featureFraction < 1 else { return [Bool](repeating: true, count: p) }
        let keep = max(1, Int((Double(p) * b.featureFraction).rounded()))
        var order = Array(0..<p)
        order.shuffle(using: &rng)
        var mask = [Bool](repeating: false, count: p)
        for j in order.prefix(keep) { mask[j] = true }
        return mask
    }

    /// Gradients and hessians of every row and output at the current scores; the training loss at
    /// those scores joins the curve (from the second round: the first is the initial score's).
    mutating func computeGradients() {
        let f = self.f, threads = growth.threads
        let previousLoss = scores.withUnsafeBufferPointer { s in
            gh.withUnsafeMutableBufferPointer { f.gradients(scores: s.baseAddress!, into: $0.baseAddress!, threads: threads) }
        }
        if !trees.isEmpty { trainCurve.append(previousLoss) }
    }

    /// One tree for `output`, grown leaf-wise on the bag's rows over the allowed features.
    mutating func grow(output c: Int, features: [Bool]) -> Tree {
        let grower = self.grower, n = self.n
        bag.withUnsafeBufferPointer { grower.indices.update(from: $0.baseAddress!, count: $0.count) }
        let rows = bag.count
        return gh.withUnsafeBufferPointer { p in
            grower.grow(rowCount: rows, pairs: p.baseAddress! + c * n, featureMask: features, rng: &rng)
        }
    }

    /// L1 and quantile objectives refit each leaf to a percentile of its rows' residuals.
    func renew(_ tree: inout Tree) {
        guard objective.objective.renewsLeaves else { return }
        Boosting.renew(&tree, ranges: grower.leafRanges, indices: grower.indices, y: data.y, w: data.weights, scores: scores,
                       alpha: objective.objective == .quantile ? objective.alpha : 0.5)
    }

    /// Adds a (shrunk) tree of `output` to the scores: in-bag rows by their leaf ranges (disjoint
    /// rows, so the leaves are shared among the threads), out-of-bag and validation rows by walking it.
    mutating func updateScores(with tree: Tree, output c: Int) {
        let n = self.n, threads = growth.threads
        let ranges = grower.leafRanges
        let values = tree.leafValue
        let rows = bag.count
        let indices = grower.indices
        scores.withUnsafeMutableBufferPointer { sp in
            let out = SharedPointer(sp.baseAddress! + c * n), idx = SharedPointer(indices)
            let chunks = ranges.count > 1 && rows >= 65_536 ? min(threads, ranges.count) : 1
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
            let nv = self.nv
            vScores.withUnsafeMutableBufferPointer { vs in
                let out = SharedPointer(vs.baseAddress! + c * nv)
                let blocks = max(1, min(threads * 4, nv / 4096))
                parallelFor(blocks, threads: threads) { blk in
                    for i in (nv * blk / blocks)..<(nv * (blk + 1) / blocks) {
                        out.base[i] += tree.leafValue[tree.leaf(row: i, columns: v.columns)]
                    }
                }
            }
        }
    }

    /// The validation metric after this round joins its curve; true when early stopping says stop.
    mutating func evaluateAndStop(iteration: Int) throws(LearnError) -> Bool {
        guard let v = data.validation, let vf else { return false }
        let value: Double
        if metric == "auto" {
            let threads = growth.threads
            value = vScores.withUnsafeBufferPointer { vf.loss(scores: $0.baseAddress!, threads: threads) }
        } else {
            value = try Boosting.metricValue(metric, raw: vScores, y: v.y, objective: objective)
        }
        validationCurve.append(value)
        if higher ? value > bestValue : value < bestValue {
            bestValue = value
            bestIteration = iteration + 1
            return false
        }
        return b.earlyStoppingRounds > 0 && iteration + 1 - bestIteration >= b.earlyStoppingRounds
    }

    /// The ensemble: the final training loss closes its curve; with early stopping, the trees up to
    /// the best round.
    func finish() -> BoostedEnsemble {
        let threads = growth.threads, f = self.f
        var trainCurve = self.trainCurve
        trainCurve.append(scores.withUnsafeBufferPointer { f.loss(scores: $0.baseAddress!, threads: threads) })
        let iterations = trees.count / outputs
        let kept = b.earlyStoppingRounds > 0 && data.validation != nil ? max(bestIteration, 1) : iterations
        return BoostedEnsemble(trees: Array(trees.prefix(kept * outputs)), initScores: initScores, outputs: outputs, trainCurve: trainCurve,
                               validationCurve: validationCurve, curveMetric: curveMetric, bestIteration: kept)
    }
}
