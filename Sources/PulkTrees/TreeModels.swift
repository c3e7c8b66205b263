import Foundation
public import PulkFrame
public import PulkLearn

// MARK: parameters

private func P(_ name: String, _ aliases: [String] = [], _ kind: ParameterKind, _ value: ParameterValue, _ doc: String) -> ParameterSpec {
    ParameterSpec(name, aliases: aliases, kind, default: value, doc: doc)
}

private let positive = ParameterKind.double(lower: 0, upper: .infinity, lowerOpen: true)
private let nonNegative = ParameterKind.double(lower: 0, upper: .infinity)
private let fraction = ParameterKind.double(lower: 0, upper: 1, lowerOpen: true)

let metricChoices = ["auto", "rmse", "mae", "r2", "mse", "median_absolute_error", "explained_variance", "max_error", "mape", "smape",
                     "rmsle", "accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "brier",
                     "roc_auc_ovr_macro", "log_loss", "mcc", "cohen_kappa", "error"] + metricAliases.keys.sorted()

let iterationAliases = ["num_iteration", "n_iter", "num_tree", "num_trees", "num_round", "num_rounds", "nrounds", "num_boost_round",
                        "n_estimators", "max_iter"]
let threadSpec = P("num_threads", ["num_thread", "nthread", "nthreads", "n_jobs"], .int(0...1024), .int(0), "Threads; 0 uses every core.")
let seedSpec = P("seed", ["random_seed", "random_state"], .int(-1...Int.max), .int(-1), "Seed of every random choice; −1 uses the run's seed (`pulk train --seed`).")
let maxBinSpec = P("max_bin", ["max_bins"], .int(2...255), .int(255), "Most bins per numeric feature (missing values get one more).")
let maxDepthSpec = P("max_depth", [], .int(-1...10_000), .int(-1), "Deepest level a leaf may sit at; ≤ 0 means no limit.")
let classWeightSpec = P("class_weight", [], .choice(["none", "balanced"]), .string("none"),
                        "balanced: weigh rows by n / (classes × class count), as scikit-learn.")

let gbdtSpecs: [ParameterSpec] = [
    P("objective", ["objective_type", "app", "application", "loss"], .choice(["auto"] + Objective.aliases.keys.sorted()), .string("auto"),
      "What to minimise: regression (L2), regression_l1, huber, quantile, poisson, binary, multiclass, or LightGBM's aliases; auto: binary or multiclass for class targets, regression for numbers."),
    P("num_iterations", iterationAliases, .int(1...1_000_000), .int(100), "Boosting rounds (one tree per round, one per class for multiclass)."),
    P("learning_rate", ["shrinkage_rate", "eta"], positive, .double(0.1), "Shrinkage applied to every tree."),
    P("num_leaves", ["num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"], .int(2...131_072), .int(31), "Most leaves per tree (trees grow leaf-wise, best split first)."),
    maxDepthSpec,
    P("min_data_in_leaf", ["min_data_per_leaf", "min_data", "min_child_samples", "min_samples_leaf"], .int(0...Int.max), .int(20), "Fewest rows in a leaf."),
    P("min_sum_hessian_in_leaf", ["min_sum_hessian_per_leaf", "min_sum_hessian", "min_hessian", "min_child_weight"], nonNegative, .double(1e-3),
      "Smallest summed hessian in a leaf."),
    P("lambda_l1", ["reg_alpha", "l1_regularization"], nonNegative, .double(0), "L1 regularisation of leaf values."),
    P("lambda_l2", ["reg_lambda", "lambda", "l2_regularization"], nonNegative, .double(0), "L2 regularisation of leaf values."),
    P("min_gain_to_split", ["min_split_gain"], nonNegative, .double(0), "Smallest loss reduction a split must bring."),
    maxBinSpec,
    P("feature_fraction", ["sub_feature", "colsample_bytree"], fraction, .double(1), "Share of features each tree may use (drawn per tree)."),
    P("feature_fraction_bynode", ["sub_feature_bynode", "colsample_bynode"], fraction, .double(1), "Share of the tree's features each split considers."),
    P("bagging_fraction", ["sub_row", "subsample", "bagging"], fraction, .double(1), "Share of rows each tree learns from (needs bagging_freq > 0)."),
    P("bagging_freq", ["subsample_freq"], .int(0...Int.max), .int(0), "Redraw the bag every k rounds; 0 disables bagging."),
    P("extra_trees", ["extra_tree"], .bool, .bool(false), "One random threshold per feature and node (faster, more regularised)."),
    P("early_stopping_round", ["early_stopping_rounds", "early_stopping", "n_iter_no_change"], .int(0...Int.max), .int(0),
      "Stop when the validation metric has not improved for this many rounds and keep the best round; 0 disables."),
    P("metric", ["metrics", "metric_types"], .choice(metricChoices), .string("auto"),
      "Validation metric for early stopping and the curve: any learning-core metric or LightGBM name (auc, binary_logloss, l2, …); auto: the objective's loss."),
    P("validation_fraction", [], .double(lower: 0, upper: 1, lowerOpen: true, upperOpen: true), .double(0.1),
      "Share of training rows held out as the validation set when early stopping is on (stratified for classes)."),
    P("alpha", [], positive, .double(0.9), "Huber's δ, or the quantile to fit with objective=quantile."),
    P("poisson_max_delta_step", [], positive, .double(0.7), "Safeguard of Poisson leaf steps."),
    P("scale_pos_weight", [], positive, .double(1), "Weight of positive rows (binary)."),
    P("is_unbalance", ["unbalance", "unbalanced_sets"], .bool, .bool(false), "Weigh the two classes equally (binary)."),
    classWeightSpec,
    P("boost_from_average", [], .bool, .bool(true), "Start from the target's mean (log-odds, class priors) instead of 0."),
    P("max_cat_to_onehot", [], .int(1...Int.max), .int(4), "Categorical features with at most this many categories split one against the rest."),
    P("max_cat_threshold", [], .int(1...Int.max), .int(32), "Most categories on one side of a categorical split."),
    P("cat_l2", [], nonNegative, .double(10), "Extra L2 regularisation of categorical splits."),
    P("cat_smooth", [], nonNegative, .double(10), "Smoothing of category statistics when ordering categories."),
    P("min_data_per_group", [], .int(1...Int.max), .int(100), "Fewest rows per side of a categorical split group."),
    threadSpec, seedSpec,
    P("verbosity", ["verbose"], .int(-10...10), .int(1), "Accepted for LightGBM compatibility; Pulk reports through its own output."),
]

