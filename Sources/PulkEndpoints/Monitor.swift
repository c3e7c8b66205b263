import Foundation
public import PulkStore

/// A drift monitor of an endpoint: every `everySeconds` it compares the requests the endpoint
/// answered in the last `windowSeconds` (its serving log) with a reference, and keeps the result. The
/// schedule is state in the store, so monitors survive restarts and any server of a shared store
/// sees them.
public struct Monitor: Sendable, Codable, Equatable {
    public var name: String
    public var endpoint: String
    /// NAME[:VERSION] of a registered dataset; nil: the training data of the model version that
    /// answered the window.
    public var reference: String?
    public var windowSeconds: Int64
    public var everySeconds: Int64
    /// Only these columns (nil: the model's features).
    public var columns: [String]?
    /// A drift method for every column it applies to (nil: chosen by type and size).
    public var method: String?
    public var threshold: Double?
    public var driftShare: Double
    public var paused: Bool
    /// When the next window closes and is computed (milliseconds since 1970).
    public var nextRunTime: Int64
    public var creationTime: Int64
    public var user: String
    /// Alert rules on its outputs (nil: none), and where each stands (kept with the monitor, so a
    /// restart neither fires nor resolves anything again).
    public var alerts: [AlertRule]?
    public var alertStates: [AlertState]?

    public init(name: String, endpoint: String, reference: String? = nil, windowSeconds: Int64 = 3600, everySeconds: Int64 = 3600,
                columns: [String]? = nil, method: String? = nil, threshold: Double? = nil, driftShare: Double = 0.5, paused: Bool = false,
                nextRunTime: Int64, creationTime: Int64, user: String, alerts: [AlertRule]? = nil, alertStates: [AlertState]? = nil) {
        self.name = name; self.endpoint = endpoint; self.reference = reference; self.windowSeconds = windowSeconds
        self.everySeconds = everySeconds; self.columns = columns; self.method = method; self.threshold = threshold
        self.driftShare = driftShare; self.paused = paused; self.nextRunTime = nextRunTime; self.creationTime = creationTime; self.user = user
        self.alerts = alerts; self.alertStates = alertStates
    }

    /// The limits a monitor's settings keep to.
    public static func check(_ m: Monitor) throws(StoreError) {
        try EndpointRules.checkName(m.name, what: "monitor")
        guard (60...(366 * 86_400)).contains(m.windowSeconds) else { throw .invalid("A monitor's window is from 1 minute to 366 days, not \(m.windowSeconds) s") }
        guard (60...(366 * 86_400)).contains(m.everySeconds) else { throw .invalid("A monitor runs every 1 minute to 366 days, not every \(m.everySeconds) s") }
        guard (0...1).contains(m.driftShare) else { throw .invalid("The drift share is between 0 and 1, not \(m.driftShare)") }
        if let c = m.columns, c.isEmpty || c.count > 10_000 { throw .invalid("A monitor's columns are 1 to 10,000 names, or none for the model's features") }
        if let a = m.alerts, a.count > 100 { throw .invalid("A monitor has at most 100 alert rules, not \(a.count)") }
    }
}

/// One computed window of a monitor.
public struct MonitorRun: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, empty, failed }

    public var id: String
    public var monitor: String
    public var windowStart: Int64
    public var windowEnd: Int64
    /// When it was computed.
    public var time: Int64
    public var status: Status
    /// Rows of the window compared (0 when empty or failed).
    public var rows: Int
    public var datasetDrift: Bool
    public var driftedShare: Double
    /// Per column: `[{"name", "role", "method", "value", "drifted", "drift_size"}]` (JSON), for trends.
    public var columns: String
    /// The whole drift report (JSON), or `{}`.
    public var report: String
    /// Why it is empty or failed.
    public var message: String?
    /// The tracking run that records it (metrics per column, the HTML report), when one was made.
    public var trackingRunId: String?
    /// Realized performance from the feedback received for the window's requests (JSON:
    /// `{"rows_with_truth": N, "coverage": share, "accuracy": …}`), `{}` without feedback.
    public var performance: String = "{}"
    /// The alert rules that fired or resolved at this window's end (JSON array of `AlertEvent`).
    public var alerts: String = "[]"

    public init(id: String, monitor: String, windowStart: Int64, windowEnd: Int64, time: Int64, status: Status, rows: Int,
                datasetDrift: Bool, driftedShare: Double, columns: String, report: String, message: String?, trackingRunId: String? = nil,
                performance: String = "{}", alerts: String = "[]") {
        self.id = id; self.monitor = monitor; self.windowStart = windowStart; self.windowEnd = windowEnd; self.time = time
        self.status = status; self.rows = rows; self.datasetDrift = datasetDrift; self.driftedShare = driftedShare
        self.columns = columns; self.report = report; self.message = message; self.trackingRunId = trackingRunId
        self.performance = performance
        self.alerts = alerts
    }
}

