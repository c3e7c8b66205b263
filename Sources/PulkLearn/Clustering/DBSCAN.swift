import Foundation
public import PulkFrame

/// DBSCAN (Ester et al. 1996; scikit-learn's `DBSCAN`): a row with at least `min_samples` rows
/// (itself included) within `eps` is a core row; core rows within `eps` of each other share a
/// cluster, and a row within `eps` of a core row joins its cluster; every other row is noise
/// (cluster −1). The number of clusters is found, not given. Training labels are scikit-learn's,
/// in the same order; a new row takes the cluster of its nearest core row within `eps`, else −1,
/// with its distance to that nearest core row. Distances are Euclidean on the preprocessed features
/// (standardised by default); neighbourhoods are found exactly, so the cost grows with the square of
/// the rows.
public struct DBSCANEstimator: Estimator {
    public static let name = "dbscan"
    public static let summary = "DBSCAN density clustering (scikit-learn's DBSCAN): clusters of dense rows, the rest noise (−1); finds the number of clusters."
    public static let task = Task.clustering
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("eps", .double(lower: 0, upper: .infinity, lowerOpen: true), default: .double(0.5),
                      doc: "The radius of a row's neighbourhood, in the preprocessed (by default standardised) units."),
        ParameterSpec("min_samples", .int(1...100_000), default: .int(5), doc: "Rows within eps (the row itself included) that make a core row."),
    ] + unsupervisedFeaturizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let names = pipeline.outputNames, d = names.count
        let core = try s.double("core_points", file: file), labels = try s.int("core_labels", file: file)
        guard d > 0, core.count == labels.count * d, core.allSatisfy(\.isFinite), labels.allSatisfy({ $0 >= 0 && $0 < Int64(labels.count) }) else {
            throw .corruptModelFile(file, reason: "the core rows do not match \(d) features and their clusters")
        }
        return DBSCANModel(parameters: h.parameters, schema: h.schema, pipeline: pipeline, names: names, core: core,
                           coreLabels: labels.map { Int($0) }, clusterCount: Int(labels.max().map { $0 + 1 } ?? 0))
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let training = frame.withoutLabel(target)
        guard training.rowCount > 0 else { throw .emptyTrainingData }
        let (pipeline, design) = try featurizeUnsupervised(training, parameters: parameters)
        let x = design.rowMajor(), n = design.rows, d = design.columns
        let (labels, isCore) = Self.cluster(x, rows: n, columns: d, eps: parameters.double("eps"), minSamples: parameters.int("min_samples"))
        let coreRows = (0..<n).filter { isCore[$0] }
        var core: [Double] = []
        core.reserveCapacity(coreRows.count * d)
        for i in coreRows { core += x[(i * d)..<(i * d + d)] }
        return DBSCANModel(parameters: parameters, schema: FeatureSchema(frame: training, excluding: ""), pipeline: pipeline, names: design.names,
                           core: core, coreLabels: coreRows.map { labels[$0] }, clusterCount: (labels.max() ?? -1) + 1)
    }

    /// scikit-learn's labels: neighbourhoods within `eps` (distance ≤ eps, the row itself counted),
    /// then a depth-first expansion from each unlabelled core row in row order.
    static func cluster(_ x: [Double], rows n: Int, columns d: Int, eps: Double, minSamples: Int) -> (labels: [Int], core: [Bool]) {
        let neighborhoods = ResultSlots<[Int32]>(count: n)
        let limit = eps * eps
        let shared = UncheckedSendable(x)
        let chunk = 64
        parallelFor((n + chunk - 1) / chunk) { c in
            shared.value.withUnsafeBufferPointer { xb in
                let base = xb.baseAddress!
                for a in (c * chunk)..<min(n, (c + 1) * chunk) {
                    var near: [Int32] = []
                    let row = base + a * d
                    for b in 0..<n {
                        let other = base + b * d
                        var s = 0.0
                        for f in 0..<d { let t = row[f] - other[f]; s += t * t }
                        if s <= limit { near.append(Int32(b)) }
                    }
                    neighborhoods[a] = near
                }
            }
        }
        let lists = neighborhoods.values.map { $0! }
        let core = lists.map { $0.count >= minSamples }
        var labels = [Int](repeating: -1, count: n)
        var next = 0
        var stack: [Int] = []
        for start in 0..<n where labels[start] == -1 && core[start] {
            var i = start
            while true {
                if labels[i] == -1 {
                    labels[i] = next
                    if core[i] { for v in lists[i] where labels[Int(v)] == -1 { stack.append(Int(v)) } }
                }
                guard let top = stack.popLast() else { break }
                i = top
            }
            next += 1
        }
        return (labels, core)
    }
}

struct DBSCANModel: PreprocessedClusterModel {
    var kind: String { DBSCANEstimator.name }
    let parameters: Parameters
    let schema: FeatureSchema
    let pipeline: FeaturePipeline?
    let names: [String]
    /// The core rows (row-major, preprocessed) and their clusters.
    let core: [Double]
    let coreLabels: [Int]
    let clusterCount: Int
    var hasCenters: Bool { false }

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let (x, _) = try points(frame)
        let n = frame.rowCount, d = names.count
        guard !coreLabels.isEmpty else {
            // No core row at all: everything is noise.
            return .clustering(clusters: [Int](repeating: -1, count: n), distances: [Double](repeating: .infinity, count: n))
        }
        let found = Neighbors.search(core, rows: coreLabels.count, columns: d, queries: x, queryRows: n, k: 1, excludeSelf: false)
        let eps = parameters.double("eps")
        return .clustering(clusters: (0..<n).map { found.distances[$0] <= eps ? coreLabels[found.indices[$0]] : -1 }, distances: found.distances)
    }

    var state: ModelState { ModelState(doubles: ["core_points": core], ints: ["core_labels": coreLabels.map(Int64.init)]) }
}
