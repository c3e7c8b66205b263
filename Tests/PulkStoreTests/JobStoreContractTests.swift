import Foundation
import Testing
@testable import PulkSQL
@testable import PulkStore

/// Background jobs: the same life on every backend.
@Suite("Job store contract")
struct JobStoreContractTests {
    static let backends = StoreBackend.available

    @Test("queued → running → finished, with progress and result kept", arguments: backends)
    func lifecycle(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.oldestQueuedJob(kind: "automl") == nil)
        let job = try await store.createJob(kind: "automl", user: "ada", request: #"{"target":"y"}"#)
        let later = try await store.createJob(kind: "automl", user: "ada", request: "{}")
        _ = try await store.createJob(kind: "scoring", user: "ada", request: "{}")
        #expect(try await store.oldestQueuedJob(kind: "automl")?.id == job.id)
        #expect(job.status == .queued && job.progress == "{}" && job.result == "{}" && job.startTime == nil && !job.cancelRequested)
        #expect(try await store.job(id: job.id) == job)

        let started = try await store.startJob(id: job.id)
        #expect(started.status == .running && started.startTime != nil)
        #expect(try await store.oldestQueuedJob(kind: "automl")?.id == later.id)
        // A second worker cannot take it too.
        await #expect(throws: StoreError(.invalidState, "Cannot start job \(job.id): it is running, not queued.")) { _ = try await store.startJob(id: job.id) }

        let updated = try await store.setJobProgress(id: job.id, progress: #"{"trials":3}"#)
        #expect(updated.progress == #"{"trials":3}"# && updated.lastUpdatedTime > started.lastUpdatedTime)
        let ended = try await store.endJob(id: job.id, status: .finished, result: #"{"run_id":"r1"}"#, error: nil)
        #expect(ended.status == .finished && ended.result == #"{"run_id":"r1"}"# && ended.endTime != nil && ended.progress == #"{"trials":3}"#)
        #expect(try await store.job(id: job.id) == ended)

        // An ended job changes no more.
        await #expect(throws: StoreError.self) { _ = try await store.setJobProgress(id: job.id, progress: "{}") }
        await #expect(throws: StoreError.self) { _ = try await store.endJob(id: job.id, status: .failed, result: "{}", error: "x") }
        await #expect(throws: StoreError.self) { _ = try await store.cancelJob(id: job.id) }
        // Progress of a job that has not started is refused.
        let other = try await store.createJob(kind: "automl", user: "ada", request: "{}")
        await #expect(throws: StoreError.self) { _ = try await store.setJobProgress(id: other.id, progress: "{}") }
        await #expect(throws: StoreError.self) { _ = try await store.endJob(id: other.id, status: .finished, result: "{}", error: nil) }
    }

    @Test("Cancelling: a queued job at once, a running one by its worker", arguments: backends)
    func cancelling(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let queued = try await store.createJob(kind: "automl", user: "ada", request: "{}")
        let cancelled = try await store.cancelJob(id: queued.id)
        #expect(cancelled.status == .cancelled && cancelled.endTime != nil && cancelled.error != nil)
        await #expect(throws: StoreError.self) { _ = try await store.startJob(id: queued.id) }

        let running = try await store.createJob(kind: "automl", user: "ada", request: "{}")
        _ = try await store.startJob(id: running.id)
        let asked = try await store.cancelJob(id: running.id)
        #expect(asked.status == .running && asked.cancelRequested)
        // The worker sees the request with its next progress, then ends the job.
        #expect(try await store.setJobProgress(id: running.id, progress: "{}").cancelRequested)
        let ended = try await store.endJob(id: running.id, status: .cancelled, result: "{}", error: "cancelled")
        #expect(ended.status == .cancelled)
        await #expect(throws: StoreError.self) { _ = try await store.job(id: "missing") }
        await #expect(throws: StoreError.self) { _ = try await store.cancelJob(id: "missing") }
        await #expect(throws: StoreError.self) { _ = try await store.endJob(id: running.id, status: .running, result: "{}", error: nil) }
    }

    @Test("Jobs a stopped worker left running fail once stale; live ones stay", arguments: backends)
    func staleJobs(backend: StoreBackend) async throws {
        let clock = TestClock()
        let store = try await backend.make(clock)
        let left = try await store.createJob(kind: "automl", user: "ada", request: "{}")
        _ = try await store.startJob(id: left.id)
        let other = try await store.createJob(kind: "scoring", user: "ada", request: "{}")
        _ = try await store.startJob(id: other.id)
        clock.advance(60_000)
        let live = try await store.createJob(kind: "automl", user: "ada", request: "{}")
        _ = try await store.startJob(id: live.id)
        let queued = try await store.createJob(kind: "automl", user: "ada", request: "{}")

        let failed = try await store.failStaleJobs(kind: "automl", updatedBefore: clock.now() - 30_000, reason: "the server stopped")
        #expect(failed.map(\.id) == [left.id] && failed[0].status == .failed && failed[0].error == "the server stopped")
        #expect(try await store.job(id: live.id).status == .running)
        #expect(try await store.job(id: other.id).status == .running)
        #expect(try await store.job(id: queued.id).status == .queued)
    }

    @Test("Listing: newest first, by kind, in pages", arguments: backends)
    func listing(backend: StoreBackend) async throws {
        let store = try await backend.make()
        var ids: [String] = []
        for i in 0..<5 { ids.append(try await store.createJob(kind: i.isMultiple(of: 2) ? "automl" : "scoring", user: "ada", request: "{}").id) }
        let first = try await store.listJobs(kind: nil, maxResults: 3, pageToken: nil)
        let rest = try await store.listJobs(kind: nil, maxResults: 3, pageToken: try #require(first.nextPageToken))
        #expect((first.items + rest.items).map(\.id) == ids.reversed() && rest.nextPageToken == nil)
        #expect(try await store.listJobs(kind: "automl", maxResults: nil, pageToken: nil).items.map(\.id) == [ids[4], ids[2], ids[0]])
        await #expect(throws: StoreError.self) { _ = try await store.listJobs(kind: nil, maxResults: 0, pageToken: nil) }
        await #expect(throws: StoreError.self) { _ = try await store.listJobs(kind: nil, maxResults: 1001, pageToken: nil) }
        await #expect(throws: StoreError.self) { _ = try await store.createJob(kind: "", user: "ada", request: "{}") }
    }
}
