public import Foundation
public import PulkStore
import PulkAccess

/// Registry webhooks, managed on a store (the server that uses it delivers them) or on a server.
public protocol WebhookService: Sendable {
    /// Where the webhooks live, for messages: the workspace's path or the server's URL.
    var location: String { get }
    /// Every webhook, newest first (secrets are never shown).
    func list() async throws -> [Webhook]
    /// Registers a webhook (name, URL allowed by the server's outbound policy, MLflow events, HMAC secret).
    func create(name: String, url: String, events: [WebhookEvent], description: String, secret: String, status: Webhook.Status) async throws -> Webhook
    /// Changes the fields `change` names; not found for an unknown id.
    func update(id: String, _ change: WebhookChange) async throws -> Webhook
    /// Removes a webhook; not found for an unknown id.
    func delete(id: String) async throws
    /// Sends MLflow's example payload for `event` and says what came back (a server only).
    func test(id: String, event: WebhookEvent?) async throws -> WebhookTestResult
}

/// What a test delivery got back.
public struct WebhookTestResult: Sendable, Codable, Equatable {
    public var success: Bool
    public var responseStatus: Int?
    public var responseBody: String?
    public var errorMessage: String?
}

/// The store's webhooks. Which URLs may be called is the server's rule (`--allow-http-webhooks`,
/// `--allow-private-webhooks`), checked when it delivers; here only the URL's form is checked.
public struct LocalWebhooks: WebhookService {
    let store: any WebhookStore
    public let location: String

    public init(store: any WebhookStore, location: String) {
        self.store = store
        self.location = location
    }

    public func list() async throws -> [Webhook] { try await store.allWebhooks() }

    public func create(name: String, url: String, events: [WebhookEvent], description: String, secret: String, status: Webhook.Status) async throws -> Webhook {
        _ = try OutboundURLPolicy(allowHTTP: true, allowPrivate: true).checkForm(url)
        return try await store.createWebhook(name: name, url: url, events: events, description: description, secret: secret, status: status)
    }

    public func update(id: String, _ change: WebhookChange) async throws -> Webhook {
        if let url = change.url { _ = try OutboundURLPolicy(allowHTTP: true, allowPrivate: true).checkForm(url) }
        return try await store.updateWebhook(id: id, change)
    }

    public func delete(id: String) async throws { try await store.deleteWebhook(id: id) }

    public func test(id: String, event: WebhookEvent?) async throws -> WebhookTestResult {
        _ = try await store.webhook(id: id)
        throw AppError.invalid("A test delivery is sent by the server that delivers the webhook: run `pulk webhooks test \(id) --server URL`")
    }
}

/// A server's webhooks, through MLflow's webhook API (admins only).
public struct RemoteWebhooks: WebhookService {
    public let client: PulkServerClient
    public var location: String { client.base.absoluteString }
    static let api = "/api/2.0/mlflow"

    public init(client: PulkServerClient) { self.client = client }

    struct WireEvent: Codable { var entity: String; var action: String }
    struct WireHook: Codable {
        var webhookId: String; var name: String; var description: String?; var url: String; var events: [WireEvent]
        var status: String; var creationTimestamp: Int64; var lastUpdatedTimestamp: Int64
    }
    struct One: Codable { var webhook: WireHook }
    struct Page: Codable { var webhooks: [WireHook]?; var nextPageToken: String? }
    struct Tested: Codable { var result: WebhookTestResult }
    struct Body: Encodable {
        var name: String?; var url: String?; var events: [WireEvent]?; var description: String?; var secret: String?; var status: String?
    }
    struct Empty: Codable {}

    static func hook(_ w: WireHook) throws -> Webhook {
        Webhook(id: w.webhookId, name: w.name, description: w.description ?? "", url: w.url,
                events: try w.events.map { e in try WebhookEvent(entity: e.entity, action: e.action) },
                status: Webhook.Status(rawValue: w.status) ?? .disabled, secret: "", creationTime: w.creationTimestamp, lastUpdatedTime: w.lastUpdatedTimestamp)
    }
    static func wire(_ events: [WebhookEvent]?) -> [WireEvent]? { events?.map { WireEvent(entity: $0.entity.uppercased(), action: $0.action.uppercased()) } }
    func path(_ id: String) -> String { "/webhooks/" + PulkServerClient.escape(id) }

    public func list() async throws -> [Webhook] {
        var out: [Webhook] = [], token: String?
        repeat {
            let page = try await client.send("GET", "/webhooks", query: [("max_results", "1000")] + (token.map { [("page_token", $0)] } ?? []),
                                             prefix: Self.api, as: Page.self)
            out += try (page.webhooks ?? []).map(Self.hook)
            token = page.nextPageToken
        } while token != nil
        return out
    }

    public func create(name: String, url: String, events: [WebhookEvent], description: String, secret: String, status: Webhook.Status) async throws -> Webhook {
        let body = Body(name: name, url: url, events: Self.wire(events), description: description.isEmpty ? nil : description,
                        secret: secret.isEmpty ? nil : secret, status: status.rawValue)
        return try Self.hook(try await client.send("POST", "/webhooks", json: body, prefix: Self.api, as: One.self).webhook)
    }

    public func update(id: String, _ change: WebhookChange) async throws -> Webhook {
        let body = Body(name: change.name, url: change.url, events: Self.wire(change.events), description: change.description, secret: change.secret,
                        status: change.status?.rawValue)
        return try Self.hook(try await client.send("PATCH", path(id), json: body, prefix: Self.api, as: One.self).webhook)
    }

    public func delete(id: String) async throws { _ = try await client.send("DELETE", path(id), prefix: Self.api, as: Empty.self) }

    public func test(id: String, event: WebhookEvent?) async throws -> WebhookTestResult {
        struct TestBody: Encodable { var event: WireEvent? }
        return try await client.send("POST", path(id) + "/test", json: TestBody(event: Self.wire(event.map { [$0] })?.first), prefix: Self.api, as: Tested.self).result
    }
}
