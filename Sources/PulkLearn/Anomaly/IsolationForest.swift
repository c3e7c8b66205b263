import Foundation
public import PulkFrame

/// Isolation forest (Liu, Ting and Zhou 2008; scikit-learn's `IsolationForest`): trees grown on
/// small random samples with random features and random thresholds; an unusual row is isolated in
/// few splits. The score is 2^(−mean path length / c(ψ)), in (0, 1]: about 0.5 and below for
/// ordinary rows, near 1 for anomalies (scikit-learn's `score_samples` is its negative). The
/// medians and spreads that explain a flag come from a seeded sample of at most 100,000 training rows.
public struct IsolationForestEstimator: Estimator {
    public static let name = "isolation-forest"
    public static let summary = "Isolation forest anomaly detection (scikit-learn's IsolationForest); flags rows scoring above 0.5 or the contamination share."
    public static let task = Task.anomaly
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("n_estimators", aliases: ["num_trees"], .int(1...10_000), default: .int(100), doc: "Trees in the forest."),
        ParameterSpec("max_samples", .int(2...10_000_000), default: .int(256),
                      doc: "Rows drawn (without replacement) to grow each tree; at most the training rows. Trees stop at depth ⌈log₂ max_samples⌉."),
        contaminationSpec,
    ] + unsupervisedFeaturizationSpecs.filter { $0.name != "scale" }
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        try IsolationForestModel.restore(h, s, file: file)
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let training = frame.withoutLabel(target)
        let n = training.rowCount
        guard n > 0 else { throw .emptyTrainingData }
        let sample = min(parameters.int("max_samples"), n)
        let trees = parameters.int("n_estimators")
        let depthLimit = Int(ceil(log2(Double(max(sample, 2)))))
        // Each tree's rows, drawn from all rows; the robust profile's, a seeded sample of at most
        // 100,000. Only those rows are transformed (the featurization itself is fitted on all rows).
        var treeRows: [[Int]] = []
        for t in 0..<trees {
            var rng = SeededGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(t + 1))
            treeRows.append(Self.distinct(sample, of: n, rng: &rng))
        }
        let profileRows = KMeansEstimator.sample(rows: n, size: 100_000, seed: seed) ?? Array(0..<n)
        let needed = Array(Set(treeRows.joined()).union(profileRows)).sorted()
        let (pipeline, design) = try featurizeUnsupervised(training, parameters: parameters, rows: needed)
        let x = design.rowMajor(), names = design.names, d = names.count
        let position = Dictionary(uniqueKeysWithValues: needed.enumerated().map { ($1, $0) })
        let built = ResultSlots<IsolationTree>(count: trees)
        let shared = UncheckedSendable((x, treeRows.map { $0.map { position[$0]! } }))
        parallelFor(trees) { t in
            var rng = SeededGenerator(seed: seed &+ 0x51ED_2701 &* UInt64(t + 1))
            var rows = shared.value.1[t]
            built[t] = IsolationTree.grow(shared.value.0, d: d, rows: &rows, depthLimit: depthLimit, rng: &rng)
        }
        let profile = RobustProfile(x, rows: needed.count, names: names, sample: profileRows.count == n ? nil : profileRows.map { position[$0]! })
        var forest = IsolationForestModel(parameters: parameters, schema: FeatureSchema(frame: training, excluding: ""), pipeline: pipeline,
                                          profile: profile, threshold: 0.5, sample: sample, trees: built.values.map { $0! })
        // Scoring the training rows costs more than growing the trees: only a contamination needs it.
        let contamination = parameters.double("contamination")
        if contamination > 0 {
            let all = try pipeline.transform(training).rowMajor()
            forest.threshold = anomalyThreshold(forest.scores(all, rows: n), contamination: contamination, fallback: 0.5)
        }
        return forest
    }

    /// `count` distinct row numbers below `n`, in the order drawn (Floyd's algorithm when the sample
    /// is small beside `n`, a partial shuffle otherwise).
    static func distinct(_ count: Int, of n: Int, rng: inout SeededGenerator) -> [Int] {
        if count * 4 >= n {
            var all = Array(0..<n)
            for i in 0..<count { all.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
            return Array(all[..<count])
        }
        var seen = Set<Int>(), out: [Int] = []
        for j in (n - count)..<n {
            let r = Int(rng.next() % UInt64(j + 1))
            let pick = seen.contains(r) ? j : r
            seen.insert(pick)
            out.append(pick)
        }
        return out
    }
}

/// One tree, nodes in preorder (a split's left child follows it): a leaf has feature −1 and holds
/// its path length (its depth plus c(rows that reached it)).
struct IsolationTree: Sendable, Equatable {
    var feature: [Int32] = []
    /// Split threshold (rows with value ≤ threshold go left), or a leaf's path length.
    var value: [Double] = []
    var right: [Int32] = []