func forestSpecs(bootstrap: Bool) -> [ParameterSpec] {
    [
        P("task", [], .choice(["auto", "classification", "regression"]), .string("auto"),
          "auto: classification for text, boolean and 0/1 targets, regression for other numbers."),
        P("num_iterations", iterationAliases, .int(1...100_000), .int(100), "Trees in the forest."),
        maxDepthSpec,
        P("num_leaves", ["max_leaves", "max_leaf_nodes"], .int(0...1_000_000), .int(0), "Most leaves per tree; 0 means no limit."),
        P("min_data_in_leaf", ["min_samples_leaf", "min_child_samples", "min_data"], .int(1...Int.max), .int(1), "Fewest rows in a leaf."),
        P("min_gain_to_split", ["min_split_gain"], nonNegative, .double(0), "Smallest impurity reduction a split must bring."),
        P("feature_fraction_bynode", ["max_features", "colsample_bynode", "sub_feature_bynode"], .double(lower: 0, upper: 1), .double(0),
          "Share of features each split considers; 0: √p for classification and all for regression (scikit-learn's defaults)."),
        P("bootstrap", [], .bool, .bool(bootstrap), "Train each tree on a bootstrap sample (rows drawn with replacement); the rest give the out-of-bag score."),
        P("bagging_fraction", ["max_samples", "subsample"], fraction, .double(1), "Bootstrap sample size as a share of the rows."),
        maxBinSpec, classWeightSpec, threadSpec, seedSpec,
    ]
}

let decisionTreeSpecs: [ParameterSpec] = [
    P("task", [], .choice(["auto", "classification", "regression"]), .string("auto"),
      "auto: classification for text, boolean and 0/1 targets, regression for other numbers."),
    maxDepthSpec,
    P("num_leaves", ["max_leaves", "max_leaf_nodes"], .int(0...1_000_000), .int(0), "Most leaves; 0 means no limit."),
    P("min_data_in_leaf", ["min_samples_leaf", "min_child_samples", "min_data"], .int(1...Int.max), .int(1), "Fewest rows in a leaf."),
    P("min_gain_to_split", ["min_split_gain"], nonNegative, .double(0), "Smallest impurity reduction a split must bring."),
    maxBinSpec, classWeightSpec,
]

// MARK: shared fitting helpers

/// What every tree fit needs: inputs, target, weights.
struct PreparedTraining {
    var schema: FeatureSchema
    var target: TargetValues
    var inputs: TreeInputs
    var weights: [Double]
    var classes: Int { target.info.classes?.count ?? 0 }

