import ArgumentParser
import Foundation
import PulkApp
import PulkFrame
import PulkProfile
import PulkWorkspace

struct DataProfile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Profile a dataset version (or a file): statistics, correlations, target association, warnings.",
        discussion: "Prints a summary, writes a self-contained HTML report with --html, or the full profile as JSON with --json.")

    @Argument(help: "NAME, NAME:VERSION, or the path of a CSV/JSONL file.") var ref: String
    @Option(help: "The target column: adds class balance, association ranking and leakage checks.") var target: String?
    @Option(help: "Write the HTML report to this file.") var html: String?
    @Flag(help: "Skip correlation matrices (faster on very wide data).") var noCorrelations = false
    @OptionGroup var read: ReadOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let (frame, source) = try await loadFrame(ref, read: read, workspace: common, remote: remote)
        var options = ProfileOptions()
        options.correlations = !noCorrelations
        let bar = ProgressBar(label: "profiling", unit: "steps", enabled: !common.json)
        let profile = try Profiler(options: options).profile(frame, source: source, target: target, progress: { bar.update($0, $1) })
        bar.finish()
        if let html {
            do { try Data(profile.html().utf8).write(to: URL(fileURLWithPath: html), options: .atomic) } catch {
                throw PulkFailure(message: "\(html): cannot write the report: \(error.localizedDescription)")
            }
        }
        if common.json {
            print(String(decoding: profile.jsonData(), as: UTF8.self))
            return
        }
        print(Self.summary(profile))
        if let html { print("\nHTML report: \(html)") }
    }


    static func summary(_ p: DatasetProfile) -> String {
        var out: [String] = []
        let s = p.summary
        out.append("\(p.source): \(s.rows) rows × \(s.columns) columns, \(s.missingCells) missing cells (\(String(format: "%.1f", s.missingCellsPercent))%), \(s.duplicateRows) duplicate rows")
        out.append("")
        out.append(Output.table(["COLUMN", "TYPE", "MISSING", "DISTINCT", "MEAN", "STD", "MIN", "MAX", "TOP", "FLAGS"], p.columns.map { c in
            let n = c.numeric
            func f(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "" }
            return [c.name, c.type.rawValue, "\(c.missing)", "\(c.distinct)",
                    n?.minText == nil ? f(n?.mean) : "", n?.minText == nil ? f(n?.std) : "",
                    n?.minText ?? f(n?.min), n?.maxText ?? f(n?.max),
                    c.topValues.first.map { "\($0.value) (\($0.count))" } ?? "", c.flags.joined(separator: ",")]
        }))
        if let t = p.target {
            out.append("")
            out.append("Target '\(t.column)' (\(t.task)); strongest associations:")
            out.append(Output.table(["COLUMN", "MUTUAL INFO", "MEASURE", "VALUE"], t.associations.prefix(10).map {
                [$0.column, String(format: "%.4f", $0.mutualInformation), $0.measure, $0.value.map { String(format: "%.3f", $0) } ?? "–"]
            }))
        }
        out.append("")
        out.append(p.warnings.isEmpty ? "No warnings." : "Warnings:")
        for w in p.warnings { out.append("  [\(w.severity)] \(w.message)") }
        return out.joined(separator: "\n")
    }
}
