#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Why a server cannot listen where it was asked to, said before its banner instead of a bind error after it.
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

public enum PortCheck {
    /// Binds the address the way the server will (SO_REUSEADDR) without listening, and lets it go
    /// at once. Never listening matters: a client that connects while a listening check socket is
    /// open (a health probe polling a starting server) would be accepted into a connection nobody
    /// ever reads or answers, and hang; an unlistened bind refuses it, and the client tries again.
    public static func ensureFree(host: String, port: Int) async throws {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw ListenError(description: "\(host) does not resolve to an address; use --host 127.0.0.1, 0.0.0.0 or one of this machine's interfaces")
        }
        defer { freeaddrinfo(first) }
        // The first address, as the server binds (NIO's resolver takes the first answer too).
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }  // no socket to test with: the server's own bind will say what is wrong
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        switch errno {
        case EADDRINUSE:
            throw ListenError(description: "port \(port) is in use on \(host); choose another with --port (or stop what is listening there)")
        case EACCES:
            throw ListenError(description: "port \(port) on \(host) needs privileges this user does not have; choose a port above 1023 with --port")
        case EADDRNOTAVAIL:
            throw ListenError(description: "\(host) is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its interfaces")
        default:
            return  // anything else: the server's own bind says it
        }
    }

    /// Runs Swift concurrency on NIO's event loops: a request is read, scored and answered on one
    /// thread, with no hop to the concurrency pool and back. Call first thing in a serving process.
    public static func runConcurrencyOnEventLoops() {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
