import Foundation
import PulkFrame
import PulkTreeKernels
import PulkTreeKernelsAVX512
import CPulkCPU

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
///   number of the feature's distinct thresholds below v, found through the feature's `BinGuide`,
///   or by a branch-free binary search when its thresholds crowd too closely for one).
///   A missing value fails exactly the feature's nodes that send missing values right (their own list).
///
/// So a row costs one AND per failing node (about half of all nodes) and one bit scan per tree,
/// with no unpredictable branch. Rows run in blocks of `blockRows` (bins feature by feature, eight
/// rows' searches in lockstep; then the masks), and blocks run on all cores. Trees of at most 32
/// leaves (the usual boosted model) take the masks sixteen rows at a time in SIMD lanes, tree by
/// tree (`treeNodes`: one masked AND per node for all sixteen rows); wider trees row by row. The loops are PulkTreeKernels' `BitvectorTables.scoreBlocks`, in the copy
/// compiled for this CPU (`TreeKernel`).
struct BitvectorEnsemble: Sendable {
    /// Every feature's sorted distinct thresholds back to back (feature `f`'s from its
    /// `thresholdStart`; `BitvectorTables` describes each table).
    let thresholds: [Double]
    /// Per feature and bin: how many of the feature's nodes a value of that bin fails.
    let failing: [Int32]
    /// One node per entry, sorted by threshold within each feature: when every tree has at most 32
    /// leaves (`narrow`), one word per node (the tree in the low half, its 32-bit mask in the high
    /// half); otherwise two (the tree, then its 64-bit mask).
    let entries: [UInt64]
    let narrow: Bool
    /// Per feature, the nodes a missing value fails, laid out as `entries`.
    let missingEntries: [UInt64]
    /// Per tree, its leftmost leaf's values (`leafOutputs` each).
    let leafValues: [Double]
    let leafOutputs: Int
    /// The small index tables back to back (where each starts: `layout`): per feature where its
    /// thresholds, nodes and missing nodes start; the features some split uses (only those are
    /// read); per tree where its leaves start and the score slot it adds to (boosting: tree t →
    /// class t mod K).
    let starts: [Int32]
    let layout: Layout
    let features: Int
    /// Per feature, its guide from a value to its bin (`BinGuide`: most features have one, the
    /// others are searched), the guides' buckets, and the thresholds padded for the guides.
    let guides: [BinGuide]
    let guideStarts: [UInt16]
    let padded: [Double]
    /// The narrow layout's nodes tree by tree (`BitvectorTables.treeNodes`), and where each tree's start.
    let treeNodes: [UInt32]
    let treeNodeStart: [Int32]

