public import PulkStore
import Foundation
public import PulkEndpoints

/// Monitors over the tracking store's database: a row per monitor (its settings as JSON, its
/// schedule and pause in columns the scheduler queries), and a row per computed window.
extension SQLTrackingStore: MonitorStore {
    static let monitorRunColumns = "run_id, monitor, window_start, window_end, time, status, rows_compared, dataset_drift, drifted_share, columns, report, message, tracking_run_id, performance, alerts"

    static func monitor(_ row: SQLRow) throws(StoreError) -> Monitor {
        var m = try decode(Monitor.self, row[0].text, "monitor")
        m.paused = (row[1].int ?? 0) != 0
        m.nextRunTime = row[2].int ?? 0
        return m
    }

    static func monitorRun(_ r: SQLRow) -> MonitorRun {
        MonitorRun(id: r[0].text ?? "", monitor: r[1].text ?? "", windowStart: r[2].int ?? 0, windowEnd: r[3].int ?? 0, time: r[4].int ?? 0,
                   status: MonitorRun.Status(rawValue: r[5].text ?? "") ?? .failed, rows: Int(r[6].int ?? 0), datasetDrift: (r[7].int ?? 0) != 0,
                   driftedShare: r[8].double ?? 0, columns: r[9].text ?? "[]", report: r[10].text ?? "{}", message: r[11].text,
                   trackingRunId: r[12].text, performance: r[13].text ?? "{}", alerts: r[14].text ?? "[]")
    }

    public func createMonitor(_ monitor: Monitor) async throws(StoreError) -> Monitor {
        try Monitor.check(monitor)
        return try await db.write { s throws(StoreError) in
            if try !s.query("SELECT 1 FROM monitors WHERE name = ?", .text(monitor.name)).isEmpty {
                throw .exists("Monitor '\(monitor.name)' already exists")
            }
            _ = try Self.endpointRow(s, monitor.endpoint)
            try s.execute("INSERT INTO monitors (name, endpoint, settings, paused, next_run_time, creation_time) VALUES (?, ?, ?, ?, ?, ?)",
                          .text(monitor.name), .text(monitor.endpoint), .text(Self.encode(monitor)), .int(monitor.paused ? 1 : 0),
                          .int(monitor.nextRunTime), .int(monitor.creationTime))
            return monitor
        }
    }

    public func monitor(name: String) async throws(StoreError) -> Monitor {
        let rows = try await db.read { s throws(StoreError) in try s.query("SELECT settings, paused, next_run_time FROM monitors WHERE name = ?", .text(name)) }
        guard let row = rows.first else { throw .notFound("No monitor named '\(name.prefix(80))'; `pulk monitor list` shows them") }
        return try Self.monitor(row)
    }

    public func monitors() async throws(StoreError) -> [Monitor] {
        let rows = try await db.read { s throws(StoreError) in try s.query("SELECT settings, paused, next_run_time FROM monitors ORDER BY name") }
        var out: [Monitor] = []
        for r in rows { out.append(try Self.monitor(r)) }
        return out
    }

    public func updateMonitor(_ monitor: Monitor) async throws(StoreError) -> Monitor {
        try Monitor.check(monitor)
        return try await db.write { s throws(StoreError) in
            guard let row = try s.query("SELECT settings, paused, next_run_time FROM monitors WHERE name = ?", .text(monitor.name)).first else {
                throw .notFound("No monitor named '\(monitor.name.prefix(80))'; `pulk monitor list` shows them")
            }
            let old = try Self.monitor(row)
            guard old.endpoint == monitor.endpoint else { throw .invalid("A monitor's endpoint cannot change; create another monitor") }
            var kept = monitor
            kept.creationTime = old.creationTime
            kept.user = old.user
            try s.execute("UPDATE monitors SET settings = ?, paused = ?, next_run_time = ? WHERE name = ?",
                          .text(Self.encode(kept)), .int(kept.paused ? 1 : 0), .int(kept.nextRunTime), .text(kept.name))
            return kept
        }
    }

    public func deleteMonitor(name: String) async throws(StoreError) {
        try await db.write { s throws(StoreError) in
            guard try !s.query("SELECT 1 FROM monitors WHERE name = ?", .text(name)).isEmpty else {
                throw .notFound("No monitor named '\(name.prefix(80))'; `pulk monitor list` shows them")
            }
            try s.execute("DELETE FROM monitor_runs WHERE monitor = ?", .text(name))
            try s.execute("DELETE FROM monitors WHERE name = ?", .text(name))
        }
    }

    public func dueMonitors(now: Int64) async throws(StoreError) -> [Monitor] {
        let rows = try await db.read { s throws(StoreError) in
            try s.query("SELECT settings, paused, next_run_time FROM monitors WHERE paused = 0 AND next_run_time <= ? ORDER BY next_run_time, name", .int(now))
        }
        var out: [Monitor] = []
        for r in rows { out.append(try Self.monitor(r)) }
        return out
    }

