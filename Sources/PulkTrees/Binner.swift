import PulkFrame

/// Quantile binning of numeric features for histogram-based trees (issue 4, first stage), after
/// LightGBM's `BinMapper`: a feature with at most `maxBin` distinct values gets one bin per value
/// (split points halfway between neighbours); otherwise bins hold roughly equal numbers of rows, with
/// equal values never split across bins. Missing values get their own bin, numbered `binCount`, so
/// the tree can learn a default direction for them.
public struct FeatureBins: Sendable, Codable, Equatable {
    /// Upper bounds: value v falls in the first bin b with v ≤ upperBounds[b]; the last bound is +∞.
    public var upperBounds: [Double]
    public var binCount: Int { upperBounds.count }
    /// The bin of missing values.
    public var missingBin: Int { upperBounds.count }

    /// Fits bins on the present values of a feature (any order).
    public init(values: [Double], maxBin: Int) {
        precondition(maxBin >= 2, "maxBin must be at least 2")
        let sorted = values.filter { !$0.isNaN }.sorted()
        // Distinct values and their counts.
        var distinct: [Double] = [], counts: [Int] = []
        for v in sorted {
            if let last = distinct.last, last == v { counts[counts.count - 1] += 1 } else { distinct.append(v); counts.append(1) }
        }
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
        var remaining = sorted.count
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

    /// The bin of a value.
    @inlinable public func bin(_ v: Double) -> Int {
        if v.isNaN { return missingBin }
        var lo = 0, hi = upperBounds.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if v <= upperBounds[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// A binned feature matrix: one byte per value, column-major, ready for histogram building.
public struct BinnedMatrix: Sendable {
    public let rows: Int
    public let bins: [FeatureBins]
    /// `codes[j * rows + i]` is the bin of row i in feature j (a feature has at most 255 bins plus the missing bin).
    public let codes: [UInt8]

    /// Bins every column of `x` (features in 0…maxBin bins, `maxBin` ≤ 255), columns in parallel.
    public init(columns: [[Double]], maxBin: Int = 255) {
        precondition(maxBin <= 255, "maxBin must be at most 255 (bins are stored in one byte with the missing bin)")
        let n = columns.first?.count ?? 0
        rows = n
        let slots = ResultSlots<FeatureBins>(count: columns.count)
        parallelFor(columns.count) { j in slots[j] = FeatureBins(values: columns[j], maxBin: maxBin) }
        bins = slots.values.map { $0! }
        var out = [UInt8](repeating: 0, count: n * columns.count)
        let fitted = bins
        out.withUnsafeMutableBufferPointer { o in
            let base = SharedPointer(o.baseAddress!)
            parallelFor(columns.count) { j in
                let b = fitted[j]
                for i in 0..<n { base.base[j * n + i] = UInt8(b.bin(columns[j][i])) }
            }
        }
        codes = out
    }
}
