import PulkFrame
import PulkLearn

/// How trees grow; shared by boosting, forests and the single decision tree. Names follow LightGBM.
struct GrowthSettings: Sendable {
    var numLeaves: Int = 31
    /// No limit when ≤ 0.
    var maxDepth: Int = -1
    var minDataInLeaf: Int = 20
    var minSumHessianInLeaf: Double = 1e-3
    var lambdaL1: Double = 0
    var lambdaL2: Double = 0
    var minGainToSplit: Double = 0
    var maxCatToOnehot: Int = 4
    var maxCatThreshold: Int = 32
    var catL2: Double = 10
    var catSmooth: Double = 10
    var minDataPerGroup: Int = 100
    /// One random threshold per feature and node instead of the best one.
    var extraTrees: Bool = false
    /// Share of the tree's features considered at each node.
    var featureFractionByNode: Double = 1
    var threads: Int = defaultThreadCount()
}

/// 256 bits: the bins of a categorical split that go left.
struct BinSet: Sendable, Equatable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    @inline(__always) func contains(_ b: Int) -> Bool {
        let w: UInt64
        switch b >> 6 {
        case 0: w = words.0
        case 1: w = words.1
        case 2: w = words.2
        default: w = words.3
        }
        return (w >> UInt64(b & 63)) & 1 == 1
    }
    mutating func insert(_ b: Int) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }
    static func == (a: BinSet, b: BinSet) -> Bool { a.words == b.words }
}

/// The best split found for a leaf.
struct SplitCandidate {
    var gain = -Double.infinity
    var feature = -1
    var thresholdBin = 0
    var defaultLeft = false
    var categorical = false
    var leftBins = BinSet()
    /// Sums of the left child: gradients per output, hessian, rows.
    var leftG: [Double] = []
    var leftH = 0.0
    var leftCount = 0
}

/// A leaf while the tree grows: its rows are `indices[begin..<end]`.
struct GrowingLeaf {
    var begin: Int
    var end: Int
    var g: [Double]
    var h: Double
    var depth: Int
    var hist: Int = -1
    var best: SplitCandidate?
    /// The internal node that points at this leaf, and on which side (−1 for the root).
    var parent: Int = -1
    var isLeft = false
    var count: Int { end - begin }
}

/// Grows trees leaf by leaf on a binned matrix from per-row gradients and hessians: histograms are
/// built for the smaller child only (the larger is the parent minus it), rows are partitioned in
/// place, and both cores share the histogram and partition work.
final class Grower {
    let data: BinnedMatrix
    let settings: GrowthSettings
    /// Gradient values per row (1, or one per class for forest classifiers).
    let outputs: Int
    let stride: Int
    let histSize: Int
    /// Row indices: each leaf owns a contiguous range.
    let indices: UnsafeMutablePointer<Int32>
    private let scratch: UnsafeMutablePointer<Int32>
    private let pool: UnsafeMutablePointer<Double>
    private let poolSlots: Int
    private var freeSlots: [Int]
    private let transient: UnsafeMutablePointer<Double>
    /// The gradient and hessian of a leaf's rows in leaf order (one-output growth).
    private let ordered: UnsafeMutablePointer<SIMD2<Float>>
    private let offsets: UnsafeMutablePointer<Int>
    let binCounts: [Int]
    /// After `grow`, the leaves' row ranges (for updating scores without walking the tree).
    private(set) var leafRanges: [Range<Int>] = []

    init(data: BinnedMatrix, settings: GrowthSettings, outputs: Int = 1, memoryBudget: Int = 256 << 20) {
        self.data = data
        self.settings = settings
        self.outputs = outputs
        stride = outputs + 1
        histSize = data.totalBins * stride
        indices = .allocate(capacity: max(data.rows, 1))
        scratch = .allocate(capacity: max(data.rows, 1))
        let wanted = min(settings.numLeaves, 1 << 20)
        poolSlots = max(2, min(wanted, memoryBudget / max(histSize * 8, 1)))
        pool = .allocate(capacity: poolSlots * histSize)
        freeSlots = Array((0..<poolSlots).reversed())
        transient = .allocate(capacity: 2 * histSize)
        ordered = .allocate(capacity: max(data.rows, 1))
        offsets = .allocate(capacity: data.offsets.count)
        offsets.initialize(from: data.offsets, count: data.offsets.count)
        binCounts = data.bins.map(\.binCount)
    }