    /// A tree grown on `rows` of `x` (row-major, `d` columns; reordered).
    static func grow(_ x: [Double], d: Int, rows: inout [Int], depthLimit: Int, rng: inout SeededGenerator) -> IsolationTree {
        var tree = IsolationTree()
        tree.split(x, d: d, &rows, 0..<rows.count, depth: 0, limit: depthLimit, rng: &rng)
        return tree
    }

    /// Grows the node of `rows[range]` (reordered in place) and its subtree.
    mutating func split(_ x: [Double], d: Int, _ rows: inout [Int], _ range: Range<Int>, depth: Int, limit: Int, rng: inout SeededGenerator) {
        let node = feature.count
        feature.append(-1)
        value.append(Double(depth) + averagePathLength(range.count))
        right.append(-1)
        guard depth < limit, range.count > 1 else { return }
        // A random feature that varies here (features drawn in random order, as scikit-learn's
        // random splitter skips constant ones); none: the node is a leaf.
        var order = Array(0..<d)
        for j in 0..<d {
            order.swapAt(j, j + Int(rng.next() % UInt64(d - j)))
            let f = order[j]
            var lo = Double.infinity, hi = -Double.infinity
            for r in range { let v = x[rows[r] * d + f]; lo = min(lo, v); hi = max(hi, v) }
            guard hi > lo else { continue }
            var threshold = lo + (hi - lo) * (Double(rng.next() >> 11) / Double(1 << 53))
            if threshold >= hi { threshold = lo }
            // Partition: values ≤ threshold first.
            var m = range.lowerBound
            for r in range where x[rows[r] * d + f] <= threshold { rows.swapAt(r, m); m += 1 }
            feature[node] = Int32(f)
            value[node] = threshold
            split(x, d: d, &rows, range.lowerBound..<m, depth: depth + 1, limit: limit, rng: &rng)
            right[node] = Int32(feature.count)
            split(x, d: d, &rows, m..<range.upperBound, depth: depth + 1, limit: limit, rng: &rng)
            return
        }
    }

    /// The path length of one row (row-major, `d` values at `row`).
    @inline(__always)
    func pathLength(_ row: UnsafePointer<Double>, feature: UnsafePointer<Int32>, value: UnsafePointer<Double>, right: UnsafePointer<Int32>) -> Double {
        var node = 0
        while feature[node] >= 0 {
            node = row[Int(feature[node])] <= value[node] ? node + 1 : Int(right[node])
        }
        return value[node]
    }
}

/// The trees laid out for scoring: every node has both children (a leaf is its own child, with
/// feature 0 and an infinite threshold), and each tree is walked exactly its depth in steps.
struct FlatForest: Sendable {
    /// Each node's left then right child, relative to its tree's root.
    var feature: [Int32] = [], threshold: [Double] = [], children: [Int32] = [], leaf: [Double] = []
    var roots: [Int] = [], depths: [Int] = []

    init(_ trees: [IsolationTree]) {
        for t in trees {
            roots.append(feature.count)
            var depth = [Int](repeating: 0, count: t.feature.count)
            var deepest = 0
            for k in t.feature.indices {
                deepest = max(deepest, depth[k])
                if t.feature[k] >= 0 {
                    feature.append(t.feature[k])
                    threshold.append(t.value[k])
                    children += [Int32(k + 1), t.right[k]]
                    leaf.append(0)
                    depth[k + 1] = depth[k] + 1
                    depth[Int(t.right[k])] = depth[k] + 1
                } else {
                    feature.append(0)
                    threshold.append(.infinity)
                    children += [Int32(k), Int32(k)]
                    leaf.append(t.value[k])
                }
            }
            depths.append(deepest)
        }
    }
}

/// c(m): the average path length of an unsuccessful search in a binary search tree of m rows, which
/// normalises path lengths (scikit-learn's `_average_path_length`).
func averagePathLength(_ m: Int) -> Double {
    if m <= 1 { return 0 }
    if m == 2 { return 1 }
    let n = Double(m)
    return 2 * (log(n - 1) + 0.5772156649015329) - 2 * (n - 1) / n
}

struct IsolationForestModel: AnomalyScorer {
    var kind: String { IsolationForestEstimator.name }
    let parameters: Parameters
    let schema: FeatureSchema
    let pipeline: FeaturePipeline?
    let profile: RobustProfile
    var threshold: Double
    /// The rows each tree was grown on (ψ), which normalises path lengths.
    let sample: Int
    let trees: [IsolationTree]

