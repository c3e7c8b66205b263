#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
@testable import PulkServing
import Testing

@Suite("Server log: the request log gathered, warnings and errors at once, in order")
struct ServerLogTests {
    /// A pipe whose read end does not block: what has been written to the write end so far.
    final class Pipe {
        let read: Int32, write: Int32
        init() throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw POSIXError(.EBADF) }
            read = fds[0]
            write = fds[1]
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
        }
        func written() -> String {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while case let n = chunk.withUnsafeMutableBytes({ Glibc.read(read, $0.baseAddress, $0.count) }), n > 0 { bytes += chunk[..<n] }
            return String(decoding: bytes, as: UTF8.self)
        }
        deinit { close(read); close(write) }
    }

    @Test("Gathered lines wait for a flush, an urgent line or the size limit, and keep their order")
    func gathering() throws {
        let pipe = try Pipe()
        let output = ServerLogOutput(fd: pipe.write, interval: nil, limit: 64)
        output.write("a\n", urgent: false)
        output.write("b\n", urgent: false)
        #expect(pipe.written() == "")
        output.write("C\n", urgent: true)
        #expect(pipe.written() == "a\nb\nC\n")
        output.write("d\n", urgent: false)
        output.flush()
        #expect(pipe.written() == "d\n")
        output.flush()
        #expect(pipe.written() == "")
        // Past the limit the waiting lines go out without a flush.
        for k in 0..<10 { output.write("line \(k)\n", urgent: false) }
        let early = pipe.written()
        #expect(early.hasPrefix("line 0\n") && early.count >= 64)
        output.flush()
        #expect(early + pipe.written() == (0..<10).map { "line \($0)\n" }.joined())
    }

    @Test("The handler writes swift-log's line format; info is gathered, notice and above are urgent")
    func handler() throws {
        let pipe = try Pipe()
        let output = ServerLogOutput(fd: pipe.write, interval: nil)
        var logger = Logger(label: "pulk.test") { ServerLogHandler(label: $0, output: output) }
        logger.logLevel = .info
        logger[metadataKey: "endpoint"] = "penguins"
        logger.debug("below the level")
        logger.info("Request", metadata: ["hb.request.path": "/score"])
        #expect(pipe.written() == "")
        logger.warning("slow")
        let lines = pipe.written().split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix(" info pulk.test: endpoint=penguins hb.request.path=/score [PulkServingTests] Request") == true, "\(lines)")
        #expect(lines.last?.hasSuffix(" warning pulk.test: endpoint=penguins [PulkServingTests] slow") == true, "\(lines)")
    }

    /// What swift-log's stream handler writes, line by line.
    final class Capture: TextOutputStream, @unchecked Sendable {
        var lines: [String] = []
        func write(_ string: String) { lines.append(string) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test("Its lines are swift-log's stream handler's, byte for byte but the clock", arguments: [
        (Logger.Level.info, "Request", ["hb.request.path": "/score", "hb.request.method": "POST"] as Logger.Metadata, [:] as Logger.Metadata, false),
        (.warning, "slow", [:], ["endpoint": "penguins"], false),
        (.error, "failed", ["b": "2", "a": .array(["x", "y"]), "d": .dictionary(["k": "v"])], ["a": "handler's", "z": "26"], true),
        (.debug, "quiet", [:], [:], false),
        (.critical, "with = and spaces", ["key with space": "value with space"], [:], true),
    ])
    func sameLines(level: Logger.Level, message: String, metadata: Logger.Metadata, handlerMetadata: Logger.Metadata, withError: Bool) throws {
        let capture = Capture()
        var reference = StreamLogHandler(label: "pulk.test", stream: capture, metadataProvider: nil)
        reference.logLevel = .trace
        reference.metadata = handlerMetadata
        var ours = ServerLogHandler(label: "pulk.test", output: ServerLogOutput(fd: -1, interval: nil))
        ours.metadata = handlerMetadata
        let event = LogEvent(level: level, message: "\(message)", error: withError ? Failure() : nil, metadata: metadata.isEmpty ? nil : metadata,
                             source: "PulkServing", file: #fileID, function: #function, line: #line)
        reference.log(event: event)
        let now = time(nil)
        let line = ours.line(event, time: now)
        let expected = try #require(capture.lines.first)
        // The clock: the reference read its own; compare what follows it, and the clock on its own below.
        #expect(line.drop { $0 != " " } == expected.drop { $0 != " " })
        #expect(line.hasPrefix(ServerLogHandler.timestamp(now) + " "))
    }

    @Test("Its clock is strftime's %Y-%m-%dT%H:%M:%S%z in local time", arguments: [0, 951_782_400, 1_796_292_547, 4_102_444_799, -30_610_224_000, -31_000_000_000, -62_135_596_800] as [time_t])
    func timestamps(seconds: time_t) {
        var t = seconds, local = tm()
        localtime_r(&t, &local)
        var buffer = [CChar](repeating: 0, count: 64)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        #expect(ServerLogHandler.timestamp(seconds) == String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    @Test("With an interval, gathered lines reach the file without anything else written")
    func interval() async throws {
        let pipe = try Pipe()
        let output = ServerLogOutput(fd: pipe.write, interval: .milliseconds(5))
        output.write("tick\n", urgent: false)
        var seen = ""
        // Polls the pipe (the flusher runs on its own clock); gives up after 10 s.
        for _ in 0..<1000 where seen.isEmpty {
            seen = pipe.written()
            if seen.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(seen == "tick\n")
    }
}
