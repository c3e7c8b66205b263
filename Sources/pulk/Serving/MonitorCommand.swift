import ArgumentParser
import Foundation
import PulkApp
import PulkEndpoints
import PulkMonitoring

/// `pulk monitor …`: drift monitors of endpoints.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Drift monitors of endpoints: create, list, show, pause, resume, run, backfill, delete.",
        discussion: """
        A monitor compares the requests an endpoint answered in each window (its serving log) with a reference (by default \
        the training data of the model version that answered them), as `pulk drift --endpoint` does, and keeps every \
        window's result. `pulk server` computes the due windows on their schedule; `run` and `backfill` compute them when asked.
        """,
        subcommands: [Create.self, List.self, Show.self, Pause.self, Resume.self, Run.self, Backfill.self, Delete.self])

    /// "90s", "30m", "1h", "7d" → seconds.
    static func seconds(_ text: String, option: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let n = Int64(text.dropLast()), n > 0, n < 1_000_000 else {
            throw ValidationError("\(option) takes a period such as 30m, 1h or 7d (got '\(text)').")
        }
        return n * unit
    }

    static func period(_ seconds: Int64) -> String {
        seconds % 86_400 == 0 ? "\(seconds / 86_400)d" : seconds % 3_600 == 0 ? "\(seconds / 3_600)h" : seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
    }

    static func describe(_ r: MonitorRun) -> [String] {
        let drifted = r.driftedColumns
        let verdict: String
        switch r.status {
        case .ok: verdict = r.datasetDrift ? "DATASET DRIFT" : "ok"
        case .empty: verdict = "empty"
        case .failed: verdict = "failed"
        }
        return [Output.time(r.windowEnd), String(r.rows), r.status == .ok ? String(format: "%.0f%%", r.driftedShare * 100) : "", verdict, r.realizedSummary, r.trafficSummary,
                r.status == .ok ? drifted.prefix(5).joined(separator: ", ") : String((r.message ?? "").prefix(80)), r.id]
    }

    struct Detail: Encodable { var monitor: Monitor; var runs: [MonitorRun] }

    static let runHeader = ["WINDOW END", "ROWS", "DRIFTED", "VERDICT", "REALIZED", "TRAFFIC", "DRIFTED COLUMNS / MESSAGE", "RUN"]

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a monitor of an endpoint.")
        @Argument(help: "The monitor's name: lowercase letters, digits and '-'.") var name: String
        @Option(help: "The endpoint it watches.") var endpoint: String
        @Option(help: "NAME[:VERSION] of a registered dataset (default: the training data of the model version that answered each window).") var reference: String?
        @Option(help: "How much of the serving log each window covers, e.g. 1h.") var window = "1h"
        @Option(help: "How often a window is computed, e.g. 1h.") var every = "1h"
        @Option(name: [.customLong("columns"), .customLong("features")], help: "Only these columns (comma-separated; default: the model's features).") var columns: String?
        @Option(help: "One drift method for every column it applies to (default: chosen by type and size).") var method: String?
        @Option(help: "One threshold for every column (default: the method's).") var threshold: Double?
        @Option(name: .customLong("drift-share"), help: "Dataset drift when at least this share of the features drifts.") var driftShare = 0.5
        @Option(help: ArgumentHelp("An alert rule, METRIC OP VALUE [for N] (repeatable): fires after N windows in a row meet it, resolves after N that do not.",
                                   discussion: "Metrics: dataset_drift, drifted_share, rows, refused_requests, drift_size:COLUMN, missing_rate:COLUMN; the window's logged traffic: requests, error_rate, refused_rate, latency_p50_ms, latency_p95_ms, latency_p99_ms; realized_accuracy, realized_balanced_accuracy, realized_f1_macro, realized_f1_weighted, realized_precision_macro, realized_precision_weighted, realized_recall_macro, realized_recall_weighted, realized_roc_auc, realized_roc_auc_ovr_macro, realized_average_precision, realized_brier, realized_log_loss, realized_mae, realized_rmse, realized_r2, realized_coverage, estimated_accuracy, estimated_balanced_accuracy, estimated_f1_macro. Webhooks subscribed to monitor_alert.fired and monitor_alert.resolved receive them (`pulk webhooks create`)."))
        var alert: [String] = []
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let spec = MonitorSpec(name: name, endpoint: endpoint, reference: reference, windowSeconds: try MonitorCommand.seconds(window, option: "--window"),
                                   everySeconds: try MonitorCommand.seconds(every, option: "--every"),
                                   columns: columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                                   method: method, threshold: threshold, driftShare: driftShare, alerts: alert)
            let m = try await common.workbench(store: store).monitors().create(spec)
            if common.json { print(Output.json(m)); return }
            print("Created monitor \(m.name) of endpoint \(m.endpoint): a \(MonitorCommand.period(m.windowSeconds)) window every \(MonitorCommand.period(m.everySeconds)), "
                  + "the first at \(Output.time(m.nextRunTime)) (a running `pulk server` computes them; `pulk monitor run \(m.name)` computes one now)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List monitors with their schedule.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let all = try await common.workbench(store: store).monitors().monitors()
            if common.json { print(Output.json(all)); return }
            print(Output.table(["MONITOR", "ENDPOINT", "REFERENCE", "WINDOW", "EVERY", "NEXT"], all.map { m in
                [m.name, m.endpoint, m.reference ?? "(training data)", MonitorCommand.period(m.windowSeconds), MonitorCommand.period(m.everySeconds),
                 m.paused ? "paused" : Output.time(m.nextRunTime)]
            }))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A monitor's settings and its newest windows; with --run ID, one window's report.")
        @Argument(help: "The monitor's name.") var name: String
        @Option(help: "How many windows.") var runs = 20
        @Option(help: "One window (its RUN id): print its report, or write it with --html.") var run: String?
        @Option(help: "With --run: write the window's HTML report to this file.") var html: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let service = try await common.workbench(store: store).monitors()
            if let id = run {
                let r = try await service.run(name, id: id)
                if let html {
                    guard let report = DriftReport(json: Data(r.report.utf8)) else { throw PulkFailure(message: "Window \(id) has no report: it is \(r.status.rawValue) (\(r.message ?? ""))") }
                    try Data(report.html().utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
                    print("HTML report: \(html)")
                    return
                }
                if common.json { print(r.report); return }
                guard let report = DriftReport(json: Data(r.report.utf8)) else { print("Window \(id): \(r.status.rawValue): \(r.message ?? "")"); return }
                print(DriftCommand.summary(report))
                return
            }
            guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be from 1 to 10000.") }
            let (m, windows) = try await service.monitor(name: name, runs: runs)
            if common.json { print(Output.json(Detail(monitor: m, runs: windows))); return }
            print("Monitor \(m.name) of endpoint \(m.endpoint): a \(MonitorCommand.period(m.windowSeconds)) window every \(MonitorCommand.period(m.everySeconds)); "
                  + (m.paused ? "paused" : "next at \(Output.time(m.nextRunTime))"))
            print("reference: \(m.reference ?? "the training data of the model version that answered each window")")
            for state in m.alertStates ?? [] {
                print("alert '\(state.rule)': " + (state.firing ? "FIRING" : "ok") + (state.since.map { " since the window ending \(Output.time($0))" } ?? "")
                      + (state.lastValue.map { String(format: " (last value %.4g)", $0) } ?? ""))
            }
            print("")
            print(windows.isEmpty ? "No window computed yet." : Output.table(MonitorCommand.runHeader, windows.map(MonitorCommand.describe)))
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a monitor (its windows are kept; none is computed until resumed).")
        @Argument(help: "The monitor's name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let m = try await common.workbench(store: store).monitors().setPaused(name, true)
            if common.json { print(Output.json(m)) } else { print("Paused monitor \(m.name)") }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused monitor: its next window closes one period from now.")
        @Argument(help: "The monitor's name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let m = try await common.workbench(store: store).monitors().setPaused(name, false)
            if common.json { print(Output.json(m)) } else { print("Resumed monitor \(m.name); next window at \(Output.time(m.nextRunTime))") }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Compute the window that ends now, and keep it.", aliases: ["run-now"])
        @Argument(help: "The monitor's name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let r = try await common.workbench(store: store).monitors().runNow(name)
            if common.json { print(Output.json(r)); return }
            print(Output.table(MonitorCommand.runHeader, [MonitorCommand.describe(r)]))
        }
    }

    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compute past windows from what the serving log still holds (the newest 10,000 requests).")
        @Argument(help: "The monitor's name.") var name: String
        @Option(help: "How many windows, ending now, one period apart.") var windows = 24
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let runs = try await common.workbench(store: store).monitors().backfill(name, windows: windows)
            if common.json { print(Output.json(runs)); return }
            print(Output.table(MonitorCommand.runHeader, runs.reversed().map(MonitorCommand.describe)))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a monitor and its windows.")
        @Argument(help: "The monitor's name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            try await common.workbench(store: store).monitors().delete(name: name)
            if common.json { print(Output.json(["deleted": name])) } else { print("Deleted monitor \(name)") }
        }
    }
}