    init(_ frame: Frame, target name: String, task: Task, classWeight: String) throws(LearnError) {
        let t = try TargetValues.extract(frame, target: name, task: task)
        let training = t.presentRows(of: frame)
        schema = FeatureSchema(frame: frame, excluding: name)
        target = t
        inputs = try TreeInputs(frame: training, schema: schema)
        weights = [Double](repeating: 1, count: training.rowCount)
        if task == .classification && classWeight == "balanced" {
            let k = t.info.classes!.count
            var counts = [Double](repeating: 0, count: k)
            for c in t.classes { counts[c] += 1 }
            let n = Double(t.classes.count)
            weights = t.classes.map { n / (Double(k) * counts[$0]) }
        }
    }

    var y: [Double] { target.info.task == .regression ? target.values : target.classes.map(Double.init) }

    func binned(maxBin: Int, threads: Int) -> BinnedMatrix {
        let columns = inputs.columns
        return BinnedMatrix(rows: inputs.rows, categorical: inputs.categorical, maxBin: maxBin, threads: threads) { columns[$0] }
    }
}

func resolveThreads(_ p: Parameters) -> Int {
    let t = p.int("num_threads")
    return t > 0 ? t : defaultThreadCount()
}

func resolveSeed(_ p: Parameters, _ seed: UInt64) -> UInt64 {
    let s = p.int("seed")
    return s >= 0 ? UInt64(s) : seed
}

func taskFromParameter(_ p: Parameters, _ frame: Frame, _ target: String) -> Task {
    switch p.string("task") {
    case "classification": return .classification
    case "regression": return .regression
    default: return inferredTask(frame, target: target)
    }
}

// MARK: gradient boosting

/// Histogram gradient boosting (LightGBM's algorithm and parameter names).
public struct GradientBoostingEstimator: Estimator {
    public static let name = "gbdt"
    public static let summary = "Histogram gradient-boosted trees (LightGBM's algorithm and parameter names): leaf-wise growth, native categories and missing values, early stopping."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = gbdtSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    var objectiveName: String { parameters.string("objective") }

    public func task(for frame: Frame, target: String) -> Task {
        if let o = Objective.aliases[objectiveName] { return o.task }
        return inferredTask(frame, target: target)
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fit(frame, target: target, seed: seed, validation: nil)
    }

