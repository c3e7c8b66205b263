import Foundation
import Hummingbird
import PulkAccess
import PulkApp
import PulkAutoML
import PulkStore

/// AutoML searches run by the server (`AutoMLJobs`): start, list, status, leaderboard and cancel
/// under `/api/pulk/v1/automl`. A search reads a registered dataset of the server's workspace and
/// is recorded in its store as the caller.
extension NativeAPI {
    static let automlBase = "\(base)/automl"

    func registerAutoML(_ router: Router<BasicRequestContext>) {
        let api = self, base = Self.automlBase
        router.post(RouterPath(base)) { request, context in
            let jobs = try api.searches()
            let spec = try await api.decode(AutoMLSpec.self, request, context)
            try await api.checkDestinations(spec)
            let job = try await jobs.submit(spec, user: MLflowRouteBuilder.actor(request.headers))
            return try Self.reply(["search": SearchView(job, now: api.now())], status: .created)
        }
        router.get(RouterPath(base)) { request, _ in
            let query = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            let maxText = query["max_results"]?.first
            guard let max = maxText.map({ Int($0) }) ?? 100 else { throw AppError.invalid("max_results must be a whole number from 1 to 1000, not '\(maxText ?? "")'") }
            let page = try await api.searches().list(maxResults: max, pageToken: query["page_token"]?.first)
            return try Self.reply(SearchList(searches: page.items.map { SearchView($0, now: api.now()) }, nextPageToken: page.nextPageToken))
        }
        router.get("\(base)/{id}") { _, context in
            try Self.reply(["search": SearchView(try await api.searches().job(id: try context.parameters.require("id")), now: api.now())])
        }
        router.get("\(base)/{id}/leaderboard") { _, context in
            try Self.reply(LeaderboardView(try await api.searches().job(id: try context.parameters.require("id"))))
        }
        router.post("\(base)/{id}/cancel") { request, context in
            let jobs = try api.searches()
            let id = try context.parameters.require("id")
            let job = try await jobs.job(id: id)
            // Its owner or an admin.
            if let caller = RequestIdentity.current, caller.role != .admin, caller.user != job.job.user {
                throw StoreError.denied("'\(caller.user)' cannot cancel the search of '\(job.job.user)'; its owner or an admin can")
            }
            return try Self.reply(["search": SearchView(try await jobs.cancel(id: id), now: api.now())])
        }
    }

    func searches() throws(AppError) -> AutoMLJobs {
        guard let automl else { throw .notFound("This server runs no AutoML searches: it has no workspace with datasets.") }
        return automl
    }

    func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The caller may write where the search records: the experiment (when it exists) and the
    /// registered model it adds a version to.
    func checkDestinations(_ spec: AutoMLSpec) async throws {
        guard RequestIdentity.current != nil else { return }
        if let experiment = try? await store.experiment(named: spec.experiment ?? "Default"),
           !RequestIdentity.can(.experiment, experiment.experimentId, .edit) {
            throw StoreError.denied("'\(RequestIdentity.current?.user ?? "")' cannot write runs to experiment '\(experiment.name)'")
        }
        if let name = spec.registerAs, (try? await store.registeredModel(name: name)) != nil, !RequestIdentity.can(.registeredModel, name, .edit) {
            throw StoreError.denied("'\(RequestIdentity.current?.user ?? "")' cannot add versions to registered model '\(name)'")
        }
    }

    struct SearchList: Encodable {
        var searches: [SearchView]
        var nextPageToken: String?
    }

    /// A search's state: what was asked, where it is, its best trial so far, and how it ended.
    struct SearchView: Encodable {
        struct Best: Encodable {
            var trial: Int
            var model: String
            var score: Double
            var spread: Double
            var parameters: [String: String]
        }
        var id: String
        var status: String
        var user: String
        var request: AutoMLSpec
        var createdAt: Int64
        var startedAt: Int64?
        var endedAt: Int64?
        var elapsedSeconds: Double
        var timeBudget: Double
        var phase: String
        var task: String?
        var metric: String?
        var higherIsBetter: Bool?
        var validation: String?
        var trials: Int
        var failedTrials: Int
        var best: Best?
        var cancelRequested: Bool
        var error: String?
        var result: AutoMLJobResult?
        var guardrails: [Guardrail]?

        init(_ j: AutoMLJob, now: Int64) {
            id = j.job.id
            status = j.job.status.rawValue
            user = j.job.user
            request = j.spec
            createdAt = j.job.creationTime
            startedAt = j.job.startTime
            endedAt = j.job.endTime
            elapsedSeconds = j.elapsed(now: now)
            timeBudget = j.spec.timeBudget ?? 60
            phase = j.job.status == .queued ? "queued" : j.job.status.isDone ? "done" : j.progress.phase.rawValue
            task = j.progress.start?.task
            metric = j.metric
            higherIsBetter = j.progress.start?.higherIsBetter
            validation = j.progress.start?.validation
            trials = j.progress.trials.count
            failedTrials = j.progress.trials.filter { $0.status == .failed }.count
            best = j.best.map { Best(trial: $0.number, model: $0.model, score: $0.score, spread: $0.spread, parameters: $0.parameters) }
            cancelRequested = j.job.cancelRequested
            error = j.job.error
            result = j.result
            guardrails = j.progress.start?.guardrails
        }
    }

    /// The trials best first, each with its child run once the search has recorded them.
    struct LeaderboardView: Encodable {
        struct Entry: Encodable {
            var rank: Int
            var trial: Int
            var model: String
            var parameters: [String: String]
            /// Null for a trial that failed or was stopped.
            var score: Double?
            var spread: Double?
            var foldScores: [Double]
            var rows: Int
            var seconds: Double
            var finishedAt: Double
            var status: String
            var error: String?
            var bestSoFar: Double?
            var runId: String?
        }
        var id: String
        var status: String
        var metric: String?
        var higherIsBetter: Bool
        var entries: [Entry]

        init(_ j: AutoMLJob) {
            id = j.job.id
            status = j.job.status.rawValue
            metric = j.metric
            higherIsBetter = j.higherIsBetter
            entries = j.leaderboard.enumerated().map { i, t in
                let finite: (Double) -> Double? = { $0.isFinite ? $0 : nil }
                return Entry(rank: i + 1, trial: t.number, model: t.model, parameters: t.parameters, score: t.status == .finished ? finite(t.score) : nil,
                             spread: t.status == .finished ? finite(t.spread) : nil, foldScores: t.foldScores.filter(\.isFinite), rows: t.rows,
                             seconds: t.seconds, finishedAt: t.finishedAt, status: t.status.rawValue, error: t.error, bestSoFar: finite(t.bestSoFar),
                             runId: j.result?.trialRuns[String(t.number)])
            }
        }
    }
}
