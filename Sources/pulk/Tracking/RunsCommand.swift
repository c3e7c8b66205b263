import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkTracking

/// `pulk runs`: tracked runs in the terminal.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List, show, compare, tag and delete tracked runs (the workspace's, or a server's with --server or --tracking-uri).",
        subcommands: [RunsList.self, RunsShow.self, RunsCompare.self, RunsTag.self, RunsDelete.self])
}

/// A run as the CLI prints it in JSON.
struct RunOutput: Encodable {
    var runId: String
    var runName: String
    var experimentId: String
    var status: String
    var startTime: Int64
    var endTime: Int64?
    var artifactUri: String
    var params: [String: String]
    var metrics: [String: Double]
    var tags: [String: String]
    var inputs: [InputOutput]
    var artifacts: [String]?

    struct InputOutput: Encodable {
        var name: String, digest: String, sourceType: String, source: String, context: String
    }

    init(_ r: Run, artifacts: [String]? = nil) {
        runId = r.info.runId
        runName = r.info.runName
        experimentId = r.info.experimentId
        status = r.info.status.rawValue
        startTime = r.info.startTime
        endTime = r.info.endTime
        artifactUri = r.info.artifactUri
        params = Dictionary(r.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        metrics = Dictionary(r.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        tags = Dictionary(r.tags.filter { !$0.key.hasPrefix("mlflow.log-model") }.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        inputs = r.io.datasetInputs.map {
            InputOutput(name: $0.dataset.name, digest: $0.dataset.digest, sourceType: $0.dataset.sourceType, source: $0.dataset.source,
                        context: $0.tags.first { $0.key == "mlflow.data.context" }?.value ?? "")
        }
        self.artifacts = artifacts
    }
}

enum RunText {
    static func time(_ ms: Int64) -> String { Output.date(Date(timeIntervalSince1970: Double(ms) / 1000)) }
    static func value(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.6g", v)
    }
    /// Four significant digits, for table cells.
    static func short(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.4g", v)
    }
}

struct RunsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Runs newest first with the metrics of their task: of one experiment, or of all.")
    @Option(help: "The experiment (default: every experiment).") var experiment: String?
    @Option(help: "A search filter in MLflow's grammar, e.g. \"metrics.test_accuracy > 0.9 and params.model = 'gbdt'\".") var filter: String?
    @Option(name: .customLong("order-by"), parsing: .singleValue, help: "An order, e.g. \"metrics.test_rmse ASC\" (repeatable).")
    var orderBy: [String] = []
    @Option(help: "At most this many runs.") var max = 50
    @Option(help: ArgumentHelp("The columns, comma-separated (default: chosen from the runs' tasks).",
                               discussion: "run_id, name, experiment, status, started, model, task; a metric's name (rmse: the cross-validation mean when the run has one, else the test value); metrics.KEY, params.KEY, tags.KEY."))
    var columns: String?
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let chosen = try columns.map { try RunColumns.parse($0) }
        let client = try await common.workbench(tracking: tracking).trackingClient()
        // Every experiment (named in a column) or the one asked for.
        let all = try await client.experiments()
        let ids = experiment == nil ? all.map(\.experimentId) : try await client.experimentIds(experiment)
        let names = Dictionary(all.map { ($0.experimentId, $0.name) }, uniquingKeysWith: { a, _ in a })
        let runs = ids.isEmpty ? [] : try await client.searchRuns(experimentIds: ids, filter: filter, orderBy: orderBy, maxResults: max)
        if common.json { print(Output.json(runs.map { RunOutput($0) })); return }
        if runs.isEmpty { print(experiment.map { "No runs in experiment \($0)." } ?? "No runs yet."); return }
        let layout = chosen ?? RunColumns.automatic(for: runs, allExperiments: experiment == nil)
        let cells = runs.map { r in layout.columns.map { RunsList.cell($0, r, experiments: names) } }
        let (header, rows) = chosen == nil ? RunsList.fit(layout.columns, cells, width: Output.terminalWidth) : (layout.columns.map(\.header), cells)
        print(Output.table(header, rows))
        if rows.contains(where: { $0.contains { $0.hasSuffix(" cv") } }) {
            print("(cv: the cross-validation mean)")
        }
    }

    static func cell(_ column: RunColumns.Column, _ r: Run, experiments: [String: String]) -> String {
        switch column {
        case .runId: r.info.runId
        case .name: r.info.runName
        case .experiment: experiments[r.info.experimentId] ?? r.info.experimentId
        case .status: r.info.status.rawValue
        case .started: RunText.time(r.info.startTime)
        case .model: r.params.first { $0.key == "model" }?.value ?? "–"
        case .task: RunColumns.task(of: r) ?? "–"
        case .primary: RunColumns.primary(of: r).map { "\($0.metric) \(RunText.short($0.value))" + ($0.crossValidated ? " cv" : "") } ?? "–"
        case .metric(let m): RunColumns.metric(m, in: r).map { RunText.short($0.value) + ($0.crossValidated ? " cv" : "") } ?? "–"
        case .exactMetric(let m): r.metrics.first { $0.key == m }.map { RunText.short($0.value) } ?? "–"
        case .param(let k): r.params.first { $0.key == k }?.value ?? "–"
        case .tag(let k): r.tags.first { $0.key == k }?.value ?? "–"
        }
    }

    /// Narrows the automatic table to `width` characters: run ids shortened to 8 characters (a
    /// prefix every command takes), names cut, then metric columns dropped from the right.
    static func fit(_ columns: [RunColumns.Column], _ rows: [[String]], width: Int?) -> ([String], [[String]]) {
        var columns = columns, rows = rows
        func total() -> Int {
            var sum = 2 * (columns.count - 1)
            for i in columns.indices {
                var widest = columns[i].header.count
                for r in rows { widest = Swift.max(widest, r[i].count) }
                sum += widest
            }
            return sum
        }
        func isMetric(_ c: RunColumns.Column) -> Bool {
            switch c {
            case .metric, .exactMetric: true
            default: false
            }
        }
        guard let width, total() > width else { return (columns.map(\.header), rows) }
        if let i = columns.firstIndex(of: .runId) { rows = rows.map { var r = $0; r[i] = String(r[i].prefix(8)); return r } }
        for i in columns.indices where columns[i] == .name || columns[i] == .experiment {
            rows = rows.map { var r = $0; if r[i].count > 20 { r[i] = String(r[i].prefix(19)) + "…" }; return r }
        }
        if total() > width, let i = columns.firstIndex(of: .started) {
            rows = rows.map { var r = $0; r[i] = String(r[i].prefix(16)).replacingOccurrences(of: "T", with: " "); return r }
        }
        func drop(_ i: Int) {
            columns.remove(at: i)
            rows = rows.map { var r = $0; r.remove(at: i); return r }
        }
        while total() > width, let i = columns.lastIndex(where: isMetric), columns.contains(.primary) || columns.filter(isMetric).count > 1 { drop(i) }
        // Columns whose every cell is the same say nothing in a narrow terminal.
        for c in [RunColumns.Column.status, .experiment] where total() > width {
            if let i = columns.firstIndex(of: c), Set(rows.map { $0[i] }).count <= 1 { drop(i) }
        }
        // Last, names cut to what is left.
        if total() > width, let i = columns.firstIndex(of: .name) {
            let room = Swift.max(8, (rows.map { $0[i].count }.max() ?? 0) - (total() - width))
            rows = rows.map { var r = $0; if r[i].count > room { r[i] = String(r[i].prefix(room - 1)) + "…" }; return r }
        }
        return (columns.map(\.header), rows)
    }
}

struct RunsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One run: params, metrics, inputs and artifacts.")
    @Argument(help: "The run id (or a unique prefix of at least 6 characters).") var runId: String
    @Option(help: "The experiment to look in for a prefix (default: every experiment).") var experiment: String?
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let client = try await common.workbench(tracking: tracking).trackingClient()
        let run = try await findRun(client, runId, experiment: experiment)
        let files = (try? await client.artifactFiles(run.info)) ?? []
        if common.json { print(Output.json(RunOutput(run, artifacts: files))); return }
        let experimentName = (try? await client.experiment(id: run.info.experimentId))?.name ?? run.info.experimentId
        print("Run \(run.info.runId) \"\(run.info.runName)\" · \(run.info.status.rawValue) · started \(RunText.time(run.info.startTime)) · experiment \(experimentName) (\(run.info.experimentId))")
        print("\nParams:")
        print(Output.table(["NAME", "VALUE"], run.params.sorted { $0.key < $1.key }.map { [$0.key, $0.value.count > 80 ? String($0.value.prefix(79)) + "…" : $0.value] }))
        print("\nMetrics (latest value):")
        print(Output.table(["NAME", "VALUE"], run.metrics.sorted { $0.key < $1.key }.map { [$0.key, RunText.value($0.value)] }))
        if !run.io.datasetInputs.isEmpty {
            print("\nInputs:")
            print(Output.table(["DATASET", "DIGEST", "CONTEXT", "SOURCE"], run.io.datasetInputs.map {
                [$0.dataset.name, $0.dataset.digest, $0.tags.first { $0.key == "mlflow.data.context" }?.value ?? "", $0.dataset.source]
            }))
        }
        if !files.isEmpty { print("\nArtifacts (\(run.info.artifactUri)):\n" + files.map { "  " + $0 }.joined(separator: "\n")) }
    }
}

