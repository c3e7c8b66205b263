public import Foundation
public import PulkFrame
public import PulkLearn
import PulkModels
import PulkProfile
public import PulkStore
public import PulkTracking
public import PulkWorkspace

/// How a flow records its run; nil in a request means it records none (`--no-track`).
public struct RunSettings: Sendable {
    /// The experiment (created when missing).
    public var experiment: String
    /// The run's name; nil for a generated one.
    public var runName: String?
    /// Whether the training data's profile joins the run's artifacts.
    public var profile: Bool

    public init(experiment: String = "Default", runName: String? = nil, profile: Bool = true) {
        self.experiment = experiment
        self.runName = runName
        self.profile = profile
    }
}

/// What `pulk train` asks for, decoded from any front end.
public struct TrainingRequest: Sendable {
    /// A dataset reference or a file.
    public var data: String
    /// Evaluate on this dataset or file instead of holding out part of `data`.
    public var testData: String?
    /// The column to predict; for a model without a target (clustering), the column of known groups
    /// to compare with (`--label`), or empty.
    public var target: String
    /// The estimator's catalog name and its hyperparameters as text.
    public var model: String
    public var parameters: [String: String]
    /// binary, multiclass, regression, or auto (inferred from the target; see `TaskInference`).
    public var task: TaskChoice = .auto
    public var split: SplitStrategy?
    public var testSize: Double
    public var seed: UInt64
    /// K-fold cross-validation and seed robustness, when asked for.
    public var folds: Int?
    public var seeds: Int?
    public var metric: String?
    /// How files are read.
    public var read: DatasetStore.AddOptions
    /// Where the model file is written; nil keeps it only in memory (and in the run).
    public var out: String?
    public var run: RunSettings?

    public init(data: String, testData: String? = nil, target: String, model: String, parameters: [String: String] = [:],
                split: SplitStrategy? = nil, testSize: Double = 0.2, seed: UInt64 = 42, folds: Int? = nil, seeds: Int? = nil,
                metric: String? = nil, read: DatasetStore.AddOptions = DatasetStore.AddOptions(), out: String? = nil, run: RunSettings? = RunSettings()) {
        self.data = data
        self.testData = testData
        self.target = target
        self.model = model
        self.parameters = parameters
        self.split = split
        self.testSize = testSize
        self.seed = seed
        self.folds = folds
        self.seeds = seeds
        self.metric = metric
        self.read = read
        self.out = out
        self.run = run
    }
}

/// A trained model: in memory, as file bytes, and as the run that recorded it.
public struct TrainingResult: Sendable {
    public var model: any Model
    /// The model file's bytes (what `out` and the run's `model/model.pulk` hold).
    public var modelBytes: [UInt8]
    public var report: TrainingReport
    /// The training data's label (`name:version` or the file's name).
    public var source: String
    public var run: RunInfo?
}

/// What `pulk evaluate` asks for.
public struct EvaluationRequest: Sendable {
    /// A model file, MODEL@ALIAS or MODEL:VERSION.
    public var model: String
    public var data: String
    /// Default: the column the model was trained on.
    public var target: String?
    public var read: DatasetStore.AddOptions
    public var run: RunSettings?
    /// Recommenders: items recommended per user (default: the model's top_k).
    public var k: Int?

    public init(model: String, data: String, target: String? = nil, read: DatasetStore.AddOptions = DatasetStore.AddOptions(),
                run: RunSettings? = RunSettings(), k: Int? = nil) {
        self.k = k
        self.model = model
        self.data = data
        self.target = target
        self.read = read
        self.run = run
    }
}

public struct EvaluationResult: Sendable {
    public var model: any Model
    public var source: String
    public var target: String
    public var metrics: [MetricValue]
    public var run: RunInfo?
}

