import Foundation
public import PulkFrame

/// Local outlier factor (Breunig et al. 2000; scikit-learn's `LocalOutlierFactor(novelty=True)`):
/// a row is unusual when the density around it (the inverse mean reachability distance to its
/// `n_neighbors` nearest training rows) is lower than its neighbours' own densities. The score is
/// that ratio (scikit-learn's `score_samples` is its negative): about 1 inside a cluster, larger
/// further out; rows above 1.5 are flagged (scikit-learn's `contamination="auto"`), or the
/// contamination share of the training rows. Distances are Euclidean on the preprocessed features
/// (standardised by default); neighbours are found exactly, in parallel, so the cost grows with the
/// square of the training rows.
public struct LocalOutlierFactorEstimator: Estimator {
    public static let name = "local-outlier-factor"
    public static let summary = "Local outlier factor anomaly detection (scikit-learn's LocalOutlierFactor, novelty=True): density against the neighbours' density."
    public static let task = Task.anomaly
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("n_neighbors", aliases: ["k"], .int(1...10_000), default: .int(20), doc: "Neighbours whose density a row is compared with."),
        contaminationSpec,
    ] + unsupervisedFeaturizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let profile = try restoreProfile(pipeline, s, file: file)
        let d = profile.names.count
        let x = try s.double("points", file: file), kDistance = try s.double("k_distance", file: file), density = try s.double("density", file: file)
        let n = kDistance.count
        let k = try s.int("k", file: file).first.map(Int.init) ?? 0
        guard d > 0, x.count == n * d, density.count == n, n > 0, k >= 1, k <= n, x.allSatisfy(\.isFinite),
              kDistance.allSatisfy({ $0 >= 0 && $0.isFinite }), density.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .corruptModelFile(file, reason: "the training points do not match \(d) features, their densities and k")
        }
        return LocalOutlierFactorModel(parameters: h.parameters, schema: h.schema, pipeline: pipeline, profile: profile,
                                       threshold: try s.double("threshold", file: file).first ?? 1.5, k: k, points: x, kDistance: kDistance, density: density)
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let (training, pipeline, x, names) = try anomalyDesign(frame, label: target, parameters: parameters)
        let n = training.rowCount, d = names.count
        guard n >= 2 else { throw .badParameterValue(model: Self.name, name: "n_neighbors", value: String(parameters.int("n_neighbors")), expected: "at least 2 training rows") }
        // As scikit-learn: at most the training rows less one.
        let k = min(parameters.int("n_neighbors"), n - 1)
        let neighbors = Neighbors.search(x, rows: n, columns: d, queries: x, queryRows: n, k: k, excludeSelf: true)
        let kDistance = (0..<n).map { neighbors.distances[$0 * k + k - 1] }
        let density = LocalOutlierFactorModel.densities(neighbors, k: k, rows: n, kDistance: kDistance)
        var model = LocalOutlierFactorModel(parameters: parameters, schema: FeatureSchema(frame: training, excluding: ""), pipeline: pipeline,
                                            profile: RobustProfile(x, rows: n, names: names), threshold: 1.5, k: k, points: x,
                                            kDistance: kDistance, density: density)
        let contamination = parameters.double("contamination")
        if contamination > 0 {
            // The training rows' own factors (each without itself), as scikit-learn's negative_outlier_factor_.
            let own = LocalOutlierFactorModel.factors(neighbors, k: k, rows: n, density: density, own: density)
            model.threshold = anomalyThreshold(own, contamination: contamination, fallback: 1.5)
        }
        return model
    }
}

struct LocalOutlierFactorModel: AnomalyScorer {
    var kind: String { LocalOutlierFactorEstimator.name }
    let parameters: Parameters
    let schema: FeatureSchema
    let pipeline: FeaturePipeline?
    let profile: RobustProfile
    var threshold: Double
    let k: Int
    /// The training rows (row-major, preprocessed), each one's distance to its k-th neighbour and its density.
    let points: [Double]
    let kDistance: [Double]
    let density: [Double]