    /// Fits with an explicit validation frame (for early stopping and the validation curve); without
    /// one, early stopping holds out `validation_fraction` of the rows.
    public func fit(_ frame: Frame, target: String, seed runSeed: UInt64, validation: Frame?) throws(LearnError) -> any Model {
        let p = parameters
        let seed = resolveSeed(p, runSeed)
        let task = self.task(for: frame, target: target)
        var train = frame, valid = validation
        if valid == nil && p.int("early_stopping_round") > 0 {
            let t = try TargetValues.extract(frame, target: target, task: task)
            let present = t.presentRows(of: frame)
            let fractionHeld = p.double("validation_fraction")
            let s: Split
            do {
                s = task == .classification && Set(t.classes).count > 1
                    ? try Splitter.stratified(labels: t.classes, testFraction: fractionHeld, seed: seed)
                    : try Splitter.random(rows: present.rowCount, testFraction: fractionHeld, seed: seed)
            } catch { throw .invalidSplit("early stopping needs a validation set: \(error)") }
            train = present.take(s.train)
            valid = present.take(s.test)
        }
        let prepared = try PreparedTraining(train, target: target, task: task, classWeight: p.string("class_weight"))
        let k = prepared.classes
        var objective: Objective
        if let o = Objective.aliases[objectiveName] { objective = o } else { objective = task == .regression ? .regression : (k > 2 ? .multiclass : .binary) }
        if objective == .binary && k > 2 {
            throw .badTarget(target, reason: "objective=binary needs two classes, but it has \(k); use objective=multiclass")
        }
        if objective == .multiclass && k == 2 { objective = .binary }
        if objective == .poisson && prepared.target.values.contains(where: { $0 < 0 }) {
            throw .badTarget(target, reason: "objective=poisson needs counts ≥ 0")
        }
        var weights = prepared.weights
        if objective == .binary {
            let positives = prepared.target.classes.filter { $0 == 1 }.count, negatives = prepared.target.classes.count - positives
            for (i, c) in prepared.target.classes.enumerated() where c == 1 {
                weights[i] *= p.double("scale_pos_weight")
                if p.bool("is_unbalance") && positives > 0 { weights[i] *= Double(negatives) / Double(positives) }
            }
        }
        let threads = resolveThreads(p)
        let growth = GrowthSettings(
            numLeaves: p.int("num_leaves"), maxDepth: p.int("max_depth"), minDataInLeaf: p.int("min_data_in_leaf"),
            minSumHessianInLeaf: p.double("min_sum_hessian_in_leaf"), lambdaL1: p.double("lambda_l1"), lambdaL2: p.double("lambda_l2"),
            minGainToSplit: p.double("min_gain_to_split"), maxCatToOnehot: p.int("max_cat_to_onehot"), maxCatThreshold: p.int("max_cat_threshold"),
            catL2: p.double("cat_l2"), catSmooth: p.double("cat_smooth"), minDataPerGroup: p.int("min_data_per_group"),
            extraTrees: p.bool("extra_trees"), featureFractionByNode: p.double("feature_fraction_bynode"), threads: threads)
        let boosting = BoostingSettings(
            iterations: p.int("num_iterations"), learningRate: p.double("learning_rate"), featureFraction: p.double("feature_fraction"),
            baggingFraction: p.double("bagging_fraction"), baggingFreq: p.int("bagging_freq"),
            earlyStoppingRounds: p.int("early_stopping_round"), metric: p.string("metric"))
        var validationData: (columns: [[Double]], y: [Double])?
        if let valid {
            let vt = try TargetValues.extract(valid, target: target, task: task)
            let vf = vt.presentRows(of: valid)
            let vin = try TreeInputs(frame: vf, schema: prepared.schema)
            // Validation classes index into the training classes; rows of unseen classes are left out.
            if task == .classification {
                let index = Dictionary(uniqueKeysWithValues: prepared.target.info.classes!.enumerated().map { ($1, $0) })
                let labels = vt.classes.map { index[vt.info.classes![$0]] }
                let keep = labels.indices.filter { labels[$0] != nil }
                validationData = (vin.columns.map { c in keep.map { c[$0] } }, keep.map { Double(labels[$0]!) })
            } else {
                validationData = (vin.columns, vt.values)
            }
        }
        let settings = ObjectiveSettings(objective: objective, classes: max(k, 1), alpha: p.double("alpha"),
                                         poissonMaxDeltaStep: p.double("poisson_max_delta_step"), boostFromAverage: p.bool("boost_from_average"))
        let ensemble: BoostedEnsemble
        if task == .classification && k < 2 {
            // One class: nothing to learn.
            ensemble = BoostedEnsemble(trees: [], initScores: [0], outputs: 1, trainCurve: [], validationCurve: [], curveMetric: "", bestIteration: 0)
        } else {
            let data = BoostingData(binned: prepared.binned(maxBin: p.int("max_bin"), threads: threads), columns: prepared.inputs.columns,
                                    y: prepared.y, weights: weights, validation: validationData)
            ensemble = try Boosting.fit(data, objective: settings, growth: growth, boosting: boosting, seed: seed)
        }
        return BoostedTreesModel(parameters: p, schema: prepared.schema, target: prepared.target.info, objective: objective,
                                 trees: ensemble.trees, initScores: ensemble.initScores, outputs: ensemble.outputs,
                                 trainCurve: ensemble.trainCurve, validationCurve: ensemble.validationCurve,
                                 curveMetric: ensemble.curveMetric, best: ensemble.bestIteration)
    }
}

/// A fitted boosted ensemble.
public struct BoostedTreesModel: Model, ProvidesFeatureImportance, ProvidesTrainingCurves, ProvidesContributions {
    public var kind: String { GradientBoostingEstimator.name }
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let target: TargetInfo
    let objective: Objective
    public let trees: [Tree]
    let initScores: [Double]
    let outputs: Int
    let trainCurve: [Double]
    let validationCurve: [Double]
    let curveMetric: String
    let best: Int
    let flat: FlatEnsemble

    init(parameters: Parameters, schema: FeatureSchema, target: TargetInfo, objective: Objective, trees: [Tree], initScores: [Double],
         outputs: Int, trainCurve: [Double], validationCurve: [Double], curveMetric: String, best: Int) {
        self.parameters = parameters
        self.schema = schema
        self.target = target
        self.objective = objective
        self.trees = trees
        self.initScores = initScores
        self.outputs = outputs
        self.trainCurve = trainCurve
        self.validationCurve = validationCurve
        self.curveMetric = curveMetric
        self.best = best
        flat = FlatEnsemble(trees: trees, features: schema.features.count, treeOutput: trees.indices.map { $0 % max(outputs, 1) })
    }

