public import PulkFrame

/// What a fitted model outputs.
public enum Predictions: Sendable, Equatable {
    case regression([Double])
    /// Predicted class indices into `classes`, and one probability row per input row.
    case classification(classes: [String], predicted: [Int], probabilities: ClassProbabilities)
    /// The nearest cluster of each row (0-based) and the row's distance to that cluster's center,
    /// measured after the model's preprocessing; for mixtures each row's membership probabilities
    /// (one per cluster).
    case clustering(clusters: [Int], distances: [Double], memberships: ClassProbabilities? = nil)
    /// Each row's anomaly score (higher is more unusual), whether it is flagged as an anomaly, and
    /// for flagged rows the features that made it unusual (empty for the others).
    case anomaly(scores: [Double], flagged: [Bool], reasons: [[AnomalyReason]])
    /// Each row's user's top items, best first, with scores (unknown users get the most popular items).
    case recommendation([Recommendation])

    /// Classification predictions that pick, per row, the most probable class (ties: the first).
    public static func classification(classes: [String], probabilities: ClassProbabilities) -> Predictions {
        .classification(classes: classes, predicted: probabilities.mostProbable(), probabilities: probabilities)
    }

    /// The same from rows given as arrays.
    public static func classification(classes: [String], probabilities: [[Double]]) -> Predictions {
        classification(classes: classes, probabilities: ClassProbabilities(probabilities))
    }

    /// Index of the largest probability (ties: the first, as scikit-learn's argmax).
    public static func mostProbable(_ row: [Double]) -> Int { mostProbable(row[...]) }

    /// The same for a row inside a larger buffer (`ClassProbabilities`); the index is the row's own.
    static func mostProbable(_ row: ArraySlice<Double>) -> Int {
        row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! - row.startIndex
    }

    /// Predicted labels as text (classes) or numbers as text.
    public var labels: [String] {
        switch self {
        case .regression(let v): return v.map { formatDouble($0) }
        case .classification(let classes, let predicted, _): return predicted.map { classes[$0] }
        case .clustering(let clusters, _, _): return clusters.map { String($0) }
        case .anomaly(_, let flagged, _): return flagged.map { $0 ? "1" : "0" }
        case .recommendation(let r): return r.map { $0.items.joined(separator: " ") }
        }
    }
}

/// The contract every learning algorithm follows: validated hyperparameters go in, `fit` returns a
/// new immutable fitted model (so "not fitted" cannot exist), and the model predicts, checks its
/// inputs against the schema it was trained with, and saves to the model file format.
public protocol Estimator: Sendable {
    /// The name users type (`pulk train --model NAME`).
    static var name: String { get }
    /// One line for help and docs.
    static var summary: String { get }
    static var task: Task { get }
    /// Every task it can take on (most have one; tree models do both).
    static var tasks: [Task] { get }
    /// The hyperparameters, declared once.
    static var parameterSpecs: [ParameterSpec] { get }
    /// How AutoML searches the hyperparameters; empty leaves the estimator out of AutoML.
    static var searchSpace: [SearchDimension] { get }

    var parameters: Parameters { get }
    init(parameters: Parameters)

    /// The task this estimator takes on for `target` in `frame` (most estimators have one; tree
    /// models follow their objective or the target's type).
    func task(for frame: Frame, target: String) -> Task

    /// Learns from `frame` to predict `target`; `seed` drives any randomness. Estimators of a task
    /// without a target (clustering) are given an empty `target` and learn from every column.
    func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model

    /// The model this estimator fitted, from its file's header and arrays (`file` names it in errors).
    /// With `name`, `parameterSpecs` and `fit`, all a new estimator declares: listing it in its
    /// module's estimators (`EstimatorRegistry.all`, `TreeModels.estimators`) makes it trainable,
    /// readable from files and part of the catalog.
    static func restore(_ header: ModelHeader, _ state: ModelState, file: String) throws(LearnError) -> any Model
}

extension Estimator {
    public static var tasks: [Task] { [task] }
    public static var searchSpace: [SearchDimension] { [] }

    public func task(for frame: Frame, target: String) -> Task { Self.task }

    /// An estimator with defaults overridden by `given` (parameter names or aliases → text).
    public init(_ given: [String: String]) throws(LearnError) {
        self.init(parameters: try Parameters(specs: Self.parameterSpecs, given: given, model: Self.name))
    }
}

/// A fitted model.
public protocol Model: Sendable {
    /// The estimator name that made it (also its decoder's key in the model file).
    var kind: String { get }
    var parameters: Parameters { get }
    var schema: FeatureSchema { get }
    var target: TargetInfo { get }

    /// Predictions for every row of `frame` (which must have the schema's features).
    func predict(_ frame: Frame) throws(LearnError) -> Predictions

    /// The fitted state as named arrays; with the header fields it restores the model exactly.
    var state: ModelState { get }

    /// Preprocessing the model applies before its own arithmetic (stored in the model file).
    var pipeline: FeaturePipeline? { get }
}

extension Model {
    public var pipeline: FeaturePipeline? { nil }
}

/// A model that can score a matrix of numbers as it is, without a frame: what a server does with a
/// request of plain numbers (tree models, whose features are read without preprocessing).
public protocol MatrixScoring: Model {
    /// Whether `predict(columnMajor:rows:)` applies: every feature is a number the model reads as it is.
    var scoresMatrix: Bool { get }
    /// Predictions for `rows` rows given column by column in schema order (`x[f * rows + i]`, NaN
    /// for a missing value): the same as `predict(_:)` on a frame of those values.
    func predict(columnMajor x: [Double], rows: Int) -> Predictions
}

/// A model's fitted numbers: named arrays of doubles and integers, stored raw in the model file.
public struct ModelState: Sendable, Equatable {
    public var doubles: [String: [Double]] = [:]
    public var ints: [String: [Int64]] = [:]
    /// Raw bytes, such as the model files of an ensemble's members.
    public var bytes: [String: [UInt8]] = [:]

    public init(doubles: [String: [Double]] = [:], ints: [String: [Int64]] = [:], bytes: [String: [UInt8]] = [:]) {
        self.doubles = doubles
        self.ints = ints
        self.bytes = bytes
    }

    public func bytes(_ name: String, file: String) throws(LearnError) -> [UInt8] {
        guard let v = bytes[name] else { throw .corruptModelFile(file, reason: "array '\(name)' is missing") }
        return v
    }

    public func double(_ name: String, file: String) throws(LearnError) -> [Double] {
        guard let v = doubles[name] else { throw .corruptModelFile(file, reason: "array '\(name)' is missing") }
        return v
    }

    public func int(_ name: String, file: String) throws(LearnError) -> [Int64] {
        guard let v = ints[name] else { throw .corruptModelFile(file, reason: "array '\(name)' is missing") }
        return v
    }
}
