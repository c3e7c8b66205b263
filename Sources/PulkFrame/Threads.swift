import Foundation

/// The number of worker threads to use by default: the machine's active cores (read once: on Linux
/// each read of the count opens a file under /sys, which a scoring request should not pay for), or
/// fewer inside `withThreadBudget` on this thread.
public func defaultThreadCount() -> Int {
    if let budget = Thread.current.threadDictionary[threadBudgetKey] as? Int { return min(max(budget, 1), activeCores) }
    return activeCores
}

private let threadBudgetKey = "pulk.threadBudget"

/// Runs `body` with `defaultThreadCount()` at most `threads` on this thread: AutoML gives each of the
/// trials it runs side by side its share of the cores.
public func withThreadBudget<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
    let dictionary = Thread.current.threadDictionary
    let previous = dictionary[threadBudgetKey]
    dictionary[threadBudgetKey] = threads
    defer { dictionary[threadBudgetKey] = previous }
    return try body()
}

private let activeCores = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Runs `body(i)` for `i` in `0..<count` on up to `threads` cores and waits.
public func parallelFor(_ count: Int, threads: Int = defaultThreadCount(), _ body: @Sendable (Int) -> Void) {
    if count <= 1 || threads <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

/// A pointer shared with worker threads that each write disjoint elements.
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// A fixed-size array of results, one slot per parallel task, each written by exactly one task.
public final class ResultSlots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    public let count: Int
    public init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: nil, count: count)
    }
    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
    public subscript(i: Int) -> T? {
        get { base[i] }
        set { base[i] = newValue }
    }
    /// All slots in order.
    public var values: [T?] { (0..<count).map { base[$0] } }
}

/// Hands a value to parallel tasks that each touch a disjoint part of it (the caller guarantees it).
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
