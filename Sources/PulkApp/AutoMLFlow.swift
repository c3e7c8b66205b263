import Foundation
public import PulkAutoML
import PulkFrame
import PulkLearn
import PulkModels
public import PulkStore
public import PulkTracking
public import PulkWorkspace

/// What `pulk automl` asks for, from any front end.
public struct AutoMLRequest: Sendable {
    /// A dataset reference or a file.
    public var data: String
    public var target: String
    public var settings: AutoMLSettings
    public var read: DatasetStore.AddOptions
    /// Where the winning model file is written; nil keeps it only in the run.
    public var out: String?
    /// Registers the winner as a new version of this model.
    public var registerAs: String?
    public var run: RunSettings?

    public init(data: String, target: String, settings: AutoMLSettings, read: DatasetStore.AddOptions = DatasetStore.AddOptions(),
                out: String? = nil, registerAs: String? = nil, run: RunSettings? = RunSettings()) {
        self.data = data
        self.target = target
        self.settings = settings
        self.read = read
        self.out = out
        self.registerAs = registerAs
        self.run = run
    }
}

/// What the kept model costs to serve: its file's size and the time one row takes to predict.
public struct ModelFootprint: Sendable, Codable, Equatable {
    public var fileBytes: Int
    /// The median of repeated single-row predictions, in microseconds (after one warm-up).
    public var singleRowMicros: Double
    public var repeats: Int

    /// Measures `model` on the first row of `frame`, for at most `seconds`.
    static func measure(_ model: any Model, fileBytes: Int, on frame: Frame, within seconds: Double) -> ModelFootprint? {
        guard frame.rowCount > 0 else { return nil }
        let row = frame.take([0])
        guard (try? model.predict(row)) != nil else { return nil }
        var times: [Double] = []
        let clock = ContinuousClock(), deadline = clock.now + .milliseconds(Int64(max(1, seconds * 1000)))
        while times.count < 1000, clock.now < deadline || times.count < 3 {
            let start = clock.now
            _ = try? model.predict(row)
            let d = clock.now - start
            times.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
        }
        times.sort()
        return ModelFootprint(fileBytes: fileBytes, singleRowMicros: times[times.count / 2], repeats: times.count)
    }
}

/// A finished search: what it found, the winner's file bytes, and where it was recorded.
public struct AutoMLOutcome: Sendable {
    public var result: AutoMLResult
    public var modelBytes: [UInt8]
    /// The kept model's size and single-row latency.
    public var footprint: ModelFootprint?
    public var source: String
    /// The search's parent run, and one child run per trial.
    public var run: RunInfo?
    public var trialRuns: [String]
    public var registered: ModelVersion?
}

/// The AutoML flow every front end shares: read the data, search, write and record the winner.
public enum AutoMLFlow {
    /// Searches `request.settings`' estimators on the data, writes the winner to `out`, and records
    /// the search as a parent run (settings, leaderboard, best parameters, the model) with a child
    /// run per trial (its parameters, fold scores, time and status).
    public static func search(_ request: AutoMLRequest, on bench: Workbench, progress: any ProgressSink = NoProgress(),
                              onStart: @escaping @Sendable (SearchStart) -> Void = { _ in },
                              onTrial: @escaping @Sendable (Trial) -> Void = { _ in }, cancelled: @escaping @Sendable () -> Bool = { false },
                              user: String = RunRecorder.user()) async throws -> AutoMLOutcome {
        try await search(request, datasets: try await bench.datasets(), tracking: { try await bench.trackingClient() }, progress: progress,
                         onStart: onStart, onTrial: onTrial, cancelled: cancelled, user: user)
    }

