import Foundation
public import PulkFrame

/// How to hold out test rows.
public enum SplitStrategy: Sendable, Equatable, Codable {
    case random
    /// Keeps class shares (the default for classification).
    case stratified
    /// Test on the latest rows by this date/number column.
    case temporal(column: String)
    /// No group on both sides.
    case group(column: String)
    /// Recommenders: each user's latest interaction is held out (a random one without times).
    case leaveOneOut
    /// Recommenders: each user's latest interactions by the `--time` column are held out.
    case temporalPerUser

    /// Parses `random`, `stratified`, `temporal:COL`, `group:COL`, and for recommenders
    /// `temporal` (by `--time`) and `leave-one-out`.
    public init?(text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("random", 1): self = .random
        case ("stratified", 1): self = .stratified
        case ("temporal", 2): self = .temporal(column: parts[1])
        case ("group", 2): self = .group(column: parts[1])
        case ("temporal", 1): self = .temporalPerUser
        case ("leave-one-out", 1): self = .leaveOneOut
        default: return nil
        }
    }
}

/// What `pulk train` did and measured.
public struct TrainingReport: Sendable, Codable {
    public var model: String
    public var task: Task
    public var target: String
    public var parameters: [String: String]
    public var split: String
    public var seed: UInt64
    public var trainRows: Int
    public var testRows: Int
    /// Test metrics of the model.
    public var metrics: [MetricValue]
    /// The same metrics of the baselines on the same split: most-frequent and stratified classes, or
    /// the mean and the median.
    public var baselines: [BaselineResult]
    /// Per-fold values of the primary metric and their mean and standard deviation, with `--cv`.
    public var crossValidation: CrossValidationResult?
    /// Output columns of the preprocessing inside the model.
    public var features: [String]
    /// What automatic featurization did with each input column.
    public var featurization: [FeaturizationDecision]
    /// The primary metric over several seeds (new split and fit each), with `seeds`.
    public var seedRobustness: SeedRobustness?
    /// Feature importance (split counts and gains), for models that have it.
    public var featureImportance: [FeatureImportance]?
    /// Per-iteration training and validation curves (boosting), and the iteration kept.
    public var curves: [TrainingCurve]?
    public var bestIteration: Int?
    /// The out-of-bag score of bagged forests.
    public var outOfBag: MetricValue?
    /// Rows left out because their target is missing (training data and separate test data together).
    public var rowsWithoutTarget: Int?
    /// The task and why it was chosen (`--task`), when the caller decided it with `TaskInference`.
    public var taskDecision: TaskDecision?
    /// Clustering: each cluster's size and the features that set it apart, and how the number of
    /// clusters was chosen when it was.
    public var clusters: [ClusterProfile]?
    public var clusterCountChoice: ClusterCountChoice?
    /// Anomaly detection: the most unusual flagged training rows (at most 10), with their reasons.
    public var anomalies: [FlaggedRow]?
    /// Recommendation: a few held-out users' answers beside the model's and popularity's top k,
    /// and the items recommended most.
    public var recommendations: RecommendationSample?
    /// What the user should know about the result: a model no better than its baseline, a
    /// validation loss that rose while training went on.
    public var warnings: [String] = []
}

/// A row an anomaly model flagged: its place in the data, its score and the features that made it unusual.
public struct FlaggedRow: Sendable, Codable, Equatable {
    public var row: Int
    public var score: Double
    public var reasons: [AnomalyReason]
}

/// How much a metric moves when only the seed changes: which decimal place can be trusted.
public struct SeedRobustness: Sendable, Codable {
    public var metric: String
    public var seeds: [UInt64]
    public var values: [Double]
    public var mean: Double
    public var std: Double
    /// Decimal places that stay put across seeds: ⌊−log₁₀(2·std)⌋ (0 when the spread is 0.5 or more).
    public var trustedDecimals: Int
}

public struct BaselineResult: Sendable, Codable {
    public var name: String
    public var metrics: [MetricValue]
    public init(name: String, metrics: [MetricValue]) {
        self.name = name
        self.metrics = metrics
    }
}

public struct CrossValidationResult: Sendable, Codable {
    public var metric: String
    public var folds: [Double]
    public var mean: Double
    public var std: Double
}