    /// Raw scores (log-odds, log-means or values), row-major `rows × outputs`.
    public func rawScores(_ frame: Frame) throws(LearnError) -> [Double] {
        let inputs = try TreeInputs(frame: frame, schema: schema)
        return flat.predict(rowMajor: inputs.rowMajor(), rows: inputs.rows, slots: outputs, base: initScores, threads: resolveThreads(parameters))
    }

    /// Raw scores of rows already laid out row-major (one value per schema feature).
    public func flatScores(rowMajor x: [Double], rows: Int) -> [Double] {
        flat.predict(rowMajor: x, rows: rows, slots: outputs, base: initScores, threads: resolveThreads(parameters))
    }

    /// Raw scores of one row given as one value per schema feature (category codes for text
    /// features); writes `outputs` values into `out` and allocates nothing.
    public func rawScore(row x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        for c in 0..<outputs { out[c] = initScores[c] }
        flat.predict(row: x, into: out)
    }

    public func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let raw = try rawScores(frame)
        let n = frame.rowCount
        switch objective {
        case .binary:
            if target.classes?.count == 1 { return .classification(classes: target.classes!, predicted: [Int](repeating: 0, count: n),
                                                                   probabilities: [[Double]](repeating: [1], count: n)) }
            return .classification(classes: target.classes!, probabilities: raw.map { s in let p = 1 / (1 + exp(-s)); return [1 - p, p] })
        case .multiclass:
            let k = outputs
            let probabilities = (0..<n).map { i -> [Double] in
                let row = raw[(i * k)..<((i + 1) * k)]
                let m = row.max()!
                let e = row.map { exp($0 - m) }
                let s = e.reduce(0, +)
                return e.map { $0 / s }
            }
            return .classification(classes: target.classes!, probabilities: probabilities)
        case .poisson: return .regression(raw.map { exp($0) })
        default: return .regression(raw)
        }
    }

    public var featureImportance: [FeatureImportance] { importance(trees, schema) }

    public var trainingCurves: [TrainingCurve] {
        var out = [TrainingCurve(name: "train_\(objective.lossName)", values: trainCurve)]
        if !validationCurve.isEmpty { out.append(TrainingCurve(name: "valid_\(curveMetric)", values: validationCurve)) }
        return out
    }

    public var bestIteration: Int? { parameters.int("early_stopping_round") > 0 && !validationCurve.isEmpty ? best : nil }

    public func contributions(_ frame: Frame) throws(LearnError) -> Contributions {
        let inputs = try TreeInputs(frame: frame, schema: schema)
        let f = schema.features.count, k = outputs
        var expected = initScores
        for (t, tree) in trees.enumerated() { expected[t % k] += TreeSHAP.expectedValue(tree)[0] }
        let base = expected
        let rows = ResultSlots<[Double]>(count: inputs.rows)
        let me = self
        parallelFor(inputs.rows, threads: resolveThreads(parameters)) { i in
            let x = inputs.columns.map { $0[i] }
            var phi = [Double](repeating: 0, count: k * (f + 1))
            for (t, tree) in me.trees.enumerated() {
                var one = [Double](repeating: 0, count: f)
                TreeSHAP.contributions(tree, row: x, features: f, into: &one)
                let c = t % k
                for j in 0..<f { phi[c * (f + 1) + j] += one[j] }
            }
            for c in 0..<k { phi[c * (f + 1) + f] = base[c] }
            rows[i] = phi
        }
        let names = k == 1 ? [target.name] : target.classes!
        return Contributions(features: schema.features.map(\.name), outputs: names, values: rows.values.map { $0! })
    }

    public var state: ModelState {
        var s = ModelState(doubles: ["init_score": initScores, "train_curve": trainCurve, "valid_curve": validationCurve],
                           ints: ["outputs": [Int64(outputs)], "best_iteration": [Int64(best)]])
        TreeCodec.encode(trees, into: &s)
        return s
    }

    /// The objective and the curve's metric name travel in the parameters and are re-derived here.
    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let outputs = Int(try s.int("outputs", file: file).first ?? 1)
        let trees = try TreeCodec.decode(s, outputs: 1, features: h.schema.features.count, file: file)
        let initScores = try s.double("init_score", file: file)
        guard outputs >= 1, initScores.count == outputs else { throw .corruptModelFile(file, reason: "the initial scores do not match the outputs") }
        let k = h.target.classes?.count ?? 0
        let name = h.parameters.string("objective")
        let objective = Objective.aliases[name] ?? (h.task == .regression ? .regression : (k > 2 ? .multiclass : .binary))
        let metric = metricAliases[h.parameters.string("metric")] ?? h.parameters.string("metric")
        return BoostedTreesModel(parameters: h.parameters, schema: h.schema, target: h.target,
                                 objective: objective == .multiclass && k == 2 ? .binary : objective, trees: trees, initScores: initScores,
                                 outputs: outputs, trainCurve: try s.double("train_curve", file: file),
                                 validationCurve: try s.double("valid_curve", file: file),
                                 curveMetric: metric == "auto" ? objective.lossName : metric,
                                 best: Int(try s.int("best_iteration", file: file).first ?? 0))
    }
}

