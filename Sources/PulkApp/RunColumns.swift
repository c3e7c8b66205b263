public import PulkStore
import Foundation

/// Which columns a list of runs shows: chosen from the runs' tasks and their primary metrics (the
/// cross-validation mean when a run has one), or named by the user; then narrowed to a width.
public struct RunColumns: Sendable, Equatable {
    /// One column: a fixed field of the run, a metric, a param or a tag.
    public enum Column: Sendable, Equatable {
        case runId, name, experiment, status, started, model, task
        /// Each run's primary metric named beside its value (`rmse 412.3`), for runs of several tasks.
        case primary
        /// A metric by its base name (`rmse`): the run's `cv_rmse_mean`, else `test_rmse`, `eval_rmse`, `rmse`.
        case metric(String)
        /// A metric by its exact key (`metrics.test_rmse`).
        case exactMetric(String)
        case param(String)
        case tag(String)

        public var header: String {
            switch self {
            case .runId: "RUN ID"
            case .name: "NAME"
            case .experiment: "EXPERIMENT"
            case .status: "STATUS"
            case .started: "STARTED"
            case .model: "MODEL"
            case .task: "TASK"
            case .primary: "SCORE"
            case .metric(let m), .exactMetric(let m), .param(let m), .tag(let m): m.uppercased()
            }
        }
    }

    public var columns: [Column]

    /// The metrics worth a column for each task, the primary first.
    public static func metrics(forTask task: String) -> [String] {
        switch task {
        case "binary": ["roc_auc", "accuracy", "log_loss"]
        case "multiclass", "classification": ["accuracy", "log_loss"]
        case "regression": ["rmse", "r2", "mae"]
        case "clustering": ["silhouette", "davies_bouldin", "adjusted_rand"]
        case "anomaly": ["roc_auc", "average_precision", "flagged_share"]
        default: []
        }
    }

    /// A run's task, from the `task` param Pulk records or its `pulk.task` tag.
    public static func task(of run: Run) -> String? {
        run.params.first { $0.key == "task" }?.value ?? run.tags.first { $0.key == "pulk.task" }?.value
    }

    /// The columns for `runs`: the fixed ones, then the primary metrics of the tasks the runs have
    /// (most common task first, at most `maxMetrics`); runs Pulk did not train (no task) contribute
    /// the metrics most of them share.
    public static func automatic(for runs: [Run], allExperiments: Bool, maxMetrics: Int = 4) -> RunColumns {
        var fixed: [Column] = [.runId, .name]
        if allExperiments { fixed.append(.experiment) }
        fixed += [.status, .started, .model]
        var taskCounts: [String: Int] = [:]
        var otherCounts: [String: Int] = [:]
        for r in runs {
            if let t = task(of: r), !metrics(forTask: t).isEmpty { taskCounts[t, default: 0] += 1; continue }
            for m in r.metrics where !m.key.hasPrefix("baseline_") { otherCounts[m.key, default: 0] += 1 }
        }
        var chosen: [Column] = []
        // Round-robin over the tasks so that each gets its primary metric before any gets a second;
        // runs of several tasks share one SCORE column of primary metrics first.
        let tasks = taskCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { metrics(forTask: $0.key) }
        var depth = 0
        if taskCounts.count > 1 {
            fixed.append(.task)
            chosen.append(.primary)
        }
        while chosen.count < maxMetrics, tasks.contains(where: { $0.count > depth }) {
            for list in tasks where list.count > depth && chosen.count < maxMetrics {
                let c = Column.metric(list[depth])
                if !chosen.contains(c) { chosen.append(c) }
            }
            depth += 1
        }
        let others = otherCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (key, _) in others where chosen.count < maxMetrics { chosen.append(.exactMetric(key)) }
        return RunColumns(columns: fixed + chosen)
    }

    /// Columns named by the user, comma-separated: `run_id`, `name`, `experiment`, `status`,
    /// `started`, `model`, `task`, a metric's base name (`rmse`), or `metrics.KEY`, `params.KEY`, `tags.KEY`.
    public static func parse(_ text: String) throws(AppError) -> RunColumns {
        var columns: [Column] = []
        for raw in text.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            let column: Column
            switch name.lowercased() {
            case "run_id", "id", "run": column = .runId
            case "name", "run_name": column = .name
            case "experiment": column = .experiment
            case "status": column = .status
            case "started", "start_time": column = .started
            case "model": column = .model
            case "task": column = .task
            default:
                if let key = Self.strip(name, "metrics.", "metric.") { column = .exactMetric(key) }
                else if let key = Self.strip(name, "params.", "param.") { column = .param(key) }
                else if let key = Self.strip(name, "tags.", "tag.") { column = .tag(key) }
                else if name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) { column = .metric(name) }
                else {
                    throw AppError.invalid("'\(name)' is not a column. Use run_id, name, experiment, status, started, model, task, a metric name (rmse), or metrics.KEY, params.KEY, tags.KEY.")
                }
            }
            columns.append(column)
        }
        guard !columns.isEmpty else { throw AppError.invalid("--columns names no column; e.g. --columns run_id,name,rmse,params.num_leaves.") }
        return RunColumns(columns: columns)
    }

    private static func strip(_ s: String, _ prefixes: String...) -> String? {
        for p in prefixes where s.lowercased().hasPrefix(p) && s.count > p.count { return String(s.dropFirst(p.count)) }
        return nil
    }

    /// A run's primary metric (that of its task) and its value, when it has one.
    public static func primary(of run: Run) -> (metric: String, value: Double, crossValidated: Bool)? {
        guard let task = task(of: run), let name = metrics(forTask: task).first, let m = metric(name, in: run) else { return nil }
        return (name, m.value, m.crossValidated)
    }

    /// A metric's value in a run by base name, and whether it is the cross-validation mean.
    public static func metric(_ base: String, in run: Run) -> (value: Double, crossValidated: Bool)? {
        func find(_ key: String) -> Double? { run.metrics.first { $0.key == key }?.value }
        if let v = find("cv_\(base)_mean") { return (v, true) }
        for key in ["test_\(base)", "eval_\(base)", base] { if let v = find(key) { return (v, false) } }
        return nil
    }
}