/// Trains a model with a held-out test split, a baseline beside it, and optional cross-validation.
public struct Trainer: Sendable {
    public var estimator: any Estimator
    public var split: SplitStrategy?
    public var testFraction: Double = 0.2
    public var seed: UInt64 = 42
    public var folds: Int?
    /// Repeat the split and fit with this many seeds (seed, seed+1, …) and report the spread.
    public var seeds: Int?
    /// The metric cross-validation and seed robustness report (default: rmse or accuracy).
    public var metric: String?
    /// Where parameters and metrics are reported as they are known.
    public var logger: any RunLogger = NoRunLogger()
    /// Evaluate on these rows instead of a held-out split (the model then trains on all of the data).
    public var testFrame: Frame?

    public init(estimator: any Estimator, split: SplitStrategy? = nil, testFraction: Double = 0.2, seed: UInt64 = 42, folds: Int? = nil,
                seeds: Int? = nil, metric: String? = nil, logger: any RunLogger = NoRunLogger()) {
        self.seeds = seeds
        self.metric = metric
        self.logger = logger
        self.estimator = estimator
        self.split = split
        self.testFraction = testFraction
        self.seed = seed
        self.folds = folds
    }

    /// The primary metric of a task (reported for cross-validation).
    public static func primaryMetric(_ task: Task) -> String {
        switch task {
        case .regression: "rmse"
        case .classification: "accuracy"
        case .clustering: "silhouette"
        case .anomaly: "roc_auc"
        case .recommendation: "ndcg_at_10"
        }
    }

    func primary(_ task: Task) -> String { metric ?? Self.primaryMetric(task) }

    /// Trains on a split of `frame`, evaluates on the held-out rows, and refits nothing: the returned
    /// model is the one evaluated.
    public func run(_ frame: Frame, target: String) throws(LearnError) -> (model: any Model, report: TrainingReport) {
        let r = try runWithHoldout(frame, target: target)
        return (r.model, r.report)
    }

