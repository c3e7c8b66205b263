import Foundation
public import PulkFrame

/// HDBSCAN (Campello, Moulavi and Sander 2013; scikit-learn's `HDBSCAN`): DBSCAN over every radius at
/// once. A row's core distance is the distance to its `min_samples`-th nearest row (itself
/// included); two rows are as far apart as the larger of their distance and both core distances
/// (mutual reachability). The minimum spanning tree of that distance, cut at every height, is a
/// hierarchy of clusters; groups smaller than `min_cluster_size` that split off are noise, and the
/// clusters kept are those that persist longest (excess of mass, or the leaves). No radius is
/// needed and clusters may differ in density. Training labels are scikit-learn's (`algorithm=
/// "brute"`), numbered as it numbers them; a new row takes the cluster of the training row nearest in
/// mutual reachability among its `min_samples` nearest, or noise (−1) when that row is noise or the
/// new row is farther from it than its cluster ever reached; its distance is that mutual
/// reachability. Cost: the square of the rows in time, linear memory.
public struct HDBSCANEstimator: Estimator {
    public static let name = "hdbscan"
    public static let summary = "HDBSCAN hierarchical density clustering (scikit-learn's HDBSCAN): clusters of varying density without a radius, the rest noise (−1)."
    public static let task = Task.clustering
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("min_cluster_size", .int(2...10_000_000), default: .int(5),
                      doc: "The fewest rows a cluster has; a smaller group that splits off a cluster is noise."),
        ParameterSpec("min_samples", .int(0...100_000), default: .int(0),
                      doc: "Rows (the row itself included) whose farthest distance is a row's core distance: larger is more conservative, more rows noise; 0 takes min_cluster_size."),
        ParameterSpec("cluster_selection_method", .choice(["eom", "leaf"]), default: .string("eom"),
                      doc: "eom keeps the clusters that persist longest (excess of mass, scikit-learn's default); leaf keeps the smallest, most homogeneous ones at the tips of the hierarchy."),
        ParameterSpec("allow_single_cluster", .bool, default: .bool(false),
                      doc: "Let the whole data be one cluster when it has no lasting split (otherwise such data is all noise)."),
    ] + unsupervisedFeaturizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    /// `min_samples`, 0 meaning `min_cluster_size`.
    static func minSamples(_ p: Parameters) -> Int {
        let m = p.int("min_samples")
        return m > 0 ? m : p.int("min_cluster_size")
    }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let names = pipeline.outputNames, d = names.count
        let points = try s.double("points", file: file), core = try s.double("core_distances", file: file)
        let labels = try s.int("labels", file: file), births = try s.double("birth_lambdas", file: file)
        let n = core.count
        guard d > 0, points.count == n * d, labels.count == n, points.allSatisfy(\.isFinite), core.allSatisfy({ $0 >= 0 }),
              labels.allSatisfy({ $0 >= -1 && $0 < Int64(births.count) }), births.allSatisfy({ $0 >= 0 }) else {
            throw .corruptModelFile(file, reason: "the training rows do not match \(d) features, their core distances and clusters")
        }
        return HDBSCANModel(parameters: h.parameters, schema: h.schema, pipeline: pipeline, names: names, training: points, core: core,
                            labels: labels.map { Int($0) }, births: births)
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let training = frame.withoutLabel(target)
        guard training.rowCount > 0 else { throw .emptyTrainingData }
        let (pipeline, design) = try featurizeUnsupervised(training, parameters: parameters)
        let x = design.rowMajor(), n = design.rows, d = design.columns
        let m = Self.minSamples(parameters)
        guard m <= n else {
            throw .badParameterValue(model: Self.name, name: "min_samples", value: String(m), expected: "at most the \(n) training rows")
        }
        let result = Self.cluster(x, rows: n, columns: d, minClusterSize: parameters.int("min_cluster_size"), minSamples: m,
                                  leaf: parameters.string("cluster_selection_method") == "leaf",
                                  allowSingleCluster: parameters.bool("allow_single_cluster"))
        return HDBSCANModel(parameters: parameters, schema: FeatureSchema(frame: training, excluding: ""), pipeline: pipeline, names: design.names,
                            training: x, core: result.core, labels: result.labels, births: result.births)
    }

    /// The labels (−1 noise), each row's core distance, and each cluster's birth λ (1 / the mutual
    /// reachability at which it split off).
    struct Clustering {
        var labels: [Int]
        var core: [Double]
        var births: [Double]
    }

    static func cluster(_ x: [Double], rows n: Int, columns d: Int, minClusterSize: Int, minSamples: Int, leaf: Bool = false,
                        allowSingleCluster: Bool = false) -> Clustering {
        let found = Neighbors.search(x, rows: n, columns: d, queries: x, queryRows: n, k: minSamples, excludeSelf: false)
        let core = (0..<n).map { found.distances[$0 * minSamples + minSamples - 1] }
        guard n >= 2 else { return Clustering(labels: [Int](repeating: -1, count: n), core: core, births: []) }
        let tree = condense(singleLinkage(spanningTree(x, rows: n, columns: d, core: core), rows: n), rows: n, minClusterSize: minClusterSize)
        let (labels, births) = tree.select(leaf: leaf, allowSingleCluster: allowSingleCluster)
        return Clustering(labels: labels, core: core, births: births)
    }

    /// An edge of the spanning tree: `from` was in the tree when `to` joined it at `distance`.
    struct Edge { var from: Int; var to: Int; var distance: Double }

    /// Prim's minimum spanning tree of the mutual reachability, grown from row 0, computing each
    /// distance when it is needed (memory linear in the rows). Ties go as scikit-learn's dense Prim
    /// breaks them: a row's best link changes only for a strictly shorter one, and the next row is
    /// the first with the shortest link. Each step's scan runs on all cores.
    static func spanningTree(_ x: [Double], rows n: Int, columns d: Int, core: [Double]) -> [Edge] {
        var best = [Double](repeating: .infinity, count: n)
        var source = [Int](repeating: 0, count: n)
        var inTree = [Bool](repeating: false, count: n)
        var edges: [Edge] = []
        edges.reserveCapacity(n - 1)
        let blocks = max(1, min(defaultThreadCount(), n / 2048))
        let per = (n + blocks - 1) / blocks
        var blockBest = [(Double, Int)](repeating: (.infinity, -1), count: blocks)
        x.withUnsafeBufferPointer { xb in
            core.withUnsafeBufferPointer { cb in
                best.withUnsafeMutableBufferPointer { bb in
                    source.withUnsafeMutableBufferPointer { sb in
                        inTree.withUnsafeMutableBufferPointer { tb in
                            blockBest.withUnsafeMutableBufferPointer { kb in
                                let shared = UncheckedSendable((xb.baseAddress!, cb.baseAddress!))
                                let (bp, sp, tp, kp) = (SharedPointer(bb.baseAddress!), SharedPointer(sb.baseAddress!),
                                                        SharedPointer(tb.baseAddress!), SharedPointer(kb.baseAddress!))
                                var current = 0
                                for _ in 1..<n {
                                    tp.base[current] = true
                                    let from = current
                                    parallelFor(blocks, threads: blocks) { block in
                                        let (xs, cs) = shared.value
                                        let row = xs + from * d, coreFrom = cs[from]
                                        var minimum = Double.infinity, at = -1
                                        for j in (block * per)..<min(n, (block + 1) * per) where !tp.base[j] {
                                            let other = xs + j * d
                                            var s = 0.0
                                            for f in 0..<d { let t = row[f] - other[f]; s += t * t }
                                            let reach = Swift.max(coreFrom, cs[j], s.squareRoot())
                                            if reach < bp.base[j] { bp.base[j] = reach; sp.base[j] = from }
                                            if bp.base[j] < minimum || at < 0 { minimum = bp.base[j]; at = j }
                                        }
                                        kp.base[block] = (minimum, at)
                                    }
                                    var next = -1, distance = Double.infinity
                                    for b in 0..<blocks where kp.base[b].1 >= 0 && (next < 0 || kp.base[b].0 < distance) {
                                        (distance, next) = kp.base[b]
                                    }
                                    edges.append(Edge(from: sp.base[next], to: next, distance: distance))
                                    current = next
                                }
                            }
                        }
                    }
                }
            }
        }
        return edges
    }

    /// A merge of the single-linkage hierarchy: node `rows + i` joins `left` and `right` at `distance`.
    struct Merge { var left: Int; var right: Int; var distance: Double; var size: Int }

    /// The spanning tree's edges from shortest to longest (equal lengths in the tree's order) joined
    /// by union-find into the single-linkage hierarchy.
    static func singleLinkage(_ edges: [Edge], rows n: Int) -> [Merge] {
        let sorted = edges.enumerated().sorted { ($0.element.distance, $0.offset) < ($1.element.distance, $1.offset) }.map(\.element)
        var parent = Array(0..<(2 * n - 1)), size = [Int](repeating: 1, count: 2 * n - 1)
        func find(_ i: Int) -> Int {
            var root = i
            while parent[root] != root { root = parent[root] }
            var at = i
            while parent[at] != root { let up = parent[at]; parent[at] = root; at = up }
            return root
        }
        var merges: [Merge] = []
        merges.reserveCapacity(n - 1)
        for (i, e) in sorted.enumerated() {
            let a = find(e.from), b = find(e.to), node = n + i
            merges.append(Merge(left: a, right: b, distance: e.distance, size: size[a] + size[b]))
            parent[a] = node; parent[b] = node; size[node] = size[a] + size[b]
        }
        return merges
    }

    /// The hierarchy's nodes from `root` level by level (each node's left, then right child).
    static func levels(_ merges: [Merge], rows n: Int, from root: Int) -> [Int] {
        var order: [Int] = [], level = [root]
        while !level.isEmpty {
            order += level
            level = level.filter { $0 >= n }.flatMap { [merges[$0 - n].left, merges[$0 - n].right] }
        }
        return order
    }

    /// The condensed tree: clusters as they split (ids from `rows`, the root), rows as they fall out.
    struct CondensedTree {
        var rows: Int
        var parent: [Int] = [], child: [Int] = [], lambda: [Double] = [], childSize: [Int] = []

        mutating func add(_ p: Int, _ c: Int, _ l: Double, _ s: Int) { parent.append(p); child.append(c); lambda.append(l); childSize.append(s) }

        /// Each row's label and each selected cluster's birth λ, clusters numbered in the order of
        /// their ids (as scikit-learn numbers them).
        func select(leaf: Bool, allowSingleCluster: Bool) -> (labels: [Int], births: [Double]) {
            let root = rows
            guard let top = parent.max() else { return ([Int](repeating: -1, count: rows), []) }
            let clusters = top - root + 1
            var birth = [Double](repeating: 0, count: clusters)
            for i in parent.indices where child[i] >= root { birth[child[i] - root] = lambda[i] }
            birth[0] = 0
            var stability = [Double](repeating: 0, count: clusters)
            for i in parent.indices { stability[parent[i] - root] += (lambda[i] - birth[parent[i] - root]) * Double(childSize[i]) }
            var children = [[Int]](repeating: [], count: clusters)
            for i in parent.indices where childSize[i] > 1 { children[parent[i] - root].append(child[i] - root) }
            var selected = Set<Int>()
            if leaf {
                let leaves = (1..<clusters).filter { children[$0].isEmpty }
                selected = leaves.isEmpty ? (allowSingleCluster ? Set([0]) : Set<Int>()) : Set(leaves)
            } else {
                var chosen = [Bool](repeating: false, count: clusters)
                let candidates = allowSingleCluster ? Array((0..<clusters).reversed()) : Array((1..<clusters).reversed())
                for c in candidates { chosen[c] = true }
                for c in candidates {
                    let below = children[c].reduce(0.0) { $0 + stability[$1] }
                    if below > stability[c] {
                        chosen[c] = false
                        stability[c] = below
                    } else {
                        var stack = children[c]
                        while let s = stack.popLast() { chosen[s] = false; stack += children[s] }
                    }
                }
                selected = Set((0..<clusters).filter { chosen[$0] })
            }
            let numbering = Dictionary(uniqueKeysWithValues: selected.sorted().enumerated().map { ($0.element, $0.offset) })
            // A row's cluster: the nearest selected cluster at or above where it fell out; the root
            // (unless selected) means noise.
            var up = [Int](repeating: -1, count: clusters)
            for i in parent.indices where child[i] >= root { up[child[i] - root] = parent[i] - root }
            var labelOf = [Int](repeating: -1, count: clusters)
            for c in 0..<clusters {  // parents have smaller ids than their children
                if let number = numbering[c] { labelOf[c] = number } else if c > 0 { labelOf[c] = labelOf[up[c]] }
            }
            var labels = [Int](repeating: -1, count: rows)
            for i in parent.indices where child[i] < root { labels[child[i]] = labelOf[parent[i] - root] }
            if selected.contains(0) {
                // The whole data as one cluster (then the only one): rows that fell out before the
                // last of the root's own splits or fall-outs are noise (scikit-learn's rule).
                let last = parent.indices.filter { parent[$0] == root }.map { lambda[$0] }.max() ?? 0
                for i in parent.indices where child[i] < root && lambda[i] < last { labels[child[i]] = -1 }
            }
            let births = selected.sorted().map { birth[$0] }
            return (labels, births)
        }
    }

    /// Walks the hierarchy from its root: a split into two parts of at least `minClusterSize` rows
    /// makes two new clusters; a smaller part's rows fall out of the cluster at that λ.
    static func condense(_ merges: [Merge], rows n: Int, minClusterSize: Int) -> CondensedTree {
        let root = 2 * n - 2
        var tree = CondensedTree(rows: n)
        var relabel = [Int](repeating: 0, count: root + 1)
        relabel[root] = n
        var next = n + 1
        var ignore = [Bool](repeating: false, count: root + 1)
        func size(_ node: Int) -> Int { node >= n ? merges[node - n].size : 1 }
        func fallOut(_ part: Int, from cluster: Int, at lambda: Double) {
            for sub in levels(merges, rows: n, from: part) {
                if sub < n { tree.add(cluster, sub, lambda, 1) }
                ignore[sub] = true
            }
        }
        for node in levels(merges, rows: n, from: root) where !ignore[node] && node >= n {
            let m = merges[node - n]
            let lambda = m.distance > 0 ? 1 / m.distance : .infinity
            let (leftSize, rightSize) = (size(m.left), size(m.right))
            let cluster = relabel[node]
            switch (leftSize >= minClusterSize, rightSize >= minClusterSize) {
            case (true, true):
                relabel[m.left] = next; next += 1
                tree.add(cluster, relabel[m.left], lambda, leftSize)
                relabel[m.right] = next; next += 1
                tree.add(cluster, relabel[m.right], lambda, rightSize)
            case (false, false):
                fallOut(m.left, from: cluster, at: lambda)
                fallOut(m.right, from: cluster, at: lambda)
            case (false, true):
                relabel[m.right] = cluster
                fallOut(m.left, from: cluster, at: lambda)
            case (true, false):
                relabel[m.left] = cluster
                fallOut(m.right, from: cluster, at: lambda)
            }
        }
        return tree
    }
}

