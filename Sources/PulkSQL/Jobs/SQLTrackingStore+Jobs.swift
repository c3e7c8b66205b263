public import PulkStore
import Foundation

extension SQLTrackingStore: JobStore {
    static let jobColumns = "job_id, kind, status, user_name, request, progress, result, error, cancel_requested, creation_time, start_time, end_time, last_updated_time"

    static func job(_ row: SQLRow) -> Job {
        Job(id: row[0].text ?? "", kind: row[1].text ?? "", status: Job.Status(rawValue: row[2].text ?? "") ?? .failed, user: row[3].text ?? "",
            request: row[4].text ?? "{}", progress: row[5].text ?? "{}", result: row[6].text ?? "{}", error: row[7].text,
            cancelRequested: (row[8].int ?? 0) != 0, creationTime: row[9].int ?? 0, startTime: row[10].int, endTime: row[11].int,
            lastUpdatedTime: row[12].int ?? 0)
    }

    public func createJob(kind: String, user: String, request: String) async throws(StoreError) -> Job {
        guard !kind.isEmpty, kind.count <= 64 else { throw .invalid("A job's kind is 1 to 64 characters, e.g. automl") }
        let job = Job(id: newRunId(), kind: kind, status: .queued, user: user, request: request, creationTime: now())
        try await db.write { s throws(StoreError) in
            try s.execute("INSERT INTO jobs (\(Self.jobColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, NULL, NULL, ?)",
                          .text(job.id), .text(kind), .text(job.status.rawValue), .text(user), .text(request), .text(job.progress), .text(job.result),
                          .int(job.creationTime), .int(job.lastUpdatedTime))
        }
        return job
    }

    public func job(id: String) async throws(StoreError) -> Job {
        let rows = try await db.read { s throws(StoreError) in try s.query("SELECT \(Self.jobColumns) FROM jobs WHERE job_id = ?", .text(id)) }
        guard let row = rows.first else { throw .notFound("Job \(id.prefix(80)) not found.") }
        return Self.job(row)
    }

    public func listJobs(kind: String?, maxResults: Int?, pageToken: String?) async throws(StoreError) -> Page<Job> {
        let limit = maxResults ?? 100
        guard (1...1000).contains(limit) else { throw .invalid("max_results must be between 1 and 1000, got \(limit)") }
        let offset = try pageToken.map(Self.decodeOffset) ?? 0
        let rows = try await db.read { s throws(StoreError) in
            let order = "ORDER BY creation_time DESC, job_id LIMIT \(limit + 1) OFFSET \(offset)"
            if let kind { return try s.query("SELECT \(Self.jobColumns) FROM jobs WHERE kind = ? \(order)", .text(kind)) }
            return try s.query("SELECT \(Self.jobColumns) FROM jobs \(order)")
        }
        return Page(items: rows.prefix(limit).map(Self.job), nextPageToken: rows.count > limit ? Self.encodeOffset(offset + limit) : nil)
    }

    public func oldestQueuedJob(kind: String) async throws(StoreError) -> Job? {
        let rows = try await db.read { s throws(StoreError) in
            try s.query("SELECT \(Self.jobColumns) FROM jobs WHERE kind = ? AND status = 'queued' ORDER BY creation_time, job_id LIMIT 1", .text(kind))
        }
        return rows.first.map(Self.job)
    }

    /// Runs `update` on the job when it is in one of `from`, in one statement (so two workers never
    /// both win), and answers the job as it is after; INVALID_STATE naming its status otherwise.
    private func transition(_ id: String, from: [Job.Status], doing: String, set: String, _ binds: [SQLValue]) async throws(StoreError) -> Job {
        let states = from.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let rows = try await db.write { s throws(StoreError) in
            try s.query("UPDATE jobs SET \(set) WHERE job_id = ? AND status IN (\(states)) RETURNING \(Self.jobColumns)", binds + [.text(id)])
        }
        if let row = rows.first { return Self.job(row) }
        let current = try await job(id: id)
        throw StoreError(.invalidState, "Cannot \(doing) job \(id): it is \(current.status.rawValue)\(from.count == 1 ? ", not \(from[0].rawValue)" : "").")
    }

    public func startJob(id: String) async throws(StoreError) -> Job {
        let t = now()
        return try await transition(id, from: [.queued], doing: "start", set: "status = 'running', start_time = ?, last_updated_time = ?", [.int(t), .int(t)])
    }

    public func setJobProgress(id: String, progress: String) async throws(StoreError) -> Job {
        try await transition(id, from: [.running], doing: "update", set: "progress = ?, last_updated_time = ?", [.text(progress), .int(now())])
    }

    public func endJob(id: String, status: Job.Status, result: String, error: String?) async throws(StoreError) -> Job {
        guard status.isDone else { throw .invalid("A job ends as finished, failed or cancelled, not \(status.rawValue)") }
        let t = now()
        return try await transition(id, from: [.running], doing: "end", set: "status = ?, result = ?, error = ?, end_time = ?, last_updated_time = ?",
                                    [.text(status.rawValue), .text(result), error.map(SQLValue.text) ?? .null, .int(t), .int(t)])
    }

    public func cancelJob(id: String) async throws(StoreError) -> Job {
        let t = now()
        let rows = try await db.write { s throws(StoreError) in
            let queued = try s.query("""
                UPDATE jobs SET status = 'cancelled', error = 'cancelled before it started', end_time = ?, last_updated_time = ?
                WHERE job_id = ? AND status = 'queued' RETURNING \(Self.jobColumns)
                """, .int(t), .int(t), .text(id))
            if !queued.isEmpty { return queued }
            return try s.query("UPDATE jobs SET cancel_requested = 1 WHERE job_id = ? AND status = 'running' RETURNING \(Self.jobColumns)", .text(id))
        }
        if let row = rows.first { return Self.job(row) }
        let current = try await job(id: id)
        throw StoreError(.invalidState, "Cannot cancel job \(id): it has already \(current.status == .cancelled ? "been cancelled" : current.status.rawValue).")
    }

    public func failStaleJobs(kind: String, updatedBefore: Int64, reason: String) async throws(StoreError) -> [Job] {
        let t = now()
        let rows = try await db.write { s throws(StoreError) in
            try s.query("""
                UPDATE jobs SET status = 'failed', error = ?, end_time = ?, last_updated_time = ?
                WHERE kind = ? AND status = 'running' AND last_updated_time < ? RETURNING \(Self.jobColumns)
                """, .text(reason), .int(t), .int(t), .text(kind), .int(updatedBefore))
        }
        return rows.map(Self.job).sorted { $0.creationTime < $1.creationTime }
    }
}