    /// `run`, also returning the test rows' true and predicted values (for evaluation plots).
    public func runWithHoldout(_ frame: Frame, target: String) throws(LearnError) -> (model: any Model, report: TrainingReport, holdout: Outcomes) {
        let task = estimator.task(for: frame, target: target)
        if task == .recommendation { return try runRecommendation(frame) }
        if !task.supervised { return try runUnsupervised(frame, label: target) }
        let t = try TargetValues.extract(frame, target: target, task: task)
        let data = t.presentRows(of: frame)
        let strategy = split ?? (task == .classification ? .stratified : .random)
        let s: Split
        do {
            switch strategy {
            case .random: s = try Splitter.random(rows: data.rowCount, testFraction: testFraction, seed: seed)
            case .stratified:
                s = task == .classification ? try Splitter.stratified(labels: t.classes, testFraction: testFraction, seed: seed)
                    : try Splitter.random(rows: data.rowCount, testFraction: testFraction, seed: seed)
            case .temporal(let column):
                s = try Splitter.temporal(times: try Self.times(data, column), testFraction: testFraction)
            case .group(let column):
                s = try Splitter.group(groups: try Self.groups(data, column), testFraction: testFraction, seed: seed)
            case .leaveOneOut, .temporalPerUser:
                throw LearnError.invalidSplit("\(strategy == .leaveOneOut ? "leave-one-out" : "temporal without a column") splits interactions per user, for recommenders; "
                                              + "use random, stratified, temporal:COLUMN or group:COLUMN")
            }
        } catch let e as LearnError { throw e } catch let e as SplitError { throw .invalidSplit(e.description) } catch {
            throw .invalidSplit("\(error)")
        }
        var train = data.take(s.train), test = data.take(s.test)
        if let testFrame {
            train = data
            let tt = try TargetValues.extract(testFrame, target: target, task: task)
            test = tt.presentRows(of: testFrame)
        }
        let model = try estimator.fit(train, target: target, seed: seed)
        let holdout = try Evaluation.outcomes(try model.predict(test), frame: test, target: target)
        let metrics = Evaluation.metrics(holdout)
        if let metric, !metrics.contains(where: { $0.name == metric }) {
            throw .badParameterValue(model: "train", name: "metric", value: metric, expected: "one of " + metrics.map(\.name).joined(separator: ", "))
        }
        for (k, v) in estimator.parameters.values.sorted(by: { $0.key < $1.key }) { logger.logParameter(k, v.description) }
        logger.logParameter("split", "\(strategy)")
        logger.logParameter("seed", "\(seed)")
        for m in metrics { logger.logMetric("test_\(m.name)", m.value, step: 0) }
        let baselineEstimators: [any Estimator] = task == .classification
            ? [try MostFrequentClassifier([:]), try StratifiedClassifier([:])] : [try MeanRegressor([:]), try MedianRegressor([:])]
        var baselines: [BaselineResult] = []
        for b in baselineEstimators {
            let fitted = try b.fit(train, target: target, seed: seed)
            let name = type(of: b).name
            let metrics = try Evaluation.metrics(try fitted.predict(test), frame: test, target: target)
            for m in metrics { logger.logMetric("baseline_\(name)_\(m.name)", m.value, step: 0) }
            baselines.append(BaselineResult(name: name, metrics: metrics))
        }
        var cv: CrossValidationResult?
        if let k = folds {
            cv = try crossValidate(data, target: target, task: task, labels: t.classes, k: k)
        }
        let curves = (model as? any ProvidesTrainingCurves)?.trainingCurves
        for c in curves ?? [] { for (i, v) in c.values.enumerated() { logger.logMetric(c.name, v, step: i) } }
        let outOfBag = (model as? any ProvidesOutOfBagScore)?.outOfBag
        if let outOfBag { logger.logMetric("oob_\(outOfBag.name)", outOfBag.value, step: 0) }
        var report = TrainingReport(
            model: type(of: estimator).name, task: task, target: target,
            parameters: estimator.parameters.values.mapValues(\.description), split: testFrame == nil ? "\(strategy)" : "separate test data", seed: seed,
            trainRows: train.rowCount, testRows: test.rowCount, metrics: metrics, baselines: baselines, crossValidation: cv, features: model.pipeline?.outputNames ?? model.schema.features.map(\.name),
            featurization: model.pipeline?.decisions ?? [],
            seedRobustness: try seeds.map { n throws(LearnError) in try robustness(frame, target: target, task: task, count: n) })
        report.featureImportance = (model as? any ProvidesFeatureImportance)?.featureImportance
        report.curves = curves
        report.bestIteration = (model as? any ProvidesTrainingCurves)?.bestIteration
        report.outOfBag = outOfBag
        let dropped = frame.rowCount - data.rowCount + (testFrame.map { $0.rowCount - test.rowCount } ?? 0)
        report.rowsWithoutTarget = dropped > 0 ? dropped : nil
        report.warnings = Self.warnings(task: task, metrics: metrics, baselines: baselines, curves: curves ?? [])
        return (model, report, holdout)
    }

