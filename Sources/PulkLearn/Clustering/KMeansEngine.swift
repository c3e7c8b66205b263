import CPulkCPU
import Foundation
import PulkFrame
import PulkLearnKernels
import PulkLearnKernelsAVX512

/// Whether this CPU runs the AVX-512 build of the kernels (read once).
let cpuHasAVX512 = pulk_cpu_avx512() != 0

/// k-means on a dense row-major matrix: k-means++ seeding (scikit-learn's greedy variant), then
/// Lloyd's iterations, exact, with Hamerly's bounds skipping the distances that cannot change a
/// row's cluster. Both cores work on disjoint blocks of rows; the results do not depend on the
/// thread count.
public enum KMeansEngine {
    public enum Algorithm: String, Sendable, CaseIterable {
        /// Every row against every center, every iteration.
        case lloyd
        /// The same assignments, with an upper and a lower distance bound per row (Hamerly 2010).
        case hamerly
        /// Mini-batch k-means (Sculley 2010, scikit-learn's MiniBatchKMeans): centers move towards
        /// random batches of rows; much less work on large data, a slightly higher inertia.
        case minibatch
    }

    public enum Seeding: String, Sendable, CaseIterable {
        case kMeansPlusPlus = "k-means++"
        case random
    }

    public struct Options: Sendable {
        public var k: Int
        public var restarts: Int = 1
        public var maxIterations: Int = 300
        /// Relative tolerance: the run stops when the centers' total squared shift is at most this
        /// times the mean of the features' variances (scikit-learn's `tol`).
        public var tolerance: Double = 1e-4
        public var algorithm: Algorithm = .hamerly
        public var seeding: Seeding = .kMeansPlusPlus
        public var seed: UInt64 = 0
        /// Mini-batch k-means: rows per batch.
        public var batchSize = 1024
        /// Mini-batch k-means: a center whose accumulated count falls below this share of the
        /// largest count is moved onto a random row of the batch (checked every 10 × k rows seen,
        /// and whenever a center has no rows); 0 never moves one. Without it a center seeded in a
        /// sparse region keeps almost no rows for the whole fit.
        public var reassignmentRatio = 0.01

        public init(k: Int, restarts: Int = 1, maxIterations: Int = 300, tolerance: Double = 1e-4, algorithm: Algorithm = .hamerly,
                    seeding: Seeding = .kMeansPlusPlus, seed: UInt64 = 0) {
            self.k = k
            self.restarts = restarts
            self.maxIterations = maxIterations
            self.tolerance = tolerance
            self.algorithm = algorithm
            self.seeding = seeding
            self.seed = seed
        }
    }

    public struct Result: Sendable {
        /// Row-major, `k × d`.
        public var centers: [Double]
        public var labels: [Int32]
        /// The sum of squared distances of the rows to their centers.
        public var inertia: Double
        /// Iterations of the kept restart, and the inertia of every restart.
        public var iterations: Int
        public var restartInertias: [Double]
    }

    /// Clusters `n` rows of `d` numbers (`x[i * d + j]`, no NaN) into `options.k` groups; the best
    /// of `options.restarts` runs by inertia.
    public static func fit(_ x: [Double], rows n: Int, columns d: Int, options: Options) -> Result {
        precondition(x.count == n * d && n >= options.k && options.k >= 1)
        let tol = options.tolerance * meanVariance(x, rows: n, columns: d)
        var best: Result?
        var inertias: [Double] = []
        var rng = SeededGenerator(seed: options.seed)
        if options.algorithm == .minibatch {
            return x.withUnsafeBufferPointer { miniBatch($0, n: n, d: d, options: options, rng: &rng) }
        }
        x.withUnsafeBufferPointer { xp in
            for _ in 0..<max(1, options.restarts) {
                let initial = options.seeding == .kMeansPlusPlus
                    ? plusPlus(xp, n: n, d: d, k: options.k, rng: &rng) : randomRows(xp, n: n, d: d, k: options.k, rng: &rng)
                var run = iterate(xp, n: n, d: d, centers: initial, options: options, tolerance: tol)
                inertias.append(run.inertia)
                if best == nil || run.inertia < best!.inertia {
                    run.restartInertias = []
                    best = run
                }
            }
        }
        best!.restartInertias = inertias
        return best!
    }