/// Tracked training and evaluation: the flows of `pulk train` and `pulk evaluate`, for every front end.
public enum Training {
    /// Reads the data, trains and evaluates (hold-out, cross-validation and seeds as asked), writes the
    /// model file when `out` is given, and records the run with the model, the data's profile and
    /// lineage to the data read.
    public static func train(_ request: TrainingRequest, on bench: Workbench, progress: any ProgressSink = NoProgress(),
                             user: String = RunRecorder.user()) async throws -> TrainingResult {
        let estimatorType = try Catalog.estimator(named: request.model)
        _ = try estimatorType.init(request.parameters)  // parameter errors before any data is read
        if let seeds = request.seeds, seeds < 2 { throw AppError.invalid("Seed robustness needs at least 2 seeds to measure a spread (--seeds).") }
        let started = Date()
        let catalog = try await bench.datasets()
        let data = try await DataSources.load(request.data, options: request.read, catalog: catalog, progress: progress)
        var test: LoadedData?
        if let testData = request.testData { test = try await DataSources.load(testData, options: request.read, catalog: catalog, progress: progress) }
        let estimator: any Estimator, decision: TaskDecision?
        if estimatorType.task.supervised {
            guard !request.target.isEmpty else { throw AppError.invalid("\(request.model) learns to predict a column: name it with --target.") }
            (estimator, decision) = try TaskInference.configure(estimatorType, given: request.parameters, choice: request.task,
                                                                frame: data.frame, target: request.target)
        } else {
            guard request.task == .auto else {
                throw AppError.invalid("\(request.model) learns without a target (\(estimatorType.task.rawValue)): --task \(request.task.rawValue) does not apply.")
            }
            (estimator, decision) = (try estimatorType.init(request.parameters), nil)
        }
        var trainer = Trainer(estimator: estimator, split: request.split, testFraction: request.testSize, seed: request.seed,
                              folds: request.folds, seeds: request.seeds, metric: request.metric)
        trainer.testFrame = test?.frame
        var (fitted, report, holdout) = try trainer.runWithHoldout(data.frame, target: request.target)
        report.taskDecision = decision
        let bytes = ModelFile.encode(fitted)
        if let out = request.out { try write(bytes, to: out) }
        var recorded: RunInfo?
        if let settings = request.run {
            var content = RunContent.training(report, holdout: holdout, testSize: test == nil ? request.testSize : nil)
            content.inputs = [data.input(context: "training")] + (test.map { [$0.input(context: "evaluation")] } ?? [])
            content.artifacts.insert(contentsOf: [("model/model.pulk", bytes)] + MLflowModelFiles.artifacts(fitted, training: data.frame), at: 0)
            if settings.profile { try addProfile(&content, data.frame, label: data.label, target: request.target.isEmpty ? nil : request.target) }
            recorded = try await record(content, settings, source: "pulk train", started: started, bench: bench, user: user)
        }
        return TrainingResult(model: fitted, modelBytes: bytes, report: report, source: data.label, run: recorded)
    }

    /// Scores a saved model on labelled data with every metric of its task, recorded as a run.
    public static func evaluate(_ request: EvaluationRequest, on bench: Workbench, progress: any ProgressSink = NoProgress(),
                                user: String = RunRecorder.user()) async throws -> EvaluationResult {
        let started = Date()
        let fitted = try await ModelReference(parsing: request.model).resolve(try await bench.trackingClient()).model
        let data = try await DataSources.load(request.data, options: request.read, catalog: try await bench.datasets(), progress: progress)
        let column = request.target ?? fitted.target.name
        if let k = request.k, k < 1 { throw AppError.invalid("--k must be at least 1, not \(k).") }
        if request.k != nil, !(fitted is any RecommenderModel) { throw AppError.invalid("--k applies to recommenders; \(fitted.kind) is a \(fitted.target.task.rawValue) model.") }
        let outcomes: Outcomes
        var metrics: [MetricValue]
        var predictions: Predictions?
        if let recommender = fitted as? any RecommenderModel {
            // Every interaction of the data is held out; each user gets their top k.
            outcomes = try Evaluation.recommendationOutcomes(recommender, frame: data.frame, k: request.k ?? recommender.parameters.int("top_k"))
            metrics = Evaluation.metrics(outcomes)
        } else {
            let p = try fitted.predict(data.frame)
            predictions = p
            outcomes = try Evaluation.outcomes(p, frame: data.frame, target: column)
            metrics = Evaluation.metrics(outcomes)
        }
        if let clusterModel = fitted as? any ClusterModel, case .clustering(let clusters, let distances, _)? = predictions {
            // A clustering is measured on the data itself, and against known groups when named.
            metrics = try Evaluation.clusteringMetrics(clusterModel, frame: data.frame, clusters: clusters, distances: distances) + metrics
        }
        var recorded: RunInfo?
        if let settings = request.run {
            var content = RunContent.evaluation(model: request.model, kind: fitted.kind, target: column, metrics: metrics, holdout: outcomes,
                                                importance: (fitted as? any ProvidesFeatureImportance)?.featureImportance)
            content.inputs = [data.input(context: "evaluation")]
            recorded = try await record(content, settings, source: "pulk evaluate", started: started, bench: bench, user: user)
        }
        return EvaluationResult(model: fitted, source: data.label, target: column, metrics: metrics, run: recorded)
    }

    /// The data's profile (JSON and HTML) among the run's artifacts.
    static func addProfile(_ content: inout RunContent, _ frame: Frame, label: String, target: String?) throws {
        let profile = try Profiler().profile(frame, source: label, target: target)
        content.artifacts.append(("profile/profile.json", Array(profile.jsonData())))
        content.artifacts.append(("profile/profile.html", Array(profile.html().utf8)))
    }

    /// Records the run through the workbench's tracking client; its dataset inputs are the record of the
    /// versions it read (see `DatasetReaders`).
    static func record(_ content: RunContent, _ settings: RunSettings, source: String, started: Date,
                       bench: Workbench, user: String) async throws -> RunInfo {
        let client = try await bench.trackingClient()
        let info = try await RunRecorder(client: client).record(content, experiment: settings.experiment, runName: settings.runName, source: source,
                                                                started: Int64(started.timeIntervalSince1970 * 1000), user: user)
        return info
    }

    /// Writes a model file atomically (a reader never sees half of it).
    public static func write(_ bytes: [UInt8], to path: String) throws(LearnError) {
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .io(path, reason: "cannot write the model: \(error.localizedDescription)")
        }
    }
}