    /// Clustering and anomaly detection: fit on every row (there is no answer to hold out) and are
    /// measured on the same rows, from the data itself and, with a `label` column of known groups or
    /// anomalies, against it. The label is never a feature. Cross-validation and seed robustness do
    /// not apply.
    func runUnsupervised(_ frame: Frame, label: String) throws(LearnError) -> (model: any Model, report: TrainingReport, holdout: Outcomes) {
        if !label.isEmpty, !frame.names.contains(label) { throw .unknownTarget(label, available: frame.names) }
        let task = type(of: estimator).task
        if folds != nil || seeds != nil || testFrame != nil {
            throw .invalidSplit("\(task.rawValue) fits and measures on all rows: --cv, --seeds and --test-data do not apply")
        }
        guard frame.rowCount > 0 else { throw .emptyTrainingData }
        let model = try estimator.fit(frame, target: label, seed: seed)
        let predictions = try model.predict(frame)
        let outcomes = try Evaluation.outcomes(predictions, frame: frame, target: label)
        var metrics = Evaluation.metrics(outcomes)
        var clusterModel: (any ClusterModel)?
        if let cm = model as? any ClusterModel, case .clustering(let clusters, let distances, _) = predictions {
            metrics = try Evaluation.clusteringMetrics(cm, frame: frame, clusters: clusters, distances: distances, seed: seed) + metrics
            clusterModel = cm
        }
        if let metric, !metrics.contains(where: { $0.name == metric }) {
            throw .badParameterValue(model: "train", name: "metric", value: metric, expected: "one of " + metrics.map(\.name).joined(separator: ", "))
        }
        for (k, v) in estimator.parameters.values.sorted(by: { $0.key < $1.key }) { logger.logParameter(k, v.description) }
        logger.logParameter("seed", "\(seed)")
        for m in metrics { logger.logMetric(m.name, m.value, step: 0) }
        var report = TrainingReport(
            model: type(of: estimator).name, task: task, target: label, parameters: estimator.parameters.values.mapValues(\.description),
            split: "none", seed: seed, trainRows: frame.rowCount, testRows: 0, metrics: metrics, baselines: [], crossValidation: nil,
            features: model.pipeline?.outputNames ?? model.schema.features.map(\.name), featurization: model.pipeline?.decisions ?? [], seedRobustness: nil)
        switch predictions {
        case .clustering(let clusters, _, _):
            guard let clusterModel else { break }
            let (x, names) = try clusterModel.points(frame)
            // Noise rows (−1) are profiled as a group of their own, after the clusters.
            let k = clusterModel.clusterCount, noise = clusters.contains(-1)
            report.clusters = ClusterProfiles.profiles(x: x, names: names, clusters: noise ? clusters.map { $0 < 0 ? k : $0 } : clusters,
                                                       k: k + (noise ? 1 : 0), frame: frame)
            if noise { report.clusters![k].cluster = -1 }
            report.clusterCountChoice = (model as? any ProvidesClusterCountChoice)?.clusterCountChoice
            if let empty = report.clusters?.filter({ $0.size == 0 }), !empty.isEmpty {
                report.warnings.append("\(empty.count) of the \(clusterModel.clusterCount) clusters have no rows: the data has fewer distinct groups; lower n_clusters.")
            }
        case .anomaly(let scores, let flagged, let reasons):
            let top = scores.indices.filter { flagged[$0] }.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(10)
            report.anomalies = top.map { FlaggedRow(row: $0, score: scores[$0], reasons: reasons[$0]) }
            if !flagged.contains(true) {
                report.warnings.append("No training row is flagged: lower the threshold or set contamination to the share of anomalies you expect.")
            }
        default:
            throw .badTarget(label, reason: "\(type(of: estimator).name) gave no \(task.rawValue) predictions")
        }
        return (model, report, outcomes)
    }