/// A run by id, or by a unique id prefix among the runs of `experiment` (every experiment for nil).
func findRun(_ client: any TrackingClient, _ id: String, experiment: String?) async throws -> Run {
    try await client.run(matching: id, experimentIds: try await client.experimentIds(experiment))
}

struct RunsCompare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Runs side by side: params and metrics, differing rows marked with *.")
    @Argument(help: "Two to ten run ids.") var runIds: [String]
    @Option(help: "The experiment to look in for prefixes (default: every experiment).") var experiment: String?
    @Flag(help: "Show only rows that differ.") var onlyDiff = false
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    struct Comparison: Encodable {
        var runs: [RunOutput]
        var differingParams: [String]
        var differingMetrics: [String]
    }

    func run() async throws {
        guard (2...10).contains(runIds.count) else { throw ValidationError("compare takes 2 to 10 runs, not \(runIds.count).") }
        let client = try await common.workbench(tracking: tracking).trackingClient()
        var runs: [Run] = []
        for id in runIds { runs.append(try await findRun(client, id, experiment: experiment)) }
        let params = runs.map { Dictionary($0.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        let metrics = runs.map { Dictionary($0.metrics.map { ($0.key, RunText.value($0.value)) }, uniquingKeysWith: { a, _ in a }) }
        func differing(_ maps: [[String: String]]) -> (all: [String], diff: Set<String>) {
            let keys = Set(maps.flatMap(\.keys)).sorted()
            return (keys, Set(keys.filter { k in Set(maps.map { $0[k] ?? "" }).count > 1 }))
        }
        let (pk, pd) = differing(params), (mk, md) = differing(metrics)
        if common.json {
            print(Output.json(Comparison(runs: runs.map { RunOutput($0) }, differingParams: pk.filter(pd.contains), differingMetrics: mk.filter(md.contains))))
            return
        }
        let header = [" ", "NAME"] + runs.map { $0.info.runName.isEmpty ? String($0.info.runId.prefix(8)) : $0.info.runName }
        var rows: [[String]] = []
        for (title, keys, diff, maps) in [("params", pk, pd, params), ("metrics", mk, md, metrics)] {
            let shown = keys.filter { !onlyDiff || diff.contains($0) }
            if shown.isEmpty { continue }
            rows.append([" ", "[\(title)]"] + runs.map { _ in "" })
            for k in shown { rows.append([diff.contains(k) ? "*" : " ", k] + maps.map { v in v[k].map { $0.count > 32 ? String($0.prefix(31)) + "…" : $0 } ?? "–" }) }
        }
        print(Output.table(header, rows))
    }
}
