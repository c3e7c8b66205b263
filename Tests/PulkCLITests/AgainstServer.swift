import Foundation
import Testing

/// The CLI suite's second pass: with `PULK_CLI_AGAINST_SERVER` set, every command a test runs goes to a
/// `pulk server` (started on first use, over a workspace of its own in the test's folder) through
/// `PULK_SERVER`, exactly as a team member's laptop would, and each test's assertions stay as they are.
/// Tests about the local workspace itself (its folder, its lock, its files) or that start their own
/// servers say so with `.localWorkspace` and are skipped in that pass, with the reason.
final class AgainstServer: @unchecked Sendable {
    static let enabled = ProcessInfo.processInfo.environment["PULK_CLI_AGAINST_SERVER"].map { !$0.isEmpty } ?? false

    /// Commands that never take `--server` (they are servers, or manage this machine's workspace or logins).
    static let localCommands: Set<String> = ["server", "serve", "workspace", "login", "logout", "--help", "help", "--version"]

    private let dir: URL
    private let lock = NSLock()
    private var server: Process?
    private var port = 0

    init(dir: URL) { self.dir = dir }

    deinit {
        if let server, server.isRunning {
            server.terminate()
            // The server's own watchdog ends it 30 s after the signal; past that, it is killed
            // rather than waited for (a hung shutdown once held CI for 20 minutes).
            let deadline = Date().addingTimeInterval(40)
            while server.isRunning && Date() < deadline { usleep(50_000) }
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
            server.waitUntilExit()
        }
    }

    /// Options that name where a command works: a test that gives one (a workspace it will serve, a
    /// server of its own) keeps it.
    static let placeOptions: Set<String> = ["--workspace", "--server", "--tracking-uri", "--store-uri"]

    /// The server's address for `pulk ARGS`, started on first use; nil for the commands that stay local
    /// and for those that name their own place.
    func url(for args: [String]) -> String? {
        guard let first = args.first, !Self.localCommands.contains(first),
              !args.contains(where: { Self.placeOptions.contains($0) || Self.placeOptions.contains(where: $0.hasPrefix) }) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let log = ProcessInfo.processInfo.environment["PULK_CLI_AGAINST_SERVER_LOG"], let h = FileHandle(forWritingAtPath: log) {
            h.seekToEndOfFile(); h.write(Data((args.joined(separator: " ") + "\n").utf8)); try? h.close()
        }
        if server == nil {
            do { try start() } catch { Issue.record("\(error)"); return nil }
        }
        return "http://127.0.0.1:\(port)"
    }

    private func start() throws {
        var lastFailure: any Error = LiveServer.StartFailure(description: "not started")
        for _ in 0..<5 {  // a port another test holds: try another
            port = Int.random(in: 20_000..<32_000)
            let log = dir.appendingPathComponent("against-server-\(port).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            let p = Process()
            p.executableURL = PulkCLI.binary
            p.arguments = ["server", "--port", String(port), "--workspace", dir.appendingPathComponent("server-workspace").path]
            p.currentDirectoryURL = dir
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "PULK_HOME")
            environment.removeValue(forKey: "PULK_SERVER")
            p.environment = environment
            p.standardOutput = output
            p.standardError = output
            try p.run()
            do {
                try LiveServer.awaitHealth(p, url: "http://127.0.0.1:\(port)", log: log)
                server = p
                return
            } catch { lastFailure = error }
        }
        throw lastFailure
    }
}

extension Trait where Self == ConditionTrait {
    /// A test of the local workspace itself (or of servers it starts): skipped when the suite runs against a server.
    static func localWorkspace(_ why: Comment) -> Self {
        .disabled(if: AgainstServer.enabled, why)
    }
}
