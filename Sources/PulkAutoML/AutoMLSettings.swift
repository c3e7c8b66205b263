public import PulkLearn

/// What an AutoML search is asked for: the task and the metric to optimise, the budgets and exit
/// criteria, the estimators to try, how each trial is validated, and the seed.
public struct AutoMLSettings: Sendable {
    /// How each configuration is scored.
    public enum Validation: Sendable, Equatable, CustomStringConvertible {
        /// k-fold cross-validation below `AutoMLSettings.crossValidationBelow` rows (10 folds below 1,000, else 5), else a 10% holdout (Azure ML's rule).
        case auto
        case crossValidation(folds: Int)
        case holdout(fraction: Double)

        public var description: String {
            switch self {
            case .auto: return "auto"
            case .crossValidation(let k): return "\(k)-fold cross-validation"
            case .holdout(let f): return "holdout of \(Int((f * 100).rounded()))%"
            }
        }
    }

    /// How configurations are chosen.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Each estimator starts at its cheapest settings and moves by local search where the score
        /// improves; the next estimator is the one expected to improve the best score soonest.
        case costFrugal = "cost-frugal"
        /// Uniformly random configurations of randomly chosen estimators (for comparison).
        case random
    }

    /// Whether and how the best trials are combined.
    public enum Ensemble: String, Sendable, CaseIterable {
        /// Greedy selection and stacking are both validated; whichever beats the best single model
        /// (and the other) is kept, else the single model.
        case auto
        /// Greedy ensemble selection (a weighted average; scikit-learn's soft voting with weights).
        case voting
        /// A linear meta-model over the members' predictions.
        case stacking
        case none
    }

    public var task: TaskChoice = .auto
    /// A metric of the learning core; nil: ROC AUC (binary), log loss (multiclass), R² (regression).
    public var metric: String?
    /// Seconds for the whole search, the final refit included.
    public var timeBudget: Double = 60
    public var maxTrials: Int?
    /// Stop as soon as a validated score reaches this.
    public var exitScore: Double?
    /// Stop after this many trials in a row that did not improve the best score.
    public var patience: Int?
    /// Catalog names to try; nil: every estimator with a search space that takes on the task.
    public var models: [String]?
    public var validation: Validation = .auto
    public var strategy: Strategy = .costFrugal
    public var ensemble: Ensemble = .auto
    /// Trials run side by side (each with its share of the cores; each estimator one at a time).
    public var parallel: Int = 1
    /// With a holdout, trials start on this many training rows (FLAML's first sample), doubled for an
    /// estimator each time its search converges, up to all of them.
    public var firstSample = 10_000
    public var seed: UInt64 = 42

    /// Rows below which `.auto` validation cross-validates.
    public static let crossValidationBelow = 20_000

    /// `.auto`'s folds: 10 below 1,000 rows (Azure ML's), 5 up to `crossValidationBelow` (Azure ML
    /// takes 3; 5 validated better on the benchmark's datasets), nil above (a holdout).
    public static func autoFolds(rows: Int) -> Int? {
        rows < 1_000 ? 10 : rows < crossValidationBelow ? 5 : nil
    }

    public init(task: TaskChoice = .auto, metric: String? = nil, timeBudget: Double = 60, maxTrials: Int? = nil, exitScore: Double? = nil,
                patience: Int? = nil, models: [String]? = nil, validation: Validation = .auto, strategy: Strategy = .costFrugal, ensemble: Ensemble = .auto, parallel: Int = 1, seed: UInt64 = 42) {
        self.ensemble = ensemble
        self.parallel = parallel
        self.task = task
        self.metric = metric
        self.timeBudget = timeBudget
        self.maxTrials = maxTrials
        self.exitScore = exitScore
        self.patience = patience
        self.models = models
        self.validation = validation
        self.strategy = strategy
        self.seed = seed
    }

    /// The default metric of a task.
    public static func defaultMetric(_ kind: TaskChoice) -> String {
        switch kind {
        case .binary: return "roc_auc"
        case .multiclass: return "log_loss"
        case .regression, .auto: return "r2"
        }
    }
}

