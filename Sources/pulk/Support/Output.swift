import Foundation
import PulkApp
import PulkFrame
#if canImport(Glibc)
import Glibc
#endif

/// Writing to the terminal: JSON, aligned tables, and a progress bar on stderr.
enum Output {
    /// Pretty JSON with snake_case keys, ISO 8601 dates and sorted keys.
    static func json<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try! e.encode(value), as: UTF8.self)
    }

    /// Columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func date(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    static func bytes(_ n: Int) -> String { formatBytes(n) }

    /// A store time (milliseconds since 1970) as `date`.
    static func time(_ ms: Int64) -> String { date(Date(timeIntervalSince1970: Double(ms) / 1000)) }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// The width tables fit: the terminal's when stdout is one (or COLUMNS), nil for a pipe or file.
    static var terminalWidth: Int? {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 20 { return c }
        guard isatty(1) == 1 else { return nil }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 else { return nil }
        return Int(size.ws_col)
    }

    static func warn(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}

/// A progress bar with throughput, drawn on stderr only when it is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let start = Date()
    private var last = Date.distantPast
    private let lock = NSLock()
    private let enabled: Bool

    init(label: String, unit: String = "MB", enabled: Bool) {
        self.label = label
        self.unit = unit
        self.enabled = enabled && Output.stderrIsTerminal
    }

    /// Updates the bar (at most ten times a second).
    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(last) > 0.1 || done >= total else { return }
        last = now
        let frac = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 28
        let filled = Int(frac * Double(width))
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = unit == "MB" ? String(format: "%.1f MB/s", Double(done) / elapsed / 1e6) : String(format: "%.0f %@/s", Double(done) / elapsed, unit)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r%@ %@ %3.0f%% %@ ", label, bar, frac * 100, rate).utf8))
    }

    /// Clears the bar's line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

/// The application layer's progress as bars on the terminal, one per stage.
final class TerminalProgress: ProgressSink, @unchecked Sendable {
    private let enabled: Bool
    private var bars: [String: ProgressBar] = [:]
    private let lock = NSLock()

    init(enabled: Bool) { self.enabled = enabled }

    private func bar(_ stage: String) -> ProgressBar {
        lock.lock(); defer { lock.unlock() }
        if let b = bars[stage] { return b }
        let b = ProgressBar(label: stage, enabled: enabled)
        bars[stage] = b
        return b
    }

    func update(_ stage: String, done: Int, total: Int) { bar(stage).update(done, total) }

    func finish(_ stage: String) {
        lock.lock()
        let b = bars.removeValue(forKey: stage)
        lock.unlock()
        b?.finish()
    }
}
