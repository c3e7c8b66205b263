public import Foundation
public import PulkAutoML
import PulkFrame
import PulkLearn
import PulkWorkspace
public import PulkStore
public import PulkTracking
import Synchronization

/// An AutoML search as a client asks for it: the native API's JSON body (snake_case keys), and what
/// `pulk automl`'s options build. `settings` checks it, in the words of the front end that asked.
public struct AutoMLSpec: Codable, Sendable, Equatable {
    /// NAME[:VERSION] of a registered dataset (a server pins the version when the search is queued).
    public var data: String
    public var target: String
    /// auto (inferred and said), binary, multiclass or regression.
    public var task: String?
    public var metric: String?
    /// Seconds for the whole search, the final refit included (60 when nil).
    public var timeBudget: Double?
    public var maxTrials: Int?
    public var exitScore: Double?
    public var patience: Int?
    public var models: [String]?
    /// K-fold cross-validation, or a holdout share; neither: Azure ML's rule by size.
    public var cv: Int?
    public var holdout: Double?
    /// cost-frugal or random.
    public var strategy: String?
    /// auto, voting, stacking or none.
    public var ensemble: String?
    /// Trials side by side (default: the cores).
    public var parallel: Int?
    public var seed: UInt64?
    public var registerAs: String?
    public var experiment: String?
    public var runName: String?

    public init(data: String, target: String, task: String? = nil, metric: String? = nil, timeBudget: Double? = nil, maxTrials: Int? = nil,
                exitScore: Double? = nil, patience: Int? = nil, models: [String]? = nil, cv: Int? = nil, holdout: Double? = nil,
                strategy: String? = nil, ensemble: String? = nil, parallel: Int? = nil, seed: UInt64? = nil, registerAs: String? = nil,
                experiment: String? = nil, runName: String? = nil) {
        self.data = data; self.target = target; self.task = task; self.metric = metric; self.timeBudget = timeBudget
        self.maxTrials = maxTrials; self.exitScore = exitScore; self.patience = patience; self.models = models; self.cv = cv
        self.holdout = holdout; self.strategy = strategy; self.ensemble = ensemble; self.parallel = parallel; self.seed = seed
        self.registerAs = registerAs; self.experiment = experiment; self.runName = runName
    }

    /// How errors name the fields: `--time-budget` on the command line, `time_budget` in the API.
    public enum Naming: Sendable { case options, json }

    /// The longest search a spec may ask for: a week.
    public static let longestBudget = 7 * 86_400.0

    /// The settings, or what is wrong with the spec and how to fix it.
    public func settings(defaultParallel: Int, naming: Naming) throws(AppError) -> AutoMLSettings {
        func name(_ field: String) -> String {
            naming == .options ? "--" + field.replacingOccurrences(of: "_", with: "-") : field
        }
        let taskText = task ?? "auto"
        guard let choice = TaskChoice(rawValue: taskText) else {
            throw .invalid("\(name("task")) \(taskText) is not a task; use auto, binary, multiclass or regression.")
        }
        let budget = timeBudget ?? 60
        guard budget.isFinite, budget > 0, budget <= Self.longestBudget else {
            throw .invalid("\(name("time_budget")) must be a positive time of at most a week (\(Int(Self.longestBudget)) s), not \(formatDouble(budget)).")
        }
        let strategyText = strategy ?? AutoMLSettings.Strategy.costFrugal.rawValue
        guard let search = AutoMLSettings.Strategy(rawValue: strategyText) else {
            throw .invalid("\(name("strategy")) must be cost-frugal or random, not '\(strategyText)'.")
        }
        let ensembleText = ensemble ?? AutoMLSettings.Ensemble.auto.rawValue
        guard let combine = AutoMLSettings.Ensemble(rawValue: ensembleText) else {
            throw .invalid("\(name("ensemble")) must be auto, voting, stacking or none, not '\(ensembleText)'.")
        }
        if let maxTrials, maxTrials < 1 { throw .invalid("\(name("max_trials")) must be at least 1.") }
        if let patience, patience < 1 { throw .invalid("\(name("patience")) must be at least 1.") }
        if let parallel, !(1...256).contains(parallel) { throw .invalid("\(name("parallel")) must be from 1 to 256.") }
        if let exitScore, !exitScore.isFinite { throw .invalid("\(name("exit_score")) must be a finite number.") }
        var validation = AutoMLSettings.Validation.auto
        switch (cv, holdout) {
        case (let k?, nil):
            guard k >= 2, k <= 100 else { throw .invalid("\(name("cv")) takes 2 to 100 folds, not \(k).") }
            validation = .crossValidation(folds: k)
        case (nil, let f?):
            guard f > 0, f < 1 else { throw .invalid("\(name("holdout")) is a share of the rows between 0 and 1, such as 0.2.") }
            validation = .holdout(fraction: f)
        case (nil, nil): break
        default: throw .invalid("Give \(name("cv")) or \(name("holdout")), not both.")
        }
        let names = models?.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let names, names.isEmpty { throw .invalid("\(name("models")) needs at least one estimator, e.g. gbdt,logistic.") }
        if target.isEmpty { throw .invalid("AutoML learns to predict a column: name it with \(name("target")).") }
        return AutoMLSettings(task: choice, metric: metric, timeBudget: budget, maxTrials: maxTrials, exitScore: exitScore, patience: patience,
                              models: names, validation: validation, strategy: search, ensemble: combine,
                              parallel: parallel ?? defaultParallel, seed: seed ?? 42)
    }
}