func importance(_ trees: [Tree], _ schema: FeatureSchema) -> [FeatureImportance] {
    var split = [Double](repeating: 0, count: schema.features.count), gain = split
    for t in trees {
        for n in 0..<t.nodeCount {
            split[t.splitFeature[n]] += 1
            gain[t.splitFeature[n]] += t.gain[n]
        }
    }
    return schema.features.enumerated().map { FeatureImportance(feature: $1.name, split: split[$0], gain: gain[$0]) }
}

// MARK: forests and the single tree

/// Which forest flavour.
enum ForestKind: String, Sendable {
    case randomForest = "random-forest", extraTrees = "extra-trees", decisionTree = "decision-tree"
}

/// Random forest: bootstrap samples, √p features per split, fully grown trees, averaged.
public struct RandomForestEstimator: Estimator {
    public static let name = ForestKind.randomForest.rawValue
    public static let summary = "Random forest (classification or regression): bootstrap samples, a random subset of features per split, out-of-bag score."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = forestSpecs(bootstrap: true)
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    public func task(for frame: Frame, target: String) -> Task { taskFromParameter(parameters, frame, target) }
    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitForest(.randomForest, parameters, frame, target: target, task: task(for: frame, target: target), seed: seed)
    }
}

/// Extremely randomised trees: random thresholds, all rows by default.
public struct ExtraTreesEstimator: Estimator {
    public static let name = ForestKind.extraTrees.rawValue
    public static let summary = "Extremely randomised trees (classification or regression): one random threshold per feature and split, averaged."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = forestSpecs(bootstrap: false)
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    public func task(for frame: Frame, target: String) -> Task { taskFromParameter(parameters, frame, target) }
    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitForest(.extraTrees, parameters, frame, target: target, task: task(for: frame, target: target), seed: seed)
    }
}

/// One CART tree (Gini / variance reduction over binned features) that prints as if/else rules.
public struct DecisionTreeEstimator: Estimator {
    public static let name = ForestKind.decisionTree.rawValue
    public static let summary = "A single decision tree (CART: Gini or variance reduction) that prints as readable if/else rules."
    public static let task = Task.classification
    public static let tasks: [Task] = [.classification, .regression]
    public static let parameterSpecs = decisionTreeSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    public func task(for frame: Frame, target: String) -> Task { taskFromParameter(parameters, frame, target) }
    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        try fitForest(.decisionTree, parameters, frame, target: target, task: task(for: frame, target: target), seed: seed)
    }
}

