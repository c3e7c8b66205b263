import PulkFrame

/// Hyperparameters every model with preprocessing accepts.
let featurizationSpecs: [ParameterSpec] = [
    ParameterSpec("impute", .choice(["mean", "median", "most_frequent", "constant"]), default: .string("mean"),
                  doc: "How missing numbers are filled (a missing-indicator column is added either way)."),
    ParameterSpec("fill_value", .double(lower: -.infinity, upper: .infinity), default: .double(0), doc: "The number used by impute=constant."),
    ParameterSpec("scale", .choice(["standard", "minmax", "robust", "none"]), default: .string("standard"),
                  doc: "How numbers are rescaled after imputation."),
    ParameterSpec("max_categories", .int(2...10_000), default: .int(50),
                  doc: "One-hot columns per text column at most (rarer values grouped); more categories are target-encoded when possible."),
    ParameterSpec("variance_threshold", .double(lower: 0, upper: .infinity), default: .double(0),
                  doc: "Drop transformed columns whose variance is at most this (0 drops constant ones)."),
    ParameterSpec("select_k", .int(0...1_000_000), default: .int(0),
                  doc: "Keep the k transformed columns with the most mutual information with the target (0 keeps all)."),
]

/// Fits automatic featurization and feature selection on training rows and returns the pipeline and
/// the training design matrix.
func featurize(_ training: Frame, target: String, values: TargetValues, parameters: Parameters) throws(LearnError)
    -> (FeaturePipeline, DesignMatrix) {
    let binary = values.info.task == .classification && values.info.classes?.count == 2
    let encodable = values.info.task == .regression || binary
    let y = values.info.task == .regression ? values.values : values.classes.map(Double.init)
    let options = AutoFeaturizer.Options(imputation: NumericImputation(rawValue: parameters.string("impute"))!,
                                         fill: parameters.double("fill_value"), scaling: Scaling(rawValue: parameters.string("scale"))!,
                                         maxCategories: parameters.int("max_categories"))
    let (plans, decisions) = AutoFeaturizer.plan(training, target: target, targetEncodable: encodable, options: options)
    var pipeline = try FeaturePipeline.fit(training, plans: plans, target: encodable ? y : nil)
    pipeline.decisions = decisions
    var x = try pipeline.transform(training)
    // Training rows get out-of-fold target encodings, so the model cannot read its own answer.
    for (j, column) in pipeline.outOfFoldEncodings(training, target: y, folds: 5, seed: 0) {
        x.values.replaceSubrange((j * x.rows)..<((j + 1) * x.rows), with: column)
    }
    let k = parameters.int("select_k")
    pipeline.select(x, target: values, varianceThreshold: parameters.double("variance_threshold"), topK: k > 0 ? k : nil)
    if let selected = pipeline.selected {
        var kept: [Double] = []
        for j in selected { kept.append(contentsOf: x.values[(j * x.rows)..<((j + 1) * x.rows)]) }
        x = DesignMatrix(rows: x.rows, names: pipeline.outputNames, values: kept)
    }
    return (pipeline, x)
}

/// The featurization hyperparameters of models without a target (no target encoding, no selection
/// by mutual information with a target).
let unsupervisedFeaturizationSpecs: [ParameterSpec] = featurizationSpecs.filter { $0.name != "select_k" }

/// Fits automatic featurization on every column of `training` (no target: text columns are one-hot
/// encoded up to `max_categories`, rarer values grouped) and returns the pipeline and the design matrix.
/// Numbers are not rescaled for a model that declares no `scale`. With `rows`, the featurization is
/// fitted on every row but only those rows are transformed (and the variance check runs on them).
func featurizeUnsupervised(_ training: Frame, parameters: Parameters, rows: [Int]? = nil) throws(LearnError) -> (FeaturePipeline, DesignMatrix) {
    let scaling = Scaling(rawValue: parameters.values["scale"]?.description ?? "none")!
    let options = AutoFeaturizer.Options(imputation: NumericImputation(rawValue: parameters.string("impute"))!,
                                         fill: parameters.double("fill_value"), scaling: scaling,
                                         maxCategories: parameters.int("max_categories"))
    let (plans, decisions) = AutoFeaturizer.plan(training, target: "", targetEncodable: false, options: options)
    guard plans.contains(where: { if case .drop = $0.1 { return false } else { return true } }) else {
        throw .noUsableFeatures(decisions.map { "\($0.column): \($0.reason)" })
    }
    var pipeline = try FeaturePipeline.fit(training, plans: plans, target: nil)
    pipeline.decisions = decisions
    var x = try pipeline.transform(rows.map { training.take($0) } ?? training)
    let none = TargetValues(info: TargetInfo(name: "", task: .clustering, classes: nil), rows: [], values: [], classes: [])
    pipeline.select(x, target: none, varianceThreshold: parameters.double("variance_threshold"), topK: nil)
    if let selected = pipeline.selected {
        var kept: [Double] = []
        for j in selected { kept.append(contentsOf: x.values[(j * x.rows)..<((j + 1) * x.rows)]) }
        x = DesignMatrix(rows: x.rows, names: pipeline.outputNames, values: kept)
    }
    return (pipeline, x)
}
