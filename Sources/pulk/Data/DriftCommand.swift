import ArgumentParser
import Foundation
import PulkApp
import PulkFrame
import PulkMonitoring
import PulkProfile

/// `pulk drift`: compares a current dataset with a reference, column by column.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare a current dataset with a reference: drift per column, data quality, dataset drift.",
        discussion: """
        Each column gets the test Evidently would choose: up to 1,000 reference rows, Kolmogorov–Smirnov for numbers \
        (χ² or a Z-test for five values or fewer) and χ² or a Z-test for categories, at p 0.05; above, the normed \
        Wasserstein distance for numbers and the Jensen–Shannon distance for categories, at 0.1. With --model, the model's \
        predictions are compared too, its features are ranked by drift × importance, and the reference defaults to the \
        dataset its training run read. Writes a self-contained HTML report with --html, the whole report with --json.
        """)

    @Option(help: "The reference: NAME[:VERSION] or a CSV/JSONL file (default with --model or --endpoint: the model's training data).") var reference: String?
    @Option(help: "The current data: NAME[:VERSION] or a CSV/JSONL file.") var current: String?
    @Option(help: "Instead of --current: the requests this endpoint answered, from its serving log (the model: the version that answered most of them).") var endpoint: String?
    @Option(help: "With --endpoint: only requests of this last period, e.g. 30m, 1h, 7d.") var since: String?
    @Option(help: "A .pulk model file, MODEL@ALIAS or MODEL:VERSION: compares its predictions and ranks by its importance.") var model: String?
    @Option(help: "Only these columns (comma-separated).") var columns: String?
    @Option(help: "One method for every column it applies to: \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")).") var method: String?
    @Option(name: .customLong("method-for"), help: "COLUMN=METHOD for one column (repeatable).") var methodFor: [String] = []
    @Option(help: "One threshold for every column (default: the method's: 0.05 for KS, χ² and Z p-values, else 0.1).") var threshold: Double?
    @Option(name: .customLong("threshold-for"), help: "COLUMN=VALUE for one column (repeatable).") var thresholdFor: [String] = []
    @Option(name: .customLong("drift-share"), help: "Dataset drift when at least this share of the features drifts.") var driftShare: Double = 0.5
    @Option(name: .customLong("min-drift-size"), help: "On more than 1,000 reference rows, a p-value test flags drift only when the drift size (Jensen–Shannon distance) is at least this.") var minDriftSize: Double = 0.05
    @Option(help: "Write the HTML report to this file.") var html: String?
    @OptionGroup var read: ReadOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        var options = DriftOptions()
        options.columns = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let method { options.method = try Self.method(method) }
        for pair in methodFor {
            let (column, value) = try Self.pair(pair, option: "--method-for")
            options.methods[column] = try Self.method(value)
        }
        options.threshold = threshold
        for pair in thresholdFor {
            let (column, value) = try Self.pair(pair, option: "--threshold-for")
            guard let x = Double(value) else { throw ValidationError("--threshold-for \(pair): '\(value)' is not a number.") }
            options.thresholds[column] = x
        }
        guard (0...1).contains(driftShare) else { throw ValidationError("--drift-share must be between 0 and 1.") }
        options.driftShare = driftShare
        options.minimumDriftSize = minDriftSize
        guard (current == nil) != (endpoint == nil) else { throw ValidationError("Give the current data with --current NAME|FILE, or --endpoint NAME for its serving log (not both).") }
        if since != nil && endpoint == nil { throw ValidationError("--since applies to --endpoint's serving log.") }
        let window = try endpoint.map { DriftFlow.ServingWindow(endpoint: $0, since: try since.map { Int64(Date().timeIntervalSince1970 * 1000) - (try MonitorCommand.seconds($0, option: "--since")) * 1000 }) }
        let workbench = try await common.workbench(remote: remote)
        let request = DriftFlow.Request(reference: reference, current: current ?? "", model: model, options: options, read: try read.addOptions(),
                                        serving: window)
        let report = try await DriftFlow.run(request, catalog: try await workbench.datasets(), tracking: { try await workbench.trackingClient() },
                                             endpoints: { try await workbench.endpoints() })
        if let html {
            do { try Data(report.html().utf8).write(to: URL(fileURLWithPath: html), options: .atomic) } catch {
                throw PulkFailure(message: "\(html): cannot write the report: \(error.localizedDescription)")
            }
        }
        if common.json {
            print(Output.json(report))
            return
        }
        print(Self.summary(report))
        if let html { print("\nHTML report: \(html)") }
    }

    static func method(_ text: String) throws -> DriftMethod {
        guard let m = DriftMethod(rawValue: text.lowercased()) else {
            throw ValidationError("Unknown drift method '\(text)': choose one of \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return m
    }

    static func pair(_ text: String, option: String) throws -> (String, String) {
        guard let eq = text.lastIndex(of: "="), eq != text.startIndex else { throw ValidationError("\(option) takes COLUMN=VALUE (got '\(text)').") }
        return (String(text[..<eq]), String(text[text.index(after: eq)...]))
    }

    static func summary(_ r: DriftReport) -> String {
        var lines: [String] = []
        lines.append("Drift of \(r.current) (\(r.currentRows) rows) against \(r.reference) (\(r.referenceRows) rows)")
        lines.append((r.datasetDrift ? "DATASET DRIFT: " : "No dataset drift: ")
                     + "\(r.driftedFeatures) of \(r.testedFeatures) features drifted (\(formatFixed(r.driftedShare * 100, 1))%; threshold \(formatFixed(r.driftShareThreshold * 100, 0))%)")
        lines.append("")
        let hasImportance = r.features.contains { $0.importance != nil }
        var header = ["COLUMN", "ROLE", "METHOD", "VALUE", "THRESHOLD", "SIZE"]
        if hasImportance { header.append("IMPORTANCE") }
        header += ["MISSING", "DRIFT"]
        lines.append(Output.table(header, r.allColumns.map { c in
            var row = [c.name, c.role.rawValue, c.method.rawValue, c.value.map { DriftReport.figure($0) } ?? "inf", DriftReport.figure(c.threshold),
                       formatFixed(c.driftSize, 3)]
            if hasImportance { row.append(c.importance.map { formatFixed($0, 3) } ?? "") }
            row += ["\(formatFixed(c.quality.referenceMissingRate * 100, 1))% → \(formatFixed(c.quality.currentMissingRate * 100, 1))%", c.drifted ? "yes" : "no"]
            return row
        }))
        var quality: [String] = []
        for c in r.allColumns {
            if let n = c.quality.outOfRange, n > 0, let lo = c.quality.referenceMin, let hi = c.quality.referenceMax {
                quality.append("\(c.name): \(n) value\(n == 1 ? "" : "s") outside the reference range \(String(format: "%.6g", lo)) … \(String(format: "%.6g", hi))")
            }
            if let n = c.quality.unseenRows, n > 0 {
                quality.append("\(c.name): \(n) row\(n == 1 ? "" : "s") in categories the reference never had (\((c.quality.unseenCategories ?? []).joined(separator: ", ")))")
            }
            if let note = c.note { quality.append("\(c.name): \(note)") }
        }
        if !quality.isEmpty { lines.append(""); lines.append("Data quality:"); lines += quality.map { "  " + $0 } }
        if let t = r.traffic {
            lines.append("")
            lines.append("Logged requests \(t.countsText)" + (t.latencyText.map { "; latency \($0)" } ?? ""))
        }
        if let e = r.estimatedPerformance {
            let show = DriftReport.estimateText
            lines.append("")
            lines.append("Estimated performance on the current data (from the model's confidence, CBPE; not measured): " + show(e)
                         + (r.referenceEstimatedPerformance.map { "; on the reference: " + show($0) } ?? ""))
        }
        if !r.warnings.isEmpty { lines.append(""); lines += r.warnings.map { "Note: " + $0 } }
        if !r.skipped.isEmpty {
            lines.append(""); lines.append("Not compared:")
            lines += r.skipped.map { "  \($0.name): \($0.reason)" }
        }
        return lines.joined(separator: "\n")
    }
}