    public func claimMonitorRun(name: String, from: Int64, to: Int64) async throws(StoreError) -> Bool {
        let rows = try await db.write { s throws(StoreError) in
            try s.query("UPDATE monitors SET next_run_time = ? WHERE name = ? AND next_run_time = ? RETURNING name", .int(to), .text(name), .int(from))
        }
        return !rows.isEmpty
    }

    public func recordMonitorRun(_ run: MonitorRun) async throws(StoreError) {
        try await db.write { s throws(StoreError) in
            guard try !s.query("SELECT 1 FROM monitors WHERE name = ?", .text(run.monitor)).isEmpty else {
                throw .notFound("No monitor named '\(run.monitor.prefix(80))'")
            }
            try s.execute("INSERT INTO monitor_runs (\(Self.monitorRunColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          .text(run.id), .text(run.monitor), .int(run.windowStart), .int(run.windowEnd), .int(run.time), .text(run.status.rawValue),
                          .int(Int64(run.rows)), .int(run.datasetDrift ? 1 : 0), .double(run.driftedShare), .text(run.columns), .text(run.report),
                          run.message.map(SQLValue.text) ?? .null, run.trackingRunId.map(SQLValue.text) ?? .null, .text(run.performance), .text(run.alerts))
        }
    }

    public func monitorRuns(monitor: String, limit: Int) async throws(StoreError) -> [MonitorRun] {
        guard (1...10_000).contains(limit) else { throw .invalid("limit must be between 1 and 10000, got \(limit)") }
        _ = try await self.monitor(name: monitor)
        let rows = try await db.read { s throws(StoreError) in
            try s.query("SELECT \(Self.monitorRunColumns) FROM monitor_runs WHERE monitor = ? ORDER BY window_end DESC, time DESC LIMIT ?",
                        .text(monitor), .int(Int64(limit)))
        }
        return rows.map(Self.monitorRun)
    }
}

extension SQLTrackingStore: FeedbackStore {
    public func addFeedback(endpoint: String, _ feedback: [Feedback]) async throws(StoreError) -> Int {
        guard feedback.count <= 100_000 else { throw .invalid("At most 100,000 feedback rows per call, not \(feedback.count)") }
        for f in feedback {
            guard !f.requestId.isEmpty, f.requestId.count <= 200 else { throw .invalid("A feedback row's request_id is 1 to 200 characters") }
            guard f.row >= 0 else { throw .invalid("A feedback row's row is 0 or more, not \(f.row)") }
            guard f.truth.utf8.count <= 10_000 else { throw .invalid("A feedback row's truth is at most 10,000 bytes") }
        }
        return try await db.write { s throws(StoreError) in
            _ = try Self.endpointRow(s, endpoint)
            var added = 0
            for f in feedback {
                let old = try s.query("SELECT 1 FROM feedback WHERE endpoint = ? AND request_id = ? AND row_index = ?",
                                      .text(endpoint), .text(f.requestId), .int(Int64(f.row)))
                if old.isEmpty {
                    try s.execute("INSERT INTO feedback (endpoint, request_id, row_index, truth, time) VALUES (?, ?, ?, ?, ?)",
                                  .text(endpoint), .text(f.requestId), .int(Int64(f.row)), .text(f.truth), .int(f.time))
                    added += 1
                } else {
                    try s.execute("UPDATE feedback SET truth = ?, time = ? WHERE endpoint = ? AND request_id = ? AND row_index = ?",
                                  .text(f.truth), .int(f.time), .text(endpoint), .text(f.requestId), .int(Int64(f.row)))
                }
            }
            return added
        }
    }

    public func feedback(endpoint: String, since: Int64, limit: Int) async throws(StoreError) -> [Feedback] {
        try await db.read { s throws(StoreError) in
            try s.query("SELECT request_id, row_index, truth, time FROM feedback WHERE endpoint = ? AND time >= ? ORDER BY time LIMIT ?",
                        .text(endpoint), .int(since), .int(Int64(max(limit, 0)))).map {
                Feedback(requestId: $0[0].text ?? "", row: Int($0[1].int ?? 0), truth: $0[2].text ?? "", time: $0[3].int ?? 0)
            }
        }
    }

    public func feedback(endpoint: String, requestIds: [String]) async throws(StoreError) -> [Feedback] {
        var out: [Feedback] = []
        for chunk in stride(from: 0, to: requestIds.count, by: 500).map({ Array(requestIds[$0..<min($0 + 500, requestIds.count)]) }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ", ")
            let rows = try await db.read { s throws(StoreError) in
                try s.query("SELECT request_id, row_index, truth, time FROM feedback WHERE endpoint = ? AND request_id IN (\(marks))",
                            [.text(endpoint)] + chunk.map(SQLValue.text))
            }
            out += rows.map { Feedback(requestId: $0[0].text ?? "", row: Int($0[1].int ?? 0), truth: $0[2].text ?? "", time: $0[3].int ?? 0) }
        }
        return out
    }
}
