import PulkLearn

/// The hyperparameters of the tree models, declared once (LightGBM's names, defaults and aliases).

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
    P("min_data_in_bin", [], .int(1...Int.max), .int(3), "Fewest rows in a bin: a value seen fewer times shares its neighbour's bin (and category seen fewer times joins \"other\")."),
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

/// The boosting estimator's parameters, typed: decoded once from the values of `gbdtSpecs` (which
/// checked them), so the fit reads fields, not names.
struct GBDTParameters {
    var objective: String
    var growth: GrowthSettings
    var boosting: BoostingSettings
    var validationFraction: Double
    var classWeight: String
    var scalePosWeight: Double
    var isUnbalance: Bool
    var alpha: Double
    var poissonMaxDeltaStep: Double
    var boostFromAverage: Bool
    var maxBin: Int
    var minDataInBin: Int

    init(_ p: Parameters) {
        objective = p.string("objective")
        growth = GrowthSettings(
            numLeaves: p.int("num_leaves"), maxDepth: p.int("max_depth"), minDataInLeaf: p.int("min_data_in_leaf"),
            minSumHessianInLeaf: p.double("min_sum_hessian_in_leaf"), lambdaL1: p.double("lambda_l1"), lambdaL2: p.double("lambda_l2"),
            minGainToSplit: p.double("min_gain_to_split"), maxCatToOnehot: p.int("max_cat_to_onehot"), maxCatThreshold: p.int("max_cat_threshold"),
            catL2: p.double("cat_l2"), catSmooth: p.double("cat_smooth"), minDataPerGroup: p.int("min_data_per_group"),
            extraTrees: p.bool("extra_trees"), featureFractionByNode: p.double("feature_fraction_bynode"), threads: resolveThreads(p))
        boosting = BoostingSettings(
            iterations: p.int("num_iterations"), learningRate: p.double("learning_rate"), featureFraction: p.double("feature_fraction"),
            baggingFraction: p.double("bagging_fraction"), baggingFreq: p.int("bagging_freq"),
            earlyStoppingRounds: p.int("early_stopping_round"), metric: p.string("metric"))
        validationFraction = p.double("validation_fraction")
        classWeight = p.string("class_weight")
        scalePosWeight = p.double("scale_pos_weight")
        isUnbalance = p.bool("is_unbalance")
        alpha = p.double("alpha")
        poissonMaxDeltaStep = p.double("poisson_max_delta_step")
        boostFromAverage = p.bool("boost_from_average")
        maxBin = p.int("max_bin")
        minDataInBin = p.int("min_data_in_bin")
    }
}

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

/// The forest estimators' parameters, typed: decoded once from the values of `forestSpecs` or
/// `decisionTreeSpecs` (which checked them); a single tree takes one unsampled draw of every row.
struct ForestParameters {
    var classWeight: String
    var numLeaves: Int
    var maxDepth: Int
    var minDataInLeaf: Int
    var minGainToSplit: Double
    /// 0: scikit-learn's default for the task (√p for classification, all for regression).
    var featureFractionByNode: Double
    var trees: Int
    var bootstrap: Bool
    var baggingFraction: Double
    var maxBin: Int

    init(_ kind: ForestKind, _ p: Parameters) {
        let isTree = kind == .decisionTree
        classWeight = p.string("class_weight")
        numLeaves = p.int("num_leaves")
        maxDepth = p.int("max_depth")
        minDataInLeaf = p.int("min_data_in_leaf")
        minGainToSplit = p.double("min_gain_to_split")
        featureFractionByNode = isTree ? 1 : p.double("feature_fraction_bynode")
        trees = isTree ? 1 : p.int("num_iterations")
        bootstrap = !isTree && p.bool("bootstrap")
        baggingFraction = isTree ? 1 : p.double("bagging_fraction")
        maxBin = p.int("max_bin")
    }
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
