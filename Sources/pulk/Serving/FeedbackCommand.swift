import ArgumentParser
import Foundation
import PulkApp
import PulkEndpoints
import PulkFrame
import PulkWorkspace

/// `pulk feedback add`: the true values of requests an endpoint answered, from a file.
struct FeedbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Ground truth for an endpoint's answered requests (joined by request id; monitors report realized performance).",
        subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the true values of answered requests from a CSV/JSONL file: a request id column, optionally a row column, and the truth.",
            discussion: "Every scoring response carries its request_id; a request of several rows takes one line per row (row 0, 1, …). A later value for the same request and row replaces the earlier one.")
        @Option(help: "The endpoint that answered the requests.") var endpoint: String
        @Option(help: "The CSV or JSONL file.") var data: String
        @Option(help: "The column of the true values.") var truth = "truth"
        @Option(name: .customLong("request-id"), help: "The column of the request ids.") var requestId = "request_id"
        @Option(help: "The column of the row within each request (default: 0 for every line).") var row: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let frame = try DataSources.readFile(data, options: .init())
            func column(_ name: String, _ option: String) throws -> Column {
                guard let c = try? frame.column(name) else {
                    throw ValidationError("\(data) has no column '\(name)' (\(option)); its columns: \(frame.names.prefix(20).joined(separator: ", ")).")
                }
                return c
            }
            let ids = try column(requestId, "--request-id"), truths = try column(truth, "--truth")
            let rows = try row.map { try column($0, "--row") }
            var feedback: [Feedback] = [], skipped = 0
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for i in 0..<frame.rowCount {
                guard ids.isValid(i), truths.isValid(i) else { skipped += 1; continue }
                var r = 0
                if let rows {
                    guard rows.isValid(i), let n = rows.value(at: i).numeric, n >= 0, n == n.rounded() else { skipped += 1; continue }
                    r = Int(n)
                }
                feedback.append(Feedback(requestId: ids.value(at: i).description, row: r, truth: truths.value(at: i).description, time: now))
            }
            let service = try await common.workbench(store: store).endpoints()
            var added = 0
            for start in stride(from: 0, to: feedback.count, by: 10_000) {
                added += try await service.addFeedback(endpoint: endpoint, Array(feedback[start..<min(start + 10_000, feedback.count)]))
            }
            if common.json { print(Output.json(["received": feedback.count, "added": added, "skipped": skipped])); return }
            print("Sent \(feedback.count) true value\(feedback.count == 1 ? "" : "s") for endpoint \(endpoint): \(added) new, \(feedback.count - added) replacing earlier ones"
                  + (skipped > 0 ? "; \(skipped) line\(skipped == 1 ? "" : "s") skipped (no request id, truth or row)" : ""))
        }
    }
}
