import Foundation
public import PulkFrame

/// Gaussian naive Bayes on the preprocessed features, as scikit-learn's `GaussianNB`: per class the
/// mean and (population) variance of every feature, plus `var_smoothing` × the largest feature variance.
public struct GaussianNaiveBayesEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try NaiveBayesModel.restore(h, s, file: file) }
    public static let name = "naive-bayes"
    public static let summary = "Gaussian naive Bayes (classification)."
    public static let task = Task.classification
    public static let searchSpace: [SearchDimension] = [.double("var_smoothing", 1e-12...1e-2, log: true, start: 1e-9)]
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("var_smoothing", .double(lower: 0, upper: 1), default: .double(1e-9),
                      doc: "Share of the largest feature variance added to every variance, for stability."),
    ] + featurizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let t = try TargetValues.extract(frame, target: target, task: .classification)
        let training = t.presentRows(of: frame)
        let (pipeline, x) = try featurize(training, target: target, values: t, parameters: parameters)
        let k = t.info.classes!.count, p = x.columns, n = x.rows
        var counts = [Double](repeating: 0, count: k)
        for c in t.classes { counts[c] += 1 }
        var means = [Double](repeating: 0, count: k * p), variances = means
        var largest = 0.0
        for j in 0..<p {
            let col = x.column(j)
            let m = col.reduce(0, +) / Double(n)
            largest = max(largest, col.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n))
            for (i, c) in t.classes.enumerated() { means[c * p + j] += col[i] }
            for c in 0..<k { means[c * p + j] /= counts[c] }
            for (i, c) in t.classes.enumerated() { let d = col[i] - means[c * p + j]; variances[c * p + j] += d * d }
            for c in 0..<k { variances[c * p + j] /= counts[c] }
        }
        let epsilon = parameters.double("var_smoothing") * largest
        return NaiveBayesModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                               target: t.info, pipeline: pipeline, priors: counts.map { $0 / Double(n) }, means: means,
                               variances: variances.map { $0 + epsilon })
    }
}

struct NaiveBayesModel: Model {
    let kind: String
    let parameters: Parameters
    let schema: FeatureSchema
    let target: TargetInfo
    let pipeline: FeaturePipeline?
    let priors: [Double]
    let means: [Double]
    let variances: [Double]

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        _ = try schema.columns(of: frame)
        let x = try pipeline!.transform(frame)
        let k = priors.count, p = x.columns
        var probabilities: [[Double]] = []
        for i in 0..<x.rows {
            var joint = (0..<k).map { c -> Double in
                var s = log(priors[c])
                for j in 0..<p {
                    let v = variances[c * p + j], d = x[i, j] - means[c * p + j]
                    s -= 0.5 * log(2 * Double.pi * v) + d * d / (2 * v)
                }
                return s
            }
            let mx = joint.max()!
            let lse = mx + log(joint.reduce(0) { $0 + exp($1 - mx) })
            joint = joint.map { exp($0 - lse) }
            probabilities.append(joint)
        }
        return .classification(classes: target.classes!, probabilities: probabilities)
    }

    var state: ModelState { ModelState(doubles: ["priors": priors, "means": means, "variances": variances]) }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let priors = try s.double("priors", file: file), means = try s.double("means", file: file)
        let variances = try s.double("variances", file: file)
        guard priors.count == h.target.classes?.count, means.count == priors.count * pipeline.outputNames.count, variances.count == means.count else {
            throw .corruptModelFile(file, reason: "class statistics do not match the preprocessing")
        }
        return NaiveBayesModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, pipeline: pipeline,
                               priors: priors, means: means, variances: variances)
    }
}

/// A fitted Gaussian naive Bayes as exporters see it (ONNX): its preprocessing, and per class the
/// prior and each preprocessed column's mean and variance.
public struct GaussianNaiveBayesDescription: Sendable {
    public var pipeline: FeaturePipeline
    public var priors: [Double]
    /// `means[c]` and `variances[c]`: one value per preprocessed column, for class `c`.
    public var means: [[Double]]
    public var variances: [[Double]]
    public var classes: [String]
}

public protocol DescribesGaussianNaiveBayes: Model {
    var gaussianNaiveBayes: GaussianNaiveBayesDescription? { get }
}

extension NaiveBayesModel: DescribesGaussianNaiveBayes {
    var gaussianNaiveBayes: GaussianNaiveBayesDescription? {
        guard let pipeline, let classes = target.classes else { return nil }
        let k = priors.count, p = k > 0 ? means.count / k : 0
        return GaussianNaiveBayesDescription(pipeline: pipeline, priors: priors,
                                             means: (0..<k).map { Array(means[($0 * p)..<(($0 + 1) * p)]) },
                                             variances: (0..<k).map { Array(variances[($0 * p)..<(($0 + 1) * p)]) }, classes: classes)
    }
}