    /// The same on a dataset catalog and a tracking client of the caller's (a server's own).
    /// `filesAllowed` false takes registered datasets only, never a path.
    public static func search(_ request: AutoMLRequest, datasets: any DatasetCatalog, tracking: () async throws -> any TrackingClient,
                              filesAllowed: Bool = true, progress: any ProgressSink = NoProgress(),
                              onStart: @escaping @Sendable (SearchStart) -> Void = { _ in },
                              onTrial: @escaping @Sendable (Trial) -> Void = { _ in }, cancelled: @escaping @Sendable () -> Bool = { false },
                              user: String = RunRecorder.user()) async throws -> AutoMLOutcome {
        guard !request.target.isEmpty else { throw AppError.invalid("AutoML learns to predict a column: name it with --target.") }
        if request.registerAs != nil, request.run == nil { throw AppError.invalid("--register-as registers the search's run: it cannot be used with --no-track.") }
        let started = Date()
        let data: LoadedData
        if filesAllowed {
            data = try await DataSources.load(request.data, options: request.read, catalog: datasets, progress: progress)
        } else {
            let version = try await DataSources.registered(request.data, in: datasets)
            data = LoadedData(frame: try await datasets.frame(version), label: version.reference, version: version, path: nil)
        }
        var search = AutoMLSearch(settings: request.settings, catalog: Catalog.estimators)
        search.cancelled = cancelled
        search.onStart = onStart
        // On a thread of its own: a search holds its thread for its whole budget, which must not be
        // one of the few that run every task of the process (a server's requests).
        let frame = data.frame, target = request.target, searcher = search
        let result = try await onOwnThread { () throws(LearnError) in try searcher.run(frame, target: target, onTrial: onTrial) }
        let bytes = ModelFile.encode(result.model)
        if let out = request.out { try Training.write(bytes, to: out) }
        // Its single-row latency, measured in at most 2% of the budget (0.2 s at most).
        let footprint = ModelFootprint.measure(result.model, fileBytes: bytes.count, on: data.frame, within: min(0.2, 0.02 * request.settings.timeBudget))
        var outcome = AutoMLOutcome(result: result, modelBytes: bytes, footprint: footprint, source: data.label, run: nil, trialRuns: [])
        guard let settings = request.run else { return outcome }

        let client = try await tracking()
        let recorder = RunRecorder(client: client)
        var parent = parentContent(result, request: request)
        if let f = footprint {
            parent.metric("model_file_bytes", Double(f.fileBytes))
            parent.metric("single_row_latency_us", f.singleRowMicros)
        }
        parent.inputs = [data.input(context: "training")]
        parent.artifacts.insert(contentsOf: [("model/model.pulk", bytes)] + MLflowModelFiles.artifacts(result.model, training: data.frame), at: 0)
        let info = try await recorder.record(parent, experiment: settings.experiment, runName: settings.runName, source: "pulk automl",
                                             started: Int64(started.timeIntervalSince1970 * 1000), user: user)
        outcome.run = info
        for trial in result.trials {
            let child = try await recorder.record(trialContent(trial, metric: result.metric, parent: info.runId), experiment: settings.experiment,
                                                  runName: "trial-\(trial.number)-\(trial.model)", source: "pulk automl", user: user)
            outcome.trialRuns.append(child.runId)
        }
        if let name = request.registerAs {
            outcome.registered = try await Registering.register(runId: info.runId, name: name, client: client, user: user).version
        }
        return outcome
    }

