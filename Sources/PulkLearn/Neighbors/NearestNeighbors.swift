import Foundation
public import PulkFrame

let neighborSpecs: [ParameterSpec] = [
    ParameterSpec("n_neighbors", aliases: ["k"], .int(1...10_000), default: .int(5), doc: "Neighbours that vote."),
    ParameterSpec("weights", .choice(["uniform", "distance"]), default: .string("uniform"),
                  doc: "uniform: equal votes; distance: votes weighted by 1 / distance (exact matches win outright)."),
] + featurizationSpecs

/// k-nearest neighbours by Euclidean distance on the preprocessed features (numbers standardised,
/// categories one-hot), as scikit-learn's `KNeighborsClassifier` / `KNeighborsRegressor` with brute force.
public struct KNeighborsEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try NeighborsModel.restore(h, s, file: file) }
    public static let name = "knn"
    public static let summary = "k-nearest neighbours (classification), Euclidean distance on standardised features."
    public static let task = Task.classification
    public static let parameterSpecs = neighborSpecs
    public static let searchSpace = neighborSearchSpace
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitNeighbors(self, frame, target: target, task: .classification)
    }
}

/// k-nearest-neighbour regression (mean of the neighbours' targets).
public struct KNeighborsRegressorEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try NeighborsModel.restore(h, s, file: file) }
    public static let name = "knn-regressor"
    public static let summary = "k-nearest neighbours (regression), Euclidean distance on standardised features."
    public static let task = Task.regression
    public static let parameterSpecs = neighborSpecs
    public static let searchSpace = neighborSearchSpace
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitNeighbors(self, frame, target: target, task: .regression)
    }
}

func fitNeighbors(_ e: some Estimator, _ frame: Frame, target: String, task: Task) throws(LearnError) -> any Model {
    let t = try TargetValues.extract(frame, target: target, task: task)
    let training = t.presentRows(of: frame)
    let (pipeline, x) = try featurize(training, target: target, values: t, parameters: e.parameters)
    return NeighborsModel(kind: type(of: e).name, parameters: e.parameters, schema: FeatureSchema(frame: frame, excluding: target),
                          target: t.info, pipeline: pipeline, points: x,
                          targets: task == .regression ? t.values : t.classes.map(Double.init))
}

struct NeighborsModel: Model {
    let kind: String
    let parameters: Parameters
    let schema: FeatureSchema
    let target: TargetInfo
    let pipeline: FeaturePipeline?
    /// The training points (column-major) and their targets (class indices as numbers for classification).
    let points: DesignMatrix
    let targets: [Double]

    /// Indices and distances of the k nearest training points to row `i` of `query`, nearest first
    /// (ties: lower training index first).
    func neighbors(of i: Int, in query: DesignMatrix, k: Int) -> [(Int, Double)] {
        let n = points.rows, p = points.columns
        var d = [Double](repeating: 0, count: n)
        points.values.withUnsafeBufferPointer { pv in
            for j in 0..<p {
                let q = query.values[j * query.rows + i]
                let col = pv.baseAddress! + j * n
                for r in 0..<n { let diff = col[r] - q; d[r] += diff * diff }
            }
        }
        let order = d.indices.sorted { d[$0] != d[$1] ? d[$0] < d[$1] : $0 < $1 }
        return order.prefix(k).map { ($0, d[$0].squareRoot()) }
    }

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        _ = try schema.columns(of: frame)
        let q = try pipeline!.transform(frame)
        let k = min(parameters.int("n_neighbors"), points.rows)
        let byDistance = parameters.string("weights") == "distance"
        let slots = ResultSlots<(Double, [Double])>(count: q.rows)
        let classCount = target.classes?.count ?? 0
        let me = UncheckedSendable(self)
        parallelFor(q.rows) { i in
            let near = me.value.neighbors(of: i, in: q, k: k)
            // Weights: equal, or 1/d with exact matches taking all the weight.
            var w = near.map { byDistance ? ($0.1 == 0 ? Double.infinity : 1 / $0.1) : 1 }
            if w.contains(.infinity) { w = w.map { $0 == .infinity ? 1 : 0 } }
            let total = w.reduce(0, +)
            if classCount == 0 {
                slots[i] = (zip(near, w).reduce(0) { $0 + me.value.targets[$1.0.0] * $1.1 } / total, [])
            } else {
                var votes = [Double](repeating: 0, count: classCount)
                for (n, wi) in zip(near, w) { votes[Int(me.value.targets[n.0])] += wi }
                slots[i] = (0, votes.map { $0 / total })
            }
        }
        let results = slots.values.map { $0! }
        if classCount == 0 { return .regression(results.map(\.0)) }
        let probabilities = results.map(\.1)
        return .classification(classes: target.classes!, probabilities: probabilities)
    }

    var state: ModelState {
        ModelState(doubles: ["points": points.values, "targets": targets], ints: ["rows": [Int64(points.rows)]])
    }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline, let rows = try s.int("rows", file: file).first else {
            throw .corruptModelFile(file, reason: "the preprocessing or training points are missing")
        }
        let values = try s.double("points", file: file), targets = try s.double("targets", file: file)
        let names = pipeline.outputNames
        // `targets.count` is an array's real length, so the product below cannot overflow.
        guard targets.count == rows, values.count == targets.count * names.count else {
            throw .corruptModelFile(file, reason: "training points do not match the preprocessing")
        }
        // A classifier's targets are indices into its classes.
        if let k = h.target.classes?.count, !targets.allSatisfy({ $0 >= 0 && $0 < Double(k) && $0 == $0.rounded() }) {
            throw .corruptModelFile(file, reason: "a training point's class is not one of the model's \(k) classes")
        }
        return NeighborsModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, pipeline: pipeline,
                              points: DesignMatrix(rows: Int(rows), names: names, values: values), targets: targets)
    }
}

/// Neighbours from 5 (scikit-learn's default) over a log scale, with either vote.
let neighborSearchSpace: [SearchDimension] = [
    .int("n_neighbors", 1...128, log: true, start: 5), .choice("weights", ["uniform", "distance"], start: "uniform"),
]
