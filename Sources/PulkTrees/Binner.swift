public import PulkFrame

/// How one feature's values become bins (after LightGBM's `BinMapper`).
///
/// Numbers: a feature with at most `maxBin` distinct values gets one bin per value (split points
/// halfway between neighbours); otherwise bins hold roughly equal numbers of rows, with equal values
/// never split across bins. Categories (codes 0, 1, 2, …): the most frequent `maxBin − 1` get a bin
/// each, the rest and unseen ones share a last "other" bin. Missing values get their own bin,
/// numbered `binCount`, so the tree can learn where they go.
public struct FeatureBins: Sendable, Codable, Equatable {
    /// Numbers: value v falls in the first bin b with v ≤ upperBounds[b]; the last bound is +∞.
    public var upperBounds: [Double]
    /// Categories: the category code of each bin but the last ("other"); nil for numbers.
    public var categories: [Int]?

    public var isCategorical: Bool { categories != nil }
    public var binCount: Int { categories.map { $0.count + 1 } ?? upperBounds.count }
    /// The bin of missing values.
    public var missingBin: Int { binCount }

    /// Values this close to zero are zero (LightGBM's `kZeroThreshold`): zero gets a bin of its own.
    static let zeroThreshold = 1e-35

    /// The present (non-NaN) values' count, their distinct values in ascending order, and how many
    /// rows hold each.
    static func distinctCounts(_ values: [Double]) -> (present: Int, distinct: [Double], counts: [Int]) {
        let present = values.filter { !$0.isNaN }
        let sorted = present.withUnsafeBufferPointer { v in Sorting.argsort(v).map { v[Int($0)] } }
        var distinct: [Double] = [], counts: [Int] = []
        for v in sorted {
            if let last = distinct.last, last == v { counts[counts.count - 1] += 1 } else { distinct.append(v); counts.append(1) }
        }
        return (present.count, distinct, counts)
    }

    /// Fits numeric bins on the present values of a feature (any order; NaN is missing).
    public init(values: [Double], maxBin: Int) {
        precondition(maxBin >= 2, "maxBin must be at least 2")
        categories = nil
        let (present, distinct, counts) = Self.distinctCounts(values)
        if distinct.count <= 1 {
            upperBounds = [.infinity]
            return
        }
        if distinct.count <= maxBin {
            upperBounds = (0..<(distinct.count - 1)).map { (distinct[$0] + distinct[$0 + 1]) / 2 } + [.infinity]
            return
        }
        // Equal-frequency bins: close a bin once it holds its share of the remaining rows.
        var bounds: [Double] = []
        var remaining = present
        var binsLeft = maxBin
        var inBin = 0
        for k in 0..<(distinct.count - 1) {
            inBin += counts[k]
            let target = Double(remaining) / Double(binsLeft)
            if Double(inBin) >= target {
                bounds.append((distinct[k] + distinct[k + 1]) / 2)
                remaining -= inBin
                inBin = 0
                binsLeft -= 1
                if binsLeft == 1 { break }
            }
        }
        upperBounds = bounds + [.infinity]
    }

    /// Fits numeric bins on the present values of a feature (any order; NaN is missing), as
    /// LightGBM's `FindBinWithZeroAsOneBin`: negative and positive values are binned apart, sharing
    /// the `maxBin − 1` bins in proportion to their rows, with zero in a bin of its own between them
    /// (bounds ±1e-35). A bin closes only once it holds `minDataInBin` rows, so a value seen once or
    /// twice never gets a split point of its own.
    public init(lightGBM values: [Double], maxBin: Int, minDataInBin: Int) {
        precondition(maxBin >= 2, "maxBin must be at least 2")
        categories = nil
        let (present, distinct, counts) = Self.distinctCounts(values)
        if distinct.count <= 1 {
            upperBounds = [.infinity]
            return
        }
        // LightGBM counts the missing values' bin among max_bin.
        let maxBin = present < values.count ? max(2, maxBin - 1) : maxBin
        let zero = Self.zeroThreshold
        let firstZero = distinct.firstIndex { $0 >= -zero } ?? distinct.count
        let firstPositive = distinct.firstIndex { $0 > zero } ?? distinct.count
        let negativeRows = counts[..<firstZero].reduce(0, +)
        let zeroRows = counts[firstZero..<firstPositive].reduce(0, +)
        let positiveRows = counts[firstPositive...].reduce(0, +)
        var bounds: [Double] = []
        if negativeRows > 0 {
            let share = max(1, Int(Double(negativeRows) / Double(present - zeroRows) * Double(maxBin - 1)))
            bounds = Self.greedyBounds(distinct[..<firstZero], counts[..<firstZero], maxBin: share, rows: negativeRows,
                                       minDataInBin: minDataInBin)
            bounds[bounds.count - 1] = -zero
        }
        if positiveRows > 0 {
            let share = max(1, maxBin - 1 - bounds.count)
            bounds.append(zero)
            bounds += Self.greedyBounds(distinct[firstPositive...], counts[firstPositive...], maxBin: share, rows: positiveRows,
                                        minDataInBin: minDataInBin)
        } else {
            bounds.append(.infinity)
        }
        upperBounds = bounds
    }