    deinit {
        indices.deallocate()
        scratch.deallocate()
        pool.deallocate()
        transient.deallocate()
        ordered.deallocate()
        offsets.deallocate()
    }

    // MARK: growth

    /// Grows one tree over the first `rowCount` entries of `indices` (the caller fills them: all
    /// rows, a bag, or a bootstrap's distinct rows). `grad` holds `outputs` values per row.
    func grow(rowCount: Int, grad: UnsafePointer<Float>, hess: UnsafePointer<Float>, featureMask: [Bool],
              rng: inout SeededGenerator) -> Tree {
        data.codes.withUnsafeBufferPointer { codes in
            grow(Context(codes: codes.baseAddress!, grad: grad, hess: hess, pairs: nil), rowCount: rowCount, featureMask: featureMask, rng: &rng)
        }
    }

    /// Grows a one-output tree from interleaved (gradient, hessian) pairs (boosting).
    func grow(rowCount: Int, pairs: UnsafePointer<SIMD2<Float>>, featureMask: [Bool], rng: inout SeededGenerator) -> Tree {
        precondition(outputs == 1)
        return data.codes.withUnsafeBufferPointer { codes in
            let none = UnsafePointer<Float>(bitPattern: 8)!
            return grow(Context(codes: codes.baseAddress!, grad: none, hess: none, pairs: pairs), rowCount: rowCount, featureMask: featureMask,
                        rng: &rng)
        }
    }

    private func grow(_ ctx: Context, rowCount: Int, featureMask: [Bool], rng: inout SeededGenerator) -> Tree {
        var tree = Tree(outputs: outputs)
        freeSlots = Array((0..<poolSlots).reversed())

        let rootSlot = freeSlots.removeLast()
        let rootHist = pool + rootSlot * histSize
        build(ctx, into: rootHist, begin: 0, end: rowCount)
        var (g, h) = sums(rootHist)
        if rowCount == 0 { g = [Double](repeating: 0, count: outputs); h = 0 }
        var leaves = [GrowingLeaf(begin: 0, end: rowCount, g: g, h: h, depth: 0, hist: rootSlot)]
        leaves[0].best = findBest(leaves[0], hist: rootHist, featureMask: featureMask, rng: &rng)
        if leaves[0].best == nil { release(&leaves[0]) }

        while leaves.count < settings.numLeaves {
            var pick = -1, bestGain = -Double.infinity
            for (i, l) in leaves.enumerated() { if let b = l.best, b.gain > bestGain { bestGain = b.gain; pick = i } }
            if pick < 0 { break }
            split(ctx, &leaves, pick, &tree, featureMask: featureMask, rng: &rng)
        }
        for i in leaves.indices { release(&leaves[i]) }
        // Leaf values and covers.
        tree.leafValue = []
        tree.leafCover = []
        for l in leaves {
            for k in 0..<outputs { tree.leafValue.append(leafOutput(l.g[k], l.h)) }
            tree.leafCover.append(Double(l.count))
        }
        leafRanges = leaves.map { $0.begin..<$0.end }
        return tree
    }

    private struct Context {
        let codes: UnsafePointer<UInt8>
        let grad: UnsafePointer<Float>
        let hess: UnsafePointer<Float>
        let pairs: UnsafePointer<SIMD2<Float>>?
    }

    private func release(_ leaf: inout GrowingLeaf) {
        if leaf.hist >= 0 { freeSlots.append(leaf.hist); leaf.hist = -1 }
    }

