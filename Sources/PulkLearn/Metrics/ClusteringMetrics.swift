import Foundation
import PulkFrame

/// How good a clustering is, as scikit-learn's `sklearn.metrics` measures it: from the data itself
/// (silhouette, Calinski-Harabasz, Davies-Bouldin) and against known labels (adjusted Rand index,
/// normalised mutual information). Rows are given row-major (`x[i * d + j]`).
public enum ClusteringMetrics {
    /// The mean silhouette coefficient over `rows` (all rows when nil): for each row, (b − a) / max(a, b)
    /// with a the mean distance to its own cluster and b the smallest mean distance to another
    /// cluster; 0 for a row alone in its cluster. nil with fewer than 2 or more than n − 1 clusters.
    public static func silhouette(_ x: [Double], columns d: Int, labels: [Int], rows: [Int]? = nil) -> Double? {
        let sample = rows ?? Array(labels.indices)
        let clusters = Dictionary(grouping: sample.indices, by: { labels[sample[$0]] })
        let k = clusters.count
        guard k >= 2, k <= sample.count - 1 else { return nil }
        let ids = Dictionary(uniqueKeysWithValues: clusters.keys.sorted().enumerated().map { ($1, $0) })
        let m = sample.count
        let local = sample.map { ids[labels[$0]]! }
        var sizes = [Int](repeating: 0, count: k)
        for c in local { sizes[c] += 1 }
        let scores = ResultSlots<Double>(count: m)
        let shared = UncheckedSendable((x, sample, local, sizes))
        parallelFor(m) { a in
            let (x, sample, local, sizes) = shared.value
            var sums = [Double](repeating: 0, count: k)
            x.withUnsafeBufferPointer { xp in
                let ra = xp.baseAddress! + sample[a] * d
                for b in 0..<m where b != a {
                    let rb = xp.baseAddress! + sample[b] * d
                    var s = 0.0
                    for j in 0..<d { let t = ra[j] - rb[j]; s += t * t }
                    sums[local[b]] += s.squareRoot()
                }
            }
            let own = local[a]
            guard sizes[own] > 1 else { scores[a] = 0; return }
            let inside = sums[own] / Double(sizes[own] - 1)
            var nearest = Double.infinity
            for c in 0..<k where c != own && sizes[c] > 0 { nearest = min(nearest, sums[c] / Double(sizes[c])) }
            let denominator = max(inside, nearest)
            scores[a] = denominator > 0 ? (nearest - inside) / denominator : 0
        }
        return scores.values.reduce(0) { $0 + $1! } / Double(m)
    }