func fitForest(_ kind: ForestKind, _ p: Parameters, _ frame: Frame, target: String, task: Task, seed runSeed: UInt64) throws(LearnError) -> any Model {
    let prepared = try PreparedTraining(frame, target: target, task: task, classWeight: p.string("class_weight"))
    let isTree = kind == .decisionTree
    let threads = isTree ? defaultThreadCount() : resolveThreads(p)
    let seed = isTree ? runSeed : resolveSeed(p, runSeed)
    let n = prepared.inputs.rows, features = prepared.inputs.columns.count
    let k = task == .classification ? max(prepared.classes, 1) : 1
    let leaves = p.int("num_leaves")
    var growth = GrowthSettings()
    growth.numLeaves = leaves > 0 ? max(leaves, 2) : 1 << 30
    growth.maxDepth = p.int("max_depth")
    growth.minDataInLeaf = p.int("min_data_in_leaf")
    growth.minSumHessianInLeaf = 0
    growth.minGainToSplit = p.double("min_gain_to_split")
    growth.catL2 = 0
    growth.minDataPerGroup = 1
    growth.extraTrees = kind == .extraTrees
    growth.threads = threads
    let byNode = isTree ? 1 : p.double("feature_fraction_bynode")
    growth.featureFractionByNode = byNode > 0 ? byNode
        : (task == .classification ? max(1, Double(features).squareRoot().rounded(.down)) / Double(max(features, 1)) : 1)
    let trees = isTree ? 1 : p.int("num_iterations")
    let bootstrap = !isTree && p.bool("bootstrap")
    let draws = isTree ? n : max(1, Int(Double(n) * p.double("bagging_fraction")))
    let binned = prepared.binned(maxBin: p.int("max_bin"), threads: threads)
    let grower = Grower(data: binned, settings: growth, outputs: k)
    let y = prepared.y, w = prepared.weights
    var rng = SeededGenerator(seed: seed)
    var fitted: [Tree] = []
    var oobSum = [Double](repeating: 0, count: bootstrap ? n * k : 0), oobCount = [Int](repeating: 0, count: bootstrap ? n : 0)
    var g = [Float](repeating: 0, count: n * k), h = [Float](repeating: 0, count: n)
    for _ in 0..<trees {
        var multiplicity = [Int](repeating: bootstrap ? 0 : 1, count: n)
        if bootstrap {
            for _ in 0..<draws { multiplicity[Int.random(in: 0..<n, using: &rng)] += 1 }
        } else if draws < n {
            multiplicity = [Int](repeating: 0, count: n)
            var order = Array(0..<n)
            for i in 0..<draws { order.swapAt(i, Int.random(in: i..<n, using: &rng)); multiplicity[order[i]] = 1 }
        }
        var count = 0
        for i in 0..<n where multiplicity[i] > 0 {
            let m = Double(multiplicity[i]) * w[i]
            grower.indices[count] = Int32(i)
            count += 1
            h[i] = Float(m)
            if k == 1 { g[i] = Float(-y[i] * m) } else {
                for c in 0..<k { g[i * k + c] = c == Int(y[i]) ? Float(-m) : 0 }
            }
        }
        let tree = g.withUnsafeBufferPointer { gp in
            h.withUnsafeBufferPointer { hp in
                grower.grow(rowCount: count, grad: gp.baseAddress!, hess: hp.baseAddress!, featureMask: [Bool](repeating: true, count: features),
                            rng: &rng)
            }
        }
        if bootstrap {
            for i in 0..<n where multiplicity[i] == 0 {
                let leaf = tree.leaf(row: i, columns: prepared.inputs.columns)
                for c in 0..<k { oobSum[i * k + c] += tree.leafValue[leaf * k + c] }
                oobCount[i] += 1
            }
        }
        fitted.append(tree)
    }
    var oob: MetricValue?
    if bootstrap {
        let rows = (0..<n).filter { oobCount[$0] > 0 }
        if !rows.isEmpty {
            if task == .classification {
                let truth = rows.map { Int(y[$0]) }
                let predicted = rows.map { i in Predictions.mostProbable((0..<k).map { oobSum[i * k + $0] / Double(oobCount[i]) }) }
                oob = MetricValue(name: "accuracy", value: ClassificationMetrics.accuracy(truth, predicted))
            } else if let r2 = try? RegressionMetrics.r2(rows.map { y[$0] }, rows.map { oobSum[$0] / Double(oobCount[$0]) }) {
                oob = MetricValue(name: "r2", value: r2)
            }
        }
    }
    return ForestModel(kind: kind.rawValue, parameters: p, schema: prepared.schema, target: prepared.target.info, outputs: k,
                       trees: fitted, outOfBag: oob)
}

/// A fitted forest (or single tree): predictions are the mean of the trees' leaf values (class
/// shares for classification).
public struct ForestModel: Model, ProvidesFeatureImportance, ProvidesContributions, ProvidesOutOfBagScore {
    public let kind: String
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let target: TargetInfo
    let outputs: Int
    public let trees: [Tree]
    public let outOfBag: MetricValue?
    let flat: FlatEnsemble

    init(kind: String, parameters: Parameters, schema: FeatureSchema, target: TargetInfo, outputs: Int, trees: [Tree], outOfBag: MetricValue?) {
        self.kind = kind
        self.parameters = parameters
        self.schema = schema
        self.target = target
        self.outputs = outputs
        self.trees = trees
        self.outOfBag = outOfBag
        flat = FlatEnsemble(trees: trees, features: schema.features.count, treeOutput: [Int](repeating: 0, count: trees.count))
    }

