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
/// `write(2)` per request, and the event loops queueing on one lock. With the request log on,
/// that cost `pulk serve` 30% of its one-row requests per second (BENCHMARKS.md). Lines at
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
        Thread { [weak self] in
            while let output = self {
                output.flush()
                usleep(microseconds)
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

    /// One of the two streams the handler writes to.
    struct Stream: TextOutputStream, Sendable {
        let output: ServerLogOutput
        let urgent: Bool
        mutating func write(_ string: String) { output.write(string, urgent: urgent) }
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

/// swift-log's stream handler (the same line format) over a `ServerLogOutput`: lines at `notice`
/// and above are urgent, the rest are gathered.
public struct ServerLogHandler: LogHandler {
    private var gathered: StreamLogHandler
    private var urgent: StreamLogHandler

    public init(label: String, output: ServerLogOutput = .standardError) {
        gathered = StreamLogHandler(label: label, stream: ServerLogOutput.Stream(output: output, urgent: false))
        urgent = StreamLogHandler(label: label, stream: ServerLogOutput.Stream(output: output, urgent: true))
    }

    public func log(event: LogEvent) {
        if event.level >= .notice { urgent.log(event: event) } else { gathered.log(event: event) }
    }

    public var metadata: Logger.Metadata {
        get { gathered.metadata }
        set { gathered.metadata = newValue; urgent.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { gathered.metadataProvider }
        set { gathered.metadataProvider = newValue; urgent.metadataProvider = newValue }
    }

    public var logLevel: Logger.Level {
        get { gathered.logLevel }
        set { gathered.logLevel = newValue; urgent.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { gathered[metadataKey: key] }
        set { gathered[metadataKey: key] = newValue; urgent[metadataKey: key] = newValue }
    }

    /// Makes every logger of the process a `ServerLogHandler` on standard error, and writes the
    /// gathered lines when the process exits.
    public static func bootstrap() {
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label) }
        atexit { ServerLogOutput.standardError.flush() }
    }
}
