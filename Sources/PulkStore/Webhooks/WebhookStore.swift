import Foundation

/// What happened in the registry, as MLflow's webhooks name it: `model_version.created`, ….
public struct WebhookEvent: Sendable, Hashable, CustomStringConvertible {
    public var entity: String
    public var action: String

    /// MLflow's model registry events (its prompt and budget events have no counterpart in Pulk).
    public static let all: [WebhookEvent] = [
        .init("registered_model", "created"), .init("model_version", "created"),
        .init("model_version_tag", "set"), .init("model_version_tag", "deleted"),
        .init("model_version_alias", "created"), .init("model_version_alias", "deleted"),
    ]
    public static let registeredModelCreated = all[0], modelVersionCreated = all[1], modelVersionTagSet = all[2],
                      modelVersionTagDeleted = all[3], aliasCreated = all[4], aliasDeleted = all[5]

    /// Pulk's own events, beyond MLflow's: a drift monitor's alert rule fired or resolved.
    public static let pulk: [WebhookEvent] = [.init("monitor_alert", "fired"), .init("monitor_alert", "resolved")]
    public static let monitorAlertFired = pulk[0], monitorAlertResolved = pulk[1]

    init(_ entity: String, _ action: String) { self.entity = entity; self.action = action }

    /// One of `all`, from its entity and action (names in any case, as MLflow's JSON sends them).
    public init(entity: String, action: String) throws(StoreError) {
        let e = WebhookEvent(entity.lowercased(), action.lowercased())
        guard Self.all.contains(e) || Self.pulk.contains(e) else {
            throw .invalid("Invalid webhook event '\(entity.lowercased()).\(action.lowercased())'; Pulk sends \((Self.all + Self.pulk).map(\.description).joined(separator: ", "))")
        }
        self = e
    }

    /// From `entity.action`.
    public init(_ text: String) throws(StoreError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalid("Invalid webhook event '\(text)'; the form is ENTITY.ACTION, e.g. model_version.created") }
        try self.init(entity: String(parts[0]), action: String(parts[1]))
    }

    public var description: String { "\(entity).\(action)" }
}

/// A registered webhook. The secret signs deliveries and is never answered back.
public struct Webhook: Sendable, Equatable {
    public enum Status: String, Sendable { case active = "ACTIVE", disabled = "DISABLED" }
    public var id: String
    public var name: String
    public var description: String
    public var url: String
    public var events: [WebhookEvent]
    public var status: Status
    public var secret: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64

    public init(id: String, name: String, description: String, url: String, events: [WebhookEvent], status: Status, secret: String,
                creationTime: Int64, lastUpdatedTime: Int64) {
        self.id = id; self.name = name; self.description = description; self.url = url; self.events = events
        self.status = status; self.secret = secret; self.creationTime = creationTime; self.lastUpdatedTime = lastUpdatedTime
    }

    /// MLflow's rule: 1 to 63 letters, digits, dots, underscores and hyphens, starting and ending with
    /// a letter or digit.
    public static func checkName(_ name: String) throws(StoreError) {
        let scalars = Array(name.unicodeScalars)
        func alnum(_ c: Unicode.Scalar) -> Bool { c.isASCII && (CharacterSet.alphanumerics.contains(c)) }
        guard (1...63).contains(scalars.count), alnum(scalars.first!), alnum(scalars.last!),
              scalars.allSatisfy({ alnum($0) || $0 == "." || $0 == "_" || $0 == "-" }) else {
            throw .invalid("Webhook name '\(name.prefix(80))' is invalid: use 1 to 63 letters, digits, dots, underscores and hyphens, starting and ending with a letter or digit")
        }
    }

    public static func checkEvents(_ events: [WebhookEvent]) throws(StoreError) {
        guard !events.isEmpty else { throw .invalid("A webhook needs at least one event, e.g. model_version.created") }
    }
}

/// The changes `updateWebhook` makes; nil leaves a field as it is.
public struct WebhookChange: Sendable {
    public var name: String?
    public var description: String?
    public var url: String?
    public var events: [WebhookEvent]?
    public var secret: String?
    public var status: Webhook.Status?
    public init(name: String? = nil, description: String? = nil, url: String? = nil, events: [WebhookEvent]? = nil,
                secret: String? = nil, status: Webhook.Status? = nil) {
        self.name = name; self.description = description; self.url = url; self.events = events; self.secret = secret; self.status = status
    }
}

/// Registry webhooks (MLflow 3's API). The store checks names and events; which URLs may be called
/// is the server's rule (`OutboundURLPolicy`), checked before a webhook is saved and again before
/// every delivery.
public protocol WebhookStore: Sendable {
    /// Saves a new webhook (names 1–63 characters, at least one known event); the secret is kept to sign deliveries.
    func createWebhook(name: String, url: String, events: [WebhookEvent], description: String, secret: String, status: Webhook.Status) async throws(StoreError) -> Webhook
    /// RESOURCE_DOES_NOT_EXIST for an unknown id.
    func webhook(id: String) async throws(StoreError) -> Webhook
    /// Newest first; `maxResults` 1 to 1000 (100 when nil).
    func listWebhooks(maxResults: Int?, pageToken: String?) async throws(StoreError) -> Page<Webhook>
    /// Changes the fields `change` names, checked as on creation; RESOURCE_DOES_NOT_EXIST for an unknown id.
    func updateWebhook(id: String, _ change: WebhookChange) async throws(StoreError) -> Webhook
    /// Removes a webhook; RESOURCE_DOES_NOT_EXIST for an unknown id.
    func deleteWebhook(id: String) async throws(StoreError)
    /// The active webhooks that subscribe to `event`.
    func webhooks(for event: WebhookEvent) async throws(StoreError) -> [Webhook]
}

extension WebhookStore {
    /// Every webhook, newest first, page by page.
    public func allWebhooks() async throws(StoreError) -> [Webhook] {
        var out: [Webhook] = [], token: String?
        repeat {
            let page = try await listWebhooks(maxResults: 1000, pageToken: token)
            out += page.items
            token = page.nextPageToken
        } while token != nil
        return out
    }
}
