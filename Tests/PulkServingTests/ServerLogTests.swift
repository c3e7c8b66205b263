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