    /// Between-cluster dispersion over within-cluster dispersion, each per degree of freedom
    /// (higher is better). nil with fewer than 2 clusters or as many clusters as rows.
    public static func calinskiHarabasz(_ x: [Double], columns d: Int, labels: [Int]) -> Double? {
        let n = labels.count
        let (ids, k) = dense(labels)
        guard k >= 2, k < n else { return nil }
        let (means, sizes) = centroids(x, d: d, ids: ids, k: k)
        var overall = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { overall[j] += x[i * d + j] } }
        for j in 0..<d { overall[j] /= Double(n) }
        var between = 0.0, within = 0.0
        for c in 0..<k { for j in 0..<d { let t = means[c * d + j] - overall[j]; between += Double(sizes[c]) * t * t } }
        for i in 0..<n { let c = ids[i]; for j in 0..<d { let t = x[i * d + j] - means[c * d + j]; within += t * t } }
        return within == 0 ? 1 : between * Double(n - k) / (within * Double(k - 1))
    }

    /// The mean, over clusters, of the worst ratio of within-cluster scatter to centroid distance
    /// (lower is better). nil with fewer than 2 clusters or as many clusters as rows.
    public static func daviesBouldin(_ x: [Double], columns d: Int, labels: [Int]) -> Double? {
        let n = labels.count
        let (ids, k) = dense(labels)
        guard k >= 2, k < n else { return nil }
        let (means, sizes) = centroids(x, d: d, ids: ids, k: k)
        var scatter = [Double](repeating: 0, count: k)
        for i in 0..<n {
            let c = ids[i]
            var s = 0.0
            for j in 0..<d { let t = x[i * d + j] - means[c * d + j]; s += t * t }
            scatter[c] += s.squareRoot()
        }
        for c in 0..<k { scatter[c] /= Double(sizes[c]) }
        var total = 0.0
        for a in 0..<k {
            var worst = 0.0
            for b in 0..<k where b != a {
                var s = 0.0
                for j in 0..<d { let t = means[a * d + j] - means[b * d + j]; s += t * t }
                let gap = s.squareRoot()
                // scikit-learn counts a pair of identical centroids as 0 (not infinity).
                let r = gap == 0 ? 0 : (scatter[a] + scatter[b]) / gap
                worst = max(worst, r)
            }
            total += worst
        }
        return total / Double(k)
    }

    /// The adjusted Rand index of two labellings (1: identical up to names; about 0: chance).
    public static func adjustedRand(_ truth: [Int], _ predicted: [Int]) -> Double {
        let (table, a, b) = contingency(truth, predicted)
        let n = Double(truth.count)
        func pairs(_ v: Double) -> Double { v * (v - 1) / 2 }
        let index = table.values.reduce(0) { $0 + pairs(Double($1)) }
        let sa = a.reduce(0) { $0 + pairs(Double($1)) }, sb = b.reduce(0) { $0 + pairs(Double($1)) }
        let expected = sa * sb / pairs(n)
        let maximum = (sa + sb) / 2
        // Both labellings put every row in one cluster, or each row in its own: identical.
        if maximum == expected { return 1 }
        return (index - expected) / (maximum - expected)
    }

    /// Mutual information normalised by the arithmetic mean of the two entropies (scikit-learn's
    /// default): 1 for identical labellings up to names.
    public static func normalizedMutualInformation(_ truth: [Int], _ predicted: [Int]) -> Double {
        let (table, a, b) = contingency(truth, predicted)
        let n = Double(truth.count)
        if a.count == 1 && b.count == 1 { return 1 }
        if a.count == 1 || b.count == 1 { return 0 }
        var mi = 0.0
        for (key, count) in table {
            let p = Double(count) / n
            mi += p * log(Double(count) * n / (Double(a[key.a]) * Double(b[key.b])))
        }
        func entropy(_ counts: [Int]) -> Double { counts.reduce(0) { let p = Double($1) / n; return $0 - (p > 0 ? p * log(p) : 0) } }
        let mean = (entropy(a) + entropy(b)) / 2
        return mean > 0 ? max(0, mi) / mean : 0
    }

    /// Labels renumbered 0..<k in order of first appearance.
    static func dense(_ labels: [Int]) -> ([Int], Int) {
        var ids: [Int: Int] = [:]
        let out = labels.map { l in ids[l] ?? { let v = ids.count; ids[l] = v; return v }() }
        return (out, ids.count)
    }

    static func centroids(_ x: [Double], d: Int, ids: [Int], k: Int) -> ([Double], [Int]) {
        var means = [Double](repeating: 0, count: k * d), sizes = [Int](repeating: 0, count: k)
        for (i, c) in ids.enumerated() {
            sizes[c] += 1
            for j in 0..<d { means[c * d + j] += x[i * d + j] }
        }
        for c in 0..<k { for j in 0..<d { means[c * d + j] /= Double(sizes[c]) } }
        return (means, sizes)
    }

    struct Pair: Hashable { var a: Int; var b: Int }

    /// Counts per (truth, predicted) pair, with both labellings renumbered densely, and the margins.
    static func contingency(_ truth: [Int], _ predicted: [Int]) -> (table: [Pair: Int], a: [Int], b: [Int]) {
        let (ta, ka) = dense(truth), (pb, kb) = dense(predicted)
        var table: [Pair: Int] = [:], a = [Int](repeating: 0, count: ka), b = [Int](repeating: 0, count: kb)
        for i in truth.indices {
            table[Pair(a: ta[i], b: pb[i]), default: 0] += 1
            a[ta[i]] += 1
            b[pb[i]] += 1
        }
        return (table, a, b)
    }
}
