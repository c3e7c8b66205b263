import Foundation
public import Logging
import Metrics
public import PulkEndpoints
import PulkStore

/// Where a drift monitor's alerts go when a rule fires or resolves: the webhooks subscribed to
/// `monitor_alert.fired` / `monitor_alert.resolved` (signed, retried, their URLs checked by the
/// server's outbound policy), the server log, and the gauge `pulk_monitor_alert_firing{monitor,rule}`.
/// The event names the monitor, endpoint, rule, value and window, so a retraining trigger can act on it.
public struct MonitorAlerts: Sendable {
    let dispatcher: WebhookDispatcher
    let logger: Logger

    public init(dispatcher: WebhookDispatcher, logger: Logger = Logger(label: "pulk.monitors")) {
        self.dispatcher = dispatcher
        self.logger = logger
    }

    public func deliver(_ events: [AlertEvent]) {
        for e in events {
            let fired = e.action == "fired"
            dispatcher.emit(fired ? .monitorAlertFired : .monitorAlertResolved, Self.payload(e))
            let line = "monitor \(e.monitor) (endpoint \(e.endpoint)): alert '\(e.rule)' \(e.action) at value \(e.value) in the window ending \(Self.iso(e.windowEnd))"
            if fired { logger.warning("\(line)") } else { logger.notice("\(line)") }
            Gauge(label: "pulk_monitor_alert_firing", dimensions: [("monitor", e.monitor), ("rule", e.rule)]).record(fired ? 1 : 0)
        }
    }

    static func payload(_ e: AlertEvent) -> [String: Any] {
        ["monitor": e.monitor, "endpoint": e.endpoint, "rule": e.rule, "state": e.action, "value": e.value,
         "window_start": iso(e.windowStart), "window_end": iso(e.windowEnd)]
    }

    static func iso(_ ms: Int64) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) }
}
