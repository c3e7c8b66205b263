public import Foundation
public import PulkEndpoints

/// What a monitor is asked to be (`pulk monitor create`, `POST /monitors`).
public struct MonitorSpec: Codable, Sendable {
    public var name: String
    public var endpoint: String
    public var reference: String?
    public var windowSeconds: Int64
    public var everySeconds: Int64
    public var columns: [String]?
    public var method: String?
    public var threshold: Double?
    public var driftShare: Double
    /// Alert rules, `METRIC OP VALUE [for N]` each.
    public var alerts: [String]

    public init(name: String, endpoint: String, reference: String? = nil, windowSeconds: Int64 = 3600, everySeconds: Int64 = 3600,
                columns: [String]? = nil, method: String? = nil, threshold: Double? = nil, driftShare: Double = 0.5, alerts: [String] = []) {
        self.name = name; self.endpoint = endpoint; self.reference = reference; self.windowSeconds = windowSeconds
        self.everySeconds = everySeconds; self.columns = columns; self.method = method; self.threshold = threshold; self.driftShare = driftShare
        self.alerts = alerts
    }

    enum CodingKeys: String, CodingKey { case name, endpoint, reference, windowSeconds, everySeconds, columns, method, threshold, driftShare, alerts }

    /// The window, period and share may be left out (1 hour, 1 hour, 0.5).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), endpoint: try c.decode(String.self, forKey: .endpoint),
                  reference: try c.decodeIfPresent(String.self, forKey: .reference),
                  windowSeconds: try c.decodeIfPresent(Int64.self, forKey: .windowSeconds) ?? 3600,
                  everySeconds: try c.decodeIfPresent(Int64.self, forKey: .everySeconds) ?? 3600,
                  columns: try c.decodeIfPresent([String].self, forKey: .columns), method: try c.decodeIfPresent(String.self, forKey: .method),
                  threshold: try c.decodeIfPresent(Double.self, forKey: .threshold),
                  driftShare: try c.decodeIfPresent(Double.self, forKey: .driftShare) ?? 0.5,
                  alerts: try c.decodeIfPresent([String].self, forKey: .alerts) ?? [])
    }
}

/// Monitors of the workspace's endpoints, or of a server's (`pulk monitor …` works on either).
public protocol MonitorService: Sendable {
    func monitors() async throws -> [Monitor]
    /// The monitor and its newest `runs` windows (their full reports left out: `run(_:id:)` has one).
    func monitor(name: String, runs: Int) async throws -> (monitor: Monitor, runs: [MonitorRun])
    /// One window with its whole report.
    func run(_ monitor: String, id: String) async throws -> MonitorRun
    func create(_ spec: MonitorSpec) async throws -> Monitor
    func setPaused(_ name: String, _ paused: Bool) async throws -> Monitor
    func delete(name: String) async throws
    /// The window ending now, computed and kept.
    func runNow(_ name: String) async throws -> MonitorRun
    /// The last `windows` windows, computed from what the serving log still holds.
    func backfill(_ name: String, windows: Int) async throws -> [MonitorRun]
}

extension MonitorRun {
    /// The same run without its whole report (lists carry the per-column figures only).
    public var summary: MonitorRun { var r = self; r.report = "{}"; return r }

    /// The window's main realized figure from feedback, `accuracy 0.750 (40 rows)` (labels) or
    /// `rmse 1.23 (40 rows)` (numbers); empty without feedback.
    public var realizedSummary: String {
        let p = performanceFigures
        guard let n = p["rows_with_truth"] else { return "" }
        let main = p["accuracy"].map { String(format: "accuracy %.3f", $0) } ?? p["rmse"].map { String(format: "rmse %.4g", $0) } ?? ""
        return "\(main) (\(Int(n)) rows)"
    }

    /// `41 req, 2.4% failed, p99 12 ms`: the window's logged traffic ("" before it was kept).
    public var trafficSummary: String {
        let p = performanceFigures
        guard let n = p["requests"] else { return "" }
        var text = "\(Int(n)) req, \(String(format: "%.1f", (p["error_rate"] ?? 0) * 100))% failed"
        if let p99 = p["latency_p99_ms"] { text += String(format: ", p99 %.3g ms", p99) }
        return text
    }
}