    @inline(__always) func threshold(_ g: Double) -> Double {
        let l1 = settings.lambdaL1
        if l1 == 0 { return g }
        return g > l1 ? g - l1 : (g < -l1 ? g + l1 : 0)
    }

    /// A leaf's output: −T(G) / (H + λ₂).
    func leafOutput(_ g: Double, _ h: Double) -> Double {
        let d = h + settings.lambdaL2
        return d > 0 ? -threshold(g) / d : 0
    }

    private func split(_ ctx: Context, _ leaves: inout [GrowingLeaf], _ li: Int, _ tree: inout Tree, featureMask: [Bool],
                       rng: inout SeededGenerator) {
        let leaf = leaves[li]
        let s = leaf.best!
        let bins = data.bins[s.feature]
        let nLeft = partition(ctx, begin: leaf.begin, end: leaf.end, split: s)
        // The new internal node.
        let node = tree.splitFeature.count
        let rightLeaf = leaves.count
        tree.splitFeature.append(s.feature)
        if s.categorical {
            tree.threshold.append(Tree.categoricalMark)
            tree.leftCategories.append((0..<bins.binCount).filter { s.leftBins.contains($0) }.map { bins.categories![$0] })
            tree.defaultLeft.append(false)
        } else {
            tree.threshold.append(bins.upperBounds[s.thresholdBin])
            tree.leftCategories.append([])
            tree.defaultLeft.append(s.defaultLeft)
        }
        tree.left.append(~li)
        tree.right.append(~rightLeaf)
        tree.gain.append(s.gain)
        tree.internalCover.append(Double(leaf.count))
        if leaf.parent >= 0 {
            if leaf.isLeft { tree.left[leaf.parent] = node } else { tree.right[leaf.parent] = node }
        }
        var l = GrowingLeaf(begin: leaf.begin, end: leaf.begin + nLeft, g: s.leftG, h: s.leftH, depth: leaf.depth + 1,
                            parent: node, isLeft: true)
        var r = GrowingLeaf(begin: leaf.begin + nLeft, end: leaf.end, g: zip(leaf.g, s.leftG).map { $0 - $1 }, h: leaf.h - s.leftH,
                            depth: leaf.depth + 1, parent: node, isLeft: false)
        // Histograms: the parent's (kept, or rebuilt into a transient buffer), the smaller child
        // built, the larger one by subtraction.
        let parentHist: UnsafeMutablePointer<Double>
        if leaf.hist >= 0 { parentHist = pool + leaf.hist * histSize } else {
            parentHist = transient
            build(ctx, into: parentHist, begin: leaf.begin, end: leaf.end)
        }
        let smallerIsLeft = l.count <= r.count
        let smallHist = transient + histSize
        if smallerIsLeft { build(ctx, into: smallHist, begin: l.begin, end: l.end) } else { build(ctx, into: smallHist, begin: r.begin, end: r.end) }
        for i in 0..<histSize { parentHist[i] -= smallHist[i] }
        let (largeHist, small) = (parentHist, smallHist)
        let lHist = smallerIsLeft ? small : largeHist, rHist = smallerIsLeft ? largeHist : small
        l.best = canSplit(l) ? findBest(l, hist: lHist, featureMask: featureMask, rng: &rng) : nil
        r.best = canSplit(r) ? findBest(r, hist: rHist, featureMask: featureMask, rng: &rng) : nil
        // Keep histograms of children that may split later.
        func keep(_ child: inout GrowingLeaf, _ hist: UnsafeMutablePointer<Double>, ownsParentSlot: Bool) {
            if ownsParentSlot {
                if child.best != nil { child.hist = leaf.hist } else { freeSlots.append(leaf.hist) }
                return
            }
            guard child.best != nil, let slot = freeSlots.popLast() else { return }
            (pool + slot * histSize).update(from: hist, count: histSize)
            child.hist = slot
        }
        let parentSlotKept = leaf.hist >= 0
        if smallerIsLeft {
            keep(&r, rHist, ownsParentSlot: parentSlotKept)
            keep(&l, lHist, ownsParentSlot: false)
        } else {
            keep(&l, lHist, ownsParentSlot: parentSlotKept)
            keep(&r, rHist, ownsParentSlot: false)
        }
        leaves[li] = l
        leaves.append(r)
    }

