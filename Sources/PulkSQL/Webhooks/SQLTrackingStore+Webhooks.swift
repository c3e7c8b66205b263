public import PulkStore
import Foundation

extension SQLTrackingStore: WebhookStore {
    static let webhookColumns = "webhook_id, name, description, url, events, status, secret, creation_time, last_updated_time"

    static func webhook(_ row: SQLRow) -> Webhook {
        Webhook(id: row[0].text ?? "", name: row[1].text ?? "", description: row[2].text ?? "", url: row[3].text ?? "",
                events: (row[4].text ?? "").split(separator: ",").compactMap { try? WebhookEvent(String($0)) },
                status: Webhook.Status(rawValue: row[5].text ?? "") ?? .disabled, secret: row[6].text ?? "",
                creationTime: row[7].int ?? 0, lastUpdatedTime: row[8].int ?? 0)
    }

    static func eventsText(_ events: [WebhookEvent]) -> String { unique(events).map(\.description).joined(separator: ",") }

    static func unique(_ events: [WebhookEvent]) -> [WebhookEvent] {
        var seen: Set<WebhookEvent> = []
        return events.filter { seen.insert($0).inserted }
    }

    public func createWebhook(name: String, url: String, events: [WebhookEvent], description: String, secret: String,
                              status: Webhook.Status) async throws(StoreError) -> Webhook {
        try Webhook.checkName(name)
        try Webhook.checkEvents(events)
        let t = now()
        let hook = Webhook(id: newRunId(), name: name, description: description, url: url, events: Self.unique(events), status: status, secret: secret,
                           creationTime: t, lastUpdatedTime: t)
        try await db.write { s throws(StoreError) in
            try s.execute("INSERT INTO webhooks (\(Self.webhookColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          .text(hook.id), .text(name), .text(description), .text(url), .text(Self.eventsText(events)), .text(status.rawValue),
                          .text(secret), .int(t), .int(t))
        }
        return hook
    }

    public func webhook(id: String) async throws(StoreError) -> Webhook {
        let rows = try await db.read { s throws(StoreError) in try s.query("SELECT \(Self.webhookColumns) FROM webhooks WHERE webhook_id = ?", .text(id)) }
        guard let row = rows.first else { throw StoreError(.resourceDoesNotExist, "Webhook with ID \(id.prefix(80)) not found.") }
        return Self.webhook(row)
    }

    public func listWebhooks(maxResults: Int?, pageToken: String?) async throws(StoreError) -> Page<Webhook> {
        let limit = maxResults ?? 100
        guard (1...1000).contains(limit) else { throw .invalid("max_results must be between 1 and 1000, got \(limit)") }
        let offset = try pageToken.map(Self.decodeOffset) ?? 0
        let rows = try await db.read { s throws(StoreError) in
            try s.query("SELECT \(Self.webhookColumns) FROM webhooks ORDER BY creation_time DESC, webhook_id LIMIT \(limit + 1) OFFSET \(offset)")
        }
        return Page(items: rows.prefix(limit).map(Self.webhook), nextPageToken: rows.count > limit ? Self.encodeOffset(offset + limit) : nil)
    }

    public func updateWebhook(id: String, _ change: WebhookChange) async throws(StoreError) -> Webhook {
        if let name = change.name { try Webhook.checkName(name) }
        if let events = change.events { try Webhook.checkEvents(events) }
        var hook = try await webhook(id: id)
        if let v = change.name { hook.name = v }
        if let v = change.description { hook.description = v }
        if let v = change.url { hook.url = v }
        if let v = change.events { hook.events = Self.unique(v) }
        if let v = change.secret { hook.secret = v }
        if let v = change.status { hook.status = v }
        hook.lastUpdatedTime = now()
        let updated = hook
        try await db.write { s throws(StoreError) in
            try s.execute("UPDATE webhooks SET name = ?, description = ?, url = ?, events = ?, status = ?, secret = ?, last_updated_time = ? WHERE webhook_id = ?",
                          .text(updated.name), .text(updated.description), .text(updated.url), .text(Self.eventsText(updated.events)),
                          .text(updated.status.rawValue), .text(updated.secret), .int(updated.lastUpdatedTime), .text(id))
        }
        return updated
    }

    public func deleteWebhook(id: String) async throws(StoreError) {
        _ = try await webhook(id: id)
        try await db.write { s throws(StoreError) in try s.execute("DELETE FROM webhooks WHERE webhook_id = ?", .text(id)) }
    }

    public func webhooks(for event: WebhookEvent) async throws(StoreError) -> [Webhook] {
        let rows = try await db.read { s throws(StoreError) in
            try s.query("SELECT \(Self.webhookColumns) FROM webhooks WHERE status = 'ACTIVE' ORDER BY creation_time, webhook_id")
        }
        return rows.map(Self.webhook).filter { $0.events.contains(event) }
    }
}
