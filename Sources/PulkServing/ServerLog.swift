#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
public import Logging
import NIOConcurrencyHelpers

/// Where a server's log lines go: standard error, as swift-log's default handler writes them, but
/// lines below `notice` (the request log, one line per request at `info`) are gathered and
/// written together, at most `interval` later or as soon as 64 KiB are waiting.
///
/// swift-log's stream handler writes and flushes every line under the stream's lock: one
/// `write(2)` per request, and the event loops queueing on one lock (5% of `pulk serve`'s one-row
/// requests per second with the request log on; BENCHMARKS.md). Lines at
/// `notice` and above are written at once, after the lines gathered before them, so order is kept
/// and a warning or an error is out before anything that follows it. Gathered lines are written
/// when the process exits normally; a crash loses at most `interval` of the request log.
public final class ServerLogOutput: Sendable {
    /// Standard error, written every 100 ms.
    public static let standardError = ServerLogOutput(fd: STDERR_FILENO, interval: .milliseconds(100))

    private let fd: Int32
    private let pending = NIOLockedValueBox<[UInt8]>([])
    private let limit: Int

    /// Writes to `fd`; a thread of its own writes the gathered lines every `interval` (none when
    /// nil: then only `flush()`, an urgent line or the size limit writes them).
    public init(fd: Int32, interval: Duration?, limit: Int = 64 << 10) {
        self.fd = fd
        self.limit = limit
        guard let interval else { return }
        let (seconds, attoseconds) = interval.components
        let microseconds = useconds_t(max(1, seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        // Ends once the output is gone (the shared one never is).
        Thread { [weak self] in
            while true {
                usleep(microseconds)
                guard let output = self else { return }
                output.flush()
            }
        }.start()
    }

    /// Appends `line`; writes everything waiting when `urgent` or past the limit.
    public func write(_ line: String, urgent: Bool) {
        pending.withLockedValue { bytes in
            bytes.append(contentsOf: line.utf8)
            if urgent || bytes.count >= limit { writeAll(&bytes) }
        }
    }

    /// Writes every gathered line.
    public func flush() {
        pending.withLockedValue { bytes in
            if !bytes.isEmpty { writeAll(&bytes) }
        }
    }

    private func writeAll(_ bytes: inout [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                // A log that cannot be written (a closed pipe) is dropped, as fwrite's would be.
                guard n > 0 else { break }
                offset += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

/// swift-log's stream handler's lines (`2026-12-03T10:49:10+0000 info pulk.serve: key=value [Module]
/// message`, byte for byte; a test holds them side by side) written to a `ServerLogOutput`: lines at
/// `notice` and above are urgent, the rest are gathered.
///
/// It formats the line itself: the stream handler builds it through `localtime` and `strftime`
/// (which re-reads the time zone file's status on every call), merged metadata dictionaries and
/// string interpolation, ~18% of `pulk serve`'s one-row requests per second with the request log on.
public struct ServerLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: ServerLogOutput

    public init(label: String, output: ServerLogOutput = .standardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output.write(line(event, time: time(nil)), urgent: event.level >= .notice)
    }

    /// The line for `event` at `time` (seconds since the epoch, shown in local time).
    func line(_ event: LogEvent, time: time_t) -> String {
        var line = Self.timestamp(time)
        line += " "
        line += event.level.rawValue
        if !label.isEmpty { line += " " }
        line += label
        line += ":"
        // The stream handler's metadata: the handler's, the provider's over it, the event's over
        // both, then the error's; sorted by key.
        let provided = metadataProvider?.get() ?? [:]
        let explicit = event.metadata ?? [:]
        var merged: Logger.Metadata
        if provided.isEmpty, explicit.isEmpty, event.error == nil {
            merged = metadata
        } else if metadata.isEmpty, provided.isEmpty, event.error == nil {
            merged = explicit
        } else {
            merged = metadata
            merged.merge(provided) { _, new in new }
            merged.merge(explicit) { _, new in new }
            if let error = event.error {
                merged["error.message"] = "\(error)"
                merged["error.type"] = "\(String(reflecting: type(of: error)))"
            }
        }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " "
            line += key
            line += "="
            line += value.description
        }
        line += " ["
        line += event.source
        line += "] "
        line += event.message.description
        line += "\n"
        return line
    }

    /// `time` as the stream handler writes it: local time, `%Y-%m-%dT%H:%M:%S%z`.
    static func timestamp(_ time: time_t) -> String {
        var t = time, local = tm()
        guard localtime_r(&t, &local) != nil else { return "<unknown>" }
        let offset = local.tm_gmtoff / 60, minutes = abs(offset)
        return String(Int(local.tm_year) + 1900) + "-" + twoDigits(Int(local.tm_mon) + 1) + "-" + twoDigits(Int(local.tm_mday)) + "T" + twoDigits(Int(local.tm_hour)) + ":"
            + twoDigits(Int(local.tm_min)) + ":" + twoDigits(Int(local.tm_sec)) + (offset < 0 ? "-" : "+") + twoDigits(minutes / 60) + twoDigits(minutes % 60)
    }

    /// Makes every logger of the process a `ServerLogHandler` on standard error, and writes the
    /// gathered lines when the process exits.
    public static func bootstrap() {
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label) }
        atexit { ServerLogOutput.standardError.flush() }
    }
}

/// `v` (0 ≤ v < 100) in two digits, as dates in logs and headers are written.
func twoDigits<I: BinaryInteger>(_ v: I) -> String { v < 10 ? "0\(v)" : "\(v)" }