    /// The parent run: the settings as parameters, the best trial's score and parameters, the
    /// best score after each trial as a curve, and the leaderboard as JSON and CSV.
    static func parentContent(_ r: AutoMLResult, request: AutoMLRequest) -> RunContent {
        var c = RunContent()
        let s = request.settings
        c.param("task", r.task.kind.rawValue)
        c.param("target", request.target)
        c.param("metric", r.metric)
        c.param("time_budget", "\(s.timeBudget)")
        if let m = s.maxTrials { c.param("max_trials", String(m)) }
        if let e = s.exitScore { c.param("exit_score", "\(e)") }
        if let p = s.patience { c.param("patience", String(p)) }
        c.param("models", r.models.joined(separator: ","))
        c.param("validation", r.validation)
        c.param("strategy", s.strategy.rawValue)
        c.param("seed", String(s.seed))
        c.param("best_model", r.bestTrial.model)
        for (k, v) in r.bestTrial.parameters.sorted(by: { $0.key < $1.key }) { c.param("best.\(k)", v) }
        c.metric("best_\(r.metric)", r.bestTrial.score)
        c.metric("best_\(r.metric)_std", r.bestTrial.spread)
        c.metric("trials", Double(r.trials.count))
        c.metric("failed_trials", Double(r.trials.filter { $0.status == .failed }.count))
        c.metric("search_seconds", r.seconds)
        c.metric("refit_seconds", r.refitSeconds)
        for t in r.trials where !t.bestSoFar.isNaN { c.metric("best_so_far_\(r.metric)", t.bestSoFar, step: t.number) }
        c.tags = [Tag("pulk.automl", "true"), Tag("pulk.model", r.model.kind), Tag("pulk.task", r.task.task.rawValue), Tag("pulk.target", request.target),
                  Tag("pulk.automl.stop", r.stopReason.rawValue), Tag("pulk.task.reason", r.task.reason)]
        c.artifact("leaderboard.json", RunContent.json(Leaderboard(metric: r.metric, higherIsBetter: r.higherIsBetter, stopReason: r.stopReason.rawValue,
                                                                    validation: r.validation, trials: r.leaderboard)))
        c.artifact("leaderboard.csv", leaderboardCSV(r))
        c.artifact("guardrails.json", RunContent.json(r.guardrails))
        if let e = r.ensemble {
            c.artifact("ensemble.json", RunContent.json(e))
            c.param("ensemble", e.chosen ? e.method : "none")
            c.metric("ensemble_\(r.metric)", e.score)
            c.metric("single_oof_\(r.metric)", e.singleScore)
        }
        let warned = r.guardrails.filter { $0.outcome == .warned }
        if !warned.isEmpty { c.tags.append(Tag("pulk.warnings", warned.map { "\($0.check): \($0.detail)" }.joined(separator: "\n"))) }
        if r.rowsWithoutTarget > 0 { c.metric("rows_without_target", Double(r.rowsWithoutTarget)) }
        return c
    }

    struct Leaderboard: Encodable {
        var metric: String
        var higherIsBetter: Bool
        var stopReason: String
        var validation: String
        var trials: [Trial]
    }

    /// Rank, trial, model, score, spread, seconds, status and parameters: one row per trial, best first.
    public static func leaderboardCSV(_ r: AutoMLResult) -> String {
        func field(_ s: String) -> String { s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var lines = ["rank,trial,model,\(r.metric),\(r.metric)_std,rows,seconds,status,parameters"]
        for (rank, t) in r.leaderboard.enumerated() {
            let params = t.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append([String(rank + 1), String(t.number), t.model, t.score.isNaN ? "" : formatDouble(t.score), formatDouble(t.spread),
                          String(t.rows), formatDouble(t.seconds), t.status.rawValue, field(params)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A trial's child run: its estimator and parameters, the fold scores and mean, time and status.
    static func trialContent(_ t: Trial, metric: String, parent: String) -> RunContent {
        var c = RunContent()
        c.param("model", t.model)
        for (k, v) in t.parameters.sorted(by: { $0.key < $1.key }) { c.param(k, v) }
        if t.status == .finished {
            c.metric("val_\(metric)", t.score)
            c.metric("val_\(metric)_std", t.spread)
            for (i, v) in t.foldScores.enumerated() { c.metric("fold_\(metric)", v, step: i) }
        }
        c.metric("seconds", t.seconds)
        c.param("rows", String(t.rows))
        c.tags = [Tag("mlflow.parentRunId", parent), Tag("pulk.model", t.model), Tag("pulk.automl.trial", String(t.number)),
                  Tag("pulk.automl.status", t.status.rawValue)]
        if let e = t.error { c.tags.append(Tag("pulk.automl.error", e)) }
        return c
    }
}

/// Runs `body` on a new thread and waits for it without holding one of Swift's concurrency threads.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        let thread = Thread { c.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
