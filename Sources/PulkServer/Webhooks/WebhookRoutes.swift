import Foundation
import HTTPTypes
import PulkAccess
import PulkStore

/// MLflow 3's webhook API: `POST/GET /webhooks`, `GET/PATCH/DELETE /webhooks/{webhook_id}` and
/// `POST /webhooks/{webhook_id}/test`. Admins only (RouteAccess); the secret is write-only.
struct WebhookRoutes: Sendable {
    let store: any WebhookStore
    let dispatcher: WebhookDispatcher

    func register(_ route: MLflowRouteBuilder) {
        let store = self.store, dispatcher = self.dispatcher
        let policy = dispatcher.settings.policy
        route(.post, "webhooks") { i throws(StoreError) in
            let url = try i.require("url")
            try await policy.checkedForSaving(url)
            let hook = try await store.createWebhook(name: try i.require("name"), url: url, events: try Self.events(i, required: true) ?? [],
                                                     description: try i.string("description") ?? "", secret: try i.string("secret") ?? "",
                                                     status: try Self.status(i) ?? .active)
            return ["webhook": Self.wire(hook)]
        }
        route(.get, "webhooks") { i throws(StoreError) in
            let page = try await store.listWebhooks(maxResults: try i.int("max_results").map { Int($0) }, pageToken: try i.nonEmpty("page_token"))
            return Wire.page("webhooks", page.items.map(Self.wire), page.nextPageToken)
        }
        route(.get, "webhooks/{webhook_id}") { i throws(StoreError) in
            ["webhook": Self.wire(try await store.webhook(id: try i.require("webhook_id")))]
        }
        route(.patch, "webhooks/{webhook_id}") { i throws(StoreError) in
            let url = try i.nonEmpty("url")
            if let url { try await policy.checkedForSaving(url) }
            let change = WebhookChange(name: try i.nonEmpty("name"), description: try i.string("description"), url: url,
                                       events: try Self.events(i, required: false), secret: try i.string("secret"), status: try Self.status(i))
            return ["webhook": Self.wire(try await store.updateWebhook(id: try i.require("webhook_id"), change))]
        }
        route(.delete, "webhooks/{webhook_id}") { i throws(StoreError) in
            try await store.deleteWebhook(id: try i.require("webhook_id"))
            return [:]
        }
        route(.post, "webhooks/{webhook_id}/test") { i throws(StoreError) in
            let hook = try await store.webhook(id: try i.require("webhook_id"))
            let event = try (i.value("event") as? [String: Any]).map { o throws(StoreError) in try Self.event(o) }
            let outcome = await dispatcher.test(hook, event: event)
            var result: [String: Any] = ["success": outcome.success]
            if let status = outcome.status { result["response_status"] = status }
            if !outcome.body.isEmpty { result["response_body"] = outcome.body }
            if !outcome.error.isEmpty { result["error_message"] = outcome.error }
            return ["result": result]
        }
    }

    static func wire(_ h: Webhook) -> [String: Any] {
        var out: [String: Any] = ["webhook_id": h.id, "name": h.name, "url": h.url, "status": h.status.rawValue,
                                  "events": h.events.map { ["entity": $0.entity.uppercased(), "action": $0.action.uppercased()] },
                                  "creation_timestamp": h.creationTime, "last_updated_timestamp": h.lastUpdatedTime]
        if !h.description.isEmpty { out["description"] = h.description }
        return out
    }

    /// Events as MLflow's JSON sends them (`{"entity": "MODEL_VERSION", "action": "CREATED"}`, names
    /// or proto numbers), or as `model_version.created` text.
    static func events(_ i: WireInput, required: Bool) throws(StoreError) -> [WebhookEvent]? {
        guard let v = i.json["events"], !(v is NSNull) else {
            if required { throw .invalid("Missing value for required parameter 'events'; e.g. [{\"entity\": \"MODEL_VERSION\", \"action\": \"CREATED\"}]") }
            return nil
        }
        guard let list = v as? [Any] else { throw .invalid("Invalid value for parameter 'events': expected a list") }
        var out: [WebhookEvent] = []
        for item in list {
            if let text = item as? String { out.append(try WebhookEvent(text)) }
            else if let o = item as? [String: Any] { out.append(try event(o)) }
            else { throw .invalid("Invalid webhook event \(WireInput.describe(item)): use {\"entity\": …, \"action\": …}") }
        }
        // An empty list: the store refuses it on create; on update it changes nothing (as MLflow).
        return required || !out.isEmpty ? out : nil
    }

    static let entities = ["", "registered_model", "model_version", "model_version_tag", "model_version_alias", "prompt", "prompt_version",
                           "prompt_tag", "prompt_version_tag", "prompt_alias", "budget_policy"]
    static let actions = ["", "created", "updated", "deleted", "set", "exceeded"]

    static func event(_ o: [String: Any]) throws(StoreError) -> WebhookEvent {
        func name(_ key: String, _ numbers: [String]) throws(StoreError) -> String {
            if let s = o[key] as? String { return s }
            if let n = WireInput.int64(o[key]), n > 0, n < numbers.count { return numbers[Int(n)] }
            throw .invalid("A webhook event needs '\(key)' (e.g. {\"entity\": \"MODEL_VERSION\", \"action\": \"CREATED\"})")
        }
        return try WebhookEvent(entity: try name("entity", entities), action: try name("action", actions))
    }

    static func status(_ i: WireInput) throws(StoreError) -> Webhook.Status? {
        guard let v = try i.enumName("status") else { return nil }
        switch v.uppercased() {
        case "ACTIVE", "1": return .active
        case "DISABLED", "2": return .disabled
        default: throw .invalid("Invalid webhook status '\(v.prefix(40))'; use ACTIVE or DISABLED")
        }
    }
}
