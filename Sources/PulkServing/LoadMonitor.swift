public import NIOCore
import NIOConcurrencyHelpers
import NIOPosix

/// Sheds scoring load before latency runs away. Scoring is answered on the event loops, so under a
/// flood requests wait unread in the loops' queues and never count as "in flight": the endpoints'
/// concurrency limits cannot see them. The monitor probes every loop (`probe`, a few times a second,
/// from `run`): a probe is a task handed to the loop, and how long it waits before it runs is the
/// loop's lag, the time a request now waits before it is read. While any loop lags more than
/// `threshold`, scoring answers 429 with Retry-After at once (cheap, so the backlog drains), and
/// recovers as soon as a probe runs on time.
public final class LoadMonitor: Sendable {
    /// The lag past which scoring is refused.
    public let threshold: Duration
    let loops: [any EventLoop]
    let clock: @Sendable () -> UInt64
    /// Per loop: when its unanswered probe was handed over (nil: none), and the lag of its last probe.
    private let state: NIOLockedValueBox<[(pending: UInt64?, lag: UInt64)]>

    /// The servers' own loops (Hummingbird runs on NIO's shared group).
    public convenience init(threshold: Duration) {
        self.init(loops: MultiThreadedEventLoopGroup.singleton, threshold: threshold)
    }

    /// `clock`: nanoseconds on a monotonic clock (tests give their own).
    public init(loops: some EventLoopGroup, threshold: Duration = .milliseconds(500),
                clock: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }) {
        self.loops = Array(loops.makeIterator())
        self.threshold = threshold
        self.clock = clock
        state = NIOLockedValueBox(Array(repeating: (nil, 0), count: self.loops.count))
    }

    /// Hands a probe to every loop that has none waiting.
    public func probe() {
        let now = clock()
        for (k, loop) in loops.enumerated() {
            let send = state.withLockedValue { s -> Bool in
                guard s[k].pending == nil else { return false }
                s[k].pending = now
                return true
            }
            guard send else { continue }
            loop.execute { [self] in
                let ran = clock()
                state.withLockedValue { s in
                    if let sent = s[k].pending { s[k].lag = ran >= sent ? ran - sent : 0 }
                    s[k].pending = nil
                }
            }
        }
    }

    /// The worst lag now: a probe still waiting counts for as long as it has waited.
    public func lag() -> Duration {
        let now = clock()
        let worst = state.withLockedValue { s in
            s.map { loop in max(loop.lag, loop.pending.map { now >= $0 ? now - $0 : 0 } ?? 0) }.max() ?? 0
        }
        return .nanoseconds(Int64(min(worst, UInt64(Int64.max))))
    }

    /// Whole milliseconds of a duration.
    public static func millis(_ d: Duration) -> Int64 { d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000 }

    /// Whether scoring should be refused now.
    public func overloaded() -> Bool { lag() > threshold }

    /// Probes every `interval` until cancelled (the server's background task).
    public func run(every interval: Duration = .milliseconds(100)) async {
        while !Task.isCancelled {
            probe()
            try? await Task.sleep(for: interval)
        }
    }
}
