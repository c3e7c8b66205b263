import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkTracking

/// `pulk runs`: tracked runs in the terminal.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List, show and compare tracked runs (the workspace's, or a server's with --tracking-uri).",
        subcommands: [RunsList.self, RunsShow.self, RunsCompare.self])
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
}

struct RunsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Runs newest first, with their test metrics: of one experiment, or of all.")
    @Option(help: "The experiment (default: every experiment).") var experiment: String?
    @Option(help: "A search filter in MLflow's grammar, e.g. \"metrics.test_accuracy > 0.9 and params.model = 'gbdt'\".") var filter: String?
    @Option(name: .customLong("order-by"), parsing: .singleValue, help: "An order, e.g. \"metrics.test_rmse ASC\" (repeatable).")
    var orderBy: [String] = []
    @Option(help: "At most this many runs.") var max = 50
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let client = try await common.workbench(tracking: tracking).trackingClient()
        // Every experiment (named in a column) or the one asked for.
        let all = experiment == nil ? try await client.experiments() : []
        let ids = experiment == nil ? all.map(\.experimentId) : try await client.experimentIds(experiment)
        let names = Dictionary(all.map { ($0.experimentId, $0.name) }, uniquingKeysWith: { a, _ in a })
        let runs = ids.isEmpty ? [] : try await client.searchRuns(experimentIds: ids, filter: filter, orderBy: orderBy, maxResults: max)
        if common.json { print(Output.json(runs.map { RunOutput($0) })); return }
        if runs.isEmpty { print(experiment.map { "No runs in experiment \($0)." } ?? "No runs yet."); return }
        // The test metrics most runs share, at most four, as columns.
        var counts: [String: Int] = [:]
        for r in runs { for m in r.metrics where m.key.hasPrefix("test_") || m.key.hasPrefix("eval_") { counts[m.key, default: 0] += 1 } }
        let keys = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(4).map(\.key).sorted()
        let byExperiment = experiment == nil
        print(Output.table(["RUN ID", "NAME"] + (byExperiment ? ["EXPERIMENT"] : []) + ["STATUS", "STARTED", "MODEL"] + keys.map { $0.uppercased() }, runs.map { r in
            let metrics = Dictionary(r.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            return [r.info.runId, r.info.runName] + (byExperiment ? [names[r.info.experimentId] ?? r.info.experimentId] : [])
                + [r.info.status.rawValue, RunText.time(r.info.startTime), r.params.first { $0.key == "model" }?.value ?? "–"]
                + keys.map { metrics[$0].map(RunText.value) ?? "–" }
        }))
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
        print("Run \(run.info.runId) \"\(run.info.runName)\" · \(run.info.status.rawValue) · started \(RunText.time(run.info.startTime)) · experiment \(run.info.experimentId)")
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