    /// Mini-batch k-means as scikit-learn's MiniBatchKMeans runs it: the best of `restarts`
    /// k-means++ seedings on a sample of 3 × batch rows (by inertia on that sample), then steps over
    /// random batches (rows drawn with replacement) for `maxIterations` passes over the data at most:
    /// each center moves to the running mean of every row it has been given. Stops early when the
    /// smoothed batch inertia has not improved for 10 steps. Labels and inertia are then those of
    /// every row against the final centers. (scikit-learn's reassignment of rarely used centers is not done.)
    static func miniBatch(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, options: Options, rng: inout SeededGenerator) -> Result {
        let k = options.k, b = max(1, min(options.batchSize, n))
        func gather(_ rows: [Int]) -> [Double] {
            var out = [Double](repeating: 0, count: rows.count * d)
            for (r, i) in rows.enumerated() { for j in 0..<d { out[r * d + j] = x[i * d + j] } }
            return out
        }
        let sampleRows = (0..<min(n, max(3 * b, k))).map { _ in Int(rng.next() % UInt64(n)) }
        let sample = gather(sampleRows)
        var centers: [Double] = [], bestInertia = Double.infinity
        sample.withUnsafeBufferPointer { sp in
            for _ in 0..<max(1, options.restarts) {
                let seeds = options.seeding == .kMeansPlusPlus
                    ? plusPlus(sp, n: sampleRows.count, d: d, k: k, rng: &rng) : randomRows(sp, n: sampleRows.count, d: d, k: k, rng: &rng)
                let inertia = assign(sp, rows: sampleRows.count, columns: d, centers: seeds, k: k).squaredDistances.reduce(0, +)
                if inertia < bestInertia { bestInertia = inertia; centers = seeds }
            }
        }
        var counts = [Double](repeating: 0, count: k)
        let steps = max(1, options.maxIterations * n / b)
        let alpha = min(1, Double(b) * 2 / Double(n + 1))
        var smoothed = Double.nan, best = Double.infinity, stale = 0, done = 0
        var sums = [Double](repeating: 0, count: k * d), members = [Double](repeating: 0, count: k)
        var seenSinceCheck = 0
        for _ in 0..<steps {
            done += 1
            let batch = gather((0..<b).map { _ in Int(rng.next() % UInt64(n)) })
            let (labels, distances) = batch.withUnsafeBufferPointer { assign($0, rows: b, columns: d, centers: centers, k: k) }
            for c in 0..<(k * d) { sums[c] = 0 }
            for c in 0..<k { members[c] = 0 }
            for r in 0..<b {
                let c = Int(labels[r])
                members[c] += 1
                for j in 0..<d { sums[c * d + j] += batch[r * d + j] }
            }
            for c in 0..<k where members[c] > 0 {
                counts[c] += members[c]
                for j in 0..<d { centers[c * d + j] += (sums[c * d + j] - members[c] * centers[c * d + j]) / counts[c] }
            }
            seenSinceCheck += b
            if options.reassignmentRatio > 0, seenSinceCheck >= 10 * k || counts.contains(0) {
                seenSinceCheck = 0
                reassignStarved(&centers, counts: &counts, batch: batch, rows: b, d: d, ratio: options.reassignmentRatio, rng: &rng)
            }
            let inertia = distances.reduce(0, +) / Double(b)
            smoothed = smoothed.isNaN ? inertia : smoothed * (1 - alpha) + inertia * alpha
            if smoothed < best { best = smoothed; stale = 0 } else { stale += 1; if stale >= 10 { break } }
        }
        let (labels, distances) = assign(x, rows: n, columns: d, centers: centers, k: k)
        return Result(centers: centers, labels: labels, inertia: distances.reduce(0, +), iterations: done, restartInertias: [])
    }

    /// Moves the centers whose count is below `ratio` × the largest onto distinct random rows of the
    /// batch (at most half the batch, the smallest counts first), and gives them the smallest count
    /// among the centers kept, so that they are not moved again at once.
    static func reassignStarved(_ centers: inout [Double], counts: inout [Double], batch: [Double], rows b: Int, d: Int, ratio: Double,
                                rng: inout SeededGenerator) {
        let k = counts.count
        let limit = ratio * (counts.max() ?? 0)
        var starved = (0..<k).filter { counts[$0] < limit }
        guard !starved.isEmpty, starved.count < k else { return }
        if starved.count > b / 2 { starved = Array(starved.sorted { counts[$0] < counts[$1] }.prefix(b / 2)) }
        guard !starved.isEmpty else { return }
        let kept = Set(starved)
        let floor = (0..<k).filter { !kept.contains($0) }.map { counts[$0] }.min() ?? 1
        var rows = Array(0..<b)
        for (taken, c) in starved.enumerated() {
            let pick = taken + Int(rng.next() % UInt64(b - taken))
            rows.swapAt(taken, pick)
            let r = rows[taken]
            for j in 0..<d { centers[c * d + j] = batch[r * d + j] }
            counts[c] = floor
        }
    }

