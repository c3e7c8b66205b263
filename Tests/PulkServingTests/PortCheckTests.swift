import Foundation
import NIOCore
import NIOPosix
@testable import PulkServing
import Testing

@Suite("The port check before a server's banner")
struct PortCheckTests {
    /// A port below the ephemeral range, not listened on by anything now.
    static func freePort() -> Int { Int.random(in: 20_000..<32_000) }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted (by the kernel, on anything listening).
    static func connects(_ port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    @Test("a port something listens on is named, with what to do")
    func busy() async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { holder.close(promise: nil) }
        let port = try #require(holder.localAddress?.port)
        let error = await #expect(throws: ListenError.self) { try await PortCheck.ensureFree(host: "127.0.0.1", port: port) }
        #expect(error?.description == "port \(port) is in use on 127.0.0.1; choose another with --port (or stop what is listening there)")
    }

    /// The check binds without listening: a client that connects while it runs (a health probe
    /// polling a starting server) is refused and tries again, instead of being accepted by a socket
    /// that is then dropped with the connection never answered (seen as a server that hangs at start).
    @Test("a free port passes and nothing listens on it during or after the check")
    func free() async throws {
        let port = Self.freePort()
        try #require(await !Self.connects(port), "port \(port) is taken on this machine; the test picks another next time")
        let probes = Task {
            var accepted = 0
            for _ in 0..<200 where await Self.connects(port) { accepted += 1 }
            return accepted
        }
        for _ in 0..<200 { try await PortCheck.ensureFree(host: "127.0.0.1", port: port) }
        #expect(await probes.value == 0)
        #expect(await !Self.connects(port))
    }

    @Test("hosts that are not this machine's are refused before the banner", arguments: [
        ("10.255.255.254", "10.255.255.254 is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its interfaces"),
        ("no-such-host.invalid", "no-such-host.invalid does not resolve to an address; use --host 127.0.0.1, 0.0.0.0 or one of this machine's interfaces"),
    ])
    func foreignHost(host: String, message: String) async {
        let error = await #expect(throws: ListenError.self) { try await PortCheck.ensureFree(host: host, port: Self.freePort()) }
        #expect(error?.description == message)
    }
}