    /// Recommenders: per user, the latest (or random) interactions are held out, the model and the
    /// popularity baseline fit on the rest and are measured at `top_k` on them; the saved model is
    /// then fit again on every interaction, so that it knows every user and what each has seen.
    func runRecommendation(_ frame: Frame) throws(LearnError) -> (model: any Model, report: TrainingReport, holdout: Outcomes) {
        let name = type(of: estimator).name
        if folds != nil || seeds != nil {
            throw .invalidSplit("recommenders are measured on per-user held-out interactions: --cv and --seeds do not apply")
        }
        let parameters = estimator.parameters
        var roles = InteractionRoles(parameters)
        var strategy: RecommendationSplit
        switch split {
        case nil: strategy = roles.time.isEmpty ? .random : .temporal
        case .random?: strategy = .random
        case .leaveOneOut?: strategy = .leaveOneOut
        case .temporalPerUser?: strategy = .temporal
        case .temporal(let column)?:
            strategy = .temporal
            if roles.time.isEmpty { roles.time = column } else if roles.time != column {
                throw .invalidSplit("--split temporal:\(column) and --time \(roles.time) name different columns; pass one")
            }
        case .stratified?, .group?:
            throw .invalidSplit("recommenders hold out interactions per user: use --split temporal, leave-one-out or random")
        }
        let raw = try Interactions.raw(frame, roles: roles, model: name)
        guard !raw.users.isEmpty else { throw .emptyTrainingData }
        let k = parameters.int("top_k")
        let explicit = InteractionRoles.explicit(parameters)
        let train: Frame, testRaw: Interactions.Raw, testRows: [Int], splitText: String
        if let testFrame {
            train = frame
            testRaw = try Interactions.raw(testFrame, roles: roles, model: name)
            testRows = Array(testRaw.users.indices)
            splitText = "separate test data"
        } else {
            let rows = try strategy.rows(raw, testFraction: testFraction, seed: seed)
            guard !rows.test.isEmpty else {
                throw .invalidSplit("no user has two interactions, so none can be held out: recommenders need repeat users")
            }
            train = frame.take(rows.train.map { raw.frameRows[$0] })
            testRaw = raw
            testRows = rows.test
            splitText = strategy.rawValue
        }
        let evaluated = try estimator.fit(train, target: "", seed: seed)
        guard let recommender = evaluated as? any RecommenderModel else {
            throw .badTarget(roles.item, reason: "\(name) gave no recommender")
        }
        let holdout = RecommendationMetrics.outcomes(recommender, raw: testRaw, test: testRows, k: k, explicit: explicit)
        let metrics = Evaluation.metrics(holdout)
        if let metric, !metrics.contains(where: { $0.name == metric }) {
            throw .badParameterValue(model: "train", name: "metric", value: metric, expected: "one of " + metrics.map(\.name).joined(separator: ", "))
        }
        for (key, v) in parameters.values.sorted(by: { $0.key < $1.key }) { logger.logParameter(key, v.description) }
        logger.logParameter("split", splitText)
        logger.logParameter("seed", "\(seed)")
        for m in metrics { logger.logMetric("test_\(m.name)", m.value, step: 0) }
        let popularity = try PopularityEstimator(["user": roles.user, "item": roles.item, "rating": roles.rating, "top_k": String(k)])
            .fit(train, target: "", seed: seed) as! PopularityModel
        let baselineMetrics = Evaluation.metrics(RecommendationMetrics.outcomes(popularity, raw: testRaw, test: testRows, k: k, explicit: false))
        for m in baselineMetrics { logger.logMetric("baseline_popularity_\(m.name)", m.value, step: 0) }
        let model = testFrame == nil ? try estimator.fit(frame, target: "", seed: seed) : evaluated
        var report = TrainingReport(
            model: name, task: .recommendation, target: roles.item, parameters: parameters.values.mapValues(\.description),
            split: splitText, seed: seed, trainRows: train.rowCount, testRows: testRows.count, metrics: metrics,
            baselines: [BaselineResult(name: "popularity", metrics: baselineMetrics)], crossValidation: nil,
            features: [roles.user, roles.item] + (roles.rating.isEmpty ? [] : [roles.rating]), featurization: [], seedRobustness: nil)
        report.rowsWithoutTarget = raw.dropped > 0 ? raw.dropped : nil
        if case .recommendation(let lists, _, _, _, _) = holdout {
            report.recommendations = RecommendationMetrics.sample(recommender, baseline: popularity, raw: testRaw, test: testRows, lists: lists, k: k)
        }
        let ndcg = "ndcg_at_\(k)"
        if name != PopularityEstimator.name, let mine = metrics.first(where: { $0.name == ndcg })?.value,
           let base = baselineMetrics.first(where: { $0.name == ndcg })?.value, mine <= base {
            report.warnings.append("The model's \(ndcg) (\(String(format: "%.4g", mine))) is no better than recommending the most popular items "
                                   + "(\(String(format: "%.4g", base))): tune factors, regularization and iterations, or keep the popularity baseline.")
        }
        if testFrame == nil {
            report.warnings.append("Measured on \(testRows.count) held-out interactions (\(splitText) per user); the saved model was fit again on all \(raw.users.count).")
        }
        return (model, report, holdout)
    }

    /// Warnings about a result: the model does not beat the better baseline on the task's primary
    /// metric or on log loss, or a validation loss curve rose by more than 10% after its lowest point
    /// (overfitting).
    public static func warnings(task: Task, metrics: [MetricValue], baselines: [BaselineResult], curves: [TrainingCurve]) -> [String] {
        var out: [String] = []
        func value(_ ms: [MetricValue], _ name: String) -> Double? { ms.first { $0.name == name }?.value }
        let checks: [(name: String, higherIsBetter: Bool)] = task == .regression ? [("rmse", false)] : [("accuracy", true), ("log_loss", false)]
        for (name, higher) in checks {
            guard let mine = value(metrics, name), mine.isFinite else { continue }
            let best = baselines.compactMap { b in value(b.metrics, name).map { (b.name, $0) } }.filter { $0.1.isFinite }
                .min { higher ? $0.1 > $1.1 : $0.1 < $1.1 }
            guard let best else { continue }
            if higher ? mine <= best.1 : mine >= best.1 {
                out.append("The model's test \(name) (\(String(format: "%.4g", mine))) is no better than the \(best.0) baseline's (\(String(format: "%.4g", best.1))): "
                           + "it has learned nothing useful from these features; check the target and the features, or try another model.")
            }
        }
        let lossNames = ["loss", "logloss", "rmse", "mse", "mae", "l1", "l2", "error"]
        for c in curves where c.name.hasPrefix("valid") && lossNames.contains(where: { c.name.hasSuffix($0) }) && c.values.count >= 5 {
            guard let low = c.values.indices.min(by: { c.values[$0] < c.values[$1] }), let last = c.values.last, low < c.values.count - 1 else { continue }
            let lowest = c.values[low]
            if last > lowest * 1.1 + 1e-12 {
                out.append("\(c.name) rose from \(String(format: "%.4g", lowest)) at iteration \(low + 1) to \(String(format: "%.4g", last)) at iteration \(c.values.count): "
                           + "the model overfits; keep the best iteration with early_stopping_round, or lower num_iterations or learning_rate.")
            }
        }
        return out
    }

