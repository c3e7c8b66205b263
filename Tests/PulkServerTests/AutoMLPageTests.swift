import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import PulkServer
import PulkApp
import PulkSQL
import PulkStore
import PulkWorkspace
import Testing

/// An AutoML search's run page: the leaderboard from `leaderboard.json`, each trial linked to its
/// child run, failed trials with their error, and the time per estimator; names are escaped.
@Suite("Web UI: AutoML search")
struct AutoMLPageTests {
    @Test func leaderboardWithChildRuns() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-automl-ui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.open(at: dir.appendingPathComponent("ws").path)
        let store = try await StoreLocation.workspace.open(workspace: ws)
        let experimentId = try await store.createExperiment(name: "search", artifactLocation: nil, tags: [])
        let parent = try await store.createRun(experimentId: experimentId, userId: "alice", startTime: 1_000, runName: "automl", tags: [])
        let child = try await store.createRun(experimentId: experimentId, userId: "alice", startTime: 1_001, runName: "trial-2-gbdt",
                                              tags: [Tag("mlflow.parentRunId", parent.info.runId), Tag("pulk.automl.trial", "2")])
        let board = #"{"metric": "roc_auc", "higher_is_better": true, "stop_reason": "time budget", "validation": "5-fold stratified cross-validation", "trials": ["#
            + #"{"number": 2, "model": "gbdt", "parameters": {"num_leaves": "4<"}, "score": 0.91, "spread": 0.02, "fold_scores": [], "seconds": 1.5, "finished_at": 3, "status": "finished", "best_so_far": 0.91},"#
            + #"{"number": 1, "model": "logistic", "parameters": {"C": "1"}, "score": 0.88, "spread": 0.01, "fold_scores": [], "seconds": 0.5, "finished_at": 1, "status": "finished", "best_so_far": 0.88},"#
            + #"{"number": 3, "model": "knn", "parameters": {}, "score": "NaN", "spread": 0, "fold_scores": [], "seconds": 0.5, "finished_at": 4, "status": "failed", "error": "boom", "best_so_far": 0.91}]}"#
        let artifacts = try ArtifactStore(root: dir.appendingPathComponent("artifacts"))
        let url = try artifacts.resolve(try artifacts.key(ofLocation: parent.info.artifactUri) + "/leaderboard.json")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(board.utf8).write(to: url)
        let app = try TrackingServer.application(store: store, artifacts: artifacts, datasets: ws.datasets)
        try await app.test(.router) { client in
            let html = try await client.execute(uri: "/ui/runs/\(parent.info.runId)", method: .get, headers: [.accept: "text/html"]) { r in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            #expect(html.contains("<h2>AutoML search</h2>") && html.contains("3 trials of 3 estimators") && html.contains("stopped: time budget"))
            #expect(html.contains("<a href=\"/ui/runs/\(child.info.runId)\">2</a>"), "trial 2 links to its child run")
            #expect(html.contains("num_leaves=4&lt;") && html.contains("title=\"boom\""))
            #expect(html.contains("Share of the search&#39;s time per estimator") || html.contains("Share of the search's time per estimator"))
        }
    }
}