    /// The nearest center of each row and its squared distance (`centers` row-major, `k × d`).
    public static func assign(_ x: UnsafeBufferPointer<Double>, rows n: Int, columns d: Int, centers: [Double], k: Int)
        -> (labels: [Int32], squaredDistances: [Double]) {
        var labels = [Int32](repeating: 0, count: n)
        var dist = [Double](repeating: 0, count: n)
        let packed = KMeansKernel.pack(centers, k: k, d: d)
        let lp = labels.withUnsafeMutableBufferPointer { SharedPointer($0.baseAddress!) }
        let dp = dist.withUnsafeMutableBufferPointer { SharedPointer($0.baseAddress!) }
        let shared = UncheckedSendable((x, packed))
        forBlocks(n) { range in
            let (x, packed) = shared.value
            packed.withUnsafeBufferPointer { p in
                if cpuHasAVX512 {
                    kmeansNearestAVX512(x.baseAddress!, range, d: d, packed: p.baseAddress!, k: k, labels: lp.base, distances: dp.base)
                } else {
                    KMeansKernel.nearest(x.baseAddress!, range, d: d, packed: p.baseAddress!, k: k, labels: lp.base, distances: dp.base)
                }
            }
        }
        return (labels, dist)
    }

    // MARK: - Seeding

    static func randomRows(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, k: Int, rng: inout SeededGenerator) -> [Double] {
        var chosen = Set<Int>(), centers: [Double] = []
        while chosen.count < k {
            let i = Int(rng.next() % UInt64(n))
            if chosen.insert(i).inserted { centers.append(contentsOf: x[(i * d)..<(i * d + d)]) }
        }
        return centers
    }

