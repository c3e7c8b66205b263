import NIOCore
import NIOPosix

/// Why a server cannot listen where it was asked to, said before its banner instead of a bind error after it.
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

public enum PortCheck {
    /// Binds the address the way the server will (SO_REUSEADDR), and lets it go at once.
    public static func ensureFree(host: String, port: Int) async throws {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch let e as IOError where e.errnoCode == 98 /* EADDRINUSE */ || e.errnoCode == 48 /* macOS */ {
            throw ListenError(description: "port \(port) is in use on \(host); choose another with --port (or stop what is listening there)")
        } catch let e as IOError where e.errnoCode == 13 /* EACCES */ {
            throw ListenError(description: "port \(port) on \(host) needs privileges this user does not have; choose a port above 1023 with --port")
        } catch let e as IOError where e.errnoCode == 99 /* EADDRNOTAVAIL */ {
            throw ListenError(description: "\(host) is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its interfaces")
        }
    }

    /// Runs Swift concurrency on NIO's event loops: a request is read, scored and answered on one
    /// thread, with no hop to the concurrency pool and back. Call first thing in a serving process.
    public static func runConcurrencyOnEventLoops() {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
