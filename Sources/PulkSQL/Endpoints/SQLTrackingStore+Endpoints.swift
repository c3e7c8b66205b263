public import PulkStore
import Foundation
public import PulkEndpoints

/// Endpoints over the tracking store's database: an endpoint row holds its settings and deployments
/// as JSON (changed whole, in one transaction), every change appends an event with the resulting
/// deployments, and the `endpoint_generation` counter moves with each.
extension SQLTrackingStore: EndpointStore {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?, _ what: String) throws(StoreError) -> T {
        do { return try JSONDecoder().decode(type, from: Data((text ?? "").utf8)) } catch {
            throw StoreError(.internalError, "the stored \(what) is unreadable: \(error)")
        }
    }

    static let endpointColumns = "name, description, settings, deployments, generation, creation_time, last_updated_time"

    static func endpoint(_ row: SQLRow) throws(StoreError) -> Endpoint {
        Endpoint(name: row[0].text ?? "", description: row[1].text ?? "",
                 settings: try decode(EndpointSettings.self, row[2].text, "endpoint settings"),
                 deployments: try decode([Deployment].self, row[3].text, "deployments"),
                 generation: row[4].int ?? 0, creationTime: row[5].int ?? 0, lastUpdatedTime: row[6].int ?? 0)
    }

    static func endpointRow(_ s: any SQLSession, _ name: String) throws(StoreError) -> Endpoint {
        guard let row = try s.query("SELECT \(endpointColumns) FROM endpoints WHERE name = ?", .text(name)).first else {
            throw .notFound("No endpoint named '\(name)'; `pulk endpoints create \(name)` creates it")
        }
        return try endpoint(row)
    }

    /// Moves the store-wide generation and returns it.
    static func bump(_ s: any SQLSession) throws(StoreError) -> Int64 {
        guard let g = try s.query("UPDATE counters SET value = value + 1 WHERE name = 'endpoint_generation' RETURNING value").first?[0].int else {
            throw StoreError(.internalError, "the endpoint generation counter is missing")
        }
        return g
    }

    static func appendEvent(_ s: any SQLSession, endpoint: String, time: Int64, user: String, kind: String, message: String, deployments: [Deployment]) throws(StoreError) {
        guard let seq = try s.query("UPDATE counters SET value = value + 1 WHERE name = 'endpoint_event' RETURNING value").first?[0].int else {
            throw StoreError(.internalError, "the endpoint event counter is missing")
        }
        try s.execute("INSERT INTO endpoint_events (sequence, endpoint, time, user_id, kind, message, deployments) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      .int(seq), .text(endpoint), .int(time), .text(user), .text(kind), .text(message), .text(encode(deployments)))
    }

    public func createEndpoint(name: String, description: String, settings: EndpointSettings, user: String) async throws(StoreError) -> Endpoint {
        try EndpointRules.checkName(name, what: "endpoint")
        try settings.validate()
        let t = now()
        return try await db.write { s throws(StoreError) in
            if try !s.query("SELECT 1 FROM endpoints WHERE name = ?", .text(name)).isEmpty {
                throw .exists("Endpoint '\(name)' already exists")
            }
            let g = try Self.bump(s)
            try s.execute("INSERT INTO endpoints (\(Self.endpointColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          .text(name), .text(description), .text(Self.encode(settings)), .text("[]"), .int(g), .int(t), .int(t))
            try Self.appendEvent(s, endpoint: name, time: t, user: user, kind: "create", message: "created", deployments: [])
            return try Self.endpointRow(s, name)
        }
    }

    public func endpoint(name: String) async throws(StoreError) -> Endpoint {
        try await db.read { s throws(StoreError) in try Self.endpointRow(s, name) }
    }

    public func endpoints() async throws(StoreError) -> [Endpoint] {
        try await db.read { s throws(StoreError) in
            var out: [Endpoint] = []
            for row in try s.query("SELECT \(Self.endpointColumns) FROM endpoints ORDER BY name") { out.append(try Self.endpoint(row)) }
            return out
        }
    }

    public func setDeployments(endpoint: String, _ deployments: [Deployment], kind: String, message: String, user: String) async throws(StoreError) -> Endpoint {
        try EndpointRules.check(deployments)
        let t = now()
        return try await db.write { s throws(StoreError) in
            _ = try Self.endpointRow(s, endpoint)
            let g = try Self.bump(s)
            try s.execute("UPDATE endpoints SET deployments = ?, generation = ?, last_updated_time = ? WHERE name = ?",
                          .text(Self.encode(deployments)), .int(g), .int(t), .text(endpoint))
            try Self.appendEvent(s, endpoint: endpoint, time: t, user: user, kind: kind, message: message, deployments: deployments)
            return try Self.endpointRow(s, endpoint)
        }
    }

    public func updateSettings(endpoint: String, _ settings: EndpointSettings, user: String) async throws(StoreError) -> Endpoint {
        try settings.validate()
        let t = now()
        return try await db.write { s throws(StoreError) in
            let old = try Self.endpointRow(s, endpoint)
            let g = try Self.bump(s)
            try s.execute("UPDATE endpoints SET settings = ?, generation = ?, last_updated_time = ? WHERE name = ?",
                          .text(Self.encode(settings)), .int(g), .int(t), .text(endpoint))
            try Self.appendEvent(s, endpoint: endpoint, time: t, user: user, kind: "settings", message: Self.encode(settings), deployments: old.deployments)
            return try Self.endpointRow(s, endpoint)
        }
    }

    public func deleteEndpoint(name: String, user: String) async throws(StoreError) {
        let t = now()
        try await db.write { s throws(StoreError) in
            _ = try Self.endpointRow(s, name)
            _ = try Self.bump(s)
            try s.execute("DELETE FROM endpoints WHERE name = ?", .text(name))
            try s.execute("DELETE FROM serving_log WHERE endpoint = ?", .text(name))
            // its monitors watch nothing any more
            try s.execute("DELETE FROM monitor_runs WHERE monitor IN (SELECT name FROM monitors WHERE endpoint = ?)", .text(name))
            try s.execute("DELETE FROM monitors WHERE endpoint = ?", .text(name))
            try s.execute("DELETE FROM feedback WHERE endpoint = ?", .text(name))
            try Self.appendEvent(s, endpoint: name, time: t, user: user, kind: "delete", message: "deleted", deployments: [])
        }
    }

    public func events(endpoint: String) async throws(StoreError) -> [EndpointEvent] {
        try await db.read { s throws(StoreError) in
            var out: [EndpointEvent] = []
            for r in try s.query("SELECT sequence, endpoint, time, user_id, kind, message, deployments FROM endpoint_events WHERE endpoint = ? ORDER BY sequence", .text(endpoint)) {
                out.append(EndpointEvent(sequence: r[0].int ?? 0, endpoint: r[1].text ?? "", time: r[2].int ?? 0, user: r[3].text ?? "",
                                         kind: r[4].text ?? "", message: r[5].text ?? "", deployments: try Self.decode([Deployment].self, r[6].text, "event")))
            }
            return out
        }
    }

    public func endpointGeneration() async throws(StoreError) -> Int64 {
        try await db.read { s throws(StoreError) in
            try s.query("SELECT value FROM counters WHERE name = 'endpoint_generation'").first?[0].int ?? 0
        }
    }

    public func appendServingLog(_ entries: [ServingLogEntry], retention: [String: Int]) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        try await db.write { s throws(StoreError) in
            for e in entries {
                try s.execute("""
                    INSERT INTO serving_log (endpoint, deployment, model, version, time, request_id, status, latency_us, shadow, rows_scored, input, output)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, .text(e.endpoint), .text(e.deployment), .text(e.model), .text(e.version), .int(e.time), .text(e.requestId), .int(Int64(e.status)),
                    .int(e.latencyMicros), .int(e.shadow ? 1 : 0), .int(Int64(e.rows)), .text(e.input), .text(e.output))
            }
            for endpoint in Set(entries.map(\.endpoint)) {
                let keep = retention[endpoint] ?? 100_000
                // The time of the oldest row kept; everything older goes (ties at that time stay).
                if let cutoff = try s.query("SELECT time FROM serving_log WHERE endpoint = ? ORDER BY time DESC LIMIT 1 OFFSET ?",
                                            .text(endpoint), .int(Int64(max(keep - 1, 0)))).first?[0].int {
                    if keep == 0 { try s.execute("DELETE FROM serving_log WHERE endpoint = ?", .text(endpoint)) }
                    else { try s.execute("DELETE FROM serving_log WHERE endpoint = ? AND time < ?", .text(endpoint), .int(cutoff)) }
                }
            }
        }
    }

    public func servingLog(endpoint: String, limit: Int) async throws(StoreError) -> [ServingLogEntry] {
        try await db.read { s throws(StoreError) in
            try s.query("""
                SELECT \(Self.servingLogColumns) FROM serving_log WHERE endpoint = ? ORDER BY time DESC, request_id LIMIT ?
                """, .text(endpoint), .int(Int64(limit))).map(Self.servingLogEntry)
        }
    }

    public func servingLog(endpoint: String, from: Int64, to: Int64, after: ServingLogPosition?, limit: Int) async throws(StoreError) -> [ServingLogEntry] {
        guard (1...100_000).contains(limit) else { throw .invalid("A page of the serving log holds 1 to 100,000 entries, not \(limit)") }
        var sql = "SELECT \(Self.servingLogColumns) FROM serving_log WHERE endpoint = ? AND time >= ? AND time < ?"
        var binds: [SQLValue] = [.text(endpoint), .int(max(from, after?.time ?? from)), .int(to)]
        if let after {
            sql += " AND (time > ? OR (time = ? AND (request_id > ? OR (request_id = ? AND deployment > ?))))"
            binds += [.int(after.time), .int(after.time), .text(after.requestId), .text(after.requestId), .text(after.deployment)]
        }
        sql += " ORDER BY time, request_id, deployment LIMIT ?"
        binds.append(.int(Int64(limit)))
        return try await db.read { [sql, binds] s throws(StoreError) in try s.query(sql, binds).map(Self.servingLogEntry) }
    }

    static let servingLogColumns = "endpoint, deployment, model, version, time, request_id, status, latency_us, shadow, rows_scored, input, output"

    static func servingLogEntry(_ r: SQLRow) -> ServingLogEntry {
        ServingLogEntry(endpoint: r[0].text ?? "", deployment: r[1].text ?? "", model: r[2].text ?? "", version: r[3].text ?? "",
                        time: r[4].int ?? 0, requestId: r[5].text ?? "", status: Int(r[6].int ?? 0), latencyMicros: r[7].int ?? 0,
                        shadow: r[8].int == 1, rows: Int(r[9].int ?? 0), input: r[10].text ?? "", output: r[11].text ?? "")
    }
}
