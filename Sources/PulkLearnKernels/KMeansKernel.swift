public import CPulkCPU

/// k-means' inner loops, all @inlinable: inlined into PulkLearn for the baseline CPU, and into
/// PulkLearnKernelsAVX512, compiled for AVX-512 (PulkLearn picks one at run time).
///
/// Centers are packed in groups of eight for the scan over all centers: coordinate `j` of center
/// `8g + lane` is `packed[(g * d + j) * 8 + lane]` (0 in the lanes past the last center), so eight
/// squared distances build up in one vector while a row's coordinates are read once.
public struct KMeansBlock {
    public var x: UnsafePointer<Double>
    public var d: Int
    public var k: Int
    public var packed: UnsafePointer<Double>
    /// Row-major `k × d`.
    public var centers: UnsafePointer<Double>
    public var labels: UnsafeMutablePointer<Int32>
    /// Hamerly's bounds (nil for Lloyd's passes): the distance to the assigned center and a lower
    /// bound on the distance to any other.
    public var upper: UnsafeMutablePointer<Double>?
    public var lower: UnsafeMutablePointer<Double>?
    /// Half the distance from each center to its nearest other center, and each center's last shift.
    public var half: UnsafePointer<Double>
    public var shift: UnsafePointer<Double>
    public var largest: Int
    public var maxShift: Double
    public var secondShift: Double
    /// The first pass (every row scanned, sums counted in full); later bounded passes count only
    /// the changes rows moving between clusters make.
    public var full: Bool
    /// `k × d` sums and `k` counts, this block's own.
    public var sums: UnsafeMutablePointer<Double>
    public var counts: UnsafeMutablePointer<Int>
    /// Room for one row index per row of a block (the rows the bounds leave to check).
    public var list: UnsafeMutablePointer<Int32>

    public init(x: UnsafePointer<Double>, d: Int, k: Int, packed: UnsafePointer<Double>, centers: UnsafePointer<Double>,
                labels: UnsafeMutablePointer<Int32>, upper: UnsafeMutablePointer<Double>?, lower: UnsafeMutablePointer<Double>?,
                half: UnsafePointer<Double>, shift: UnsafePointer<Double>, largest: Int, maxShift: Double, secondShift: Double, full: Bool,
                sums: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Int>, list: UnsafeMutablePointer<Int32>) {
        self.x = x
        self.d = d
        self.k = k
        self.packed = packed
        self.centers = centers
        self.labels = labels
        self.upper = upper
        self.lower = lower
        self.half = half
        self.shift = shift
        self.largest = largest
        self.maxShift = maxShift
        self.secondShift = secondShift
        self.full = full
        self.sums = sums
        self.counts = counts
        self.list = list
    }

    /// Assigns rows `range` to their nearest centers (skipping, with bounds, the rows whose bounds
    /// prove their center unchanged) and adds them to the sums; returns how many changed cluster.
    @inlinable @inline(__always)
    public func assign(_ range: Range<Int>) -> Int {
        guard let upper, let lower, !full else { return scanAll(range) }
        // First the bounds alone (they sit in their own arrays, read in order), listing the rows
        // they cannot settle; then those rows, each row's coordinates asked for a few rows ahead,
        // since the rows left are scattered through memory.
        do {
            var count = 0
            for i in range {
                let a = Int(labels[i])
                upper[i] += shift[a]
                lower[i] -= a == largest ? secondShift : maxShift
                if upper[i] > Swift.max(lower[i], half[a]) {
                    list[count] = Int32(i)
                    count += 1
                }
            }
            let lines = (d * 8 + 63) / 64, ahead = 6
            for t in 0..<Swift.min(ahead, count) { pulk_prefetch(x + Int(list[t]) * d, Int32(lines)) }
            var changed = 0
            for t in 0..<count {
                if t + ahead < count { pulk_prefetch(x + Int(list[t + ahead]) * d, Int32(lines)) }
                let i = Int(list[t])
                let row = x + i * d
                let was = Int(labels[i])
                let z = Swift.max(lower[i], half[was])
                // Tighten the upper bound, then scan all centers when it still does not settle it.
                upper[i] = KMeansKernel.squaredDistance(row, centers + was * d, d).squareRoot()
                guard upper[i] > z else { continue }
                let (a, d1, d2) = KMeansKernel.nearestTwo(row, d: d, packed: packed, k: k)
                upper[i] = d1.squareRoot()
                lower[i] = d2.squareRoot()
                guard a != was else { continue }
                changed += 1
                labels[i] = Int32(a)
                counts[a] += 1
                counts[was] -= 1
                let s = sums + a * d, o = sums + was * d
                for j in 0..<d { s[j] += row[j]; o[j] -= row[j] }
            }
            return changed
        }
    }

