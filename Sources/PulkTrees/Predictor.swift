import PulkFrame

/// One node of the flattened ensemble: 24 bytes, all trees' nodes in one contiguous array. Leaves are
/// nodes too ("sinks" whose children are themselves), so a row can take a fixed number of steps per
/// tree without branching on where it is.
struct FlatNode: Sendable {
    /// The threshold as an order-preserving integer key (see `FlatEnsemble.key`).
    var key: Int64 = 0
    var threshold: Double
    var feature: Int32
    /// Bit 0: missing values go left; bit 1: categorical (then `threshold` holds the start of the
    /// node's category bitset in `categoryWords`, and the word count is in `catWords`); bit 2: leaf
    /// (then `key` is the leaf's index into the leaf values and `feature` is 0).
    var flags: UInt16
    var catWords: UInt16
    var left: Int32
    var right: Int32

    static let missingLeft: UInt16 = 1, categorical: UInt16 = 2, leaf: UInt16 = 4
}

/// Every tree of an ensemble in one flat, cache-friendly layout for prediction. Batches run on both
/// cores in blocks of rows: each tree takes its depth in steps for all rows of a block at once, with
/// a select instead of a branch at every node (tree paths are unpredictable, so branches would
/// mispredict half the time). One row predicts without allocating.
struct FlatEnsemble: Sendable {
    let nodes: [FlatNode]
    /// Per tree, its root node and its depth (steps to reach any leaf).
    let roots: [Int32]
    let depths: [Int32]
    /// Per tree, the index of its first sink: a row whose node is at or past it has reached a leaf.
    let sinks: [Int32]
    /// `outputs` values per leaf.
    let leafValues: [Double]
    let categoryWords: [UInt64]
    /// Outputs per leaf (1 for boosting; the class count for forest classifiers).
    let leafOutputs: Int
    /// The score slot each tree adds to (boosting: tree t → class t mod K).
    let treeOutput: [Int32]
    let features: Int
    let hasCategorical: Bool
    /// The faster predictor when every split is numeric (see `BitvectorEnsemble`).
    let bitvector: BitvectorEnsemble?

    init(trees: [Tree], features: Int, treeOutput: [Int]) {
        var nodes: [FlatNode] = [], roots: [Int32] = [], depths: [Int32] = [], sinks: [Int32] = [], leaves: [Double] = [], words: [UInt64] = []
        for t in trees {
            let nodeBase = Int32(nodes.count), leafBase = Int32(leaves.count / t.outputs)
            // Internal nodes first, then one sink node per leaf.
            let sinkBase = nodeBase + Int32(t.nodeCount)
            func ref(_ c: Int) -> Int32 { c >= 0 ? nodeBase + Int32(c) : sinkBase + Int32(~c) }
            roots.append(t.nodeCount == 0 ? sinkBase : nodeBase)
            depths.append(Int32(t.depth))
            sinks.append(sinkBase)
            for n in 0..<t.nodeCount {
                var flags: UInt16 = t.defaultLeft[n] ? FlatNode.missingLeft : 0
                var threshold = t.threshold[n], count: UInt16 = 0
                let cats = t.leftCategories[n]
                if !cats.isEmpty || threshold.isNaN {
                    flags |= FlatNode.categorical
                    let size = (cats.max() ?? 0) / 64 + 1
                    var w = [UInt64](repeating: 0, count: size)
                    for c in cats { w[c / 64] |= 1 << UInt64(c % 64) }
                    threshold = Double(words.count)
                    count = UInt16(size)
                    words += w
                }
                nodes.append(FlatNode(key: flags & FlatNode.categorical == 0 ? Self.key(threshold) : 0, threshold: threshold, feature: Int32(t.splitFeature[n]), flags: flags, catWords: count,
                                      left: ref(t.left[n]), right: ref(t.right[n])))
            }
            for l in 0..<t.leafCount {
                let me = sinkBase + Int32(l)
                // Both children are the sink itself; `key` holds the leaf's index.
                nodes.append(FlatNode(key: Int64(leafBase) + Int64(l), threshold: .nan, feature: 0, flags: FlatNode.leaf, catWords: 0,
                                      left: me, right: me))
            }
            leaves += t.leafValue
        }
        nodes.append(FlatNode(key: 0, threshold: .nan, feature: 0, flags: FlatNode.leaf, catWords: 0, left: Int32(nodes.count), right: Int32(nodes.count)))
        leaves.append(0)
        self.nodes = nodes
        self.roots = roots
        self.depths = depths
        self.sinks = sinks
        leafValues = leaves
        categoryWords = words
        leafOutputs = trees.first?.outputs ?? 1
        self.treeOutput = treeOutput.map(Int32.init)
        self.features = features
        hasCategorical = nodes.contains { $0.flags & FlatNode.categorical != 0 }
        bitvector = BitvectorEnsemble(trees: trees, features: features, treeOutput: treeOutput)
    }