    /// Greedy k-means++: each new center is the best of 2 + ⌊ln k⌋ candidates drawn with probability
    /// proportional to the squared distance to the nearest center so far.
    static func plusPlus(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, k: Int, rng: inout SeededGenerator) -> [Double] {
        let trials = 2 + Int(log(Double(k)))
        var centers: [Double] = []
        let first = Int(rng.next() % UInt64(n))
        centers.append(contentsOf: x[(first * d)..<(first * d + d)])
        var closest = squaredDistances(x, n: n, d: d, to: Array(centers))
        var cumulative = [Double](repeating: 0, count: n)
        for _ in 1..<k {
            var running = 0.0
            for i in 0..<n { running += closest[i]; cumulative[i] = running }
            var candidates: [Int] = []
            for _ in 0..<trials {
                let r = Double(rng.next() >> 11) / Double(1 << 53) * running
                // The first row whose cumulative potential exceeds r (binary search).
                var lo = 0, hi = n - 1
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] <= r { lo = mid + 1 } else { hi = mid } }
                candidates.append(lo)
            }
            var bestPotential = Double.infinity, bestRow = candidates[0], bestDistances: [Double] = []
            for c in candidates {
                var dc = squaredDistances(x, n: n, d: d, to: Array(x[(c * d)..<(c * d + d)]))
                var total = 0.0
                for i in 0..<n { dc[i] = min(dc[i], closest[i]); total += dc[i] }
                if total < bestPotential { bestPotential = total; bestRow = c; bestDistances = dc }
            }
            centers.append(contentsOf: x[(bestRow * d)..<(bestRow * d + d)])
            closest = bestDistances
        }
        return centers
    }

    /// Squared distance of every row to one point, on both cores.
    static func squaredDistances(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, to point: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        let op = out.withUnsafeMutableBufferPointer { SharedPointer($0.baseAddress!) }
        let shared = UncheckedSendable((x, point))
        forBlocks(n) { range in
            let (x, point) = shared.value
            point.withUnsafeBufferPointer { p in
                if cpuHasAVX512 {
                    kmeansDistancesAVX512(x.baseAddress!, range, d: d, to: p.baseAddress!, out: op.base)
                } else {
                    KMeansKernel.distances(x.baseAddress!, range, d: d, to: p.baseAddress!, out: op.base)
                }
            }
        }
        return out
    }

    // MARK: - Iterations

    /// Lloyd's iterations from `centers` (with Hamerly's bounds when asked) until the labels stop
    /// changing, the centers' shift falls within `tolerance`, or `maxIterations`.
    static func iterate(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, centers start: [Double], options: Options, tolerance: Double) -> Result {
        let k = options.k
        var centers = start
        var labels = [Int32](repeating: -1, count: n)
        // Hamerly's bounds: distance to the assigned center (upper) and to the second nearest (lower).
        let bounded = options.algorithm == .hamerly && k > 1
        var upper = [Double](repeating: .infinity, count: bounded ? n : 0)
        var lower = [Double](repeating: 0, count: bounded ? n : 0)
        var shift = [Double](repeating: 0, count: k)
        var iterations = 0
        var first = true
        // The clusters' sums and sizes: recounted in full by Lloyd's passes, kept up to date by
        // Hamerly's from the rows that changed cluster (most rows stay, so most passes touch few).
        var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
        for _ in 0..<max(1, options.maxIterations) {
            iterations += 1
            let incremental = bounded && !first
            let pass = assignmentPass(x, n: n, d: d, k: k, centers: centers, labels: &labels, upper: &upper, lower: &lower,
                                      shift: shift, bounded: bounded, full: first)
            first = false
            if incremental {
                for t in 0..<(k * d) { sums[t] += pass.sums[t] }
                for c in 0..<k { counts[c] += pass.counts[c] }
            } else {
                (sums, counts) = (pass.sums, pass.counts)
            }
            relocateEmpty(x, n: n, d: d, k: k, centers: centers, labels: &labels, sums: &sums, counts: &counts, upper: &upper, bounded: bounded)
            var total = 0.0
            var next = centers
            for c in 0..<k {
                var s = 0.0
                if counts[c] > 0 {
                    let inv = 1 / Double(counts[c])
                    for j in 0..<d {
                        let v = sums[c * d + j] * inv
                        let t = v - centers[c * d + j]
                        s += t * t
                        next[c * d + j] = v
                    }
                }
                shift[c] = s.squareRoot()
                total += s
            }
            centers = next
            if pass.changed == 0 || total <= tolerance { break }
        }
        // The labels and inertia of the final centers (one exact pass).
        let (finalLabels, squared) = assign(x, rows: n, columns: d, centers: centers, k: k)
        return Result(centers: centers, labels: finalLabels, inertia: squared.reduce(0, +), iterations: iterations, restartInertias: [])
    }

    struct Pass {
        /// The clusters' sums and sizes, or with bounds after the first pass the changes to them.
        var sums: [Double]
        var counts: [Int]
        var changed: Int
    }

    /// Assigns every row (exactly, skipping distance computations Hamerly's bounds rule out) and
    /// sums the rows of each cluster; with bounds after the first pass (`bounded && !full`), only
    /// the changes to the sums that rows moving between clusters make.
    static func assignmentPass(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, k: Int, centers: [Double], labels: inout [Int32],
                               upper: inout [Double], lower: inout [Double], shift: [Double], bounded: Bool, full: Bool) -> Pass {
        let packed = KMeansKernel.pack(centers, k: k, d: d)
        // Half the distance from each center to its nearest other center: a row closer than that to
        // its own center cannot be nearer another one.
        var half = [Double](repeating: .infinity, count: k)
        if bounded {
            for a in 0..<k {
                for b in 0..<k where b != a {
                    var s = 0.0
                    for j in 0..<d { let t = centers[a * d + j] - centers[b * d + j]; s += t * t }
                    half[a] = min(half[a], 0.5 * s.squareRoot())
                }
            }
        }
        // The largest and second largest shift, for the lower bounds.
        var largest = 0, maxShift = 0.0, secondShift = 0.0
        for c in 0..<k {
            if shift[c] > maxShift { secondShift = maxShift; maxShift = shift[c]; largest = c } else if shift[c] > secondShift { secondShift = shift[c] }
        }
        let blocks = blockRanges(n)
        let partial = ResultSlots<Pass>(count: blocks.count)
        let lp = labels.withUnsafeMutableBufferPointer { SharedPointer($0.baseAddress!) }
        let up = bounded ? upper.withUnsafeMutableBufferPointer { SharedPointer($0.baseAddress!) } : nil
        let lo = bounded ? lower.withUnsafeMutableBufferPointer { SharedPointer($0.baseAddress!) } : nil
        let shared = UncheckedSendable((x, packed, centers, half, shift))
        let (largestShifted, maxMove, secondMove) = (largest, maxShift, secondShift)
        parallelFor(blocks.count) { b in
            let (xs, packed, centers, half, shift) = shared.value
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int](repeating: 0, count: k)
            var list = [Int32](repeating: 0, count: blocks[b].count)
            let changed = packed.withUnsafeBufferPointer { pp in
                centers.withUnsafeBufferPointer { cp in
                    half.withUnsafeBufferPointer { hp in
                        shift.withUnsafeBufferPointer { shp in
                            sums.withUnsafeMutableBufferPointer { sp in
                                counts.withUnsafeMutableBufferPointer { cnt in
                                    list.withUnsafeMutableBufferPointer { lst in
                                    let block = KMeansBlock(x: xs.baseAddress!, d: d, k: k, packed: pp.baseAddress!, centers: cp.baseAddress!,
                                                            labels: lp.base, upper: up?.base, lower: lo?.base, half: hp.baseAddress!,
                                                            shift: shp.baseAddress!, largest: largestShifted, maxShift: maxMove, secondShift: secondMove,
                                                            full: full, sums: sp.baseAddress!, counts: cnt.baseAddress!, list: lst.baseAddress!)
                                    return cpuHasAVX512 ? kmeansAssignAVX512(block, blocks[b]) : block.assign(blocks[b])
                                    }
                                }
                            }
                        }
                    }
                }
            }
            partial[b] = Pass(sums: sums, counts: counts, changed: changed)
        }
        // Blocks are summed in order, so the result does not depend on scheduling.
        var total = Pass(sums: [Double](repeating: 0, count: k * d), counts: [Int](repeating: 0, count: k), changed: 0)
        for p in partial.values {
            let p = p!
            for t in 0..<(k * d) { total.sums[t] += p.sums[t] }
            for c in 0..<k { total.counts[c] += p.counts[c] }
            total.changed += p.changed
        }
        return total
    }

    /// Gives each empty cluster the row farthest from its center (as scikit-learn does), moving the
    /// row's sum and count from its old cluster.
    static func relocateEmpty(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, k: Int, centers: [Double], labels: inout [Int32],
                              sums: inout [Double], counts: inout [Int], upper: inout [Double], bounded: Bool) {
        let empty = (0..<k).filter { counts[$0] == 0 }
        guard !empty.isEmpty else { return }
        var dist = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let a = Int(labels[i])
            var s = 0.0
            for j in 0..<d { let t = x[i * d + j] - centers[a * d + j]; s += t * t }
            dist[i] = s
        }
        let far = dist.indices.sorted { dist[$0] != dist[$1] ? dist[$0] > dist[$1] : $0 < $1 }
        var taken = 0
        for c in empty {
            // A row that is alone in its cluster stays where it is.
            while taken < far.count && counts[Int(labels[far[taken]])] <= 1 { taken += 1 }
            guard taken < far.count else { return }
            let i = far[taken]
            taken += 1
            let old = Int(labels[i])
            for j in 0..<d { sums[old * d + j] -= x[i * d + j]; sums[c * d + j] += x[i * d + j] }
            counts[old] -= 1
            counts[c] += 1
            labels[i] = Int32(c)
            // Its distance to the new center is 0 once the center moves onto it; the bounds are
            // reset so the next pass checks it properly.
            if bounded { upper[i] = .infinity }
        }
    }

    /// The mean of the columns' variances (what the tolerance is relative to).
    static func meanVariance(_ x: [Double], rows n: Int, columns d: Int) -> Double {
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        for i in 0..<n { for j in 0..<d { let t = x[i * d + j] - mean[j]; sq[j] += t * t } }
        return sq.reduce(0, +) / Double(n) / Double(d)
    }

    /// Fixed blocks of rows (independent of the thread count, so sums add up in one order).
    static func blockRanges(_ n: Int) -> [Range<Int>] {
        let size = 4096
        return stride(from: 0, to: n, by: size).map { $0..<min($0 + size, n) }
    }

    static func forBlocks(_ n: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let blocks = blockRanges(n)
        parallelFor(blocks.count) { body(blocks[$0]) }
    }
}