extension MonitorRun {
    /// `columns` read back: one object per column (name, role, method, value, drifted, drift_size).
    public var columnFigures: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(columns.utf8))) as? [[String: Any]] ?? []
    }

    /// The names of the columns that drifted in this window.
    public var driftedColumns: [String] {
        columnFigures.filter { $0["drifted"] as? Bool == true }.compactMap { $0["name"] as? String }
    }

    /// `performance` read back.
    public var performanceFigures: [String: Double] {
        (try? JSONSerialization.jsonObject(with: Data(performance.utf8))) as? [String: Double] ?? [:]
    }
}

/// Monitors and their runs.
public protocol MonitorStore: Sendable {
    /// RESOURCE_ALREADY_EXISTS for a taken name; INVALID_PARAMETER_VALUE for bad settings.
    func createMonitor(_ monitor: Monitor) async throws(StoreError) -> Monitor
    /// RESOURCE_DOES_NOT_EXIST otherwise.
    func monitor(name: String) async throws(StoreError) -> Monitor
    /// Every monitor, by name.
    func monitors() async throws(StoreError) -> [Monitor]
    /// Replaces the monitor's settings, schedule and pause (its name and endpoint stay).
    func updateMonitor(_ monitor: Monitor) async throws(StoreError) -> Monitor
    /// Deletes the monitor with its runs.
    func deleteMonitor(name: String) async throws(StoreError)
    /// Monitors not paused whose next run is due at `now`.
    func dueMonitors(now: Int64) async throws(StoreError) -> [Monitor]
    /// Moves a monitor's next run from `from` to `to` only if it is still `from`: the one server
    /// that wins runs the window (false: another took it).
    func claimMonitorRun(name: String, from: Int64, to: Int64) async throws(StoreError) -> Bool
    /// Keeps a computed window (durable before it returns).
    func recordMonitorRun(_ run: MonitorRun) async throws(StoreError)
    /// The monitor's runs, newest window first; `limit` 1 to 10,000.
    func monitorRuns(monitor: String, limit: Int) async throws(StoreError) -> [MonitorRun]
}

/// The true value of one row of a request an endpoint answered, sent later (`POST /endpoints/NAME/feedback`).
public struct Feedback: Sendable, Codable, Equatable {
    public var requestId: String
    /// The row of the request (0 for one-row requests).
    public var row: Int
    /// The true label or value, as text.
    public var truth: String
    public var time: Int64

    public init(requestId: String, row: Int = 0, truth: String, time: Int64) {
        self.requestId = requestId; self.row = row; self.truth = truth; self.time = time
    }
}

/// Ground truth joined with the serving log by request id and row.
public protocol FeedbackStore: Sendable {
    /// Keeps `feedback` for the endpoint (a later value for the same request and row replaces the
    /// earlier one); returns how many were new. RESOURCE_DOES_NOT_EXIST for an unknown endpoint.
    func addFeedback(endpoint: String, _ feedback: [Feedback]) async throws(StoreError) -> Int
    /// The feedback of these requests, in no particular order.
    func feedback(endpoint: String, requestIds: [String]) async throws(StoreError) -> [Feedback]
    /// The feedback that arrived at or after `since` (milliseconds since 1970), at most `limit`, oldest
    /// first: what can belong to the requests of a window that opened then.
    func feedback(endpoint: String, since: Int64, limit: Int) async throws(StoreError) -> [Feedback]
}
