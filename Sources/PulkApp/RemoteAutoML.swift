import Foundation
public import PulkAutoML
import PulkStore
import PulkTracking

/// AutoML searches a `pulk server` runs (`pulk automl --on-server`): started through its native API,
/// followed trial by trial, cancelled there.
public struct RemoteAutoML: Sendable {
    public let client: PulkServerClient

    public init(client: PulkServerClient) { self.client = client }

    /// A search as the server shows it.
    public struct Search: Decodable, Sendable {
        public var id: String
        public var status: String
        public var phase: String
        public var elapsedSeconds: Double
        public var timeBudget: Double
        public var task: String?
        public var metric: String?
        public var higherIsBetter: Bool?
        public var validation: String?
        public var trials: Int
        public var error: String?
        public var result: AutoMLJobResult?
        public var guardrails: [Guardrail]?

        /// Queued or running.
        public var isRunning: Bool { status == "queued" || status == "running" }
    }

    /// The trials best first.
    public struct Leaderboard: Decodable, Sendable {
        public struct Entry: Decodable, Sendable {
            public var trial: Int
            public var model: String
            public var parameters: [String: String]
            public var score: Double?
            public var spread: Double?
            public var foldScores: [Double]
            public var rows: Int
            public var seconds: Double
            public var finishedAt: Double
            public var status: String
            public var error: String?
            public var bestSoFar: Double?
            public var runId: String?

            public var asTrial: Trial {
                Trial(number: trial, model: model, parameters: parameters, rows: rows, score: score ?? .nan, spread: spread ?? 0, foldScores: foldScores,
                      seconds: seconds, finishedAt: finishedAt, status: Trial.Status(rawValue: status) ?? .failed, error: error, bestSoFar: bestSoFar ?? .nan)
            }
        }
        public var metric: String?
        public var higherIsBetter: Bool
        public var entries: [Entry]
    }

    struct One: Decodable { var search: Search }

    func path(_ id: String, _ rest: String = "") -> String { "/automl/" + PulkServerClient.escape(id) + rest }

    public func start(_ spec: AutoMLSpec) async throws -> Search { try await client.send("POST", "/automl", json: spec, as: One.self).search }
    public func search(id: String) async throws -> Search { try await client.send("GET", path(id), as: One.self).search }
    public func leaderboard(id: String) async throws -> Leaderboard { try await client.send("GET", path(id, "/leaderboard"), as: Leaderboard.self) }
    public func cancel(id: String) async throws -> Search { try await client.send("POST", path(id, "/cancel"), json: [String: String](), as: One.self).search }

    /// The model file a search kept, from its run on the server (nil before it has recorded one).
    public func modelFile(of search: Search) async throws -> [UInt8]? {
        guard let run = search.result?.runId else { return nil }
        let client = RemoteTracking(base: client.base)
        return try await client.artifact(try await client.run(id: run).info, path: "model/model.pulk")
    }

    /// Follows a search to its end: each trial as it appears (in the order they ended), and a
    /// cancellation sent once when `cancelled` turns true. Returns the search as it ended and its leaderboard.
    public func follow(id: String, every interval: Duration = .milliseconds(500), onTrial: @Sendable (Trial) -> Void,
                       cancelled: @Sendable () -> Bool = { false }) async throws -> (search: Search, leaderboard: Leaderboard) {
        var shown: Set<Int> = [], cancelSent = false
        while true {
            if cancelled(), !cancelSent {
                cancelSent = true
                _ = try? await cancel(id: id)
            }
            let state = try await search(id: id)
            if state.trials > shown.count || !state.isRunning {
                let board = try await leaderboard(id: id)
                for entry in board.entries.sorted(by: { $0.finishedAt < $1.finishedAt }) where !shown.contains(entry.trial) {
                    shown.insert(entry.trial)
                    onTrial(entry.asTrial)
                }
                if !state.isRunning { return (state, board) }
            }
            try await _Concurrency.Task.sleep(for: interval)
        }
    }
}
