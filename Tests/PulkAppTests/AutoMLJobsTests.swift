import Foundation
@testable import PulkApp
import PulkAutoML
import PulkSQL
import PulkStore
import PulkTracking
import PulkWorkspace
import Testing

/// AutoML searches a server runs for its clients: checked and pinned when queued, run to their end
/// with their trials written as they go, recorded as runs, cancellable, and failed with a reason
/// when a stopped server left them running.
@Suite("Application layer: AutoML searches as jobs")
struct AutoMLJobsTests {
    struct Setup {
        let bench: Bench
        let store: SQLTrackingStore
        let jobs: AutoMLJobs
    }

    static func make(clockOffset: Int64 = 0) async throws -> Setup {
        let b = try Bench.make()
        let ws = try await b.bench.workspace()
        _ = try ws.datasets.add(file: b.csv, name: "toy")
        let store = try await b.bench.sqlStore()
        let jobs = AutoMLJobs(store: store, datasets: try await b.bench.datasets(), tracking: try await b.bench.trackingClient(), cores: 2,
                              now: { Int64(Date().timeIntervalSince1970 * 1000) + clockOffset })
        return Setup(bench: b, store: store, jobs: jobs)
    }

    static let spec = AutoMLSpec(data: "toy", target: "target", timeBudget: 30, maxTrials: 3, models: ["logistic", "naive-bayes"], parallel: 1,
                                 experiment: "jobs")

    @Test("A queued search runs to its end: trials written as they end, the outcome recorded as runs")
    func runToTheEnd() async throws {
        let s = try await Self.make()
        let job = try await s.jobs.submit(Self.spec, user: "ada")
        #expect(job.job.status == .queued && job.spec.data == "toy:1", "the dataset version is pinned when queued")
        #expect(await s.jobs.runNext())
        let done = try await s.jobs.job(id: job.job.id)
        #expect(done.job.status == .finished && done.job.error == nil && done.job.endTime != nil)
        #expect(done.progress.trials.map(\.number).sorted() == [1, 2, 3])
        #expect(done.progress.start?.metric == "roc_auc" && done.progress.start?.task == "binary" && done.progress.start?.guardrails.isEmpty == false)
        let result = try #require(done.result)
        let runId = try #require(result.runId)
        #expect(result.trialRuns.count == 3 && result.metric == "roc_auc" && result.stopReason == "max trials")
        #expect(done.best?.number == result.bestTrial)
        // The parent run is the caller's, in the experiment asked for, with a child run per trial.
        let run = try await s.store.run(id: runId)
        #expect(run.info.userId == "ada" && run.tags.contains { $0.key == "pulk.automl" })
        #expect(try await s.store.experiment(id: run.info.experimentId).name == "jobs")
        for (_, child) in result.trialRuns {
            #expect(try await s.store.run(id: child).tags.contains { $0.key == "mlflow.parentRunId" && $0.value == runId })
        }
        // Nothing else is queued.
        #expect(await s.jobs.runNext() == false)
    }

    @Test("Refused when queued, with what to fix: a path, an unknown dataset, settings that cannot work; nothing is queued")
    func refusals() async throws {
        let s = try await Self.make()
        var file = Self.spec
        file.data = s.bench.csv
        // A path is only ever a dataset name on a server: no dataset has it.
        await #expect(throws: (any Error).self) { _ = try await s.jobs.submit(file, user: "ada") }
        var unknown = Self.spec
        unknown.data = "nope"
        await #expect(throws: (any Error).self) { _ = try await s.jobs.submit(unknown, user: "ada") }
        let bad: [(AutoMLSpec) -> AutoMLSpec] = [
            { var x = $0; x.timeBudget = -1; return x }, { var x = $0; x.timeBudget = .infinity; return x },
            { var x = $0; x.cv = 5; x.holdout = 0.2; return x }, { var x = $0; x.task = "clustering"; return x },
            { var x = $0; x.strategy = "grid"; return x }, { var x = $0; x.parallel = 0; return x }, { var x = $0; x.models = [" "]; return x },
            { var x = $0; x.target = ""; return x }, { var x = $0; x.maxTrials = 0; return x },
        ]
        for change in bad {
            await #expect(throws: AppError.self) { _ = try await s.jobs.submit(change(Self.spec), user: "ada") }
        }
        #expect(try await s.jobs.list(maxResults: nil, pageToken: nil).items.isEmpty)
    }

    @Test("Errors name the fields as the front end that asked does", arguments: [
        (AutoMLSpec.Naming.options, "--time-budget must be"), (.json, "time_budget must be"),
    ])
    func naming(naming: AutoMLSpec.Naming, expected: String) {
        var spec = Self.spec
        spec.timeBudget = 0
        #expect(throws: AppError.self) { _ = try spec.settings(defaultParallel: 1, naming: naming) }
        do { _ = try spec.settings(defaultParallel: 1, naming: naming) } catch { #expect(error.message.hasPrefix(expected), "\(error.message)") }
    }

    @Test("Cancelling: a queued search at once; a running one stops and ends as cancelled")
    func cancelling() async throws {
        let s = try await Self.make()
        let queued = try await s.jobs.submit(Self.spec, user: "ada")
        let cancelled = try await s.jobs.cancel(id: queued.job.id)
        #expect(cancelled.job.status == .cancelled)
        #expect(await s.jobs.runNext() == false, "a cancelled search never runs")
        await #expect(throws: StoreError.self) { _ = try await s.jobs.cancel(id: queued.job.id) }

        // Cancelled while running (asked before its first trial ended): it ends as cancelled, saying why.
        let running = try await s.jobs.submit(Self.spec, user: "ada")
        let started = try await s.store.startJob(id: running.job.id)
        let asked = try await s.jobs.cancel(id: running.job.id)
        #expect(asked.job.status == .running && asked.job.cancelRequested)
        await s.jobs.run(try await s.store.job(id: started.id))
        let ended = try await s.jobs.job(id: running.job.id)
        #expect(ended.job.status == .cancelled && ended.job.error != nil)
    }

    @Test("A server that stops cancels the search it runs: it ends as cancelled instead of holding the shutdown")
    func stoppingServer() async throws {
        let s = try await Self.make()
        let job = try await s.jobs.submit(Self.spec, user: "ada")
        let started = try await s.store.startJob(id: job.job.id)
        let worker = _Concurrency.Task { await s.jobs.run(started) }
        worker.cancel()
        await worker.value
        #expect(try await s.jobs.job(id: job.job.id).job.status == .cancelled)
    }

    @Test("A search a stopped server left running fails, saying so; a queued one still runs")
    func leftRunning() async throws {
        let s = try await Self.make(clockOffset: 3 * Job.heartbeatMillis + 1000)
        let left = try await s.jobs.submit(Self.spec, user: "ada")
        _ = try await s.store.startJob(id: left.job.id)
        let queued = try await s.jobs.submit(Self.spec, user: "ada")
        #expect(try await s.jobs.failStale() == 1)
        let failed = try await s.jobs.job(id: left.job.id)
        #expect(failed.job.status == .failed && failed.job.error?.contains("stopped before it ended") == true)
        #expect(try await s.jobs.job(id: queued.job.id).job.status == .queued)
    }
}