    /// 1 / (mean reachability distance + 1e-10) of each query, as scikit-learn computes it.
    static func densities(_ n: Neighbors, k: Int, rows: Int, kDistance: [Double]) -> [Double] {
        (0..<rows).map { i in
            var total = 0.0
            for j in 0..<k { total += max(n.distances[i * k + j], kDistance[n.indices[i * k + j]]) }
            return 1 / (total / Double(k) + 1e-10)
        }
    }

    /// Each query's local outlier factor: the mean density of its neighbours over its own density.
    static func factors(_ n: Neighbors, k: Int, rows: Int, density: [Double], own: [Double]) -> [Double] {
        (0..<rows).map { i in (0..<k).reduce(0.0) { $0 + density[n.indices[i * k + $1]] } / Double(k) / own[i] }
    }

    func scores(_ x: [Double], rows: Int) -> [Double] {
        let d = profile.names.count
        let found = Neighbors.search(points, rows: kDistance.count, columns: d, queries: x, queryRows: rows, k: k, excludeSelf: false)
        return Self.factors(found, k: k, rows: rows, density: density, own: Self.densities(found, k: k, rows: rows, kDistance: kDistance))
    }

    var state: ModelState {
        var s = profileState(profile, threshold: threshold)
        s.doubles["points"] = points
        s.doubles["k_distance"] = kDistance
        s.doubles["density"] = density
        s.ints["k"] = [Int64(k)]
        return s
    }
}

/// Exact k nearest neighbours by Euclidean distance, every query on every core: for each query, the
/// `k` closest rows (nearest first; ties by lower row) and their distances, `k` per query.
struct Neighbors {
    var indices: [Int]
    var distances: [Double]

    static func search(_ x: [Double], rows n: Int, columns d: Int, queries q: [Double], queryRows m: Int, k: Int, excludeSelf: Bool) -> Neighbors {
        var indices = [Int](repeating: 0, count: m * k), distances = [Double](repeating: 0, count: m * k)
        x.withUnsafeBufferPointer { xb in
            q.withUnsafeBufferPointer { qb in
                indices.withUnsafeMutableBufferPointer { ib in
                    distances.withUnsafeMutableBufferPointer { db in
                        let (xs, qs, io, dout) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(qb.baseAddress!),
                                                  SharedPointer(ib.baseAddress!), SharedPointer(db.baseAddress!))
                        let chunk = 32
                        parallelFor((m + chunk - 1) / chunk) { c in
                            var bestD = [Double](repeating: .infinity, count: k), bestI = [Int](repeating: -1, count: k)
                            for a in (c * chunk)..<min(m, (c + 1) * chunk) {
                                for j in 0..<k { bestD[j] = .infinity; bestI[j] = -1 }
                                let row = qs.value + a * d
                                // Slots fill first (so a row at an infinite or NaN distance still
                                // takes one), then only a strictly nearer row displaces the last.
                                var filled = 0
                                for b in 0..<n where !(excludeSelf && a == b) {
                                    let other = xs.value + b * d
                                    var s = 0.0
                                    for f in 0..<d { let t = row[f] - other[f]; s += t * t }
                                    if filled == k && !(s < bestD[k - 1]) { continue }
                                    var at = filled < k ? filled : k - 1
                                    if filled < k { filled += 1 }
                                    while at > 0, s < bestD[at - 1] { bestD[at] = bestD[at - 1]; bestI[at] = bestI[at - 1]; at -= 1 }
                                    bestD[at] = s; bestI[at] = b
                                }
                                for j in 0..<k { io.base[a * k + j] = bestI[j]; dout.base[a * k + j] = bestD[j].squareRoot() }
                            }
                        }
                    }
                }
            }
        }
        return Neighbors(indices: indices, distances: distances)
    }
}
