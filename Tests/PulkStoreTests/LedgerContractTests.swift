import Foundation
import Testing
@testable import PulkSQL
@testable import PulkStore

/// One migration ledger and one upgrade policy on every backend (`Ledger`).
@Suite("Schema ledger contract")
struct LedgerContractTests {
    static let backends = StoreBackend.available
    static let ids = StoreSchema.tracking.migrations.map(\.id)

    @Test("A new database is created at the current schema; opening again changes nothing", arguments: backends)
    func create(backend: StoreBackend) async throws {
        let db = try await backend.database()
        #expect(try await Ledger.open(StoreSchema.tracking, in: db, upgrade: false, upgradeHint: "") == .created)
        #expect(try await Ledger.open(StoreSchema.tracking, in: db, upgrade: false, upgradeHint: "") == .current)
        #expect(try await Ledger.pending(StoreSchema.tracking, in: db).isEmpty)
    }

    @Test("A database at each earlier schema is refused with the hint, then upgraded in one step and usable",
          arguments: backends.flatMap { b in ids.dropLast().map { (b, $0) } })
    func upgrade(backend: StoreBackend, from id: String) async throws {
        let db = try await backend.database()
        try await Ledger.build(StoreSchema.tracking, in: db, through: id)
        let missing = Array(Self.ids.drop { $0 != id }.dropFirst())
        #expect(try await Ledger.pending(StoreSchema.tracking, in: db) == missing)
        await #expect { _ = try await SQLTrackingStore.open(db, upgradeHint: "Run the upgrade.") } throws: {
            let e = $0 as? StoreError
            return e?.code == .invalidState && e!.message.contains("Run the upgrade.") && e!.message.contains(missing.last!)
        }
        #expect(try await Ledger.pending(StoreSchema.tracking, in: db) == missing, "a refusal changes nothing")
        #expect(try await Ledger.open(StoreSchema.tracking, in: db, upgrade: true, upgradeHint: "") == .upgraded(missing))
        let store = try await SQLTrackingStore.open(db)
        let run = try await store.createRun(experimentId: "0", userId: "u", startTime: 1, runName: "r", tags: [])
        try await store.logMetric(runId: run.info.runId, Metric("m", 2, timestamp: 1))
        #expect(try await store.run(id: run.info.runId).metrics.map(\.value) == [2])
    }

    @Test("A database a newer pulk changed is refused, even with upgrade", arguments: backends)
    func newer(backend: StoreBackend) async throws {
        let db = try await backend.database()
        try await Ledger.open(StoreSchema.tracking, in: db, upgrade: false, upgradeHint: "")
        try await db.write { s throws(StoreError) in try s.execute("INSERT INTO pulk_store_migrations (id) VALUES ('2099-01-01-future')", []) }
        for upgrade in [false, true] {
            await #expect { try await Ledger.open(StoreSchema.tracking, in: db, upgrade: upgrade, upgradeHint: "") } throws: {
                "\($0)".contains("newer pulk") && "\($0)".contains("2099-01-01-future")
            }
        }
    }

    @Test("Openers of a new database at once: one creates it, the others find it current", arguments: backends)
    func concurrentOpeners(backend: StoreBackend) async throws {
        let db = try await backend.database()
        let outcomes = try await withThrowingTaskGroup(of: Ledger.Outcome.self) { group in
            for _ in 0..<4 { group.addTask { try await Ledger.open(StoreSchema.tracking, in: db, upgrade: false, upgradeHint: "") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .created }.count == 1 && outcomes.filter { $0 == .current }.count == 3)
    }
}
