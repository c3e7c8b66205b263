import Foundation
import Testing
@testable import PulkSQL
@testable import PulkStore

/// Users, tokens, sessions, grants and the audit trail: the same contract on every backend.
@Suite("Access and audit store contract")
struct AccessStoreContractTests {
    static let backends = StoreBackend.available

    @Test(arguments: backends)
    func users(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.userCount() == 0)
        let ana = try await store.createUser(name: "ana", passwordHash: "h1", role: .admin)
        #expect(ana.role == .admin && ana.name == "ana")
        await #expect(throws: StoreError.self) { _ = try await store.createUser(name: "ana", passwordHash: "h", role: .reader) }
        for bad in ["", "has space", String(repeating: "x", count: 65), "semi;colon"] {
            await #expect(throws: StoreError.self, "\(bad)") { _ = try await store.createUser(name: bad, passwordHash: "h", role: .reader) }
        }
        _ = try await store.createUser(name: "bo", passwordHash: "h2", role: .reader)
        #expect(try await store.users().map(\.name) == ["ana", "bo"])
        #expect(try await store.credentials(user: "bo")?.passwordHash == "h2")
        #expect(try await store.credentials(user: "nobody") == nil)

        // A new password ends the user's sessions; a role change keeps them.
        try await store.createSession(secretHash: "s1", user: "bo", expiresTime: Int64.max)
        #expect(try await store.updateUser(name: "bo", role: .deployer, passwordHash: nil).role == .deployer)
        #expect(try await store.session(secretHash: "s1")?.user == "bo")
        _ = try await store.updateUser(name: "bo", role: nil, passwordHash: "h3")
        #expect(try await store.session(secretHash: "s1") == nil)
        #expect(try await store.credentials(user: "bo")?.passwordHash == "h3")
        await #expect(throws: StoreError.self) { _ = try await store.updateUser(name: "nobody", role: .admin, passwordHash: nil) }