/// What a running search has done: what it settled before the first trial, and the trials in the
/// order they ended. A job's `progress`.
public struct AutoMLProgress: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable { case loading, searching, recording }
    public var phase: Phase
    public var start: SearchStart?
    public var trials: [Trial]

    public init(phase: Phase = .loading, start: SearchStart? = nil, trials: [Trial] = []) {
        self.phase = phase; self.start = start; self.trials = trials
    }
}

/// How a search ended: where it was recorded, the winner, and why it stopped. A job's `result`.
public struct AutoMLJobResult: Codable, Sendable, Equatable {
    public var runId: String?
    public var experimentId: String?
    /// Trial number → its child run.
    public var trialRuns: [String: String]
    /// The model kept: the best trial's estimator, or `ensemble`.
    public var model: String
    public var bestTrial: Int
    public var bestModel: String
    public var bestScore: Double
    public var metric: String
    public var stopReason: String
    public var seconds: Double
    public var ensemble: EnsembleSummary?
    public var registeredModel: String?
    public var registeredVersion: String?
    /// The kept model's file size and single-row latency.
    public var footprint: ModelFootprint?
}

/// A search job as the API and the UI show it.
public struct AutoMLJob: Sendable {
    public var job: Job
    public var spec: AutoMLSpec
    public var progress: AutoMLProgress
    public var result: AutoMLJobResult?

    public init(_ job: Job) throws(AppError) {
        guard job.kind == AutoMLJobs.kind else { throw .notFound("Job \(job.id) is not an AutoML search.") }
        self.job = job
        do {
            spec = try AutoMLJobs.decoder.decode(AutoMLSpec.self, from: Data(job.request.utf8))
            progress = (try? AutoMLJobs.decoder.decode(AutoMLProgress.self, from: Data(job.progress.utf8))) ?? AutoMLProgress()
            result = job.result == "{}" ? nil : try AutoMLJobs.decoder.decode(AutoMLJobResult.self, from: Data(job.result.utf8))
        } catch {
            throw .invalid("AutoML job \(job.id) holds JSON this version cannot read: \(error)")
        }
    }

    public var metric: String? { result?.metric ?? progress.start?.metric }
    public var higherIsBetter: Bool { progress.start?.higherIsBetter ?? true }
    /// Trials best first.
    public var leaderboard: [Trial] { Trial.ranked(progress.trials, higherIsBetter: higherIsBetter) }
    /// The best finished trial so far.
    public var best: Trial? { leaderboard.first { $0.status == .finished && !$0.score.isNaN } }
    /// Seconds since it started, to its end or to `now` (milliseconds since 1970).
    public func elapsed(now: Int64) -> Double {
        guard let start = job.startTime else { return 0 }
        return Double((job.endTime ?? now) - start) / 1000
    }
}

