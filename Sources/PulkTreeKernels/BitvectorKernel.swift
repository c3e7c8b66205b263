/// The bitvector predictor's scoring loops (PulkTrees' `BitvectorEnsemble` builds the tables and
/// describes the method). They live in a module of their own so that they can be compiled twice
/// from one source: inlined into PulkTrees for the build's baseline CPU, and into
/// PulkTreeKernelsAVX512 for AVX-512, which PulkTrees picks at run time when the CPU has it.
/// Everything here is `@inlinable` and `@inline(__always)` so that each copy is compiled
/// whole for its own CPU, but for `binCounts`, which both copies call in its baseline build.

/// The ensemble's tables as pointers, valid while the ensemble pins its arrays.
public struct BitvectorTables: @unchecked Sendable {
    /// Every used feature's sorted distinct thresholds: feature `f`'s from `thresholdStart[f]` to
    /// `thresholdStart[f + 1]`.
    public let thresholds: UnsafePointer<Double>
    public let thresholdStart: UnsafePointer<Int32>
    /// Per feature `f` and bin `b`, at `thresholdStart[f] + f + b`: how many of the feature's nodes
    /// (from `entryStart[f]` in `entries`) a value of bin `b` fails.
    public let failing: UnsafePointer<Int32>
    public let entryStart: UnsafePointer<Int32>
    /// Nodes sorted by threshold within each feature. Narrow (every tree ≤ 32 leaves): one word, the
    /// tree in the low half and its 32-bit mask in the high half; otherwise two, the tree then its mask.
    public let entries: UnsafePointer<UInt64>
    /// The nodes a missing value fails, per feature, laid out as `entries`.
    public let missingStart: UnsafePointer<Int32>
    public let missing: UnsafePointer<UInt64>
    /// The features some split uses (`used` of them); only those are read.
    public let usedFeatures: UnsafePointer<Int32>
    public let used: Int
    /// Per tree (`trees` of them): its leftmost leaf in `leafValues` (in leaves), and its score slot.
    public let leafStart: UnsafePointer<Int32>
    public let treeOutput: UnsafePointer<Int32>
    public let trees: Int
    public let leafValues: UnsafePointer<Double>
    public let leafOutputs: Int
    public let narrow: Bool
    /// Per feature, its `BinGuide`; the guides' buckets (their first bins); every feature's
    /// thresholds again, each followed by `BinGuide.width` `+infinity`.
    public let guides: UnsafePointer<BinGuide>
    public let guideStarts: UnsafePointer<UInt16>
    public let padded: UnsafePointer<Double>
    /// The narrow layout's nodes again, tree by tree (tree `t`'s from `treeNodeStart[t]`), three
    /// words each: the byte offset of its feature's failing counts in `Scratch.failing` (64 per used
    /// feature), its place in the feature's sorted nodes (a row fails it when its failing count is
    /// larger), its mask.
    public let treeNodes: UnsafePointer<UInt32>
    public let treeNodeStart: UnsafePointer<Int32>

    public init(thresholds: UnsafePointer<Double>, thresholdStart: UnsafePointer<Int32>, failing: UnsafePointer<Int32>,
                entryStart: UnsafePointer<Int32>, entries: UnsafePointer<UInt64>, missingStart: UnsafePointer<Int32>,
                missing: UnsafePointer<UInt64>, usedFeatures: UnsafePointer<Int32>, used: Int, leafStart: UnsafePointer<Int32>,
                treeOutput: UnsafePointer<Int32>, trees: Int, leafValues: UnsafePointer<Double>, leafOutputs: Int, narrow: Bool,
                guides: UnsafePointer<BinGuide>, guideStarts: UnsafePointer<UInt16>, padded: UnsafePointer<Double>,
                treeNodes: UnsafePointer<UInt32>, treeNodeStart: UnsafePointer<Int32>) {
        self.thresholds = thresholds; self.thresholdStart = thresholdStart; self.failing = failing
        self.entryStart = entryStart; self.entries = entries; self.missingStart = missingStart; self.missing = missing
        self.usedFeatures = usedFeatures; self.used = used; self.leafStart = leafStart; self.treeOutput = treeOutput
        self.trees = trees; self.leafValues = leafValues; self.leafOutputs = leafOutputs; self.narrow = narrow
        self.guides = guides; self.guideStarts = guideStarts; self.padded = padded
        self.treeNodes = treeNodes; self.treeNodeStart = treeNodeStart
    }

