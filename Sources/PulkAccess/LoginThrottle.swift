import Foundation

/// Slows password guessing: after `freeFailures` wrong passwords in a row for one user name, further
/// password attempts for that name are refused unchecked (429, with the seconds to wait) for a
/// time that doubles with each failure, up to `maxBlockMillis`; a right password resets it. Tokens
/// are not throttled (256 random bits cannot be guessed). Kept in memory: a restart forgets it.
public final class LoginThrottle: @unchecked Sendable {
    public let freeFailures: Int
    public let maxBlockMillis: Int64
    private let lock = NSLock()
    private var failures: [String: (count: Int, blockedUntil: Int64)] = [:]

    public init(freeFailures: Int = 5, maxBlockMillis: Int64 = 300_000) {
        self.freeFailures = freeFailures
        self.maxBlockMillis = maxBlockMillis
    }

    /// Milliseconds until `user` may try a password again; 0 when now.
    public func wait(_ user: String, now: Int64) -> Int64 {
        lock.withLock { max(0, (failures[user]?.blockedUntil ?? 0) - now) }
    }

    /// Records a wrong password for `user`.
    public func failed(_ user: String, now: Int64) {
        lock.withLock {
            if failures.count > 100_000 { failures = failures.filter { $0.value.blockedUntil > now } }
            var f = failures[user] ?? (0, 0)
            f.count += 1
            if f.count >= freeFailures {
                let doublings = min(f.count - freeFailures, 20)
                f.blockedUntil = now + min(maxBlockMillis, 1_000 << Int64(doublings))
            }
            failures[user] = f
        }
    }

    /// Records a right password for `user`.
    public func succeeded(_ user: String) {
        _ = lock.withLock { failures.removeValue(forKey: user) }
    }
}
