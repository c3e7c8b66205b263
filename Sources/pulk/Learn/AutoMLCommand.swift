import ArgumentParser
import Foundation
import PulkApp
import PulkAutoML
import PulkFrame
import PulkLearn
import PulkModels
import PulkStore
import Synchronization

/// Set by Ctrl-C while a search runs: the search stops after the trial in progress.
let automlInterrupted = Atomic<Bool>(false)

struct AutoMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "automl",
        abstract: "Search estimators and hyperparameters within a time budget; keep, record and optionally register the best model.",
        discussion: """
            Every estimator with a search space that takes on the task is tried (\(Catalog.estimators.filter { !$0.searchSpace.isEmpty }.map { $0.name }.joined(separator: ", "))), \
            each starting from its cheapest settings and moving where the validated score improves; the next estimator is the one \
            expected to improve the best score soonest. Each configuration is validated on the same folds (5-fold cross-validation \
            below 20,000 rows, a 10% holdout above, or --cv/--holdout), the best is refit on every row within the budget, and the \
            search is recorded as a run with one child run per trial. Ctrl-C stops after the trial in progress and keeps the best so far.
            """)

    @Option(help: "NAME[:VERSION] of a registered dataset, or a CSV/JSONL file.") var data: String
    @Option(help: "The column to predict.") var target: String
    @Option(help: "auto (inferred from the target and said), binary, multiclass or regression.") var task: String = "auto"
    @Option(help: "The metric to optimise (default: roc_auc for binary, log_loss for multiclass, r2 for regression); its direction is the metric's.")
    var metric: String?
    @Option(help: "Seconds for the whole search, the final refit included: 90, 90s, 5m or 1h.") var timeBudget: String = "60s"
    @Option(help: "Stop after this many trials.") var maxTrials: Int?
    @Option(help: "Stop as soon as a validated score reaches this.") var exitScore: Double?
    @Option(help: "Stop after this many trials in a row without improvement.") var patience: Int?
    @Option(help: "Comma-separated estimators to search (default: every one that takes on the task).") var models: String?
    @Option(help: "Validate every configuration by K-fold cross-validation.") var cv: Int?
    @Option(help: "Validate every configuration on this share of the rows, held out.") var holdout: Double?
    @Option(help: "cost-frugal (local search from cheap settings, the default) or random.") var strategy: String = "cost-frugal"
    @Option(help: "auto (greedy selection or stacking of the best trials, kept when it validates better than the best single model), voting, stacking or none.")
    var ensemble: String = "auto"
    @Option(help: "Trials run side by side, each with its share of the cores (default: the cores; 1 gives the same leaderboard for the same seed).")
    var parallel: Int?
    @Option(help: "Seed for the folds, the search and every model.") var seed: UInt64 = 42
    @Option(help: "Where to write the best model file (default: only into the tracked run; with --no-track, ./model.pulk if it does not exist).")
    var out: String?
    @Option(help: "Register the best model as a new version of this registered model.") var registerAs: String?
    @Flag(help: "Run the search on the --server (PULK_SERVER) on one of its datasets, and follow it here; Ctrl-C cancels it there.")
    var onServer = false
    @OptionGroup var read: ReadOptions
    @OptionGroup var tracking: RunOptions
    @OptionGroup var common: WorkspaceOptions

    /// Seconds from 90, 90s, 5m or 1h.
    static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite else { return nil }
            return v * scale
        }
        return Double(t).flatMap { $0.isFinite ? $0 : nil }
    }

    /// The search as the API takes it; `settings` checks it.
    func spec() throws -> AutoMLSpec {
        guard let budget = Self.seconds(timeBudget) else { throw ValidationError("--time-budget must be a positive time such as 90s, 5m or 1h, not '\(timeBudget)'.") }
        let names = models.map { $0.split(separator: ",").map(String.init) }
        return AutoMLSpec(data: data, target: target, task: task, metric: metric, timeBudget: budget, maxTrials: maxTrials, exitScore: exitScore,
                          patience: patience, models: names, cv: cv, holdout: holdout, strategy: strategy, ensemble: ensemble,
                          parallel: parallel, seed: seed, registerAs: registerAs, experiment: tracking.experiment, runName: tracking.runName)
    }

    func settings() throws -> AutoMLSettings {
        do { return try spec().settings(defaultParallel: defaultThreadCount(), naming: .options) } catch let e as AppError { throw ValidationError(e.message) }
    }

    func run() async throws {
        if onServer { return try await runOnServer() }
        let settings = try settings()
        let file = try tracking.modelFile(out: out)
        let replaced = file.map { FileManager.default.fileExists(atPath: $0) } ?? false
        let request = AutoMLRequest(data: data, target: target, settings: settings, read: try read.addOptions(), out: file,
                                    registerAs: registerAs, run: tracking.settings())
        let json = common.json
        if !json {
            print("Searching for up to \(formatDouble(settings.timeBudget)) s" + (settings.maxTrials.map { " or \($0) trials" } ?? "") + " (Ctrl-C stops with the best so far).")
            print(Output.table(["trial", "model", "score ± spread", "rows", "seconds", "best so far", "parameters"], []))
        }
        automlInterrupted.store(false, ordering: .relaxed)
        signal(SIGINT) { _ in automlInterrupted.store(true, ordering: .relaxed) }
        defer { signal(SIGINT, SIG_DFL) }
        let outcome = try await AutoMLFlow.search(request, on: try common.workbench(tracking: tracking.tracking), progress: TerminalProgress(enabled: !json),
                                                  onTrial: { t in
                                                      guard !json else { return }
                                                      print(Self.line(t))
                                                      fflush(nil)  // live even through a pipe
                                                  },
                                                  cancelled: { automlInterrupted.load(ordering: .relaxed) })
        let r = outcome.result
        if json {
            print(Output.json(Searched(source: outcome.source, task: r.task.kind.rawValue, taskReason: r.task.reason, metric: r.metric,
                                       validation: r.validation, stopReason: r.stopReason.rawValue, seconds: r.seconds, refitSeconds: r.refitSeconds,
                                       best: r.bestTrial, ensemble: r.ensemble, model: r.model.kind, footprint: outcome.footprint, leaderboard: r.leaderboard, guardrails: r.guardrails, skipped: r.skipped, out: file, runId: outcome.run?.runId,
                                       trialRuns: outcome.trialRuns, registeredVersion: outcome.registered.map { "\($0.version)" })))
            return
        }
        print("")
        print("Task: \(r.task.kind.rawValue) (\(r.task.reason)). Validation: \(r.validation). Metric: \(r.metric) (\(r.higherIsBetter ? "higher" : "lower") is better).")
        if r.rowsWithoutTarget > 0 { print("Left out \(r.rowsWithoutTarget) rows whose \(target) is missing.") }
        print("Data guardrails:")
        for g in r.guardrails {
            print("  \(g.outcome.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  \(g.check): \(g.detail)" + (g.columns.isEmpty || g.check == "missing values" ? "" : " (\(g.columns.joined(separator: ", ")))"))
        }
        for (name, why) in r.skipped.sorted(by: { $0.key < $1.key }) { print("Left out \(name): \(why).") }
        print("Stopped: \(r.stopReason.rawValue) after \(r.trials.count) trials in \(String(format: "%.1f", r.seconds)) s (refit \(String(format: "%.2f", r.refitSeconds)) s).")
        print("")
        print(Output.table(["rank", "trial", "model", r.metric, "rows", "seconds", "parameters"], r.leaderboard.prefix(10).enumerated().map { i, t in
            [String(i + 1), String(t.number), t.model, t.status == .finished ? Self.score(t) : t.status.rawValue, String(t.rows), String(format: "%.2f", t.seconds), Self.parameters(t)]
        }))
        print("")
        if let e = r.ensemble, e.members.isEmpty {
            print("Ensemble: \(e.note).")
        } else if let e = r.ensemble {
            let members = e.members.map { "trial \($0.trial) \($0.model)" + (e.method == "voting" ? " × \(String(format: "%.2f", $0.weight))" : "") }.joined(separator: ", ")
            print("Ensemble (\(e.method) of \(members)): \(r.metric) \(String(format: "%.5g", e.score)) out of fold against \(String(format: "%.5g", e.singleScore)) "
                  + "for the best single model; \(e.note).")
        }
        if r.ensemble?.chosen == true {
            print("Model: the ensemble, its \(r.ensemble!.members.count) members refit on all \(outcome.source) rows.")
        } else {
            print("Best: trial \(r.bestTrial.number), \(r.bestTrial.model) with \(r.metric) \(Self.score(r.bestTrial)), refit on all \(outcome.source) rows.")
        }
        if let f = outcome.footprint {
            print("Model size \(formatBytes(f.fileBytes)); one row predicts in \(String(format: "%.0f", f.singleRowMicros)) µs (median of \(f.repeats)).")
        }
        if let file { print(replaced ? "Replaced \(file)." : "Wrote \(file).") }
        if let run = outcome.run { print("Run \(run.runId) (\(outcome.trialRuns.count) trial runs) in experiment \(run.experimentId).") }
        if let v = outcome.registered { print("Registered \(v.name) version \(v.version).") }
    }

    static func score(_ t: Trial) -> String {
        t.spread > 0 ? "\(String(format: "%.5g", t.score)) ± \(String(format: "%.2g", t.spread))" : String(format: "%.5g", t.score)
    }

    static func parameters(_ t: Trial) -> String { t.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }

    /// A trial as it finishes: one line of the live leaderboard.
    static func line(_ t: Trial) -> String {
        let score = t.status == .failed ? "failed: \(t.error ?? "")" : self.score(t)
        return "\(t.number)  \(t.model)  \(score)  \(t.rows) rows  \(String(format: "%.2f", t.seconds)) s  best \(String(format: "%.5g", t.bestSoFar))  \(parameters(t))"
    }

    struct Searched: Encodable {
        var source: String
        var task: String
        var taskReason: String
        var metric: String
        var validation: String
        var stopReason: String
        var seconds: Double
        var refitSeconds: Double
        var best: Trial
        var ensemble: EnsembleSummary?
        /// The kind of the model written: the best trial's estimator, or `ensemble`.
        var model: String
        /// Its file's size and single-row latency.
        var footprint: ModelFootprint?
        var leaderboard: [Trial]
        var guardrails: [Guardrail]
        var skipped: [String: String]
        var out: String?
        var runId: String?
        var trialRuns: [String]
        var registeredVersion: String?
    }

    /// `--on-server`: queued on the server, followed here trial by trial; Ctrl-C cancels it there and
    /// waits for it to end with the best so far.
    func runOnServer() async throws {
        guard let url = try PulkServerClient.url(flag: tracking.tracking.server) else {
            throw ValidationError("--on-server runs the search on a pulk server: name it with --server URL or PULK_SERVER.")
        }
        if tracking.noTrack { throw ValidationError("--on-server records the search on the server: it cannot be used with --no-track.") }
        if tracking.tracking.trackingUri != nil { throw ValidationError("--on-server records the search on the server: leave out --tracking-uri.") }
        let spec = try spec()
        _ = try settings()
        let file = out
        let remote = RemoteAutoML(client: PulkServerClient(base: url))
        let json = common.json
        let started: RemoteAutoML.Search
        do { started = try await remote.start(spec) } catch let e as AppError where e.kind == .notFound {
            throw AppError.notFound("\(e.message) With --on-server, --data names a dataset of the server: add a file there with `pulk data add FILE --name NAME --server \(url.absoluteString)`.")
        }
        let page = url.appendingPathComponent("ui/automl/\(started.id)").absoluteString
        if !json {
            print("Queued search \(started.id) on \(url.absoluteString) (\(page)); following it here, Ctrl-C cancels it there.")
            print(Output.table(["trial", "model", "score ± spread", "rows", "seconds", "best so far", "parameters"], []))
        }
        automlInterrupted.store(false, ordering: .relaxed)
        signal(SIGINT) { _ in automlInterrupted.store(true, ordering: .relaxed) }
        defer { signal(SIGINT, SIG_DFL) }
        let (ended, board) = try await remote.follow(id: started.id, onTrial: { t in
            guard !json else { return }
            print(Self.line(t))
            fflush(nil)
        }, cancelled: { automlInterrupted.load(ordering: .relaxed) })
        // The winner's file, from the search's run on the server.
        if let file, let bytes = try await remote.modelFile(of: ended) { try Training.write(bytes, to: file) }
        if json {
            print(Output.json(OnServer(search: ended.id, status: ended.status, error: ended.error, task: ended.task, metric: ended.metric, validation: ended.validation,
                                       result: ended.result, leaderboard: board.entries.map(\.asTrial), guardrails: ended.guardrails, out: file, page: page)))
        } else {
            print("")
            if let task = ended.task, let metric = ended.metric {
                print("Task: \(task). Validation: \(ended.validation ?? "–"). Metric: \(metric) (\(board.higherIsBetter ? "higher" : "lower") is better).")
            }
            print(Output.table(["rank", "trial", "model", board.metric ?? "score", "rows", "seconds", "parameters"], board.entries.prefix(10).enumerated().map { i, e in
                let t = e.asTrial
                return [String(i + 1), String(t.number), t.model, t.status == .finished ? Self.score(t) : t.status.rawValue, String(t.rows), String(format: "%.2f", t.seconds), Self.parameters(t)]
            }))
            print("")
            print("Search \(ended.id): \(ended.status)" + (ended.error.map { ": \($0)" } ?? "") + ".")
            if let r = ended.result {
                print(r.model == "ensemble" ? "Model: the ensemble (\(r.ensemble?.method ?? ""))." : "Best: trial \(r.bestTrial), \(r.bestModel) with \(r.metric) \(String(format: "%.5g", r.bestScore)).")
                if let run = r.runId { print("Run \(run) (\(r.trialRuns.count) trial runs) on \(url.absoluteString).") }
                if let name = r.registeredModel, let v = r.registeredVersion { print("Registered \(name) version \(v).") }
            }
            if let file, ended.result?.runId != nil { print("Wrote \(file).") }
        }
        if ended.status == "failed" { throw ExitCode.failure }
    }

    struct OnServer: Encodable {
        var search: String
        var status: String
        var error: String?
        var task: String?
        var metric: String?
        var validation: String?
        var result: AutoMLJobResult?
        var leaderboard: [Trial]
        var guardrails: [Guardrail]?
        var out: String?
        var page: String
    }
}
