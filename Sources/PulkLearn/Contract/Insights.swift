public import PulkFrame

/// How much one input feature is used by a model: how often it splits (`split`) and the total loss
/// reduction of its splits (`gain`), as LightGBM's `importance_type`.
public struct FeatureImportance: Sendable, Codable, Equatable {
    public var feature: String
    public var split: Double
    public var gain: Double

    public init(feature: String, split: Double, gain: Double) {
        self.feature = feature
        self.split = split
        self.gain = gain
    }
}

/// Models that can say which features they use.
public protocol ProvidesFeatureImportance {
    var featureImportance: [FeatureImportance] { get }
}

/// A per-iteration curve of a training run (boosting train loss and validation metric).
public struct TrainingCurve: Sendable, Codable, Equatable {
    /// e.g. `train_binary_logloss`, `valid_roc_auc`.
    public var name: String
    public var values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// Models that keep their training curves (logged as metric histories by tracking).
public protocol ProvidesTrainingCurves {
    var trainingCurves: [TrainingCurve] { get }
    /// The iteration kept (early stopping), if any.
    var bestIteration: Int? { get }
}

/// Per-row additive explanations of raw predictions (SHAP values): for each output, one value per
/// feature plus the expected value, summing to the raw score (log-odds for classifiers).
public struct Contributions: Sendable, Equatable {
    public var features: [String]
    /// Output names: the target for one-output models, class labels for multiclass.
    public var outputs: [String]
    /// `values[row][output * (features.count + 1) + j]`; the last of each output block is the expected value.
    public var values: [[Double]]

    public init(features: [String], outputs: [String], values: [[Double]]) {
        self.features = features
        self.outputs = outputs
        self.values = values
    }
}

/// Models that explain each prediction.
public protocol ProvidesContributions {
    func contributions(_ frame: Frame) throws(LearnError) -> Contributions
}

/// Models that measured themselves on the rows each tree did not see (bagged forests).
public protocol ProvidesOutOfBagScore {
    var outOfBag: MetricValue? { get }
}