    /// Every row against every center (Lloyd's pass, and the first bounded pass), summed in full.
    @inlinable @inline(__always)
    public func scanAll(_ range: Range<Int>) -> Int {
        var changed = 0
        for i in range {
            let row = x + i * d
            let (a, d1, d2) = KMeansKernel.nearestTwo(row, d: d, packed: packed, k: k)
            if a != Int(labels[i]) { changed += 1 }
            if let upper, let lower {
                upper[i] = d1.squareRoot()
                lower[i] = d2.squareRoot()
            }
            labels[i] = Int32(a)
            counts[a] += 1
            let s = sums + a * d
            for j in 0..<d { s[j] += row[j] }
        }
        return changed
    }
}

public enum KMeansKernel {
    /// The packed layout of `k` row-major centers of `d` coordinates (see `KMeansBlock`).
    @inlinable @inline(__always)
    public static func pack(_ centers: [Double], k: Int, d: Int) -> [Double] {
        let groups = (k + 7) / 8
        var packed = [Double](repeating: 0, count: groups * d * 8)
        for c in 0..<k { for j in 0..<d { packed[((c / 8) * d + j) * 8 + c % 8] = centers[c * d + j] } }
        return packed
    }

    /// The nearest of `k` packed centers to one row, its squared distance and the second smallest
    /// (ties: the lower center).
    @inlinable @inline(__always)
    public static func nearestTwo(_ row: UnsafePointer<Double>, d: Int, packed: UnsafePointer<Double>, k: Int) -> (Int, Double, Double) {
        var best = 0, d1 = Double.infinity, d2 = Double.infinity
        let groups = (k + 7) / 8
        for g in 0..<groups {
            var acc = SIMD8<Double>(repeating: 0)
            let base = UnsafeRawPointer(packed + g * d * 8)
            for j in 0..<d {
                let t = SIMD8<Double>(repeating: row[j]) - base.loadUnaligned(fromByteOffset: j * 64, as: SIMD8<Double>.self)
                acc += t * t
            }
            for lane in 0..<Swift.min(8, k - g * 8) {
                let v = acc[lane]
                if v < d1 { d2 = d1; d1 = v; best = g * 8 + lane } else if v < d2 { d2 = v }
            }
        }
        return (best, d1, d2)
    }

    /// The squared distance of two points of `d` coordinates.
    @inlinable @inline(__always)
    public static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        var acc = SIMD8<Double>(repeating: 0)
        var j = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while j + 8 <= d {
            let t = ra.loadUnaligned(fromByteOffset: j * 8, as: SIMD8<Double>.self) - rb.loadUnaligned(fromByteOffset: j * 8, as: SIMD8<Double>.self)
            acc += t * t
            j += 8
        }
        var s = acc.sum()
        while j < d { let t = a[j] - b[j]; s += t * t; j += 1 }
        return s
    }

    /// The nearest center and squared distance of rows `range` (`labels`, `distances` indexed by row).
    @inlinable @inline(__always)
    public static func nearest(_ x: UnsafePointer<Double>, _ range: Range<Int>, d: Int, packed: UnsafePointer<Double>, k: Int,
                               labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Double>) {
        for i in range {
            let (a, best, _) = nearestTwo(x + i * d, d: d, packed: packed, k: k)
            labels[i] = Int32(a)
            distances[i] = best
        }
    }

    /// The squared distance of rows `range` to one point.
    @inlinable @inline(__always)
    public static func distances(_ x: UnsafePointer<Double>, _ range: Range<Int>, d: Int, to point: UnsafePointer<Double>,
                                 out: UnsafeMutablePointer<Double>) {
        for i in range { out[i] = squaredDistance(x + i * d, point, d) }
    }
}