    func canSplit(_ l: GrowingLeaf) -> Bool {
        if settings.maxDepth > 0 && l.depth >= settings.maxDepth { return false }
        return l.count >= 2 * max(settings.minDataInLeaf, 1)
    }

    // MARK: histograms

    func buildForTesting(_ codes: UnsafePointer<UInt8>, _ pairs: UnsafePointer<SIMD2<Float>>, _ none: UnsafePointer<Float>,
                         _ out: UnsafeMutablePointer<Double>, _ count: Int) {
        build(Context(codes: codes, grad: none, hess: none, pairs: pairs), into: out, begin: 0, end: count)
    }

    /// Builds the histogram of rows `indices[begin..<end]` into `out`: the rows' gradients are first
    /// gathered into one contiguous buffer (LightGBM's ordered gradients), then each thread fills the
    /// histograms of its share of the features, four features per pass over the rows.
    private func build(_ ctx: Context, into out: UnsafeMutablePointer<Double>, begin: Int, end: Int) {
        let m = end - begin
        out.initialize(repeating: 0, count: histSize)
        let threads = m >= 4096 ? max(1, settings.threads) : 1
        let p = data.features
        if outputs == 1 {
            let ogp = SharedPointer(ordered), idx = SharedPointer(indices)
            let g = UncheckedSendable(ctx.grad), h = UncheckedSendable(ctx.hess), pairs = UncheckedSendable(ctx.pairs)
            let gather = { @Sendable (a: Int, b: Int) in
                if let gh = pairs.value {
                    for k in a..<b { ogp.base[k - begin] = gh[Int(idx.base[k])] }
                } else {
                    for k in a..<b { let r = Int(idx.base[k]); ogp.base[k - begin] = SIMD2<Float>(g.value[r], h.value[r]) }
                }
            }
            if threads > 1 && m >= 65_536 {
                parallelFor(threads, threads: threads) { t in gather(begin + m * t / threads, begin + m * (t + 1) / threads) }
            } else { gather(begin, end) }
        }
        let me = UncheckedSendable(self), c = UncheckedSendable(ctx), o = SharedPointer(out)
        let groups = min(threads, p)
        parallelFor(groups, threads: groups) { t in
            me.value.accumulate(c.value, into: o.base, begin: begin, end: end, features: (p * t / groups)..<(p * (t + 1) / groups))
        }
    }

    private func accumulate(_ ctx: Context, into out: UnsafeMutablePointer<Double>, begin: Int, end: Int, features: Range<Int>) {
        let n = data.rows, m = end - begin
        let idx = indices + begin, offs = offsets, codes = ctx.codes
        if outputs == 1 {
            let og = UnsafePointer(ordered)
            out.withMemoryRebound(to: SIMD2<Double>.self, capacity: histSize / 2) { hist in
                var j = features.lowerBound
                while j + 4 <= features.upperBound {
                    let c0 = codes + j * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n
                    let h0 = hist + offs[j], h1 = hist + offs[j + 1], h2 = hist + offs[j + 2], h3 = hist + offs[j + 3]
                    for k in 0..<m {
                        let r = Int(idx[k])
                        let gh = SIMD2<Double>(og[k])
                        h0[Int(c0[r])] += gh
                        h1[Int(c1[r])] += gh
                        h2[Int(c2[r])] += gh
                        h3[Int(c3[r])] += gh
                    }
                    j += 4
                }
                while j < features.upperBound {
                    let c0 = codes + j * n, h0 = hist + offs[j]
                    for k in 0..<m { h0[Int(c0[Int(idx[k])])] += SIMD2<Double>(og[k]) }
                    j += 1
                }
            }
            return
        }
        let kk = outputs, st = stride
        for j in features {
            let col = codes + j * n
            for k in 0..<m {
                let r = Int(idx[k])
                let g = ctx.grad + r * kk
                let cell = out + (offs[j] + Int(col[r])) * st
                for c in 0..<kk { cell[c] += Double(g[c]) }
                cell[kk] += Double(ctx.hess[r])
            }
        }
    }

