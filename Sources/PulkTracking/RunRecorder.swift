public import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import PulkLearn
public import PulkStore

/// What a training or evaluation produced, ready to be recorded as one tracked run.
public struct RunContent: Sendable {
    public var params: [Param] = []
    public var metrics: [(key: String, value: Double, step: Int64)] = []
    public var tags: [Tag] = []
    /// Artifact path → bytes.
    public var artifacts: [(path: String, bytes: [UInt8])] = []
    public var inputs: [DatasetInput] = []
    public init() {}

    /// Adds a param; a key already taken by a hyperparameter with another value (a model's own `seed`)
    /// is recorded as `run.KEY`.
    public mutating func param(_ key: String, _ value: String) {
        if let existing = params.first(where: { $0.key == key }) {
            if existing.value != String(value.prefix(TrackingLimits.paramValueLength)) { param("run." + key, value) }
            return
        }
        params.append(Param(key, value.count > TrackingLimits.paramValueLength ? String(value.prefix(TrackingLimits.paramValueLength)) : value))
    }
    public mutating func metric(_ key: String, _ value: Double, step: Int = 0) { metrics.append((key, value, Int64(step))) }
    public mutating func artifact(_ path: String, _ text: String) { artifacts.append((path, Array(text.utf8))) }

    /// Everything `pulk train` reports: all hyperparameters, the featurization chosen, split and seed;
    /// test metrics beside the baselines'; cross-validation per fold with mean and std; boosting curves
    /// per iteration with the validation value at the iteration kept; out-of-bag and seed spread;
    /// evaluation plots and the metrics JSON.
    public static func training(_ report: TrainingReport, holdout: Outcomes, testSize: Double?) -> RunContent {
        var c = RunContent()
        // A model's `seed` of −1 means "the run's seed": record the seed it used.
        for (k, v) in report.parameters.sorted(by: { $0.key < $1.key }) { c.param(k, k == "seed" && v == "-1" ? String(report.seed) : v) }
        c.param("model", report.model)
        c.param("task", report.taskDecision?.kind.rawValue ?? report.task.rawValue)
        if let d = report.taskDecision { c.param("task_reason", String(d.reason.prefix(500))) }
        c.param("target", report.target)
        c.param("split", report.split)
        c.param("seed", String(report.seed))
        if let testSize, report.split != "separate test data" { c.param("test_size", String(testSize)) }
        c.param("train_rows", String(report.trainRows))
        if let dropped = report.rowsWithoutTarget { c.param("rows_without_target", String(dropped)) }
        c.param("test_rows", String(report.testRows))
        c.param("features", report.features.joined(separator: ","))
        for d in report.featurization { c.param("featurization.\(d.column)", d.action) }
        if let cv = report.crossValidation { c.param("cv_folds", String(cv.folds.count)) }
        // Clustering measures on the rows it was fitted on: its metrics have no test_ prefix.
        let prefix = report.task.supervised ? "test_" : ""
        for m in report.metrics { c.metric(prefix + m.name, m.value) }
        for b in report.baselines { for m in b.metrics { c.metric("baseline_\(b.name)_\(m.name)", m.value) } }
        if let cv = report.crossValidation {
            for (i, v) in cv.folds.enumerated() { c.metric("cv_\(cv.metric)", v, step: i) }
            c.metric("cv_\(cv.metric)_mean", cv.mean)
            c.metric("cv_\(cv.metric)_std", cv.std)
        }
        for curve in report.curves ?? [] {
            for (i, v) in curve.values.enumerated() { c.metric(curve.name, v, step: i) }
            // The validation (and training) value at the iteration the model keeps.
            let kept = report.bestIteration.map { min(max($0, 0), curve.values.count - 1) } ?? curve.values.count - 1
            if kept >= 0 { c.metric("final_\(curve.name)", curve.values[kept]) }
        }
        if let best = report.bestIteration { c.metric("best_iteration", Double(best)) }
        if let oob = report.outOfBag { c.metric("oob_\(oob.name)", oob.value) }
        if let r = report.seedRobustness {
            c.metric("seeds_\(r.metric)_mean", r.mean)
            c.metric("seeds_\(r.metric)_std", r.std)
        }
        c.tags = [Tag("pulk.model", report.model), Tag("pulk.task", report.task.rawValue), Tag("pulk.target", report.target)]
        if !report.warnings.isEmpty { c.tags.append(Tag("pulk.warnings", report.warnings.joined(separator: "\n"))) }
        c.addPlots(holdout, importance: report.featureImportance, curves: report.curves, clusterCountChoice: report.clusterCountChoice)
        if let profiles = report.clusters { c.artifact("clusters.json", Self.json(profiles)) }
        if let flagged = report.anomalies { c.artifact("anomalies.json", Self.json(flagged)) }
        if let sample = report.recommendations { c.artifact("recommendations.json", Self.json(sample)) }
        if let choice = report.clusterCountChoice { c.metric("chosen_n_clusters", Double(choice.chosen)) }
        if let importance = report.featureImportance, !importance.isEmpty {
            c.artifact("feature_importance.json", Self.json(importance))
        }
        c.artifact("metrics.json", Self.json(report))
        return c
    }

