public import PulkFrame

/// How one feature of a cluster differs from all rows.
public struct FeatureContrast: Sendable, Codable, Equatable {
    public var feature: String
    /// The mean inside the cluster and over all rows: in the data's own units for a number column,
    /// the share of rows for a category (`column=value`), otherwise as the model sees it.
    public var clusterMean: Double
    public var overallMean: Double
    /// The difference in standard deviations of all rows (positive: higher in the cluster).
    public var effect: Double
}

/// One cluster as a reader of a segmentation sees it: its size and the features that set it apart.
public struct ClusterProfile: Sendable, Codable, Equatable {
    public var cluster: Int
    public var size: Int
    public var share: Double
    /// The features that differ most from all rows, largest effect first.
    public var distinguishing: [FeatureContrast]
}

public enum ClusterProfiles {
    /// Profiles of every cluster of `clusters` (0..<k): sizes, and the `top` features by the size of
    /// their standardised difference, measured on the model's design columns (`x`, row-major).
    /// Number columns of `frame` with a design column of the same name are reported in their own units.
    public static func profiles(x: [Double], names: [String], clusters: [Int], k: Int, frame: Frame, top: Int = 5) -> [ClusterProfile] {
        let n = clusters.count, d = names.count
        guard n > 0, d > 0 else { return [] }
        var overall = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        var sums = [Double](repeating: 0, count: k * d), sizes = [Int](repeating: 0, count: k)
        for i in 0..<n {
            let c = clusters[i]
            sizes[c] += 1
            for j in 0..<d { let v = x[i * d + j]; overall[j] += v; sums[c * d + j] += v }
        }
        for j in 0..<d { overall[j] /= Double(n) }
        for i in 0..<n { for j in 0..<d { let t = x[i * d + j] - overall[j]; sq[j] += t * t } }
        let std = sq.map { ($0 / Double(n)).squareRoot() }
        // Raw means of number columns, per cluster, for display.
        let raw: [String: (all: Double, perCluster: [Double])] = Dictionary(uniqueKeysWithValues: names.compactMap { name in
            guard let column = frame.columns.first(where: { $0.name == name }), column.type.isNumeric, let values = column.doubles() else { return nil }
            var total = 0.0, count = 0, per = [Double](repeating: 0, count: k), perCount = [Int](repeating: 0, count: k)
            for i in 0..<n where !values[i].isNaN {
                total += values[i]; count += 1
                per[clusters[i]] += values[i]; perCount[clusters[i]] += 1
            }
            return (name, (count > 0 ? total / Double(count) : .nan, (0..<k).map { perCount[$0] > 0 ? per[$0] / Double(perCount[$0]) : .nan }))
        })
        return (0..<k).map { c in
            let contrasts = (0..<d).compactMap { j -> FeatureContrast? in
                guard sizes[c] > 0, std[j] > 0 else { return nil }
                let mean = sums[c * d + j] / Double(sizes[c])
                let effect = (mean - overall[j]) / std[j]
                if let r = raw[names[j]] {
                    return FeatureContrast(feature: names[j], clusterMean: r.perCluster[c], overallMean: r.all, effect: effect)
                }
                return FeatureContrast(feature: names[j], clusterMean: mean, overallMean: overall[j], effect: effect)
            }
            let ranked = contrasts.sorted { abs($0.effect) != abs($1.effect) ? abs($0.effect) > abs($1.effect) : $0.feature < $1.feature }
            return ClusterProfile(cluster: c, size: sizes[c], share: Double(sizes[c]) / Double(n), distinguishing: Array(ranked.prefix(top)))
        }
    }
}