    /// Working memory for `scoreBlocks`: a block's failing counts (`blockRows` per used feature) and
    /// the masks (one `Lanes` vector per tree, or one word per tree row by row).
    public struct Scratch {
        public let counts: UnsafeMutablePointer<Int32>
        public let masks: UnsafeMutableRawPointer
        /// A lane group's failing counts, one `SIMD16<Int32>` per used feature (missing values: 0).
        public let failing: UnsafeMutableRawPointer

        @inlinable public init(counts: UnsafeMutablePointer<Int32>, masks: UnsafeMutableRawPointer, failing: UnsafeMutableRawPointer) {
            self.counts = counts
            self.masks = masks
            self.failing = failing
        }
    }

    /// Lends `body` scratch for `scoreBlocks` with blocks of `blockRows`, on the stack when small.
    @inlinable public func withScratch<R>(blockRows: Int, _ body: (Scratch) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: blockRows * max(used, 1)) { counts in
            withUnsafeTemporaryAllocation(byteCount: max(trees, 1) * MemoryLayout<Lanes>.stride, alignment: MemoryLayout<Lanes>.alignment) { masks in
                withUnsafeTemporaryAllocation(byteCount: max(used, 1) * MemoryLayout<SIMD16<Int32>>.stride,
                                              alignment: MemoryLayout<SIMD16<Int32>>.alignment) { failing in
                    body(Scratch(counts: counts.baseAddress!, masks: masks.baseAddress!, failing: failing.baseAddress!))
                }
            }
        }
    }

    /// A bin's failing count for a missing value (then the feature's missing list applies).
    public static let missingValue: Int32 = -1

    /// Rows the narrow layout scores at once, one per SIMD lane.
    public typealias Lanes = SIMD16<UInt32>
    /// Below this many rows left in a block, the narrow layout scores row by row.
    public static let fewRows = 4

    /// Adds the scores of blocks `range` (`blockRows` rows each, of `rows` given column-major at `x`)
    /// into `out` (`slots` per row, already holding the base scores).
    ///
    /// Trees of at most 32 leaves go `Lanes.scalarCount` rows at a time (after V-QuickScorer,
    /// Lucchese et al., SIGIR 2016): every tree's masks for those rows are one vector, built tree by
    /// tree in a register; a node ANDs its mask into the lanes of the rows it fails (its place among
    /// its feature's sorted nodes below their failing counts) and leaves the others alone. Wider
    /// trees, and the last few rows of a block, go row by row.
    ///
    /// The caller lends the scratch (`Scratch.withScratch`), so that nothing here is generic: a
    /// generic helper's specialization is one symbol shared by every module that emits it, and the
    /// linker would keep one copy, compiled for one CPU, for both kernels.
    @inlinable @inline(__always)
    public func scoreBlocks(_ range: Range<Int>, blockRows B: Int, rows: Int, slots: Int, x: UnsafePointer<Double>,
                            out: UnsafeMutablePointer<Double>, scratch: Scratch) {
        let L = Lanes.scalarCount
        let counts = scratch.counts, raw = scratch.masks
        for blk in range {
            let r0 = blk * B, count = min(rows, r0 + B) - r0
            let missingGuided = guidedCounts(x: x, rows: rows, from: r0, count: count, blockRows: B, into: counts)
            let missingSearched = binCounts(x: x, rows: rows, from: r0, count: count, blockRows: B, into: counts)
            let anyMissing = missingGuided || missingSearched
            guard narrow else {
                let words = raw.bindMemory(to: UInt64.self, capacity: trees)
                for r in 0..<count { scoreRow(r, counts, blockRows: B, masks: words, out: out + (r0 + r) * slots, slots: slots) }
                continue
            }
            // Lanes past the block's rows fail nothing.
            for u in 0..<used { for r in count..<B { counts[u * B + r] = 0 } }
            var g = 0
            while g < count {
                if count - g < Self.fewRows {
                    // A few rows (a one-row request) would leave most lanes idle.
                    let words = raw.bindMemory(to: UInt32.self, capacity: trees)
                    for r in g..<count { scoreRow(r, counts, blockRows: B, masks: words, out: out + (r0 + r) * slots, slots: slots) }
                    break
                }
                let masks = raw.bindMemory(to: Lanes.self, capacity: trees)
                // The lanes' failing counts per feature, a missing value's (-1) as 0: it fails
                // nothing here, its own list follows. (Sign arithmetic: a select on `c .< 0`
                // compiles to a lane-by-lane loop.)
                let failing = scratch.failing
                for u in 0..<used {
                    let c = UnsafeRawPointer(counts + u * B + g).loadUnaligned(as: SIMD16<Int32>.self)
                    failing.storeBytes(of: c & ~(c &>> 31), toByteOffset: u &* 64, as: SIMD16<Int32>.self)
                }
                // Tree by tree, the mask stays in a register: a node ANDs its mask into the lanes
                // that fail it (its place in its feature's sorted nodes below their count). Every
                // node is visited, but nothing is stored per node.
                for t in 0..<trees {
                    var acc = Lanes(repeating: ~0)
                    var q = UnsafeRawPointer(treeNodes + 3 &* Int(treeNodeStart[t]))
                    let end = UnsafeRawPointer(treeNodes + 3 &* Int(treeNodeStart[t &+ 1]))
                    while q < end {
                        let f = UnsafeRawPointer(failing).load(fromByteOffset: Int(q.load(as: UInt32.self)), as: SIMD16<Int32>.self)
                        let place = SIMD16<Int32>(repeating: q.load(fromByteOffset: 4, as: Int32.self))
                        acc &= Lanes(repeating: q.load(fromByteOffset: 8, as: UInt32.self)).replacing(with: ~0, where: f .<= place)
                        q += 12
                    }
                    masks[t] = acc
                }
                let lanes = min(L, count - g)
                if anyMissing {
                    for u in 0..<used {
                        let f = Int(usedFeatures[u])
                        for lane in 0..<lanes where counts[u * B + g + lane] < 0 {
                            let list = missing + Int(missingStart[f])
                            for k in 0..<Int(missingStart[f + 1] - missingStart[f]) {
                                let w = list[k]
                                masks[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: w))][lane] &= UInt32(truncatingIfNeeded: w >> 32)
                            }
                        }
                    }
                }
                let first = out + (r0 + g) * slots
                if slots == 1 && leafOutputs == 1 {
                    addLanes(masks, lanes: lanes, out: first)
                } else {
                    for lane in 0..<lanes {
                        addLeaves(out: first + lane * slots, slots: slots) { t in
                            raw.load(fromByteOffset: (t &* L &+ lane) &* 4, as: UInt32.self).trailingZeroBitCount
                        }
                    }
                }
                g += L
            }
        }
    }

    /// One score per row for a group of lanes: sixteen running sums in two vectors, each row's trees
    /// added in tree order as the other predictors add them (the doubles are the same), while sixteen
    /// independent chains of additions keep the core busy where one row's chain would wait on each add.
    @inlinable @inline(__always)
    func addLanes(_ masks: UnsafeMutablePointer<Lanes>, lanes: Int, out: UnsafeMutablePointer<Double>) {
        var low = SIMD8<Double>(), high = SIMD8<Double>()
        for lane in 0..<min(lanes, 8) { low[lane] = out[lane] }
        for lane in 8..<max(lanes, 8) { high[lane - 8] = out[lane] }
        let lv = leafValues
        for t in 0..<trees {
            // The row's leaf is its mask's lowest set bit (lanes past the rows keep all ones: leaf 0).
            let leaf = SIMD16<Int32>(truncatingIfNeeded: masks[t].trailingZeroBitCount) &+ leafStart[t]
            var a = SIMD8<Double>(), b = SIMD8<Double>()
            for j in 0..<8 {
                a[j] = lv[Int(leaf[j])]
                b[j] = lv[Int(leaf[j &+ 8])]
            }
            low += a
            high += b
        }
        for lane in 0..<min(lanes, 8) { out[lane] = low[lane] }
        for lane in 8..<max(lanes, 8) { out[lane] = high[lane - 8] }
    }

    /// Row `r` of a block alone, one mask word per tree: 32-bit masks for the narrow layout (a node is
    /// one word, tree low and mask high), 64-bit for the wide one (a node is two words).
    @inlinable @inline(__always)
    func scoreRow<M: FixedWidthInteger & UnsignedInteger>(_ r: Int, _ counts: UnsafePointer<Int32>, blockRows: Int,
                                                          masks: UnsafeMutablePointer<M>, out: UnsafeMutablePointer<Double>, slots: Int) {
        let stride = M.bitWidth == 32 ? 1 : 2
        masks.initialize(repeating: ~0, count: trees)
        for u in 0..<used {
            let c = Int(counts[u * blockRows + r]), f = Int(usedFeatures[u])
            let (nodes, n) = c >= 0 ? (entries + stride * Int(entryStart[f]), c)
                : (missing + stride * Int(missingStart[f]), Int(missingStart[f + 1] - missingStart[f]))
            for e in 0..<n {
                if stride == 1 {
                    let w = nodes[e]
                    masks[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: w))] &= M(truncatingIfNeeded: w >> 32)
                } else {
                    masks[Int(truncatingIfNeeded: nodes[2 &* e])] &= M(truncatingIfNeeded: nodes[2 &* e &+ 1])
                }
            }
        }
        addLeaves(out: out, slots: slots) { t in masks[t].trailingZeroBitCount }
    }

    /// `binCounts` for the features with a `BinGuide`, eight rows at a time (their bins by
    /// `BinGuide.bins`; the AVX-512 copy gathers the failing counts): on 100-row batches the
    /// predictor took 13% less time than with the binary search alone, and 9% less than with the
    /// guide one value at a time (BENCHMARKS.md). Transparent, because the optimizer called the baseline copy from the
    /// AVX-512 kernel when this was only `@inline(__always)`.
    @_transparent
    public func guidedCounts(x: UnsafePointer<Double>, rows: Int, from r0: Int, count: Int, blockRows: Int,
                             into counts: UnsafeMutablePointer<Int32>) -> Bool {
        var nan = false
        for u in 0..<used {
            let f = Int(usedFeatures[u]), guide = guides[f]
            guard guide.bucketStart >= 0 else { continue }
            let table = failing + Int(thresholdStart[f]) + f
            let t = padded + Int(guide.paddedStart), starts = guideStarts + Int(guide.bucketStart)
            let column = x + f * rows + r0, dst = counts + u * blockRows
            var r = 0
            while r &+ 8 <= count {
                let v = UnsafeRawPointer(column + r).loadUnaligned(as: SIMD8<Double>.self)
                let bins = guide.bins(v, padded: t, starts: starts)
                var c = SIMD8<Int32>()
                for j in 0..<8 { c[j] = table[Int(bins[j])] }
                // All ones in the lanes of NaN (magnitude bits above infinity's), by arithmetic: the
                // SIMD comparisons' masks compile to lane-by-lane loops here.
                let magnitude = unsafeBitCast(v, to: SIMD8<Int64>.self) & 0x7FFF_FFFF_FFFF_FFFF
                let missing = SIMD8<Int32>(truncatingIfNeeded: (0x7FF0_0000_0000_0000 &- magnitude) &>> 63)
                nan = nan || missing.min() < 0
                // missingValue is all ones.
                UnsafeMutableRawPointer(dst + r).storeBytes(of: c | missing, as: SIMD8<Int32>.self)
                r &+= 8
            }
            while r < count {
                let v = column[r]
                nan = nan || v.isNaN
                dst[r] = v.isNaN ? Self.missingValue : table[guide.bin(v, padded: t, starts: starts)]
                r &+= 1
            }
        }
        return nan
    }

    /// How many nodes each of rows `from..<from + count` fails, feature by feature, at
    /// `counts[u * blockRows + r]` (`missingValue` for a missing value); whether any value was missing.
    /// Only features without a `BinGuide` are binned here (by binary search); `guidedCounts` bins the others.
    ///
    /// The one loop of this module compiled once, for the baseline CPU, and called by both copies:
    /// compiled for AVX-512, LLVM turns the lockstep searches into gathers (`vgatherqpd`), each
    /// step waiting on the last, which measured slower than these sixteen scalar chains.
    @inline(never)
    public func binCounts(x: UnsafePointer<Double>, rows: Int, from r0: Int, count: Int, blockRows: Int,
                   into counts: UnsafeMutablePointer<Int32>) -> Bool {
        var nan = false
        for u in 0..<used {
            let f = Int(usedFeatures[u])
            // Features with a guide are binned by `guidedCounts`.
            if guides[f].bucketStart >= 0 { continue }
            let t = thresholds + Int(thresholdStart[f]), n = Int(thresholdStart[f + 1] - thresholdStart[f])
            let table = failing + Int(thresholdStart[f]) + f
            let column = x + f * rows + r0
            let dst = counts + u * blockRows
            // Branch-free lower bounds (how many thresholds lie below each value), sixteen rows in
            // lockstep (eight at the end of a block): every search takes the same steps, and sixteen
            // independent chains of loads keep the core busy where one would wait on each load.
            // Sixteen measured 1.3x eight on 100-row batches; thirty-two was three times slower
            // (BENCHMARKS.md).
            var r = 0
            while r &+ 16 <= count {
                let v = UnsafeRawPointer(column + r).loadUnaligned(as: SIMD8<Double>.self)
                let w = UnsafeRawPointer(column + (r &+ 8)).loadUnaligned(as: SIMD8<Double>.self)
                let (lo, hi) = Self.lowerBounds(t, n, v, w)
                let nanLow = Self.store(lo, of: v, table: table, to: dst + r), nanHigh = Self.store(hi, of: w, table: table, to: dst + (r &+ 8))
                nan = nan || nanLow || nanHigh
                r &+= 16
            }
            if r &+ 8 <= count {
                // Eight rows left: the same search with its second group a copy of the first.
                let v = UnsafeRawPointer(column + r).loadUnaligned(as: SIMD8<Double>.self)
                let nanLow = Self.store(Self.lowerBounds(t, n, v, v).0, of: v, table: table, to: dst + r)
                nan = nan || nanLow
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
                dst[r] = v.isNaN ? Self.missingValue : table[lo]
                r &+= 1
            }
        }
        return nan
    }

    /// How many of the `n` sorted thresholds at `t` lie below each of sixteen values, as two groups
    /// of eight branch-free binary searches in lockstep.
    @inline(__always)
    static func lowerBounds(_ t: UnsafePointer<Double>, _ n: Int, _ v: SIMD8<Double>, _ w: SIMD8<Double>) -> (SIMD8<Int>, SIMD8<Int>) {
        var lo = SIMD8<Int>(repeating: 0), hi = SIMD8<Int>(repeating: 0), len = n
        while len > 1 {
            let half = len >> 1
            for j in 0..<8 {
                lo[j] &+= half & below(t[lo[j] &+ half], v[j])
                hi[j] &+= half & below(t[hi[j] &+ half], w[j])
            }
            len &-= half
        }
        for j in 0..<8 {
            lo[j] &+= 1 & below(t[lo[j]], v[j])
            hi[j] &+= 1 & below(t[hi[j]], w[j])
        }
        return (lo, hi)
    }

    /// Eight rows' failing counts from their bins (`missingValue` for a missing value) at `dst`;
    /// whether any value was missing.
    @inline(__always)
    static func store(_ bins: SIMD8<Int>, of v: SIMD8<Double>, table: UnsafePointer<Int32>, to dst: UnsafeMutablePointer<Int32>) -> Bool {
        var nan = false
        for j in 0..<8 {
            nan = nan || v[j].isNaN
            dst[j] = v[j].isNaN ? missingValue : table[bins[j]]
        }
        return nan
    }

    /// Adds one row's leaves (tree `t`'s leaf is `leaf(t)`, counted from its leftmost) to its scores
    /// at `out`, in tree order, as the other predictors do.
    @inlinable @inline(__always)
    func addLeaves(out o: UnsafeMutablePointer<Double>, slots: Int, _ leaf: (Int) -> Int) {
        let lv = leafValues, k = leafOutputs
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
    @inlinable @inline(__always)
    static func below(_ t: Double, _ v: Double) -> Int { Int(Int64(bitPattern: (t - v).bitPattern) >> 63) }
}