    struct Layout: Sendable {
        var thresholdStart = 0, entryStart = 0, missingStart = 0, usedFeatures = 0, leafStart = 0, treeOutput = 0
        var used = 0, trees = 0
    }

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
        // Narrow: each tree's nodes as (its feature's failing counts' byte offset, its place in the
        // feature's sorted nodes, its mask).
        var perTree = [[UInt32]](repeating: [], count: narrow ? trees.count : 0)
        var u = 0  // f's place among the used features (those with a threshold), as in `used`
        for f in 0..<features {
            let sorted = nodes[f].enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element)
            var e = 0
            for b in 0...perFeature[f].count {
                // A value of bin b lies above thresholds 0..<b: it fails the nodes of rank < b.
                while e < sorted.count && sorted[e].rank < b { e += 1 }
                failing.append(Int32(e))
            }
            for n in sorted { entries += pack(n.tree, n.mask) }
            if narrow {
                for (place, n) in sorted.enumerated() { perTree[Int(n.tree)] += [UInt32(u * 64), UInt32(place), UInt32(truncatingIfNeeded: n.mask)] }
            }
            if !perFeature[f].isEmpty { u += 1 }
            entryStart.append(Int32(entries.count / stride))
            for n in missingNodes[f] { missingEntries += pack(n.tree, n.mask) }
            missingStart.append(Int32(missingEntries.count / stride))
        }
        guard entries.count < Int(Int32.max), used.count * 64 < Int(UInt32.max) else { return nil }
        treeNodes = perTree.flatMap { $0 }
        treeNodeStart = perTree.reduce(into: [0]) { $0.append($0.last! + Int32($1.count / 3)) }
        self.thresholds = thresholds
        self.failing = failing
        self.entries = entries
        self.narrow = narrow
        self.missingEntries = missingEntries
        self.leafValues = leafValues
        leafOutputs = trees.first?.outputs ?? 1
        var layout = Layout(used: used.count, trees: leafStart.count), starts: [Int32] = []
        for (start, table) in [(\Layout.thresholdStart, thresholdStart), (\.entryStart, entryStart), (\.missingStart, missingStart),
                               (\.usedFeatures, used), (\.leafStart, leafStart), (\.treeOutput, treeOutput.map(Int32.init))] {
            layout[keyPath: start] = starts.count
            starts += table
        }
        self.starts = starts + [0]
        self.layout = layout
        self.features = features
        var guides: [BinGuide] = [], guideStarts: [UInt16] = [], padded: [Double] = []
        for f in 0..<features {
            let own = thresholds[Int(thresholdStart[f])..<Int(thresholdStart[f + 1])]
            if let (made, buckets) = BinGuide.make(own), guideStarts.count + buckets.count < Int(Int32.max) {
                var guide = made
                guide.bucketStart = Int32(guideStarts.count)
                guide.paddedStart = Int32(padded.count)
                guides.append(guide)
                guideStarts += buckets
                padded += own
                padded += repeatElement(.infinity, count: BinGuide.width)
            } else {
                guides.append(.none)
            }
        }
        self.guides = guides
        self.guideStarts = guideStarts
        self.padded = padded
    }

    /// Raw scores for `rows` rows given column-major (`x[f * rows + i]`), `slots` outputs per row
    /// starting from `base`; blocks of rows on all threads (one thread below `parallelRows`), scored
    /// by `kernel`'s copy of the loops.
    func predict(columnMajor x: [Double], rows: Int, slots: Int, base: [Double], threads: Int = defaultThreadCount(),
                 kernel: TreeKernel = .best) -> [Double] {
        x.withUnsafeBufferPointer { xb in
            let xp = UncheckedSendable(xb.baseAddress ?? UnsafePointer(bitPattern: 8)!)
            let me = self, avx512 = kernel == .avx512 && kernel.isSupported
            return scoreInBlocks(rows: rows, slots: slots, base: base, threads: threads) { range, out in
                me.withTables { tables in
                    tables.withScratch(blockRows: blockRows) { scratch in
                        if avx512 {
                            scoreBitvectorBlocksAVX512(tables, range, blockRows: blockRows, rows: rows, slots: slots, x: xp.value, out: out, scratch: scratch)
                        } else {
                            tables.scoreBlocks(range, blockRows: blockRows, rows: rows, slots: slots, x: xp.value, out: out, scratch: scratch)
                        }
                    }
                }
            }
        }
    }

    /// The predictor's arrays as the kernels' pointers, for the length of `body`.
    @inline(__always) private func withTables<R>(_ body: (BitvectorTables) -> R) -> R {
        thresholds.withUnsafeBufferPointer { tb in
          failing.withUnsafeBufferPointer { fb in
            entries.withUnsafeBufferPointer { eb in
              missingEntries.withUnsafeBufferPointer { mb in
                leafValues.withUnsafeBufferPointer { lvb in
                  starts.withUnsafeBufferPointer { sb in
                   guides.withUnsafeBufferPointer { gb in
                    guideStarts.withUnsafeBufferPointer { gsb in
                     padded.withUnsafeBufferPointer { pb in
                      treeNodes.withUnsafeBufferPointer { tnb in
                       treeNodeStart.withUnsafeBufferPointer { tsb in
                    let none = UnsafePointer<UInt64>(bitPattern: 8)!, s = sb.baseAddress!
                    return body(BitvectorTables(
                        thresholds: tb.baseAddress ?? UnsafePointer(bitPattern: 8)!, thresholdStart: s + layout.thresholdStart,
                        failing: fb.baseAddress!, entryStart: s + layout.entryStart, entries: eb.baseAddress ?? none,
                        missingStart: s + layout.missingStart, missing: mb.baseAddress ?? none,
                        usedFeatures: s + layout.usedFeatures, used: layout.used, leafStart: s + layout.leafStart,
                        treeOutput: s + layout.treeOutput, trees: layout.trees, leafValues: lvb.baseAddress!,
                        leafOutputs: leafOutputs, narrow: narrow,
                        guides: gb.baseAddress ?? UnsafePointer(bitPattern: 8)!, guideStarts: gsb.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                        padded: pb.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                        treeNodes: tnb.baseAddress ?? UnsafePointer(bitPattern: 8)!, treeNodeStart: tsb.baseAddress ?? UnsafePointer(bitPattern: 8)!))
                       }
                      }
                     }
                    }
                   }
                  }
                }
              }
            }
          }
        }
    }
}

/// Which compiled copy of the tree kernels scores: the build's baseline (any CPU of its
/// architecture), or the copy compiled for AVX-512, where the CPU has it. Both give the same doubles.
public enum TreeKernel: String, Sendable, CaseIterable {
    case baseline, avx512

    /// Whether this CPU can run it.
    public var isSupported: Bool { self == .baseline || cpuHasAVX512 }

    /// The fastest copy this CPU runs; `PULK_TREE_KERNEL=baseline` in the environment asks for the
    /// baseline (to compare, or to rule the wide vectors out).
    public static let best: TreeKernel =
        ProcessInfo.processInfo.environment["PULK_TREE_KERNEL"] == TreeKernel.baseline.rawValue || !cpuHasAVX512 ? .baseline : .avx512
}

private let cpuHasAVX512 = pulk_cpu_avx512() != 0