    public func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let inputs = try TreeInputs(frame: frame, schema: schema)
        let n = inputs.rows, k = outputs
        let sum = flat.predict(rowMajor: inputs.rowMajor(), rows: n, slots: k, base: [Double](repeating: 0, count: k))
        let scale = 1 / Double(max(trees.count, 1))
        if target.task == .regression { return .regression(sum.map { $0 * scale }) }
        return .classification(classes: target.classes!, probabilities: (0..<n).map { i in (0..<k).map { sum[i * k + $0] * scale } })
    }

    public var featureImportance: [FeatureImportance] { importance(trees, schema) }

    public func contributions(_ frame: Frame) throws(LearnError) -> Contributions {
        let inputs = try TreeInputs(frame: frame, schema: schema)
        let f = schema.features.count, k = outputs, scale = 1 / Double(max(trees.count, 1))
        var expected = [Double](repeating: 0, count: k)
        for t in trees { for (c, v) in TreeSHAP.expectedValue(t).enumerated() { expected[c] += v * scale } }
        let base = expected
        let rows = ResultSlots<[Double]>(count: inputs.rows)
        let me = self
        parallelFor(inputs.rows) { i in
            let x = inputs.columns.map { $0[i] }
            var phi = [Double](repeating: 0, count: k * f)
            for t in me.trees { TreeSHAP.contributions(t, row: x, features: f, into: &phi) }
            var out = [Double](repeating: 0, count: k * (f + 1))
            for c in 0..<k {
                for j in 0..<f { out[c * (f + 1) + j] = phi[c * f + j] * scale }
                out[c * (f + 1) + f] = base[c]
            }
            rows[i] = out
        }
        let names = target.task == .regression ? [target.name] : target.classes!
        return Contributions(features: schema.features.map(\.name), outputs: names, values: rows.values.map { $0! })
    }

    /// The tree (the first one of a forest) as nested if/else rules over the original feature names.
    public func rules(tree index: Int = 0, decimals: Int = 4) -> String {
        let t = trees[index]
        var lines: [String] = []
        func number(_ v: Double) -> String { formatDouble((v * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))) }
        func leafText(_ l: Int) -> String {
            let k = t.outputs, values = Array(t.leafValue[(l * k)..<((l + 1) * k)])
            let n = Int(t.leafCover[l])
            if target.task == .regression { return "predict \(number(values[0]))  (\(n) rows)" }
            let best = Predictions.mostProbable(values)
            return "predict \(target.classes![best])  (p=\(number(values[best])), \(n) rows)"
        }
        func walk(_ c: Int, _ indent: String) {
            if c < 0 { lines.append(indent + leafText(~c)); return }
            let f = schema.features[t.splitFeature[c]]
            let condition: String
            if let cats = f.categories, !t.leftCategories[c].isEmpty || t.threshold[c].isNaN {
                condition = "\(f.name) in {" + t.leftCategories[c].map { cats[$0] }.joined(separator: ", ") + "}"
            } else {
                condition = "\(f.name) <= \(number(t.threshold[c]))" + (t.defaultLeft[c] ? " or missing" : "")
            }
            lines.append(indent + "if \(condition):")
            walk(t.left[c], indent + "    ")
            lines.append(indent + "else:")
            walk(t.right[c], indent + "    ")
        }
        walk(t.nodeCount == 0 ? ~0 : 0, "")
        return lines.joined(separator: "\n")
    }

    public var state: ModelState {
        var s = ModelState(doubles: ["oob_score": outOfBag.map { [$0.value] } ?? []], ints: ["outputs": [Int64(outputs)]])
        TreeCodec.encode(trees, into: &s)
        return s
    }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let outputs = Int(try s.int("outputs", file: file).first ?? 1)
        guard outputs >= 1, outputs == (h.task == .regression ? 1 : max(h.target.classes?.count ?? 1, 1)) else {
            throw .corruptModelFile(file, reason: "the tree outputs do not match the target")
        }
        let trees = try TreeCodec.decode(s, outputs: outputs, features: h.schema.features.count, file: file)
        let oob = try s.double("oob_score", file: file).first.map { MetricValue(name: h.task == .regression ? "r2" : "accuracy", value: $0) }
        return ForestModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, outputs: outputs, trees: trees, outOfBag: oob)
    }
}

/// The tree estimators and their model decoders, for the catalog.
public enum TreeModels {
    public static let estimators: [any Estimator.Type] = [
        GradientBoostingEstimator.self, RandomForestEstimator.self, ExtraTreesEstimator.self, DecisionTreeEstimator.self,
    ]
    public static let decoders: [String: ModelFile.Decoder] = [
        GradientBoostingEstimator.name: BoostedTreesModel.restore,
        RandomForestEstimator.name: ForestModel.restore,
        ExtraTreesEstimator.name: ForestModel.restore,
        DecisionTreeEstimator.name: ForestModel.restore,
    ]
}
