public import PulkStore
import Foundation
import GRDB

/// Group commit for `--durability full`: writes that arrive while a commit is in progress wait and
/// then run together in one transaction, each inside its own savepoint (a failing write is rolled
/// back alone and reported alone), and the whole group is acknowledged after one fsynced commit.
/// One writer pays one fsync; a hundred concurrent writers pay one fsync between them.
final class GroupCommit: @unchecked Sendable {
    /// A queued write: runs its body inside the group's transaction, then hears whether the group committed.
    final class Item {
        let run: (Database) -> Void
        let finish: (StoreError?) -> Void
        init(run: @escaping (Database) -> Void, finish: @escaping (StoreError?) -> Void) { self.run = run; self.finish = finish }
    }

    private let pool: DatabasePool
    private let lock = NSLock()
    private var pending: [Item] = []
    private var draining = false
    private let queue = DispatchQueue(label: "pulk.store.group-commit")
    private var sizes: [Int] = []
    private var held = false

    /// The size of each committed group, for tests and metrics.
    var groupSizes: [Int] { lock.lock(); defer { lock.unlock() }; return sizes }

    /// Tests: queue writes without committing until `release()`, so a group's contents are known.
    func hold() { lock.lock(); held = true; lock.unlock() }
    func release() {
        lock.lock()
        held = false
        let start = !draining && !pending.isEmpty
        if start { draining = true }
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    /// How many writes are waiting.
    var waiting: Int { lock.lock(); defer { lock.unlock() }; return pending.count }

    init(pool: DatabasePool) { self.pool = pool }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            var outcome: Result<T, StoreError>?
            let item = Item(run: { db in
                do {
                    try db.execute(sql: "SAVEPOINT pulk_write")
                    do {
                        let v = try body(SQLiteDatabase.Session(db: db))
                        try db.execute(sql: "RELEASE SAVEPOINT pulk_write")
                        outcome = .success(v)
                    } catch let e as StoreError {
                        try db.execute(sql: "ROLLBACK TO SAVEPOINT pulk_write")
                        try db.execute(sql: "RELEASE SAVEPOINT pulk_write")
                        outcome = .failure(e)
                    }
                } catch {
                    outcome = .failure(SQLiteDatabase.Session.map(error))
                }
            }, finish: { commitError in
                if let commitError, case .success = outcome { continuation.resume(returning: .failure(commitError)); return }
                continuation.resume(returning: outcome ?? .failure(StoreError(.internalError, "a grouped write did not run")))
            })
            enqueue(item)
        }
        return try result.get()
    }

    private func enqueue(_ item: Item) {
        lock.lock()
        pending.append(item)
        let start = !draining && !held
        if start { draining = true }
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    /// Commits groups until nothing is waiting.
    private func drain() {
        while true {
            lock.lock()
            let group = pending
            pending = []
            if group.isEmpty { draining = false; lock.unlock(); return }
            sizes.append(group.count)
            lock.unlock()
            var failure: StoreError?
            do { try pool.write { db in for item in group { item.run(db) } } } catch {
                failure = (error as? StoreError) ?? SQLiteDatabase.Session.map(error)
            }
            for item in group { item.finish(failure) }
        }
    }
}
