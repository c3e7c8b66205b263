/// Summary statistics of a sample of numbers, as pandas/numpy define them.
public enum Statistics {
    /// Linear-interpolation quantile of sorted values (numpy's default method).
    public static func quantile(sorted: UnsafeBufferPointer<Double>, _ q: Double) -> Double {
        let n = sorted.count
        precondition(n > 0)
        let h = Double(n - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, n - 1)
        let frac = h - Double(lo)
        if frac == 0 || sorted[lo] == sorted[hi] { return sorted[lo] }
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac
    }

    public struct Moments: Sendable {
        public var count: Int
        public var mean: Double
        /// Sum of squared deviations from the mean.
        public var m2: Double
        /// Sum of cubed deviations from the mean.
        public var m3: Double

        /// Sample standard deviation (ddof = 1).
        public var std: Double? { count > 1 ? (m2 / Double(count - 1)).squareRoot() : nil }

        /// Adjusted Fisher–Pearson skewness (pandas' `skew`); nil for fewer than 3 values or no spread.
        public var skewness: Double? {
            let n = Double(count)
            guard count > 2, m2 > 0 else { return nil }
            let g1 = (m3 / n) / pow15(m2 / n)
            return g1 * (n * (n - 1)).squareRoot() / (n - 2)
        }

        private func pow15(_ x: Double) -> Double { x * x.squareRoot() }
    }

    /// Two-pass moments (stable): mean first, then central sums.
    public static func moments(_ v: UnsafeBufferPointer<Double>) -> Moments {
        let n = v.count
        guard n > 0 else { return Moments(count: 0, mean: .nan, m2: 0, m3: 0) }
        var s = 0.0
        for x in v { s += x }
        let mean = s / Double(n)
        var m2 = 0.0, m3 = 0.0
        for x in v {
            let d = x - mean
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
        }
        return Moments(count: n, mean: mean, m2: m2, m3: m3)
    }

    /// Counts in `bins` equal-width bins spanning min…max (numpy's `histogram`: the last bin is closed).
    public static func histogram(sorted: UnsafeBufferPointer<Double>, bins: Int) -> (edges: [Double], counts: [Int]) {
        guard let lo = sorted.first, let hi = sorted.last else { return ([], []) }
        var lower = lo, upper = hi
        if lower == upper { lower -= 0.5; upper += 0.5 }
        let width = (upper - lower) / Double(bins)
        let edges = (0...bins).map { $0 == bins ? upper : lower + Double($0) * width }
        var counts = [Int](repeating: 0, count: bins)
        for x in sorted {
            var b = Int((x - lower) / width)
            if b >= bins { b = bins - 1 }
            if b < 0 { b = 0 }
            // Guard against rounding at edges.
            while b > 0, x < edges[b] { b -= 1 }
            while b < bins - 1, x >= edges[b + 1] { b += 1 }
            counts[b] += 1
        }
        return (edges, counts)
    }
}