    /// LightGBM's `GreedyFindBin` over sorted distinct values and their counts: one bin per value
    /// (closed once it holds `minDataInBin` rows) when they fit in `maxBin`, else bins of about equal
    /// rows where a value frequent enough to fill a bin gets one alone. Bounds lie just above the
    /// midpoint between neighbours; the last is +∞.
    static func greedyBounds(_ values: ArraySlice<Double>, _ counts: ArraySlice<Int>, maxBin: Int, rows: Int,
                             minDataInBin: Int) -> [Double] {
        let v = Array(values), c = Array(counts), n = v.count
        func midpoint(_ a: Double, _ b: Double) -> Double { ((a + b) / 2).nextUp }
        var bounds: [Double] = []
        if n <= maxBin {
            var inBin = 0
            for i in 0..<(n - 1) {
                inBin += c[i]
                guard inBin >= minDataInBin else { continue }
                let bound = midpoint(v[i], v[i + 1])
                if bounds.last != bound { bounds.append(bound); inBin = 0 }
            }
            return bounds + [.infinity]
        }
        let bins = max(1, minDataInBin > 0 ? min(maxBin, rows / minDataInBin) : maxBin)
        var meanBinSize = Double(rows) / Double(bins)
        var restBins = bins, restRows = rows
        let big = c.map { Double($0) >= meanBinSize }
        for i in 0..<n where big[i] { restBins -= 1; restRows -= c[i] }
        meanBinSize = Double(restRows) / Double(max(restBins, 1))
        var upper: [Double] = [], lower: [Double] = [v[0]]
        var inBin = 0
        for i in 0..<(n - 1) {
            if !big[i] { restRows -= c[i] }
            inBin += c[i]
            if big[i] || Double(inBin) >= meanBinSize || (big[i + 1] && Double(inBin) >= max(1, meanBinSize * 0.5)) {
                upper.append(v[i])
                lower.append(v[i + 1])
                if upper.count >= bins - 1 { break }
                inBin = 0
                if !big[i] {
                    restBins -= 1
                    meanBinSize = Double(restRows) / Double(max(restBins, 1))
                }
            }
        }
        for i in upper.indices {
            let bound = midpoint(upper[i], lower[i + 1])
            if bounds.last != bound { bounds.append(bound) }
        }
        return bounds + [.infinity]
    }

    /// Fits categorical bins on category codes (NaN is missing): frequent categories first.
    /// Categories seen fewer than `minDataInBin` times (beyond the two most frequent) join "other",
    /// as LightGBM's bin mapper does.
    public init(categoryCodes values: [Double], maxBin: Int, minDataInBin: Int = 1) {
        precondition(maxBin >= 2, "maxBin must be at least 2")
        var counts: [Int: Int] = [:]
        for v in values where !v.isNaN && v >= 0 { counts[Int(v), default: 0] += 1 }
        let ordered = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let kept = ordered.enumerated().prefix { $0.offset < 2 || $0.element.value >= minDataInBin }.map(\.element.key)
        categories = Array(kept.prefix(maxBin - 1))
        upperBounds = []
    }