    /// Raw scores of a batch of inputs, `slots` outputs per row starting from `base`.
    func predict(_ inputs: TreeInputs, slots: Int, base: [Double], threads: Int = defaultThreadCount()) -> [Double] {
        if let bitvector { return bitvector.predict(columnMajor: inputs.columnMajor(), rows: inputs.rows, slots: slots, base: base, threads: threads) }
        return predict(rowMajor: inputs.rowMajor(), rows: inputs.rows, slots: slots, base: base, threads: threads)
    }

    /// Raw scores of rows given column-major (`x[f * rows + i]`, NaN for missing; numeric splits only
    /// read them, category codes too).
    func predict(columnMajor x: [Double], rows: Int, slots: Int, base: [Double], threads: Int = defaultThreadCount()) -> [Double] {
        if let bitvector { return bitvector.predict(columnMajor: x, rows: rows, slots: slots, base: base, threads: threads) }
        let p = features
        var rowMajor = [Double](repeating: 0, count: rows * p)
        for j in 0..<p { for i in 0..<rows { rowMajor[i * p + j] = x[j * rows + i] } }
        return predict(rowMajor: rowMajor, rows: rows, slots: slots, base: base, threads: threads)
    }

    /// The next node from `node` for value `v`.
    @inline(__always)
    static func step(_ node: FlatNode, _ v: Double, words: UnsafePointer<UInt64>) -> Int32 {
        if node.flags & categorical != 0 {
            var goLeft = false
            if v >= 0 && v < Double(Int(node.catWords) * 64) {
                let c = Int(v)
                goLeft = (words[Int(node.threshold) + c >> 6] >> UInt64(c & 63)) & 1 == 1
            }
            return goLeft ? node.left : node.right
        }
        let goLeft = v <= node.threshold || (v.isNaN && node.flags & missingLeft != 0)
        return goLeft ? node.left : node.right
    }
    private static let categorical = FlatNode.categorical, missingLeft = FlatNode.missingLeft

    /// An integer key that orders like the number (−0 and +0 equal; NaN above everything), so
    /// splits compare integers, which compile to selects rather than branches.
    @inline(__always)
    static func key(_ v: Double) -> Int64 {
        if v.isNaN { return Int64.max }
        if v == 0 { return 0 }
        let b = Int64(bitPattern: v.bitPattern)
        return b >= 0 ? b : b ^ Int64.max
    }

    /// The next node for a numeric split, computed with arithmetic instead of a branch.
    @inline(__always)
    static func numericStep(_ node: FlatNode, _ k: Int64) -> Int32 {
        let le: Int32 = k <= node.key ? 1 : 0
        let nan: Int32 = k == Int64.max ? 1 : 0
        let bit = le | (nan & Int32(node.flags & missingLeft))
        return node.right &+ (node.left &- node.right) &* bit
    }