    /// Retrains with `count` seeds and reports the spread of the primary metric.
    func robustness(_ frame: Frame, target: String, task: Task, count: Int) throws(LearnError) -> SeedRobustness {
        let primary = self.primary(task)
        var values: [Double] = []
        let seedList = (0..<UInt64(max(count, 2))).map { seed &+ $0 }
        for s in seedList {
            var trainer = self
            trainer.seed = s
            trainer.seeds = nil
            trainer.folds = nil
            trainer.logger = NoRunLogger()
            let (_, r) = try trainer.run(frame, target: target)
            values.append(r.metrics.first { $0.name == primary }?.value ?? .nan)
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        let trusted = std == 0 ? 15 : max(0, Int((-log10(2 * std)).rounded(.down)))
        return SeedRobustness(metric: primary, seeds: seedList, values: values, mean: mean, std: std, trustedDecimals: trusted)
    }

    /// The values of a date, datetime or number column, for temporal splits.
    static func times(_ data: Frame, _ column: String) throws(LearnError) -> [Double] {
        guard let c = data.columns.first(where: { $0.name == column }), let times = c.doubles() else {
            throw .badTarget(column, reason: "a temporal split needs a date, datetime or number column")
        }
        return times
    }

    /// A group number per row (groups numbered in sorted order of their labels), for group splits.
    static func groups(_ data: Frame, _ column: String) throws(LearnError) -> [Int] {
        guard let c = data.columns.first(where: { $0.name == column }) else { throw .unknownTarget(column, available: data.names) }
        let labels = (0..<c.count).map { c.value(at: $0).description }
        let ids = Dictionary(uniqueKeysWithValues: Set(labels).sorted().enumerated().map { ($1, $0) })
        return labels.map { ids[$0]! }
    }

    /// k-fold (stratified for classification) cross-validation; preprocessing is fitted inside each fold.
    func crossValidate(_ data: Frame, target: String, task: Task, labels: [Int], k: Int) throws(LearnError) -> CrossValidationResult {
        let folds: [Split]
        do {
            switch split ?? (task == .classification ? .stratified : .random) {
            case .group(let column):
                folds = try CrossValidation.groupKFold(groups: try Self.groups(data, column), k: k)
            case .temporal(let column):
                // Time-series folds over the rows ordered by the column.
                let times = try Self.times(data, column)
                let order = times.indices.filter { !times[$0].isNaN }.sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
                folds = try CrossValidation.timeSeriesSplit(rows: order.count, k: k).map {
                    Split(train: $0.train.map { order[$0] }, test: $0.test.map { order[$0] })
                }
            case .stratified where task == .classification:
                folds = try CrossValidation.stratifiedKFold(labels: labels, k: k, shuffle: true, seed: seed)
            default:
                folds = try CrossValidation.kFold(rows: data.rowCount, k: k, shuffle: true, seed: seed)
            }
        } catch let e as LearnError { throw e } catch let e as SplitError { throw .invalidSplit(e.description) } catch {
            throw .invalidSplit("\(error)")
        }
        let primary = self.primary(task)
        var values: [Double] = []
        for (i, f) in folds.enumerated() {
            let train = data.take(f.train), test = data.take(f.test)
            let model = try estimator.fit(train, target: target, seed: seed)
            let m = try Evaluation.metrics(try model.predict(test), frame: test, target: target)
            let value = m.first { $0.name == primary }?.value ?? .nan
            values.append(value)
            logger.logMetric("cv_\(primary)", value, step: i)
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))).squareRoot()
        return CrossValidationResult(metric: primary, folds: values, mean: mean, std: std)
    }
}