    /// What `pulk evaluate` reports: the metrics of a saved model on labelled data, with its plots.
    public static func evaluation(model: String, kind: String, target: String, metrics: [MetricValue], holdout: Outcomes,
                                  importance: [FeatureImportance]?) -> RunContent {
        var c = RunContent()
        c.param("model_file", model)
        c.param("model", kind)
        c.param("target", target)
        for m in metrics { c.metric("eval_\(m.name)", m.value) }
        c.tags = [Tag("pulk.model", kind), Tag("pulk.target", target), Tag("pulk.evaluation", "true")]
        c.addPlots(holdout, importance: importance, curves: nil)
        struct Body: Encodable { var model: String; var target: String; var metrics: [MetricValue] }
        c.artifact("metrics.json", Self.json(Body(model: model, target: target, metrics: metrics)))
        return c
    }

    mutating func addPlots(_ outcomes: Outcomes, importance: [FeatureImportance]?, curves: [TrainingCurve]?, clusterCountChoice: ClusterCountChoice? = nil) {
        for (path, svg) in EvaluationPlots.plots(outcomes, importance: importance, curves: curves, clusterCountChoice: clusterCountChoice) { artifact(path, svg) }
    }

    public static func json(_ value: some Encodable) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return (try? e.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Records runs through a tracking client: the run is created, everything logged in batches within
/// MLflow's limits, artifacts uploaded, and the run ends FINISHED (FAILED when logging broke off).
public struct RunRecorder: Sendable {
    public let client: any TrackingClient
    public let now: @Sendable () -> Int64

    public init(client: any TrackingClient, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.client = client
        self.now = now
    }

    /// The user recorded with runs and changes: `$MLFLOW_TRACKING_USERNAME`, else `$USER`, `$LOGNAME`,
    /// else the OS account running the process (containers often set no `USER`).
    public static func user(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for key in ["MLFLOW_TRACKING_USERNAME", "USER", "LOGNAME"] { if let v = environment[key], !v.isEmpty { return v } }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    /// `started`: when the work began (ms since 1970), so the run's duration covers the training; default now.
    public func record(_ content: RunContent, experiment: String, runName: String?, source: String, started: Int64? = nil,
                       user: String = RunRecorder.user()) async throws(StoreError) -> RunInfo {
        let experimentId = try await client.experimentId(named: experiment)
        let start = started ?? now()
        let tags = [Tag("mlflow.user", user), Tag("mlflow.source.name", source), Tag("mlflow.source.type", "LOCAL")] + content.tags
        let info = try await client.createRun(experimentId: experimentId, runName: runName, userId: user, startTime: start, tags: [])
        do {
            for chunk in stride(from: 0, to: content.params.count, by: TrackingLimits.batchParams) {
                try await client.logBatch(runId: info.runId, metrics: [], params: Array(content.params[chunk..<min(chunk + TrackingLimits.batchParams, content.params.count)]), tags: [])
            }
            for chunk in stride(from: 0, to: tags.count, by: TrackingLimits.batchTags) {
                try await client.logBatch(runId: info.runId, metrics: [], params: [], tags: Array(tags[chunk..<min(chunk + TrackingLimits.batchTags, tags.count)]))
            }
            let stamp = now()
            let metrics = content.metrics.map { Metric($0.key, $0.value, timestamp: stamp, step: $0.step) }
            for chunk in stride(from: 0, to: metrics.count, by: TrackingLimits.batchMetrics) {
                try await client.logBatch(runId: info.runId, metrics: Array(metrics[chunk..<min(chunk + TrackingLimits.batchMetrics, metrics.count)]), params: [], tags: [])
            }
            if !content.inputs.isEmpty { try await client.logInputs(runId: info.runId, datasets: content.inputs) }
            for a in content.artifacts { try await client.logArtifact(info, path: a.path, bytes: a.bytes) }
            try await client.finishRun(runId: info.runId, status: .finished, endTime: now())
        } catch {
            try? await client.finishRun(runId: info.runId, status: .failed, endTime: now())
            throw error
        }
        return try await client.run(id: info.runId).info
    }
}
