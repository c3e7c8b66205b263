import NIOCore
import NIOPosix

/// Says "port N is in use" before a server prints its banner, instead of a bind error after it:
/// binds the address the way the server will (SO_REUSEADDR), and lets it go at once.
func checkPortFree(host: String, port: Int) async throws {
    do {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port).get()
        try await channel.close()
    } catch let e as IOError where e.errnoCode == 98 /* EADDRINUSE */ || e.errnoCode == 48 /* macOS */ {
        throw PulkFailure(message: "port \(port) is in use on \(host); choose another with --port (or stop what is listening there)")
    } catch let e as IOError where e.errnoCode == 13 /* EACCES */ {
        throw PulkFailure(message: "port \(port) on \(host) needs privileges this user does not have; choose a port above 1023 with --port")
    } catch let e as IOError where e.errnoCode == 99 /* EADDRNOTAVAIL */ {
        throw PulkFailure(message: "\(host) is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its interfaces")
    }
}