struct HDBSCANModel: PreprocessedClusterModel {
    var kind: String { HDBSCANEstimator.name }
    let parameters: Parameters
    let schema: FeatureSchema
    let pipeline: FeaturePipeline?
    let names: [String]
    /// The training rows (row-major, preprocessed), their core distances and labels.
    let training: [Double]
    let core: [Double]
    let labels: [Int]
    /// Each cluster's birth λ: a new row farther than 1 / λ from its nearest member is noise.
    let births: [Double]
    var clusterCount: Int { births.count }
    var hasCenters: Bool { false }

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let (x, _) = try points(frame)
        let n = frame.rowCount, d = names.count, rows = labels.count
        let k = min(HDBSCANEstimator.minSamples(parameters), rows)
        guard k > 0 else { return .clustering(clusters: [Int](repeating: -1, count: n), distances: [Double](repeating: .infinity, count: n)) }
        let found = Neighbors.search(training, rows: rows, columns: d, queries: x, queryRows: n, k: k, excludeSelf: false)
        var clusters = [Int](repeating: -1, count: n), distances = [Double](repeating: .infinity, count: n)
        for q in 0..<n {
            let ownCore = found.distances[q * k + k - 1]
            var reach = Double.infinity, nearest = -1
            for j in 0..<k {
                let i = found.indices[q * k + j]
                guard i >= 0 else { continue }
                let r = max(ownCore, core[i], found.distances[q * k + j])
                if r < reach || nearest < 0 { reach = r; nearest = i }
            }
            guard nearest >= 0 else { continue }
            distances[q] = reach
            let label = labels[nearest]
            if label >= 0, reach == 0 || 1 / reach >= births[label] { clusters[q] = label }
        }
        return .clustering(clusters: clusters, distances: distances)
    }

    var state: ModelState {
        ModelState(doubles: ["points": training, "core_distances": core, "birth_lambdas": births], ints: ["labels": labels.map(Int64.init)])
    }
}
