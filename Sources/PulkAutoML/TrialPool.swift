import Dispatch
import Foundation
import PulkFrame
import PulkLearn

/// A trial launched and not yet ended.
struct Pending {
    var learner: Int
    var point: [Double]
    var parameters: [String: String]
    var key: String
    /// On the search's clock.
    var start: Double
    /// When the search stops waiting for it, in real time.
    var deadline: DispatchTime
    /// Training rows per fold (a sample of large data).
    var rows: Int
    /// A measurement of the current point on a larger sample, not a move.
    var remeasure: Bool
}

/// Trials running on worker threads, each with its share of the cores; the search takes their
/// results as they end. A trial the search stopped waiting for finishes on its own, unread.
final class TrialPool: @unchecked Sendable {
    private let lock = NSLock()
    private var ended: [(Int, Result<AutoMLSearch.Measured, LearnError>)] = []
    private let signal = DispatchSemaphore(value: 0)

    func launch(slot: Int, threads: Int, _ body: @escaping () throws(LearnError) -> AutoMLSearch.Measured) {
        let work = Abandonable.Work(body: body)
        DispatchQueue.global(qos: .userInitiated).async {
            let result = withThreadBudget(threads) { Result { () throws(LearnError) in try work.body() } }
            self.lock.lock()
            self.ended.append((slot, result))
            self.lock.unlock()
            self.signal.signal()
        }
    }

    /// The next trial to end, or nil when `deadline` passed or `cancelled` came first (waited for
    /// in real time, so that an injected clock is read only by the search).
    func next(until deadline: DispatchTime, cancelled: () -> Bool) -> (Int, Result<AutoMLSearch.Measured, LearnError>)? {
        guard Abandonable.wait(for: signal, until: deadline, cancelled: cancelled) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return ended.removeFirst()
    }
}

/// Work on a worker thread that the search can stop waiting for: when the budget runs out or the
/// search is cancelled first, it is abandoned (its thread finishes on its own; its result is
/// dropped). A trial, or the ensemble's planning.
enum Abandonable {
    final class Slot<T>: @unchecked Sendable {
        var result: Result<T, LearnError>?
        let done = DispatchSemaphore(value: 0)
    }

    struct Work<T>: @unchecked Sendable {
        let body: () throws(LearnError) -> T
    }

    /// The work's result, or nil when `seconds` passed or `cancelled` came first.
    static func run<T>(within seconds: Double, cancelled: @Sendable () -> Bool, _ body: @escaping () throws(LearnError) -> T) -> Result<T, LearnError>? {
        let slot = Slot<T>()
        let work = Work(body: body)
        DispatchQueue.global(qos: .userInitiated).async {
            slot.result = Result { () throws(LearnError) in try work.body() }
            slot.done.signal()
        }
        // Waited for in real time, so that an injected clock is read only by the search itself.
        return wait(for: slot.done, until: DispatchTime.now() + max(seconds, 0), cancelled: cancelled) ? slot.result : nil
    }

    /// Waits for `semaphore` until `deadline`, looking at `cancelled` every 50 ms: true when it was
    /// signalled, false when the deadline or the cancellation came first.
    static func wait(for semaphore: DispatchSemaphore, until deadline: DispatchTime, cancelled: () -> Bool) -> Bool {
        while true {
            if semaphore.wait(timeout: min(.now() + .milliseconds(50), deadline)) == .success { return true }
            if cancelled() || DispatchTime.now() >= deadline { return false }
        }
    }
}