        // Deleting a user revokes their tokens and drops their sessions and grants.
        let t = try await store.createToken(user: "bo", name: "ci", secretHash: "th", expiresTime: nil)
        try await store.createSession(secretHash: "s2", user: "bo", expiresTime: Int64.max)
        try await store.setGrant(Grant(user: "bo", kind: .experiment, resource: "1", permission: .edit))
        try await store.deleteUser(name: "bo")
        #expect(try await store.token(secretHash: "th")?.revokedTime != nil)
        #expect(try await store.session(secretHash: "s2") == nil)
        #expect(try await store.grants(user: "bo").isEmpty)
        #expect(try await store.userCount() == 1)
        _ = t
    }

    @Test(arguments: backends)
    func tokensSessionsAndGrants(backend: StoreBackend) async throws {
        let clock = TestClock()
        let store = try await backend.make(clock)
        _ = try await store.createUser(name: "ana", passwordHash: "h", role: .contributor)
        await #expect(throws: StoreError.self) { _ = try await store.createToken(user: "nobody", name: "x", secretHash: "a", expiresTime: nil) }
        await #expect(throws: StoreError.self) { _ = try await store.createToken(user: "ana", name: "", secretHash: "a", expiresTime: nil) }
        let a = try await store.createToken(user: "ana", name: "laptop", secretHash: "ha", expiresTime: nil)
        let b = try await store.createToken(user: "ana", name: "ci", secretHash: "hb", expiresTime: 5)
        #expect(a.id != b.id && a.id.hasPrefix("tok-"))
        #expect(try await store.token(secretHash: "ha") == a)
        #expect(try await store.token(secretHash: "nope") == nil)
        #expect(try await store.tokens(user: "ana").map(\.id) == [b.id, a.id])
        #expect(b.isActive(at: 4) && !b.isActive(at: 5))
        let revoked = try await store.revokeToken(id: a.id)
        #expect(revoked.revokedTime != nil && !revoked.isActive(at: 0))
        await #expect(throws: StoreError.self) { _ = try await store.revokeToken(id: "tok-none") }

        // Sessions expire by the store's clock.
        try await store.createSession(secretHash: "live", user: "ana", expiresTime: clock.now() + 1_000_000)
        try await store.createSession(secretHash: "old", user: "ana", expiresTime: clock.now() - 1)
        #expect(try await store.session(secretHash: "live")?.user == "ana")
        #expect(try await store.session(secretHash: "old") == nil)
        try await store.deleteSession(secretHash: "live")
        #expect(try await store.session(secretHash: "live") == nil)

        try await store.setGrant(Grant(user: "ana", kind: .experiment, resource: "7", permission: .read))
        try await store.setGrant(Grant(user: "ana", kind: .experiment, resource: "7", permission: .manage))
        try await store.setGrant(Grant(user: "ana", kind: .registeredModel, resource: "churn", permission: .none))
        #expect(try await store.grant(user: "ana", kind: .experiment, resource: "7") == .manage)
        #expect(try await store.grant(user: "ana", kind: .registeredModel, resource: "churn") == Permission.none)
        #expect(try await store.grant(user: "ana", kind: .endpoint, resource: "churn") == nil)
        #expect(try await store.grants(user: nil).count == 2)
        try await store.deleteGrant(user: "ana", kind: .experiment, resource: "7")
        await #expect(throws: StoreError.self) { try await store.deleteGrant(user: "ana", kind: .experiment, resource: "7") }
        await #expect(throws: StoreError.self) { try await store.setGrant(Grant(user: "nobody", kind: .endpoint, resource: "e", permission: .use)) }
    }

    @Test(arguments: backends)
    func auditChain(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.verifyAudit() == AuditVerification(entries: 0, firstBroken: nil, problem: nil, head: AuditEntry.genesis))
        let first = try await store.appendAudit(AuditRecord(actor: "ana", action: "experiments/create", resourceKind: "experiment", resource: "1",
                                                           after: #"{"name":"churn"}"#))
        #expect(first.sequence == 1 && first.previousHash == AuditEntry.genesis && first.isSelfConsistent)
        // Concurrent appends still form one chain.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<24 {
                group.addTask { try await store.appendAudit(AuditRecord(actor: "u\(i % 3)", action: "runs/log-batch", resourceKind: "run", resource: "r\(i)")) }
            }
            try await group.waitForAll()
        }
        let v = try await store.verifyAudit()
        #expect(v.intact && v.entries == 25)
        let all = try await store.auditEntries(after: 0, limit: 100, actor: nil, resource: nil)
        #expect(all.map(\.sequence) == Array(1...25))
        #expect(v.head == all.last?.hash)
        #expect(try await store.auditEntries(after: 0, limit: 100, actor: "u1", resource: nil).count == 8)
        #expect(try await store.auditEntries(after: 0, limit: 100, actor: nil, resource: "1").map(\.action) == ["experiments/create"])
        #expect(try await store.auditEntries(after: 20, limit: 3, actor: nil, resource: nil).map(\.sequence) == [21, 22, 23])
        await #expect(throws: StoreError.self) { _ = try await store.auditEntries(after: 0, limit: 0, actor: nil, resource: nil) }

        // Tampering shows: an entry's text changed, then an entry removed.
        let actor5 = all[4].actor
        try await store.db.write { s throws(StoreError) in try s.execute("UPDATE audit_log SET actor = 'mallory' WHERE sequence = 5") }
        let changed = try await store.verifyAudit()
        #expect(changed.firstBroken == 5 && changed.entries == 4 && changed.problem?.contains("changed") == true)
        try await store.db.write { s throws(StoreError) in
            try s.execute("UPDATE audit_log SET actor = ? WHERE sequence = 5", .text(actor5))
            try s.execute("DELETE FROM audit_log WHERE sequence = 9")
        }
        let cut = try await store.verifyAudit()
        #expect(cut.firstBroken == 10 && cut.problem?.contains("missing") == true, "\(cut)")
    }

    @Test("A pending audit record commits with the data it records, and not without it", arguments: backends)
    func auditWithTheChange(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let exp = try await store.createExperiment(name: "audited", artifactLocation: nil, tags: [])
        let run = try await store.createRun(experimentId: exp, userId: "ana", startTime: 1, runName: nil, tags: [])
        let record = AuditRecord(actor: "ana", action: "runs/log-batch", resourceKind: "run", resource: run.info.runId, after: "batch")
        // Written in the batch's transaction: taken, so the caller appends nothing more.
        let pending = PendingAudit(record)
        try await PendingAudit.$current.withValue(pending) {
            try await store.logBatch(runId: run.info.runId, metrics: [Metric("loss", 1, timestamp: 1)], params: [Param("p", "a")], tags: [])
        }
        #expect(pending.take() == nil)
        let entries = try await store.auditEntries(after: 0, limit: 10, actor: nil, resource: nil)
        #expect(entries.map(\.action) == ["runs/log-batch"] && entries.first?.after == "batch")
        // A batch whose transaction fails (a logged param changed) writes neither its data nor its entry,
        // and hands the record back.
        let failing = PendingAudit(record)
        await #expect(throws: StoreError.self) {
            try await PendingAudit.$current.withValue(failing) {
                try await store.logBatch(runId: run.info.runId, metrics: [Metric("loss", 2, timestamp: 2, step: 1)], params: [Param("p", "b")], tags: [])
            }
        }
        #expect(failing.take() == record)
        #expect(try await store.auditEntries(after: 0, limit: 10, actor: nil, resource: nil).count == 1)
        #expect(try await store.verifyAudit().intact)
        #expect(try await store.metricHistory(runId: run.info.runId, key: "loss", maxResults: nil, pageToken: nil).items.count == 1)
    }

    @Test("The chain hash covers every field, length-prefixed")
    func chainHash() {
        let base = AuditEntry.chainHash(previous: AuditEntry.genesis, sequence: 1, time: 2, actor: "ab", action: "c", resourceKind: "k", resource: "r", before: "", after: "")
        #expect(base.count == 64)
        // Moving a character between fields changes the hash.
        #expect(base != AuditEntry.chainHash(previous: AuditEntry.genesis, sequence: 1, time: 2, actor: "a", action: "bc", resourceKind: "k", resource: "r", before: "", after: ""))
        #expect(base != AuditEntry.chainHash(previous: AuditEntry.genesis, sequence: 1, time: 3, actor: "ab", action: "c", resourceKind: "k", resource: "r", before: "", after: ""))
        #expect(base == AuditEntry.chainHash(previous: AuditEntry.genesis, sequence: 1, time: 2, actor: "ab", action: "c", resourceKind: "k", resource: "r", before: "", after: ""))
    }
}
