public import PulkFrame

/// Baselines answer "is the model better than always predicting the most popular target?". They
/// are real estimators (same contract, same file format) and are reported beside every model.

/// Predicts the most frequent class; probabilities are the training class shares
/// (scikit-learn's `DummyClassifier(strategy="prior")`).
public struct MostFrequentClassifier: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try PriorModel.restore(h, s, file: file) }
    public static let name = "most-frequent"
    public static let summary = "Baseline: always the most frequent training class (ties: the first class)."
    public static let task = Task.classification
    public static let parameterSpecs: [ParameterSpec] = []
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let t = try TargetValues.extract(frame, target: target, task: .classification)
        return PriorModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                          target: t.info, priors: priors(t), seed: nil)
    }
}

/// Draws each prediction at random from the training class shares; the probabilities are those
/// draws (scikit-learn's `DummyClassifier(strategy="stratified")`). Deterministic for a seed.
public struct StratifiedClassifier: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try PriorModel.restore(h, s, file: file) }
    public static let name = "stratified"
    public static let summary = "Baseline: random classes drawn with the training class shares."
    public static let task = Task.classification
    public static let parameterSpecs: [ParameterSpec] = []
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let t = try TargetValues.extract(frame, target: target, task: .classification)
        return PriorModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                          target: t.info, priors: priors(t), seed: seed)
    }
}

func priors(_ t: TargetValues) -> [Double] {
    var counts = [Double](repeating: 0, count: t.info.classes!.count)
    for c in t.classes { counts[c] += 1 }
    return counts.map { $0 / Double(t.classes.count) }
}

/// The fitted state of both class baselines.
struct PriorModel: Model {
    let kind: String
    let parameters: Parameters
    let schema: FeatureSchema
    let target: TargetInfo
    let priors: [Double]
    /// Set for the stratified baseline: predictions are draws from a generator with this seed.
    let seed: UInt64?

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        _ = try schema.columns(of: frame)
        let classes = target.classes!
        guard let seed else {
            let best = Predictions.mostProbable(priors)
            return .classification(classes: classes, predicted: .init(repeating: best, count: frame.rowCount),
                                   probabilities: ClassProbabilities([[Double]](repeating: priors, count: frame.rowCount)))
        }
        var rng = SeededGenerator(seed: seed)
        var predicted: [Int] = []
        var probabilities: [[Double]] = []
        for _ in 0..<frame.rowCount {
            let u = Double.random(in: 0..<1, using: &rng)
            var acc = 0.0, pick = priors.count - 1
            for (k, p) in priors.enumerated() { acc += p; if u < acc { pick = k; break } }
            predicted.append(pick)
            var row = [Double](repeating: 0, count: priors.count)
            row[pick] = 1
            probabilities.append(row)
        }
        return .classification(classes: classes, predicted: predicted, probabilities: ClassProbabilities(probabilities))
    }

    var state: ModelState {
        ModelState(doubles: ["priors": priors], ints: seed.map { ["seed": [Int64(bitPattern: $0)]] } ?? [:])
    }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let priors = try s.double("priors", file: file)
        guard let classes = h.target.classes, classes.count == priors.count else {
            throw .corruptModelFile(file, reason: "class list and priors differ in length")
        }
        let seed = h.kind == StratifiedClassifier.name ? UInt64(bitPattern: try s.int("seed", file: file).first ?? 0) : nil
        return PriorModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, priors: priors, seed: seed)
    }
}

/// Predicts the training mean (`DummyRegressor(strategy="mean")`).
public struct MeanRegressor: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try ConstantModel.restore(h, s, file: file) }
    public static let name = "mean"
    public static let summary = "Baseline: always the training mean."
    public static let task = Task.regression
    public static let parameterSpecs: [ParameterSpec] = []
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let t = try TargetValues.extract(frame, target: target, task: .regression)
        let mean = t.values.reduce(0, +) / Double(t.values.count)
        return ConstantModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                             target: t.info, value: mean)
    }
}

/// Predicts the training median (`DummyRegressor(strategy="median")`).
public struct MedianRegressor: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try ConstantModel.restore(h, s, file: file) }
    public static let name = "median"
    public static let summary = "Baseline: always the training median."
    public static let task = Task.regression
    public static let parameterSpecs: [ParameterSpec] = []
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let t = try TargetValues.extract(frame, target: target, task: .regression)
        let median = t.values.sorted().withUnsafeBufferPointer { Statistics.quantile(sorted: $0, 0.5) }
        return ConstantModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                             target: t.info, value: median)
    }
}

/// The fitted state of the regression baselines.
struct ConstantModel: Model {
    let kind: String
    let parameters: Parameters
    let schema: FeatureSchema
    let target: TargetInfo
    let value: Double

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        _ = try schema.columns(of: frame)
        return .regression(.init(repeating: value, count: frame.rowCount))
    }

    var state: ModelState { ModelState(doubles: ["value": [value]]) }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let v = try s.double("value", file: file).first else { throw .corruptModelFile(file, reason: "no value") }
        return ConstantModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, value: v)
    }
}
