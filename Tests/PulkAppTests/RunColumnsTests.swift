import PulkApp
import PulkStore
import Testing

/// The columns `pulk runs list` shows: from the runs' tasks, or as the user names them.
@Suite("Run list columns")
struct RunColumnsTests {
    static func run(_ task: String?, _ metrics: [String: Double], params: [String: String] = [:]) -> Run {
        var p = params.map { Param($0.key, $0.value) }
        if let task { p.append(Param("task", task)) }
        return Run(info: RunInfo(runId: "r", experimentId: "0", runName: "n", userId: "u", status: .finished, startTime: 0, endTime: nil,
                                 artifactUri: "", lifecycleStage: .active),
                   metrics: metrics.map { Metric($0.key, $0.value, timestamp: 0) }, params: p, tags: [])
    }

    static let fixed: [RunColumns.Column] = [.runId, .name, .status, .started, .model]

    @Test("Automatic columns per mix of tasks", arguments: [
        // One task: its metrics in order, no task column.
        ([run("regression", ["test_rmse": 1, "test_r2": 0.5])], fixed + [.metric("rmse"), .metric("r2"), .metric("mae")]),
        ([run("binary", ["test_roc_auc": 0.9])], fixed + [.metric("roc_auc"), .metric("accuracy"), .metric("log_loss")]),
        // Clustering and anomaly detection measure on their own rows (no test_ prefix).
        ([run("clustering", ["silhouette": 0.4])], fixed + [.metric("silhouette"), .metric("davies_bouldin"), .metric("adjusted_rand")]),
        ([run("anomaly", ["roc_auc": 0.9])], fixed + [.metric("roc_auc"), .metric("average_precision"), .metric("flagged_share")]),
        // Several tasks: a task column, one SCORE of primary metrics, then each task's metrics in turn.
        ([run("regression", [:]), run("multiclass", [:]), run("multiclass", [:])],
         fixed + [.task, .primary, .metric("accuracy"), .metric("rmse"), .metric("log_loss")]),
        // Runs Pulk did not train: the metrics most of them share (baselines left out), at most four.
        ([run(nil, ["loss": 1, "acc": 2, "baseline_x": 3]), run(nil, ["loss": 1])], fixed + [.exactMetric("loss"), .exactMetric("acc")]),
        ([Run](), fixed),
    ] as [([Run], [RunColumns.Column])])
    func automatic(runs: [Run], expected: [RunColumns.Column]) {
        #expect(RunColumns.automatic(for: runs, allExperiments: false).columns == expected)
    }

    @Test("Every experiment adds its column")
    func experimentColumn() {
        #expect(RunColumns.automatic(for: [], allExperiments: true).columns.contains(.experiment))
    }

    @Test("A metric is the cross-validation mean when there is one, else the test, evaluation or plain value", arguments: [
        (["cv_rmse_mean": 2.0, "test_rmse": 3.0], 2.0, true),
        (["test_rmse": 3.0, "eval_rmse": 4.0], 3.0, false),
        (["eval_rmse": 4.0, "rmse": 5.0], 4.0, false),
        (["rmse": 5.0], 5.0, false),
    ] as [([String: Double], Double, Bool)])
    func metricLookup(metrics: [String: Double], value: Double, cv: Bool) throws {
        let found = try #require(RunColumns.metric("rmse", in: Self.run("regression", metrics)))
        #expect(found.value == value && found.crossValidated == cv)
        #expect(RunColumns.primary(of: Self.run("regression", metrics))?.metric == "rmse")
    }

    @Test("Named columns: fixed fields, metric names, metrics./params./tags. keys; anything else refused with the choices", arguments: [
        ("run_id,name", [RunColumns.Column.runId, .name]),
        (" rmse , metrics.test_r2,params.num_leaves,tags.pulk.task", [.metric("rmse"), .exactMetric("test_r2"), .param("num_leaves"), .tag("pulk.task")]),
        ("STATUS,started,,task", [.status, .started, .task]),
    ])
    func parse(text: String, expected: [RunColumns.Column]) throws {
        #expect(try RunColumns.parse(text).columns == expected)
    }

    @Test("Refused column lists", arguments: ["", " , ", "name,(x)", "metrics.", "a b"])
    func refused(text: String) {
        #expect(throws: AppError.self) { try RunColumns.parse(text) }
    }
}