/// AutoML searches run by a server for its clients: queued in the store, run one at a time (each
/// search uses every core) on a thread of their own, their trials written to the job as they end,
/// recorded as runs in the server's store, and cancellable. Jobs outlive the process: queued ones
/// run when a server starts again; running ones a stopped server left are failed, saying so.
public final class AutoMLJobs: Sendable {
    public static let kind = "automl"

    let store: any JobStore
    let datasets: any DatasetCatalog
    let tracking: any TrackingClient
    let cores: Int
    let now: @Sendable () -> Int64
    /// Cancellation asked of the searches this process runs.
    private let flags = Locked<[String: Bool]>([:])
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>

    public init(store: any JobStore, datasets: any DatasetCatalog, tracking: any TrackingClient, cores: Int,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.datasets = datasets
        self.tracking = tracking
        self.cores = max(1, cores)
        self.now = now
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }()
    static func text(_ value: some Encodable) -> String { String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self) }

    /// Checks the spec (its settings, and that its data is a registered dataset, whose version is
    /// pinned now) and queues it for `user`.
    public func submit(_ spec: AutoMLSpec, user: String) async throws -> AutoMLJob {
        _ = try spec.settings(defaultParallel: cores, naming: .json)
        var pinned = spec
        pinned.data = try await DataSources.registered(spec.data, in: datasets).reference
        if let name = spec.registerAs, name.trimmingCharacters(in: .whitespaces).isEmpty { throw AppError.invalid("register_as names a registered model; it cannot be empty.") }
        let job = try await store.createJob(kind: Self.kind, user: user, request: Self.text(pinned))
        wake.yield()
        return try AutoMLJob(job)
    }

    public func job(id: String) async throws -> AutoMLJob { try AutoMLJob(try await store.job(id: id)) }

    /// Searches newest first, a page at a time.
    public func list(maxResults: Int?, pageToken: String?) async throws -> Page<AutoMLJob> {
        let page = try await store.listJobs(kind: Self.kind, maxResults: maxResults, pageToken: pageToken)
        return Page(items: try page.items.map { (j) throws(AppError) in try AutoMLJob(j) }, nextPageToken: page.nextPageToken)
    }

    /// A queued search is cancelled at once; a running one stops after the trials in progress and
    /// records the best so far.
    public func cancel(id: String) async throws -> AutoMLJob {
        _ = try await job(id: id)
        let job = try await store.cancelJob(id: id)
        flags.withLock { if $0[id] != nil { $0[id] = true } }
        return try AutoMLJob(job)
    }

    /// Runs queued searches for as long as the calling task lives: at once when one is submitted
    /// here, and every few seconds for those queued by another process on the same store.
    public func run(poll: Duration = .seconds(5)) async {
        let wake = self.wake
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !_Concurrency.Task.isCancelled {
                    try? await _Concurrency.Task.sleep(for: poll)
                    wake.yield()
                }
            }
            group.addTask {
                wake.yield()
                for await _ in self.wakeups {
                    if _Concurrency.Task.isCancelled { break }
                    _ = try? await self.failStale()
                    while !_Concurrency.Task.isCancelled, await self.runNext() {}
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Fails the running searches whose worker has been silent for three heartbeats (a stopped
    /// process's), saying so; returns how many.
    @discardableResult
    public func failStale() async throws -> Int {
        try await store.failStaleJobs(kind: Self.kind, updatedBefore: now() - 3 * Job.heartbeatMillis,
                                      reason: "The server running this search stopped before it ended; start the search again.").count
    }

    /// Takes the oldest queued search and runs it to its end; false when none was queued.
    public func runNext() async -> Bool {
        guard let queued = try? await store.oldestQueuedJob(kind: Self.kind) else { return false }
        guard let job = try? await store.startJob(id: queued.id) else { return true }  // another worker took it
        await run(job)
        return true
    }

    /// One search: its trials written to the job as they end (and a heartbeat while a trial runs),
    /// the outcome recorded as runs, the job ended as finished, cancelled or failed.
    /// A server that stops (the caller's task cancelled) cancels the search: it ends after abandoning
    /// the trials in progress, recorded as cancelled with the best so far, rather than holding the
    /// shutdown. The work runs outside the caller's cancellation so that those last writes land.
    func run(_ job: Job) async {
        let id = job.id, flags = self.flags
        flags.withLock { $0[id] = job.cancelRequested }
        defer { flags.withLock { _ = $0.removeValue(forKey: id) } }
        let work = _Concurrency.Task { await self.execute(job) }
        await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            flags.withLock { if $0[id] != nil { $0[id] = true } }
        }
    }

    private func execute(_ job: Job) async {
        let id = job.id
        let state = Locked(AutoMLProgress())
        let (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let store = self.store, flags = self.flags
        // The writer: each change (coalesced) and a heartbeat, reading back whether cancellation was asked.
        let writer = _Concurrency.Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !_Concurrency.Task.isCancelled {
                        try? await _Concurrency.Task.sleep(for: .milliseconds(Job.heartbeatMillis / 2))
                        changed.yield()
                    }
                }
                group.addTask {
                    for await _ in changes {
                        let text = AutoMLJobs.text(state.withLock { $0 })
                        if let updated = try? await store.setJobProgress(id: id, progress: text), updated.cancelRequested {
                            flags.withLock { if $0[id] != nil { $0[id] = true } }
                        }
                        if _Concurrency.Task.isCancelled { break }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        let update: @Sendable (_ change: @Sendable (inout AutoMLProgress) -> Void) -> Void = { change in
            state.withLock { change(&$0) }
            changed.yield()
        }
        let cancelled: @Sendable () -> Bool = { flags.withLock { $0[id] ?? false } }
        let ended: (status: Job.Status, result: String, error: String?)
        do {
            let spec = try AutoMLJob(job).spec
            let settings = try spec.settings(defaultParallel: cores, naming: .json)
            let request = AutoMLRequest(data: spec.data, target: spec.target, settings: settings, registerAs: spec.registerAs,
                                        run: RunSettings(experiment: spec.experiment ?? "Default", runName: spec.runName))
            let tracking = self.tracking, datasets = self.datasets
            let outcome = try await AutoMLFlow.search(request, datasets: datasets, tracking: { tracking }, filesAllowed: false,
                                                      onStart: { start in update { $0.phase = .searching; $0.start = start } },
                                                      onTrial: { trial in update { $0.trials.append(trial) } },
                                                      cancelled: cancelled, user: job.user)
            update { $0.phase = .recording }
            let r = outcome.result
            var runs: [String: String] = [:]
            for (trial, run) in zip(r.trials, outcome.trialRuns) { runs[String(trial.number)] = run }
            let result = AutoMLJobResult(runId: outcome.run?.runId, experimentId: outcome.run?.experimentId, trialRuns: runs, model: r.model.kind,
                                         bestTrial: r.bestTrial.number, bestModel: r.bestTrial.model, bestScore: r.bestTrial.score, metric: r.metric,
                                         stopReason: r.stopReason.rawValue, seconds: r.seconds, ensemble: r.ensemble,
                                         registeredModel: outcome.registered?.name, registeredVersion: outcome.registered.map { String($0.version) },
                                         footprint: outcome.footprint)
            if r.stopReason == .cancelled {
                ended = (.cancelled, Self.text(result), "Cancelled after \(r.trials.count) trials; the best so far is recorded in run \(outcome.run?.runId ?? "-").")
            } else {
                ended = (.finished, Self.text(result), nil)
            }
        } catch {
            ended = (cancelled() ? .cancelled : .failed, "{}", "\(error)")
        }
        writer.cancel()
        changed.finish()
        _ = await writer.value
        // The trials as they ended, then the end.
        _ = try? await store.setJobProgress(id: id, progress: Self.text(state.withLock { $0 }))
        _ = try? await store.endJob(id: id, status: ended.status, result: ended.result, error: ended.error)
    }
}

/// A value behind a lock that closures and tasks share.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R { mutex.withLock(body) }
}