    /// Raw scores for `rows` rows (row-major values), `slots` outputs per row, rows in parallel.
    func predict(rowMajor x: [Double], rows: Int, slots: Int, base: [Double], threads: Int = defaultThreadCount()) -> [Double] {
        let p = features, k = leafOutputs
        return x.withUnsafeBufferPointer { xb in
            nodes.withUnsafeBufferPointer { nb in
                leafValues.withUnsafeBufferPointer { lb in
                    categoryWords.withUnsafeBufferPointer { wb in
                        let xp = UncheckedSendable(xb.baseAddress ?? UnsafePointer(bitPattern: 8)!), np = UncheckedSendable(nb.baseAddress!)
                        let lp = UncheckedSendable(lb.baseAddress!)
                        let wp = UncheckedSendable(wb.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                        let me = self
                        return scoreInBlocks(rows: rows, slots: slots, base: base, threads: threads) { range, out in
                            me.scoreBlocks(range, rows: rows, p: p, k: k, slots: slots, x: xp.value, nodes: np.value,
                                           leaves: lp.value, words: wp.value, out: out)
                        }
                    }
                }
            }
        }
    }

    private func scoreBlocks(_ range: Range<Int>, rows: Int, p: Int, k: Int, slots: Int, x: UnsafePointer<Double>,
                             nodes: UnsafePointer<FlatNode>, leaves: UnsafePointer<Double>, words: UnsafePointer<UInt64>,
                             out: UnsafeMutablePointer<Double>) {
        var at = [Int32](repeating: 0, count: blockRows)
        var keyBuffer = [Int64](repeating: 0, count: blockRows * p)
        at.withUnsafeMutableBufferPointer { cur in
          keyBuffer.withUnsafeMutableBufferPointer { kb in
            let ks = kb.baseAddress!
            for blk in range {
                let r0 = blk * blockRows, count = min(rows, r0 + blockRows) - r0
                let xs = x + r0 * p
                if !hasCategorical { for i in 0..<(count * p) { ks[i] = Self.key(xs[i]) } }
                for t in 0..<roots.count {
                    let root = roots[t]
                    for r in 0..<count { cur[r] = root }
                    // Every row of the block takes the tree's depth in steps; a row at a leaf stays there.
                    if hasCategorical {
                        for _ in 0..<depths[t] {
                            for r in 0..<count {
                                let node = nodes[Int(cur[r])]
                                cur[r] = Self.step(node, xs[r &* p &+ Int(node.feature)], words: words)
                            }
                        }
                    } else {
                        // Leaf-wise trees are lopsided: stop once every row of the block sits in a leaf
                        // (checked at every level after the third).
                        let sink = sinks[t]
                        var level: Int32 = 0
                        let depth = depths[t]
                        while level < depth {
                            for r in 0..<count {
                                let node = nodes[Int(cur[r])]
                                cur[r] = Self.numericStep(node, ks[r &* p &+ Int(node.feature)])
                            }
                            level += 1
                            if level >= 3 {
                                var inside: Int32 = 0
                                for r in 0..<count { inside |= (cur[r] &- sink) >> 31 }
                                if inside == 0 { break }
                            }
                        }
                    }
                    if k == 1 {
                        let slot = Int(treeOutput[t])
                        for r in 0..<count { out[(r0 + r) * slots + slot] += leaves[Int(nodes[Int(cur[r])].key)] }
                    } else {
                        for r in 0..<count {
                            let leaf = Int(nodes[Int(cur[r])].key)
                            for c in 0..<k { out[(r0 + r) * slots + c] += leaves[leaf * k + c] }
                        }
                    }
                }
            }
          }
        }
    }

    /// Raw scores of one row, added into `out` (which holds the base scores); allocates nothing
    /// (scratch space is on the stack). Numeric ensembles walk eight trees at a time in lockstep.
    func predict(row x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        nodes.withUnsafeBufferPointer { nb in
            leafValues.withUnsafeBufferPointer { lb in
                categoryWords.withUnsafeBufferPointer { wb in
                    let np = nb.baseAddress!, lp = lb.baseAddress!, wp = wb.baseAddress ?? UnsafePointer(bitPattern: 8)!
                    let k = leafOutputs
                    @inline(__always) func add(_ t: Int, _ n: Int32) {
                        let leaf = Int(np[Int(n)].key)
                        if k == 1 { out[Int(treeOutput[t])] += lp[leaf] } else {
                            for c in 0..<k { out[c] += lp[leaf * k + c] }
                        }
                    }
                    if hasCategorical {
                        for t in 0..<roots.count {
                            var n = roots[t]
                            var node = np[Int(n)]
                            while node.flags & FlatNode.leaf == 0 {
                                n = Self.step(node, x[Int(node.feature)], words: wp)
                                node = np[Int(n)]
                            }
                            add(t, n)
                        }
                        return
                    }
                    withUnsafeTemporaryAllocation(of: Int64.self, capacity: features + 8) { buf in
                        let keys = buf.baseAddress!
                        for j in 0..<features { keys[j] = Self.key(x[j]) }
                        let cur = keys + features
                        var t0 = 0
                        let trees = roots.count
                        while t0 < trees {
                            let group = min(8, trees - t0)
                            var depth: Int32 = 0
                            for g in 0..<group { cur[g] = Int64(roots[t0 + g]); depth = max(depth, depths[t0 + g]) }
                            for _ in 0..<depth {
                                for g in 0..<group {
                                    let node = np[Int(cur[g])]
                                    cur[g] = Int64(Self.numericStep(node, keys[Int(node.feature)]))
                                }
                            }
                            for g in 0..<group { add(t0 + g, Int32(cur[g])) }
                            t0 += group
                        }
                    }
                }
            }
        }
    }
}

/// Rows per block of both predictors.
let blockRows = 64
/// Batches below this many rows are scored on the calling thread.
let parallelRows = 2048

/// `rows × slots` scores starting from `base`, filled by `score(blocks, out)` over ranges of
/// `blockRows`-row blocks: on all `threads` for a big batch, on the calling thread below
/// `parallelRows` (handing a scoring request's 100 rows to other cores costs more than
/// scoring them, and a server has other requests for those cores).
func scoreInBlocks(rows: Int, slots: Int, base: [Double], threads: Int,
                   _ score: @Sendable (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
    guard rows > 0 else { return [] }
    var out = [Double](repeating: 0, count: rows * slots)
    for i in 0..<rows { for c in 0..<slots { out[i * slots + c] = base[c] } }
    let blocks = (rows + blockRows - 1) / blockRows
    out.withUnsafeMutableBufferPointer { o in
        let op = SharedPointer(o.baseAddress!)
        let threads = rows < parallelRows ? 1 : threads
        let chunks = min(blocks, max(1, threads) * 8)
        parallelFor(chunks, threads: threads) { ch in score(blocks * ch / chunks..<blocks * (ch + 1) / chunks, op.base) }
    }
    return out
}