    /// 2^(−mean path length / c(ψ)) of each row, on every core. Each tree is walked branch-free a
    /// fixed number of steps (its depth; a leaf leads to itself), four rows at a time, so the CPU
    /// neither mispredicts the random directions nor waits on one row's chain of loads.
    func scores(_ x: [Double], rows n: Int) -> [Double] {
        let d = profile.names.count
        var out = [Double](repeating: 0, count: n)
        let normaliser = averagePathLength(sample) * Double(trees.count)
        let flat = FlatForest(trees)
        let op = out.withUnsafeMutableBufferPointer { SharedPointer($0.baseAddress!) }
        let shared = UncheckedSendable((x, flat))
        let blocks = stride(from: 0, to: n, by: 512).map { $0..<min($0 + 512, n) }
        parallelFor(blocks.count) { b in
            let (x, flat) = shared.value
            let range = blocks[b]
            var total = [Double](repeating: 0, count: range.count)
            x.withUnsafeBufferPointer { xp in
                flat.feature.withUnsafeBufferPointer { fp in
                    flat.threshold.withUnsafeBufferPointer { tp in
                        flat.children.withUnsafeBufferPointer { cp in
                            do {
                                flat.leaf.withUnsafeBufferPointer { vp in
                                    total.withUnsafeMutableBufferPointer { acc in
                                        for t in 0..<flat.roots.count {
                                            let root = flat.roots[t], depth = flat.depths[t]
                                            let f = fp.baseAddress! + root, th = tp.baseAddress! + root
                                            let c = cp.baseAddress! + 2 * root, v = vp.baseAddress! + root
                                            var k = 0
                                            while k + 4 <= range.count {
                                                let x0 = xp.baseAddress! + (range.lowerBound + k) * d
                                                let x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
                                                var n0 = 0, n1 = 0, n2 = 0, n3 = 0
                                                for _ in 0..<depth {
                                                    // The direction as a number, not a branch: children[2n] left, [2n + 1] right.
                                                    n0 = Int(c[2 * n0 + (x0[Int(f[n0])] > th[n0] ? 1 : 0)])
                                                    n1 = Int(c[2 * n1 + (x1[Int(f[n1])] > th[n1] ? 1 : 0)])
                                                    n2 = Int(c[2 * n2 + (x2[Int(f[n2])] > th[n2] ? 1 : 0)])
                                                    n3 = Int(c[2 * n3 + (x3[Int(f[n3])] > th[n3] ? 1 : 0)])
                                                }
                                                acc[k] += v[n0]
                                                acc[k + 1] += v[n1]
                                                acc[k + 2] += v[n2]
                                                acc[k + 3] += v[n3]
                                                k += 4
                                            }
                                            while k < range.count {
                                                let x0 = xp.baseAddress! + (range.lowerBound + k) * d
                                                var n0 = 0
                                                for _ in 0..<depth { n0 = Int(c[2 * n0 + (x0[Int(f[n0])] > th[n0] ? 1 : 0)]) }
                                                acc[k] += v[n0]
                                                k += 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (k, i) in range.enumerated() { op.base[i] = pow(2, -total[k] / normaliser) }
        }
        return out
    }

    var state: ModelState {
        var s = profileState(profile, threshold: threshold)
        s.ints["sample"] = [Int64(sample)]
        s.ints["tree_sizes"] = trees.map { Int64($0.feature.count) }
        s.ints["features"] = trees.flatMap { $0.feature.map(Int64.init) }
        s.ints["right"] = trees.flatMap { $0.right.map(Int64.init) }
        s.doubles["values"] = trees.flatMap(\.value)
        return s
    }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let profile = try restoreProfile(pipeline, s, file: file)
        let sizes = try s.int("tree_sizes", file: file), features = try s.int("features", file: file)
        let right = try s.int("right", file: file), values = try s.double("values", file: file)
        guard let sample = try s.int("sample", file: file).first, sample >= 1, sample <= Int64(Int32.max) else {
            throw .corruptModelFile(file, reason: "the sample size is missing or out of range")
        }
        func bad(_ why: String) -> LearnError { .corruptModelFile(file, reason: why) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 && $0 <= Int64(features.count) }) else { throw bad("a tree has no nodes or more than the file") }
        var total = 0
        for size in sizes {
            let (sum, overflow) = total.addingReportingOverflow(Int(size))
            guard !overflow else { throw bad("the trees' sizes overflow") }
            total = sum
        }
        guard total == features.count, right.count == total, values.count == total else { throw bad("the trees' arrays differ in length") }
        let d = Int64(profile.names.count)
        var trees: [IsolationTree] = []
        var offset = 0
        for size in sizes.map(Int.init) {
            var tree = IsolationTree()
            for k in 0..<size {
                let f = features[offset + k], r = right[offset + k]
                // A split names a feature, and both children lie after it inside the tree; a leaf
                // has neither (so every walk moves forward and ends).
                if f >= 0 {
                    guard f < d, k + 1 < size, r > Int64(k + 1), r < Int64(size) else { throw bad("a split names a feature or child outside its tree") }
                } else {
                    guard f == -1, r == -1 else { throw bad("a leaf has a child") }
                }
                guard values[offset + k].isFinite else { throw bad("a node's value is not a number") }
                tree.feature.append(Int32(f))
                tree.right.append(Int32(r))
                tree.value.append(values[offset + k])
            }
            trees.append(tree)
            offset += size
        }
        return IsolationForestModel(parameters: h.parameters, schema: h.schema, pipeline: pipeline, profile: profile,
                                    threshold: try s.double("threshold", file: file).first ?? 0.5, sample: Int(sample), trees: trees)
    }
}
