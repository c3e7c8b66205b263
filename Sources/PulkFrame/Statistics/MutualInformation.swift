
/// Mutual information between columns, on discretised values.
public enum MutualInformation {
    /// Codes for a numeric column: `bins` quantile bins of its sorted present values (ties share a
    /// bin), missing as its own code `bins`.
    public static func discretize(values: [Double], sorted: [Double], bins: Int) -> (codes: [Int32], count: Int) {
        guard !sorted.isEmpty else { return (values.map { _ in 0 }, 1) }
        var edges: [Double] = []
        for b in 1..<bins {
            let e = sorted[min(sorted.count - 1, sorted.count * b / bins)]
            if edges.last != e { edges.append(e) }
        }
        let codes = values.map { v -> Int32 in
            if v.isNaN { return Int32(bins) }
            // Number of edges ≤ v.
            var lo = 0, hi = edges.count
            while lo < hi { let mid = (lo + hi) / 2; if edges[mid] <= v { lo = mid + 1 } else { hi = mid } }
            return Int32(lo)
        }
        return (codes, bins + 1)
    }

    /// Codes for a categorical column: its `cap` most frequent categories, the rest grouped, missing apart.
    public static func discretize(codes: [Int32], categories: Int, cap: Int) -> (codes: [Int32], count: Int) {
        var counts = [Int](repeating: 0, count: categories)
        for c in codes where c >= 0 { counts[Int(c)] += 1 }
        let top = counts.indices.sorted { counts[$0] > counts[$1] }.prefix(cap)
        var remap = [Int32](repeating: Int32(cap), count: categories)
        for (k, c) in top.enumerated() { remap[c] = Int32(k) }
        return (codes.map { $0 < 0 ? Int32(cap + 1) : remap[Int($0)] }, cap + 2)
    }

    /// I(X;Y) in nats from paired codes.
    public static func mutualInformation(_ x: [Int32], _ kx: Int, _ y: [Int32], _ ky: Int) -> Double {
        var joint = [Int](repeating: 0, count: kx * ky)
        for i in 0..<x.count { joint[Int(x[i]) * ky + Int(y[i])] += 1 }
        var px = [Int](repeating: 0, count: kx), py = [Int](repeating: 0, count: ky)
        for a in 0..<kx { for b in 0..<ky { px[a] += joint[a * ky + b]; py[b] += joint[a * ky + b] } }
        let n = Double(x.count)
        var mi = 0.0
        for a in 0..<kx where px[a] > 0 {
            for b in 0..<ky where joint[a * ky + b] > 0 {
                let pab = Double(joint[a * ky + b]) / n
                mi += pab * log(pab * n * n / (Double(px[a]) * Double(py[b])))
            }
        }
        return max(0, mi)
    }

    /// H(Y) in nats.
    public static func entropy(_ y: [Int32], _ ky: Int) -> Double {
        var counts = [Int](repeating: 0, count: ky)
        for v in y { counts[Int(v)] += 1 }
        let n = Double(y.count)
        return counts.reduce(0.0) { h, c in c == 0 ? h : h - Double(c) / n * log(Double(c) / n) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
