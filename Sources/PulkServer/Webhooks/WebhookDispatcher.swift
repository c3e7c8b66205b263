import Crypto
import Foundation
public import Logging
public import PulkAccess
import PulkJSON
public import PulkStore

/// How the server calls webhooks: which URLs (`OutboundURLPolicy`), how long it waits, how often it
/// retries (429, 5xx or no answer: after 1, 2, 4 … s, at most 60 s apart, honouring Retry-After).
public struct WebhookSettings: Sendable {
    public var policy: OutboundURLPolicy
    public var timeout: Duration
    public var retries: Int
    /// Waits before a retry (attempt 1, 2, …; the server's Retry-After in seconds when it sent one);
    /// tests pass one that returns at once.
    public var backoff: @Sendable (_ attempt: Int, _ retryAfter: Int?) async -> Void

    public init(policy: OutboundURLPolicy = .init(), timeout: Duration = .seconds(30), retries: Int = 3,
                backoff: @escaping @Sendable (Int, Int?) async -> Void = WebhookSettings.exponentialBackoff) {
        self.policy = policy
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
    }

    public static let exponentialBackoff: @Sendable (Int, Int?) async -> Void = { attempt, retryAfter in
        let seconds = min(60, retryAfter ?? (1 << min(attempt - 1, 6)))
        try? await Task.sleep(for: .seconds(seconds))
    }
}

/// Sends the registry's events to the webhooks that subscribe to them, as MLflow 3 does: a JSON
/// body `{entity, action, timestamp, data}`, a delivery id and a Unix timestamp in headers, and,
/// when the webhook has a secret, `X-MLflow-Signature: v1,BASE64(HMAC-SHA256(secret, "ID.TIMESTAMP.BODY"))`.
/// Deliveries run after the change is answered and never delay or fail it; a failure is logged.
public final class WebhookDispatcher: Sendable {
    let store: any WebhookStore
    let settings: WebhookSettings
    let logger: Logger

    public init(store: any WebhookStore, settings: WebhookSettings, logger: Logger = Logger(label: "pulk.webhooks")) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    /// The outcome of one delivery (with its retries).
    public struct Outcome: Sendable {
        public var success: Bool
        public var status: Int?
        public var body: String
        public var error: String
    }

    /// Queues `event` for every active webhook that subscribes to it.
    func emit(_ event: WebhookEvent, _ data: [String: Any]) {
        let payload = Self.encode(data)
        Task { [self] in
            let hooks: [Webhook]
            do { hooks = try await store.webhooks(for: event) } catch {
                logger.error("webhooks: cannot list the webhooks for \(event): \(error)")
                return
            }
            for hook in hooks {
                let outcome = await deliver(hook, event, payload)
                if !outcome.success {
                    logger.warning("webhook '\(hook.name)' (\(hook.id)): \(event) not delivered: \(outcome.error.isEmpty ? "HTTP \(outcome.status ?? 0)" : outcome.error)")
                }
            }
        }
    }

    /// Sends MLflow's example payload for `event` (the webhook's first event when nil) and says what came back.
    func test(_ hook: Webhook, event: WebhookEvent?) async -> Outcome {
        let e = event ?? hook.events.first ?? .modelVersionCreated
        return await deliver(hook, e, Self.encode(Self.example(e)), retries: 0)
    }

    func deliver(_ hook: Webhook, _ event: WebhookEvent, _ data: [UInt8], retries: Int? = nil) async -> Outcome {
        let target: OutboundURLPolicy.Target
        // Checked again at each delivery: the name may resolve elsewhere now.
        do { target = try await settings.policy.checked(hook.url) } catch {
            return Outcome(success: false, status: nil, body: "", error: "the webhook URL is refused: \(error.message)")
        }
        let body = Self.encode(["entity": event.entity, "action": event.action, "timestamp": Self.timestamp(Date()), "data": JSON.Raw(bytes: data)])
        var last = Outcome(success: false, status: nil, body: "", error: "not sent")
        let tries = 1 + max(0, retries ?? settings.retries)
        for attempt in 1...tries {
            let id = UUID().uuidString.lowercased(), time = String(Int(Date().timeIntervalSince1970))
            var headers = [("Content-Type", "application/json"), ("X-MLflow-Delivery-Id", id), ("X-MLflow-Timestamp", time)]
            if !hook.secret.isEmpty { headers.append(("X-MLflow-Signature", Self.signature(secret: hook.secret, id: id, timestamp: time, body: body))) }
            do {
                let answer = try await OutboundHTTP.post(target, headers: headers, body: body, timeout: settings.timeout)
                last = Outcome(success: answer.status < 400, status: answer.status, body: answer.body, error: "")
                guard [429, 500, 502, 503, 504].contains(answer.status), attempt < tries else { return last }
            } catch {
                last = Outcome(success: false, status: nil, body: "", error: "\(error)")
                guard attempt < tries else { return last }
            }
            await settings.backoff(attempt, nil)
        }
        return last
    }

    /// `v1,` and the base64 HMAC-SHA256 of `ID.TIMESTAMP.BODY` with the secret.
    static func signature(secret: String, id: String, timestamp: String, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "v1," + Data(mac).base64EncodedString()
    }

    static func encode(_ object: [String: Any]) -> [UInt8] { Wire.encode(object) }

    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// MLflow's example payload for each event (what its test endpoint sends).
    static func example(_ event: WebhookEvent) -> [String: Any] {
        switch event {
        case .registeredModelCreated: return ["name": "example_model", "tags": ["example_key": "example_value"], "description": "An example registered model"]
        case .modelVersionCreated:
            return ["name": "example_model", "version": "1", "source": "models:/123", "run_id": "abcd1234abcd5678",
                    "tags": ["example_key": "example_value"], "description": "An example model version"]
        case .modelVersionTagSet: return ["name": "example_model", "version": "1", "key": "example_key", "value": "example_value"]
        case .modelVersionTagDeleted: return ["name": "example_model", "version": "1", "key": "example_key"]
        case .aliasCreated: return ["name": "example_model", "alias": "example_alias", "version": "1"]
        case .monitorAlertFired, .monitorAlertResolved:
            return ["monitor": "example-monitor", "endpoint": "example-endpoint", "rule": "drifted_share >= 0.5", "state": event.action, "value": 0.6,
                    "window_start": "2026-01-01T00:00:00Z", "window_end": "2026-01-01T01:00:00Z"]
        default: return ["name": "example_model", "alias": "example_alias"]
        }
    }
}