    /// The bin of a value (a number, or a category code).
    @inlinable public func bin(_ v: Double) -> Int {
        if v.isNaN { return missingBin }
        if let categories {
            return categories.firstIndex(of: Int(v)) ?? categories.count
        }
        var lo = 0, hi = upperBounds.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if v <= upperBounds[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// A fast mapper for many values: branch-free search over 256 padded bounds, or a code table.
    func makeMapper() -> BinMapper { BinMapper(self) }
}

/// Maps values to bins quickly (used when binning whole columns).
struct BinMapper {
    var padded: [Double] = []
    var codeToBin: [UInt8] = []
    let missing: UInt8
    let other: UInt8
    let categorical: Bool

    init(_ b: FeatureBins) {
        missing = UInt8(b.missingBin)
        categorical = b.isCategorical
        if let cats = b.categories {
            other = UInt8(cats.count)
            let size = (cats.max() ?? -1) + 1
            codeToBin = [UInt8](repeating: UInt8(cats.count), count: size)
            for (bin, code) in cats.enumerated() { codeToBin[code] = UInt8(bin) }
        } else {
            other = 0
            padded = b.upperBounds + [Double](repeating: .infinity, count: 256 - b.upperBounds.count)
        }
    }

    @inline(__always) func bin(_ v: Double, _ bounds: UnsafePointer<Double>) -> UInt8 {
        if v.isNaN { return missing }
        if categorical {
            let c = Int(v)
            return c >= 0 && c < codeToBin.count ? codeToBin[c] : other
        }
        // Lower bound: the number of bounds below v, in 8 branch-free halvings.
        var base = 0
        var step = 128
        while step > 0 {
            base = bounds[base + step - 1] < v ? base + step : base
            step >>= 1
        }
        return UInt8(base)
    }
}

/// A binned feature matrix: one byte per value, column-major (a feature's bins side by side), which
/// is what the histogram builder and the row partition read.
public struct BinnedMatrix: Sendable {
    public let rows: Int
    public let features: Int
    public let bins: [FeatureBins]
    /// `codes[j * rows + i]` is the bin of row i in feature j.
    public let codes: [UInt8]
    /// Where each feature's histogram starts, in bins (each feature has binCount + 1 bins with the missing one).
    public let offsets: [Int]
    public var totalBins: Int { offsets.last! }

    /// Bins `features` columns of `rows` values each; `column(j)` gives feature j's values (NaN for
    /// missing; category codes when `categorical[j]`). Bin bounds come from at most `sampleSize`
    /// evenly spaced rows (LightGBM's `bin_construct_sample_cnt`). With `minDataInBin` the bins are
    /// LightGBM's (zero alone, no bin under that many rows, `init(lightGBM:)`); without, a bin per
    /// distinct value split halfway, as scikit-learn's exact trees see them.
    public init(rows: Int, categorical: [Bool], maxBin: Int = 255, minDataInBin: Int? = nil, sampleSize: Int = 200_000,
                threads: Int = defaultThreadCount(), column: @Sendable (Int) -> [Double]) {
        precondition(maxBin >= 2 && maxBin <= 255, "maxBin must be in 2…255 (bins are stored in one byte with the missing bin)")
        let p = categorical.count
        self.rows = rows
        features = p
        let columns = ResultSlots<[Double]>(count: p)
        let fitted = ResultSlots<FeatureBins>(count: p)
        let step = max(1, rows / max(sampleSize, 1))
        parallelFor(p, threads: threads) { j in
            let values = column(j)
            columns[j] = values
            let sample = step == 1 ? values : stride(from: 0, to: values.count, by: step).map { values[$0] }
            if categorical[j] {
                fitted[j] = FeatureBins(categoryCodes: sample, maxBin: maxBin, minDataInBin: minDataInBin ?? 1)
            } else if let minDataInBin {
                fitted[j] = FeatureBins(lightGBM: sample, maxBin: maxBin, minDataInBin: minDataInBin)
            } else {
                fitted[j] = FeatureBins(values: sample, maxBin: maxBin)
            }
        }
        let binList = fitted.values.map { $0! }
        bins = binList
        var offs = [0]
        for b in binList { offs.append(offs.last! + b.binCount + 1) }
        offsets = offs
        let mappers = binList.map { $0.makeMapper() }
        var out = [UInt8](repeating: 0, count: rows * p)
        let cols = columns.values.map { $0! }
        out.withUnsafeMutableBufferPointer { o in
            let base = SharedPointer(o.baseAddress!)
            parallelFor(p, threads: threads) { j in
                let m = mappers[j]
                m.padded.withUnsafeBufferPointer { bounds in
                    cols[j].withUnsafeBufferPointer { v in
                        let dst = base.base + j * rows
                        let b = bounds.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        for i in 0..<rows { dst[i] = m.bin(v[i], b) }
                    }
                }
            }
        }
        codes = out
    }

    /// Bins new rows with already fitted bins (validation data).
    public init(rows: Int, bins: [FeatureBins], threads: Int = defaultThreadCount(), column: @Sendable (Int) -> [Double]) {
        self.rows = rows
        features = bins.count
        self.bins = bins
        var offs = [0]
        for b in bins { offs.append(offs.last! + b.binCount + 1) }
        offsets = offs
        let p = bins.count
        var out = [UInt8](repeating: 0, count: rows * p)
        for j in 0..<p {
            let m = bins[j].makeMapper(), v = column(j)
            m.padded.withUnsafeBufferPointer { bounds in
                for i in 0..<rows { out[j * rows + i] = m.bin(v[i], bounds.baseAddress ?? UnsafePointer(bitPattern: 8)!) }
            }
        }
        codes = out
    }
}
