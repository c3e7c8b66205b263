/// How a model's raw scores become its predictions (exporters spell it in their own operators).
public enum ScoreLink: Sendable { case identity, exp, logistic, softmax }

/// A fitted linear model as exporters see it (ONNX): its preprocessing, and per output the weights of
/// the preprocessed columns and an intercept, with the link from scores to predictions.
public struct LinearDescription: Sendable {
    public var pipeline: FeaturePipeline
    /// `weights[o]` holds one weight per preprocessed column for output `o`.
    public var weights: [[Double]]
    public var intercepts: [Double]
    public var link: ScoreLink
    public var classes: [String]?
}

/// Models whose predictions are a linear function of their preprocessed columns.
public protocol DescribesLinearModel: Model {
    var linear: LinearDescription? { get }
}

extension LinearModel: DescribesLinearModel {
    var linear: LinearDescription? {
        pipeline.map { LinearDescription(pipeline: $0, weights: [coef], intercepts: [intercept], link: .identity, classes: nil) }
    }
}

extension LogisticModel: DescribesLinearModel {
    var linear: LinearDescription? {
        guard let pipeline else { return nil }
        let p = pipeline.outputNames.count
        let weights = (0..<outputs).map { o in Array(theta[(o * (p + 1))..<(o * (p + 1) + p)]) }
        let intercepts = (0..<outputs).map { o in theta[o * (p + 1) + p] }
        return LinearDescription(pipeline: pipeline, weights: weights, intercepts: intercepts, link: outputs == 1 ? .logistic : .softmax,
                                 classes: target.classes)
    }
}