/// What a search settled before its first trial: the task and metric, the validation, the
/// estimators it will try and the data checks.
public struct SearchStart: Sendable, Codable, Equatable {
    public var task: String
    public var taskReason: String
    public var metric: String
    public var higherIsBetter: Bool
    public var validation: String
    public var models: [String]
    public var guardrails: [Guardrail]
}

/// One configuration tried: its estimator and parameters, validated score, time and status.
public struct Trial: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case finished
        /// Fitting or scoring failed; `error` says why. The search goes on.
        case failed
        /// Abandoned when the time budget ran out (or the search was interrupted) before it ended.
        case stopped
    }

    /// 1 for the first trial.
    public var number: Int
    public var model: String
    /// The searched parameters (name → value as text).
    public var parameters: [String: String]
    /// Training rows per fold: large data is searched on samples that grow.
    public var rows: Int
    /// The metric's mean over the validation folds (NaN when failed).
    public var score: Double
    /// Its standard deviation over the folds (0 with a holdout).
    public var spread: Double
    public var foldScores: [Double]
    public var seconds: Double
    /// Seconds since the search started, when the trial ended.
    public var finishedAt: Double
    public var status: Status
    public var error: String?
    /// The best score of the search so far, this trial included.
    public var bestSoFar: Double

    public init(number: Int, model: String, parameters: [String: String], rows: Int, score: Double, spread: Double, foldScores: [Double],
                seconds: Double, finishedAt: Double, status: Status, error: String? = nil, bestSoFar: Double) {
        self.number = number; self.model = model; self.parameters = parameters; self.rows = rows; self.score = score; self.spread = spread
        self.foldScores = foldScores; self.seconds = seconds; self.finishedAt = finishedAt; self.status = status; self.error = error
        self.bestSoFar = bestSoFar
    }

    /// Best first: finished trials by score (ties by number), then the rest.
    public static func ranked(_ trials: [Trial], higherIsBetter: Bool) -> [Trial] {
        trials.sorted { a, b in
            if (a.status == .finished) != (b.status == .finished) { return a.status == .finished }
            if a.score.isNaN || b.score.isNaN { return !a.score.isNaN }
            if a.score != b.score { return higherIsBetter ? a.score > b.score : a.score < b.score }
            return a.number < b.number
        }
    }
}

/// An ensemble of the best trials: how it was made, its members and their weights, and its
/// validated score beside the best single model's (both on the same out-of-fold rows).
public struct EnsembleSummary: Sendable, Codable, Equatable {
    public struct Member: Sendable, Codable, Equatable {
        public var trial: Int
        public var model: String
        public var weight: Double
    }

    /// voting (greedy selection) or stacking.
    public var method: String
    public var members: [Member]
    public var score: Double
    public var singleScore: Double
    /// Whether the ensemble is the search's model.
    public var chosen: Bool
    /// Why it was or was not chosen.
    public var note: String
}

/// Why a search ended.
public enum StopReason: String, Sendable, Codable {
    case timeBudget = "time budget"
    case maxTrials = "max trials"
    case exitScore = "exit score reached"
    case patience = "patience: no improvement"
    case searchSpaceExhausted = "every configuration tried"
    case cancelled
}

/// What a search found: every trial, the best one, its model refit on all the data, and how the
/// search went.
public struct AutoMLResult: Sendable {
    public var task: TaskDecision
    public var metric: String
    public var higherIsBetter: Bool
    public var validation: String
    public var trials: [Trial]
    /// The index into `trials` of the best.
    public var best: Int
    public var model: any Model
    public var stopReason: StopReason
    public var seconds: Double
    public var refitSeconds: Double
    /// The data checks made before the first trial.
    public var guardrails: [Guardrail]
    /// Rows left out because their target is missing.
    public var rowsWithoutTarget: Int
    /// The ensemble tried after the search, and whether it is the model.
    public var ensemble: EnsembleSummary?
    /// The estimators searched, in the order they were first tried.
    public var models: [String]
    /// Estimators asked for but left out, with why.
    public var skipped: [String: String]

    public var bestTrial: Trial { trials[best] }

    /// Trials ranked best first (failed ones last).
    public var leaderboard: [Trial] { Trial.ranked(trials, higherIsBetter: higherIsBetter) }
}
