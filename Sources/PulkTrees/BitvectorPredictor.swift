import PulkFrame

/// The fast predictor for ensembles of numeric splits with at most 64 leaves per tree (every
/// boosted model of LightGBM-like size; `FlatEnsemble`'s traversal serves the rest). It scores
/// a row without walking any tree, after QuickScorer (Lucchese et al., SIGIR 2015):
///
/// - Number each tree's leaves left to right; a row's leaf is the leftmost one that no split it
///   fails rules out. A node the row does not pass to the left ("false node") rules out the leaves of
///   its left subtree: one AND of the tree's 64-bit leaf mask with the node's mask. The row's leaf is
///   then the mask's lowest set bit.
/// - A node fails for value v when v > threshold. Sort every feature's nodes by threshold: the nodes
///   that fail are a prefix of that list, whose length is a table lookup once v's bin is known (the
///   number of the feature's distinct thresholds below v, found by a branch-free binary search).
///   A missing value fails exactly the feature's nodes that send missing values right (their own list).
///
/// So a row costs one AND per failing node (about half of all nodes) and one bit scan per tree,
/// with no unpredictable branch. Rows run in blocks of `blockRows` (bins feature by feature, eight
/// rows' searches in lockstep; then the masks), and blocks run on all cores. Trees of at most 32
/// leaves (the usual boosted model) take the masks sixteen rows at a time in SIMD lanes (see
/// `scoreBlocks`); wider trees row by row.
struct BitvectorEnsemble: Sendable {
    /// Every feature's sorted distinct thresholds back to back: feature `f`'s are
    /// `thresholds[thresholdStart[f]..<thresholdStart[f + 1]]`.
    let thresholds: [Double]
    let thresholdStart: [Int32]
    /// Per feature `f` and bin `b` (0…count of its thresholds), at `thresholdStart[f] + f + b`: how
    /// many of the feature's nodes (from `entryStart[f]` in `entries`) a value of bin `b` fails.
    let failing: [Int32]
    let entryStart: [Int32]
    /// One node per entry, sorted by threshold within each feature: when every tree has at most 32
    /// leaves (`narrow`), one word per node (the tree in the low half, its 32-bit mask in the high
    /// half); otherwise two (the tree, then its 64-bit mask).
    let entries: [UInt64]
    let narrow: Bool
    /// Per feature, the nodes a missing value fails: `missing[missingStart[f]..<missingStart[f + 1]]`,
    /// laid out as `entries`.
    let missingStart: [Int32]
    let missingEntries: [UInt64]
    /// The features some split uses; only those are read.
    let usedFeatures: [Int32]
    /// Per tree, the index of its leftmost leaf in `leafValues` (in leaves; `leafOutputs` values each).
    let leafStart: [Int32]
    let leafValues: [Double]
    let leafOutputs: Int
    /// The score slot each tree adds to (boosting: tree t → class t mod K).
    let treeOutput: [Int32]
    let features: Int

    /// A bin's failing count for a missing value (then the feature's missing list applies).
    static let missing: Int32 = -1

