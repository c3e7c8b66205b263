import Foundation

/// Histograms as numpy computes them, so that binned distances equal Evidently's (which bins with
/// `np.histogram_bin_edges(…, bins="sturges")` and `np.histogram`).
public enum Binning {
    /// numpy's "sturges" edges for `count` values spanning `low…high`: ⌈range / (range / (log2 n + 1))⌉
    /// equal bins (one when the range is 0, widened to ±0.5 around a single value); for integers
    /// (`integer`) numpy makes a bin at least 1 wide.
    public static func sturgesEdges(low: Double, high: Double, count: Int, integer: Bool = false) -> [Double] {
        var first = low, last = high
        var width = (last - first) / (log2(Double(count)) + 1)
        if integer && width > 0 && width < 1 { width = 1 }
        let bins = width > 0 ? Int(((last - first) / width).rounded(.up)) : 1
        if first == last { first -= 0.5; last += 0.5 }
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        return edges
    }

    /// Counts of `sorted` values per bin of equal-width `edges` (the last bin closed), as
    /// `np.histogram`; values outside the edges are not counted.
    public static func counts(sorted values: UnsafeBufferPointer<Double>, edges: [Double]) -> [Int] {
        let bins = edges.count - 1
        var counts = [Int](repeating: 0, count: bins)
        let first = edges[0], last = edges[bins]
        let denominator = last - first
        for v in values where v >= first && v <= last {
            var i = Int((v - first) / denominator * Double(bins))
            if i == bins { i -= 1 }
            if v < edges[i] { i -= 1 } else if i != bins - 1 && v >= edges[i + 1] { i += 1 }
            counts[i] += 1
        }
        return counts
    }

    /// Evidently's zero filling (`feel_zeroes`): zero shares become the smallest non-zero share / 10⁶
    /// when that is ≤ 0.0001, else 0.0001.
    public static func fillZeros(_ shares: [Double]) -> [Double] {
        guard let smallest = shares.filter({ $0 != 0 }).min() else { return shares }
        let fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001
        return shares.map { $0 == 0 ? fill : $0 }
    }
}
