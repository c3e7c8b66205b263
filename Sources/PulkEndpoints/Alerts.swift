import Foundation
public import PulkStore

/// An alert rule on a monitor's output: `METRIC OP VALUE [for N]`. It fires once the condition has
/// held for N windows in a row and resolves once it has not held for N windows in a row (hysteresis:
/// one noisy window neither fires nor resolves it).
///
/// Metrics: `dataset_drift` (1 or 0), `drifted_share`, `rows`, `refused_requests` (bad input, 4xx), `drift_size:COLUMN`,
/// `missing_rate:COLUMN` (the current window's); the window's logged traffic: `requests`, `error_rate`
/// (5xx share), `refused_rate` (4xx share), `latency_p50_ms`, `latency_p95_ms`, `latency_p99_ms`; the
/// realized performance from feedback: `realized_accuracy`, `realized_balanced_accuracy`,
/// `realized_f1_macro` (and `_weighted`, precision and recall alike), `realized_log_loss`,
/// `realized_roc_auc`, `realized_average_precision`, `realized_brier`, `realized_mae`,
/// `realized_rmse`, `realized_r2`, `realized_coverage`; and a classifier's estimate from its
/// confidence before labels arrive: `estimated_accuracy`, `estimated_balanced_accuracy`,
/// `estimated_f1_macro`.
public struct AlertRule: Sendable, Codable, Equatable {
    public var metric: String
    /// One of `>`, `>=`, `<`, `<=`.
    public var op: String
    public var threshold: Double
    public var windows: Int

    public init(metric: String, op: String, threshold: Double, windows: Int = 1) {
        self.metric = metric; self.op = op; self.threshold = threshold; self.windows = windows
    }

    static let plain: Set<String> = ["dataset_drift", "drifted_share", "rows", "refused_requests", "realized_accuracy", "realized_balanced_accuracy", "realized_f1_macro",
                                     "realized_mae", "realized_rmse", "realized_r2", "realized_coverage",
                                     "realized_precision_macro", "realized_recall_macro", "realized_log_loss", "realized_roc_auc", "realized_roc_auc_ovr_macro",
                                     "realized_precision_weighted", "realized_recall_weighted", "realized_f1_weighted", "realized_average_precision", "realized_brier",
                                     "requests", "error_rate", "refused_rate", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
                                     "estimated_accuracy", "estimated_balanced_accuracy", "estimated_f1_macro"]

    /// The rule as written: `drifted_share >= 0.5 for 2`.
    public var text: String { "\(metric) \(op) \(formatted(threshold))" + (windows > 1 ? " for \(windows)" : "") }

    private func formatted(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }

    /// Parses `METRIC OP VALUE [for N]` (spaces optional around the operator).
    public init(parsing text: String) throws(StoreError) {
        let usage = "an alert is METRIC OP VALUE [for N], e.g. 'drifted_share >= 0.5', 'drift_size:age > 0.2 for 2', 'realized_accuracy < 0.8'"
        var body = text.trimmingCharacters(in: .whitespaces)
        var windows = 1
        if let r = body.range(of: " for ", options: .backwards) {
            guard let n = Int(body[r.upperBound...].trimmingCharacters(in: .whitespaces)), (1...1000).contains(n) else {
                throw .invalid("'\(text.prefix(100))': 'for' takes a number of windows from 1 to 1000; \(usage)")
            }
            windows = n
            body = String(body[..<r.lowerBound])
        }
        guard let opRange = [">=", "<=", ">", "<"].lazy.compactMap({ body.range(of: $0) }).first else {
            throw .invalid("'\(text.prefix(100))' has no comparison; \(usage)")
        }
        let metric = body[..<opRange.lowerBound].trimmingCharacters(in: .whitespaces)
        let value = body[opRange.upperBound...].trimmingCharacters(in: .whitespaces)
        guard let threshold = Double(value), threshold.isFinite else { throw .invalid("'\(text.prefix(100))': '\(value.prefix(40))' is not a number; \(usage)") }
        let column = metric.firstIndex(of: ":").map { metric[metric.index(after: $0)...] } ?? ""
        let known = Self.plain.contains(metric) || ((metric.hasPrefix("drift_size:") || metric.hasPrefix("missing_rate:")) && !column.isEmpty)
        guard known else {
            throw .invalid("'\(text.prefix(100))': unknown metric '\(metric.prefix(60))'; use \(Self.plain.sorted().joined(separator: ", ")), drift_size:COLUMN or missing_rate:COLUMN")
        }
        self.init(metric: metric, op: String(body[opRange]), threshold: threshold, windows: windows)
    }

    /// Whether `value` meets the condition.
    public func holds(_ value: Double) -> Bool {
        switch op {
        case ">": return value > threshold
        case ">=": return value >= threshold
        case "<": return value < threshold
        default: return value <= threshold
        }
    }
}

/// Where a rule stands: firing or not, and how many windows in a row have pointed the other way.
public struct AlertState: Sendable, Codable, Equatable {
    public var rule: String
    public var firing: Bool
    public var streak: Int
    /// When it last fired or resolved (window end, ms since 1970).
    public var since: Int64?
    /// The metric's value in the last window that had one.
    public var lastValue: Double?

    public init(rule: String, firing: Bool = false, streak: Int = 0, since: Int64? = nil, lastValue: Double? = nil) {
        self.rule = rule; self.firing = firing; self.streak = streak; self.since = since; self.lastValue = lastValue
    }
}

/// A rule that fired or resolved at a window's end.
public struct AlertEvent: Sendable, Codable, Equatable {
    public var monitor: String
    public var endpoint: String
    public var rule: String
    /// "fired" or "resolved".
    public var action: String
    public var value: Double
    public var windowStart: Int64
    public var windowEnd: Int64

    public init(monitor: String, endpoint: String, rule: String, action: String, value: Double, windowStart: Int64, windowEnd: Int64) {
        self.monitor = monitor; self.endpoint = endpoint; self.rule = rule; self.action = action; self.value = value
        self.windowStart = windowStart; self.windowEnd = windowEnd
    }
}

extension AlertState {
    /// The state after a window whose metric value is `value` (nil: the window had none, which
    /// changes nothing), and the event when it fired or resolved.
    public func next(_ rule: AlertRule, value: Double?, at end: Int64) -> (AlertState, action: String?) {
        guard let value else { return (self, nil) }
        var s = self
        s.lastValue = value
        let pointsAway = rule.holds(value) != firing
        s.streak = pointsAway ? streak + 1 : 0
        if s.streak >= rule.windows {
            s.firing.toggle()
            s.streak = 0
            s.since = end
            return (s, s.firing ? "fired" : "resolved")
        }
        return (s, nil)
    }
}
