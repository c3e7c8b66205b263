import PulkFrame

/// Hyperparameters every model with preprocessing accepts.
let featurizationSpecs: [ParameterSpec] = [
    ParameterSpec("variance_threshold", .double(lower: 0, upper: .infinity), default: .double(0),
                  doc: "Drop transformed columns whose variance is at most this (0 drops constant ones)."),
    ParameterSpec("select_k", .int(0...1_000_000), default: .int(0),
                  doc: "Keep the k transformed columns with the most mutual information with the target (0 keeps all)."),
]

/// Fits automatic featurization and feature selection on training rows and returns the pipeline and
/// the training design matrix.
func featurize(_ training: Frame, target: String, values: TargetValues, parameters: Parameters) throws(LearnError)
    -> (FeaturePipeline, DesignMatrix) {
    var pipeline = try FeaturePipeline.fit(training, plans: AutoFeaturizer.plan(training, target: target).plans)
    var x = try pipeline.transform(training)
    let k = parameters.int("select_k")
    pipeline.select(x, target: values, varianceThreshold: parameters.double("variance_threshold"), topK: k > 0 ? k : nil)
    if pipeline.selected != nil { x = try pipeline.transform(training) }
    return (pipeline, x)
}