    /// Gradient and hessian totals of a histogram (any feature's bins sum to them).
    private func sums(_ hist: UnsafeMutablePointer<Double>) -> ([Double], Double) {
        var g = [Double](repeating: 0, count: outputs), h = 0.0
        guard data.features > 0 else { return (g, h) }
        for b in 0..<(binCounts[0] + 1) {
            let cell = hist + b * stride
            for c in 0..<outputs { g[c] += cell[c] }
            h += cell[outputs]
        }
        return (g, h)
    }

    // MARK: partition

    /// Reorders `indices[begin..<end]` so rows going left come first (both sides keep their order);
    /// returns how many go left.
    private func partition(_ ctx: Context, begin: Int, end: Int, split s: SplitCandidate) -> Int {
        let m = end - begin
        let chunks = m >= 16_384 ? max(1, settings.threads) : 1
        let counts = ResultSlots<Int>(count: chunks)
        let n = data.rows, f = s.feature
        let missing = data.bins[f].missingBin
        let idx = SharedPointer(indices), tmp = SharedPointer(scratch)
        let codes = UncheckedSendable(ctx.codes + f * n)
        let thr = s.thresholdBin, catSplit = s.categorical, sets = s.leftBins
        let missingLeft = s.defaultLeft ? missing : -1
        parallelFor(chunks, threads: chunks) { c in
            let a = begin + m * c / chunks, b = begin + m * (c + 1) / chunks
            var nl = 0, nr = 0
            let src = idx.base, dst = tmp.base, col = codes.value
            // Branch-free: write the row to both ends, advance the side it belongs to.
            if catSplit {
                for k in a..<b {
                    let r = src[k]
                    let left = sets.contains(Int(col[Int(r)])) ? 1 : 0
                    dst[a + nl] = r
                    dst[b - 1 - nr] = r
                    nl += left
                    nr += 1 - left
                }
            } else {
                for k in a..<b {
                    let r = src[k]
                    let bin = Int(col[Int(r)])
                    let left = (bin <= thr ? 1 : 0) | (bin == missingLeft ? 1 : 0)
                    dst[a + nl] = r
                    dst[b - 1 - nr] = r
                    nl += left
                    nr += 1 - left
                }
            }
            counts[c] = nl
        }
        var out = begin
        let lefts = counts.values.map { $0! }
        for c in 0..<chunks {
            let a = begin + m * c / chunks
            (indices + out).update(from: scratch + a, count: lefts[c])
            out += lefts[c]
        }
        let totalLeft = out - begin
        for c in 0..<chunks {
            let a = begin + m * c / chunks, b = begin + m * (c + 1) / chunks
            let nr = (b - a) - lefts[c]
            for k in 0..<nr { indices[out + k] = scratch[b - 1 - k] }
            out += nr
        }
        return totalLeft
    }
}

extension Grower {
    /// The histogram of `rows` for interleaved (gradient, hessian) pairs, for tests of the builder.
    func histogram(rows: [Int32], pairs: [SIMD2<Float>]) -> [Double] {
        for (k, r) in rows.enumerated() { indices[k] = r }
        let out = UnsafeMutablePointer<Double>.allocate(capacity: histSize)
        defer { out.deallocate() }
        data.codes.withUnsafeBufferPointer { codes in
            pairs.withUnsafeBufferPointer { p in
                let none = UnsafePointer<Float>(bitPattern: 8)!
                buildForTesting(codes.baseAddress!, p.baseAddress!, none, out, rows.count)
            }
        }
        return Array(UnsafeBufferPointer(start: out, count: histSize))
    }
}
