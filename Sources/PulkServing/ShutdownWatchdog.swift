import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// After SIGTERM or SIGINT a server stops gracefully (requests in flight finish); this makes sure it
/// stops at all: if the graceful shutdown has not ended `grace` after the first signal (a request
/// that never ends, a deadlock in a dependency's shutdown, seen once in CI), the process says so
/// on stderr and exits with status 1. Hold the returned value while the server runs.
public final class ShutdownWatchdog: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    public convenience init(grace: Duration = .seconds(30)) { self.init(grace: grace, signals: [SIGTERM, SIGINT]) }

    init(grace: Duration, signals: [Int32]) {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let armed = DispatchQueue(label: "pulk.shutdown-watchdog")
        var fired = false
        sources = signals.map { number in
            // A dispatch source sees the signal only while its default action is off (the server's
            // own signal handling turns it off too).
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: armed)
            source.setEventHandler {
                guard !fired else { return }
                fired = true
                armed.asyncAfter(deadline: .now() + seconds) {
                    let text = Array("pulk: the graceful shutdown did not end within \(Int(seconds)) s of the signal; exiting\n".utf8)
                    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                    _exit(1)
                }
            }
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }
}