/// Monitors in this process's store (the workspace's, or the server's own).
public struct LocalMonitors: MonitorService {
    public let monitoring: Monitoring
    public let user: String

    public init(monitoring: Monitoring, user: String) {
        self.monitoring = monitoring
        self.user = user
    }

    public func monitors() async throws -> [Monitor] { try await monitoring.store.monitors() }
    public func monitor(name: String, runs: Int) async throws -> (monitor: Monitor, runs: [MonitorRun]) {
        let m = try await monitoring.store.monitor(name: name)
        return (m, try await monitoring.store.monitorRuns(monitor: name, limit: runs).map(\.summary))
    }
    public func run(_ monitor: String, id: String) async throws -> MonitorRun {
        guard let r = try await monitoring.store.monitorRuns(monitor: monitor, limit: 10_000).first(where: { $0.id == id }) else {
            throw AppError.notFound("Monitor \(monitor) has no run \(id.prefix(80)); `pulk monitor show \(monitor)` lists its runs")
        }
        return r
    }
    public func create(_ spec: MonitorSpec) async throws -> Monitor {
        try await monitoring.create(name: spec.name, endpoint: spec.endpoint, reference: spec.reference, windowSeconds: spec.windowSeconds,
                                    everySeconds: spec.everySeconds, columns: spec.columns, method: spec.method, threshold: spec.threshold,
                                    driftShare: spec.driftShare, alerts: spec.alerts, user: user)
    }
    public func setPaused(_ name: String, _ paused: Bool) async throws -> Monitor { try await monitoring.setPaused(name, paused) }
    public func delete(name: String) async throws { try await monitoring.store.deleteMonitor(name: name) }
    public func runNow(_ name: String) async throws -> MonitorRun { try await monitoring.runNow(name) }
    public func backfill(_ name: String, windows: Int) async throws -> [MonitorRun] { try await monitoring.backfill(name, windows: windows) }
}

/// Monitors of a `pulk server`, through its native API (the server computes the windows).
public struct RemoteMonitors: MonitorService {
    public let client: PulkServerClient

    public init(client: PulkServerClient) { self.client = client }

    struct List: Codable { var monitors: [Monitor] }
    struct One: Codable { var monitor: Monitor }
    struct Detail: Codable { var monitor: Monitor; var runs: [MonitorRun] }
    struct RunOne: Codable { var run: MonitorRun }
    struct Runs: Codable { var runs: [MonitorRun] }
    struct Backfill: Codable { var windows: Int }
    struct Empty: Codable {}

    func path(_ name: String, _ rest: String = "") -> String { "/monitors/" + PulkServerClient.escape(name) + rest }

    public func monitors() async throws -> [Monitor] { try await client.send("GET", "/monitors", as: List.self).monitors }
    public func monitor(name: String, runs: Int) async throws -> (monitor: Monitor, runs: [MonitorRun]) {
        let d = try await client.send("GET", path(name), query: [("runs", String(runs))], as: Detail.self)
        return (d.monitor, d.runs)
    }
    public func run(_ monitor: String, id: String) async throws -> MonitorRun {
        try await client.send("GET", path(monitor, "/runs/" + PulkServerClient.escape(id)), as: RunOne.self).run
    }
    public func create(_ spec: MonitorSpec) async throws -> Monitor { try await client.send("POST", "/monitors", json: spec, as: One.self).monitor }
    public func setPaused(_ name: String, _ paused: Bool) async throws -> Monitor {
        try await client.send("POST", path(name, paused ? "/pause" : "/resume"), json: Empty(), as: One.self).monitor
    }
    public func delete(name: String) async throws { _ = try await client.send("DELETE", path(name), as: Empty.self) }
    public func runNow(_ name: String) async throws -> MonitorRun { try await client.send("POST", path(name, "/run"), json: Empty(), as: RunOne.self).run }
    public func backfill(_ name: String, windows: Int) async throws -> [MonitorRun] {
        try await client.send("POST", path(name, "/backfill"), json: Backfill(windows: windows), as: Runs.self).runs
    }
}