    /// nil when a split is categorical or at an infinite threshold, a tree has more than 64 leaves,
    /// or there are too many nodes.
    init?(trees: [Tree], features: Int, treeOutput: [Int]) {
        var perFeature = [Set<Double>](repeating: [], count: features)
        for t in trees {
            guard t.leafCount <= 64 else { return nil }
            for n in 0..<t.nodeCount {
                if !t.leftCategories[n].isEmpty || !t.threshold[n].isFinite { return nil }
                perFeature[t.splitFeature[n]].insert(t.threshold[n])
            }
        }
        guard trees.count < Int(UInt32.max) else { return nil }
        var thresholds: [Double] = [], thresholdStart: [Int32] = [0], used: [Int32] = []
        var rank: [[Double: Int]] = []
        for (f, set) in perFeature.enumerated() {
            let sorted = set.sorted()
            if !sorted.isEmpty { used.append(Int32(f)) }
            thresholds += sorted
            thresholdStart.append(Int32(thresholds.count))
            rank.append(Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) }))
        }
        // Leaves left to right, and each node's mask (zeros over its left subtree's leaves).
        var nodes = [[(rank: Int, tree: UInt32, mask: UInt64)]](repeating: [], count: features)
        var missingNodes = [[(tree: UInt32, mask: UInt64)]](repeating: [], count: features)
        let narrow = trees.allSatisfy { $0.leafCount <= 32 }
        var leafStart: [Int32] = [], leafValues: [Double] = []
        for (ti, t) in trees.enumerated() {
            let k = t.outputs
            leafStart.append(Int32(leafValues.count / max(k, 1)))
            var order: [Int] = []
            // Returns the leaf positions [lo, hi) under child reference c.
            func walk(_ c: Int) -> (Int, Int) {
                if c < 0 { order.append(~c); return (order.count - 1, order.count) }
                let (lo, mid) = walk(t.left[c])
                let (_, hi) = walk(t.right[c])
                let mask = ~(((1 as UInt64) << UInt64(mid - lo) &- 1) << UInt64(lo))
                let f = t.splitFeature[c]
                nodes[f].append((rank[f][t.threshold[c]]!, UInt32(ti), mask))
                if !t.defaultLeft[c] { missingNodes[f].append((UInt32(ti), mask)) }
                return (lo, hi)
            }
            _ = walk(t.nodeCount == 0 ? ~0 : 0)
            for leaf in order { leafValues += t.leafValue[(leaf * k)..<((leaf + 1) * k)] }
        }
        func pack(_ tree: UInt32, _ mask: UInt64) -> [UInt64] { narrow ? [UInt64(tree) | mask << 32] : [UInt64(tree), mask] }
        var failing: [Int32] = [], entryStart: [Int32] = [0], entries: [UInt64] = []
        var missingStart: [Int32] = [0], missingEntries: [UInt64] = []
        let stride = narrow ? 1 : 2
        for f in 0..<features {
            let sorted = nodes[f].enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element)
            var e = 0
            for b in 0...perFeature[f].count {
                // A value of bin b lies above thresholds 0..<b: it fails the nodes of rank < b.
                while e < sorted.count && sorted[e].rank < b { e += 1 }
                failing.append(Int32(e))
            }
            for n in sorted { entries += pack(n.tree, n.mask) }
            entryStart.append(Int32(entries.count / stride))
            for n in missingNodes[f] { missingEntries += pack(n.tree, n.mask) }
            missingStart.append(Int32(missingEntries.count / stride))
        }
        guard entries.count < Int(Int32.max) else { return nil }
        self.thresholds = thresholds
        self.thresholdStart = thresholdStart
        self.failing = failing
        self.entryStart = entryStart
        self.entries = entries
        self.narrow = narrow
        self.missingStart = missingStart
        self.missingEntries = missingEntries
        usedFeatures = used
        self.leafStart = leafStart
        self.leafValues = leafValues
        leafOutputs = trees.first?.outputs ?? 1
        self.treeOutput = treeOutput.map(Int32.init)
        self.features = features
    }

    /// Raw scores for `rows` rows given column-major (`x[f * rows + i]`), `slots` outputs per row
    /// starting from `base`; blocks of rows on all threads (one thread below `parallelRows`).
    func predict(columnMajor x: [Double], rows: Int, slots: Int, base: [Double], threads: Int = defaultThreadCount()) -> [Double] {
        x.withUnsafeBufferPointer { xb in
            let xp = UncheckedSendable(xb.baseAddress ?? UnsafePointer(bitPattern: 8)!)
            let me = self
            return scoreInBlocks(rows: rows, slots: slots, base: base, threads: threads) { range, out in
                me.scoreBlocks(range, rows: rows, slots: slots, x: xp.value, out: out)
            }
        }
    }

    /// Rows the narrow layout scores at once, one per SIMD lane.
    typealias Lanes = SIMD16<UInt32>
    /// Below this many rows left in a block, the narrow layout scores row by row.
    static let fewRows = 4

    /// Scores blocks `range`. Trees of at most 32 leaves go `Lanes.scalarCount` rows at a time (after
    /// V-QuickScorer, Lucchese et al., SIGIR 2016): every tree's masks for those rows are one vector,
    /// and a feature's sorted nodes are walked once for all of them, up to the longest failing prefix
    /// among them; a node ANDs its mask into the lanes of the rows it fails and leaves the others
    /// alone. That is twice the row-by-row loop's speed even on baseline SSE2, since one load of a node
    /// and one store serve every row. Wider trees, and the last few rows of a block, go row by row.
    private func scoreBlocks(_ range: Range<Int>, rows: Int, slots: Int, x: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>) {
        let B = blockRows, trees = leafStart.count, used = usedFeatures.count, L = Lanes.scalarCount
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: B * max(used, 1)) { countBuffer in
          // One vector per tree, or (row by row) one word per tree at the start.
          withUnsafeTemporaryAllocation(byteCount: max(trees, 1) * MemoryLayout<Lanes>.stride, alignment: MemoryLayout<Lanes>.alignment) { maskBytes in
            withTables { tables in
                let counts = countBuffer.baseAddress!, raw = maskBytes.baseAddress!
                for blk in range {
                    let r0 = blk * B, count = min(rows, r0 + B) - r0
                    let anyMissing = binCounts(tables, x: x, rows: rows, from: r0, count: count, into: counts)
                    guard narrow else {
                        let words = raw.bindMemory(to: UInt64.self, capacity: trees)
                        for r in 0..<count { scoreRow(r, counts, tables, masks: words, out: out + (r0 + r) * slots, slots: slots) }
                        continue
                    }
                    // Lanes past the block's rows fail nothing.
                    for u in 0..<used { for r in count..<B { counts[u * B + r] = 0 } }
                    var g = 0
                    while g < count {
                        if count - g < Self.fewRows {
                            // A few rows (a one-row request) would leave most lanes idle.
                            let words = raw.bindMemory(to: UInt32.self, capacity: trees)
                            for r in g..<count { scoreRow(r, counts, tables, masks: words, out: out + (r0 + r) * slots, slots: slots) }
                            break
                        }
                        let masks = raw.bindMemory(to: Lanes.self, capacity: trees)
                        masks.initialize(repeating: Lanes(repeating: ~0), count: trees)
                        for u in 0..<used {
                            let c = UnsafeRawPointer(counts + u * B + g).loadUnaligned(as: SIMD16<Int32>.self)
                            // A missing value's lane (-1) fails nothing here; its own list follows. (Sign
                            // arithmetic: a select on `c .< 0` compiles to a lane-by-lane loop.)
                            let failing = c & ~(c &>> 31)
                            let n = Int(failing.max())
                            let nodes = tables.entries + Int(entryStart[Int(usedFeatures[u])])
                            var e = SIMD16<Int32>(repeating: 0)
                            for k in 0..<n {
                                let w = nodes[k]
                                let t = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: w))
                                masks[t] &= Lanes(repeating: UInt32(truncatingIfNeeded: w >> 32)).replacing(with: ~0, where: e .>= failing)
                                e &+= 1
                            }
                        }
                        let lanes = min(L, count - g)
                        if anyMissing {
                            for u in 0..<used {
                                let f = Int(usedFeatures[u])
                                for lane in 0..<lanes where counts[u * B + g + lane] < 0 {
                                    let list = tables.missing + Int(missingStart[f])
                                    for k in 0..<Int(missingStart[f + 1] - missingStart[f]) {
                                        let w = list[k]
                                        masks[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: w))][lane] &= UInt32(truncatingIfNeeded: w >> 32)
                                    }
                                }
                            }
                        }
                        for lane in 0..<lanes {
                            addLeaves(tables, out: out + (r0 + g + lane) * slots, slots: slots) { t in
                                raw.load(fromByteOffset: (t &* L &+ lane) &* 4, as: UInt32.self).trailingZeroBitCount
                            }
                        }
                        g += L
                    }
                }
            }
          }
        }
    }

    /// Row `r` of a block alone, one mask word per tree: 32-bit masks for the narrow layout (a node is
    /// one word, tree low and mask high), 64-bit for the wide one (a node is two words).
    @inline(__always) private func scoreRow<M: FixedWidthInteger & UnsignedInteger>(_ r: Int, _ counts: UnsafePointer<Int32>, _ tables: Tables,
                                                                                    masks: UnsafeMutablePointer<M>, out: UnsafeMutablePointer<Double>, slots: Int) {
        let stride = M.bitWidth == 32 ? 1 : 2
        masks.initialize(repeating: ~0, count: leafStart.count)
        for u in 0..<usedFeatures.count {
            let c = Int(counts[u * blockRows + r]), f = Int(usedFeatures[u])
            let (nodes, n) = c >= 0 ? (tables.entries + stride * Int(entryStart[f]), c)
                : (tables.missing + stride * Int(missingStart[f]), Int(missingStart[f + 1] - missingStart[f]))
            for e in 0..<n {
                if stride == 1 {
                    let w = nodes[e]
                    masks[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: w))] &= M(truncatingIfNeeded: w >> 32)
                } else {
                    masks[Int(truncatingIfNeeded: nodes[2 &* e])] &= M(truncatingIfNeeded: nodes[2 &* e &+ 1])
                }
            }
        }
        addLeaves(tables, out: out, slots: slots) { t in masks[t].trailingZeroBitCount }
    }

    /// The predictor's arrays as pointers, for the length of `body`.
    struct Tables {
        let thresholds: UnsafePointer<Double>, failing: UnsafePointer<Int32>
        let entries: UnsafePointer<UInt64>, missing: UnsafePointer<UInt64>, leafValues: UnsafePointer<Double>
    }

    @inline(__always) private func withTables<R>(_ body: (Tables) -> R) -> R {
        thresholds.withUnsafeBufferPointer { tb in
          failing.withUnsafeBufferPointer { fb in
            entries.withUnsafeBufferPointer { eb in
              missingEntries.withUnsafeBufferPointer { mb in
                leafValues.withUnsafeBufferPointer { lvb in
                    let none = UnsafePointer<UInt64>(bitPattern: 8)!
                    return body(Tables(thresholds: tb.baseAddress ?? UnsafePointer(bitPattern: 8)!, failing: fb.baseAddress!,
                                       entries: eb.baseAddress ?? none, missing: mb.baseAddress ?? none, leafValues: lvb.baseAddress!))
                }
              }
            }
          }
        }
    }

    /// How many nodes each of rows `from..<from + count` fails, feature by feature, at
    /// `counts[u * blockRows + r]` (`missing` for a missing value); whether any value was missing.
    @inline(__always) private func binCounts(_ tables: Tables, x: UnsafePointer<Double>, rows: Int, from r0: Int, count: Int,
                                             into counts: UnsafeMutablePointer<Int32>) -> Bool {
        var nan = false
        for u in 0..<usedFeatures.count {
            let f = Int(usedFeatures[u])
            let t = tables.thresholds + Int(thresholdStart[f]), n = Int(thresholdStart[f + 1] - thresholdStart[f])
            let table = tables.failing + Int(thresholdStart[f]) + f
            let column = x + f * rows + r0
            let dst = counts + u * blockRows
            // Branch-free lower bounds (how many thresholds lie below each value), eight rows in
            // lockstep: every search takes the same steps, and eight independent chains of loads
            // keep the core busy where one would wait on each load.
            var r = 0
            while r &+ 8 <= count {
                let v = UnsafeRawPointer(column + r).loadUnaligned(as: SIMD8<Double>.self)
                var lo = SIMD8<Int>(repeating: 0), len = n
                while len > 1 {
                    let half = len >> 1
                    for j in 0..<8 { lo[j] &+= half & Self.below(t[lo[j] &+ half], v[j]) }
                    len &-= half
                }
                for j in 0..<8 {
                    lo[j] &+= 1 & Self.below(t[lo[j]], v[j])
                    nan = nan || v[j].isNaN
                    dst[r &+ j] = v[j].isNaN ? Self.missing : table[lo[j]]
                }
                r &+= 8
            }
            // The block's last rows one at a time (folding them into a padded group of eight measured
            // 5–13% slower).
            while r < count {
                let v = column[r]
                var lo = 0, len = n
                while len > 1 {
                    let half = len >> 1
                    lo &+= half & Self.below(t[lo &+ half], v)
                    len &-= half
                }
                lo &+= 1 & Self.below(t[lo], v)
                nan = nan || v.isNaN
                dst[r] = v.isNaN ? Self.missing : table[lo]
                r &+= 1
            }
        }
        return nan
    }

    /// Adds one row's leaves (tree `t`'s leaf is `leaf(t)`, counted from its leftmost) to its scores
    /// at `out`, in tree order, as the other predictors do.
    @inline(__always) private func addLeaves(_ tables: Tables, out o: UnsafeMutablePointer<Double>, slots: Int, _ leaf: (Int) -> Int) {
        let lv = tables.leafValues, trees = leafStart.count, k = leafOutputs
        if slots == 1 {
            // One sum in a register (adding into memory would chain every tree's add through a
            // store), in the order the other predictors add.
            var sum = o[0]
            for t in 0..<trees { sum += lv[Int(leafStart[t]) &+ leaf(t)] }
            o[0] = sum
        } else if k == 1 {
            for t in 0..<trees { o[Int(treeOutput[t])] += lv[Int(leafStart[t]) &+ leaf(t)] }
        } else {
            for t in 0..<trees {
                let first = (Int(leafStart[t]) + leaf(t)) * k
                for c in 0..<k { o[c] += lv[first + c] }
            }
        }
    }

    /// All ones when threshold `t` < value `v`, else 0, from the sign of t − v (exact: the difference
    /// of two finite doubles is zero only when they are equal; thresholds are finite). Arithmetic, not
    /// a comparison, because LLVM turns a select on a comparison with a loaded value into a jump,
    /// which mispredicts half the time here.
    @inline(__always) static func below(_ t: Double, _ v: Double) -> Int { Int(Int64(bitPattern: (t - v).bitPattern) >> 63) }
}
