public import Foundation
public import PulkEndpoints
import PulkMonitoring
public import PulkStore
public import PulkTracking

/// Drift monitors of endpoints: created, changed and removed; each window computed from the serving
/// log (`DriftFlow` with a serving window), kept in the store and recorded as a tracking run in the
/// experiment `monitor/NAME` (one metric per column, the report as artifacts). `runDue` is what a
/// server's scheduler calls; `runNow` and `backfill` what a person asks for. The clock is injected.
public struct Monitoring: Sendable {
    public let store: any MonitorStore & EndpointStore & FeedbackStore
    public let catalog: any DatasetCatalog
    public let tracking: @Sendable () async throws -> any TrackingClient
    public let endpoints: @Sendable () async throws -> any EndpointService
    /// Milliseconds since 1970.
    public let clock: @Sendable () -> Int64
    /// Told of the alert rules that fire or resolve (a server delivers them to webhooks, its log and
    /// its metrics); every window's events are also kept with the window.
    public var onAlerts: (@Sendable ([AlertEvent]) async -> Void)?
    /// Entries read per page of the serving log.
    public var pageSize = 20_000

    public init(store: any MonitorStore & EndpointStore & FeedbackStore, catalog: any DatasetCatalog, tracking: @escaping @Sendable () async throws -> any TrackingClient,
                endpoints: @escaping @Sendable () async throws -> any EndpointService,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.catalog = catalog
        self.tracking = tracking
        self.endpoints = endpoints
        self.clock = clock
    }

    /// A new monitor; its first window closes one period from now.
    public func create(name: String, endpoint: String, reference: String?, windowSeconds: Int64, everySeconds: Int64, columns: [String]?,
                       method: String?, threshold: Double?, driftShare: Double, alerts: [String] = [], user: String) async throws -> Monitor {
        let rules: [AlertRule]
        do { rules = try alerts.map { text throws(StoreError) in try AlertRule(parsing: text) } } catch { throw AppError.invalid(error.message) }
        if let method, DriftMethod(rawValue: method) == nil {
            throw AppError.invalid("unknown drift method '\(method.prefix(40))': choose one of \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // The settings' limits first: the schedule's arithmetic below must not overflow on wild values.
        do {
            try Monitor.check(Monitor(name: name, endpoint: endpoint, windowSeconds: windowSeconds, everySeconds: everySeconds, columns: columns,
                                      driftShare: driftShare, nextRunTime: 0, creationTime: 0, user: user, alerts: rules))
        } catch { throw AppError.invalid(error.message) }
        if let reference { _ = try await DataSources.registered(reference, in: catalog) }
        let now = clock()
        return try await store.createMonitor(Monitor(name: name, endpoint: endpoint, reference: reference, windowSeconds: windowSeconds,
                                                     everySeconds: everySeconds, columns: columns, method: method, threshold: threshold,
                                                     driftShare: driftShare, nextRunTime: now + everySeconds * 1000, creationTime: now, user: user,
                                                     alerts: rules.isEmpty ? nil : rules, alertStates: rules.isEmpty ? nil : rules.map { AlertState(rule: $0.text) }))
    }

    /// Paused monitors keep their runs and compute nothing until resumed; a resumed one's next window
    /// closes one period from now.
    public func setPaused(_ name: String, _ paused: Bool) async throws -> Monitor {
        var m = try await store.monitor(name: name)
        m.paused = paused
        if !paused { m.nextRunTime = clock() + m.everySeconds * 1000 }
        return try await store.updateMonitor(m)
    }

    /// Computes every due monitor's window (the one that closed at its scheduled time), each claimed
    /// first so that two servers of one store never both compute it.
    public func runDue() async throws -> [MonitorRun] {
        let now = clock()
        var out: [MonitorRun] = []
        for m in try await store.dueMonitors(now: now) {
            // the next window after the last one due (a server that was down skips the missed ones)
            var next = m.nextRunTime + m.everySeconds * 1000
            while next <= now { next += m.everySeconds * 1000 }
            guard try await store.claimMonitorRun(name: m.name, from: m.nextRunTime, to: next) else { continue }
            out.append(try await compute(m, windowEnd: m.nextRunTime))
        }
        return out
    }

    /// The window that ends now, computed and kept, without moving the schedule.
    public func runNow(_ name: String) async throws -> MonitorRun {
        try await compute(try await store.monitor(name: name), windowEnd: clock())
    }

    /// The last `windows` past windows (ending now, one period apart), oldest first, from what the
    /// serving log still holds.
    public func backfill(_ name: String, windows: Int) async throws -> [MonitorRun] {
        guard (1...1000).contains(windows) else { throw AppError.invalid("backfill takes 1 to 1000 windows, not \(windows)") }
        let m = try await store.monitor(name: name)
        let now = clock()
        var out: [MonitorRun] = []
        for k in stride(from: windows - 1, through: 0, by: -1) {
            out.append(try await compute(m, windowEnd: now - Int64(k) * m.everySeconds * 1000))
        }
        return out
    }

    /// One window: the drift of the requests of [end − window, end) against the reference, kept in
    /// the store (an empty window and a failure are kept too, with why).
    func compute(_ m: Monitor, windowEnd: Int64) async throws -> MonitorRun {
        let start = windowEnd - m.windowSeconds * 1000
        var options = DriftOptions()
        options.columns = m.columns
        options.method = m.method.flatMap(DriftMethod.init(rawValue:))
        options.threshold = m.threshold
        options.driftShare = m.driftShare
        var window = DriftFlow.ServingWindow(endpoint: m.endpoint, since: start, until: windowEnd)
        window.pageSize = pageSize
        var run = MonitorRun(id: UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(), monitor: m.name,
                             windowStart: start, windowEnd: windowEnd, time: clock(), status: .ok, rows: 0, datasetDrift: false,
                             driftedShare: 0, columns: "[]", report: "{}", message: nil)
        do {
            // Truth arrives after its request: the feedback since the window opened (with a margin for
            // the clocks of several servers) holds all there is for the window's requests.
            let feedback = try await store.feedback(endpoint: m.endpoint, since: start - Self.clockMargin, limit: Self.maxFeedback)
            window.keep = Set(feedback.map(\.requestId))
            let request = DriftFlow.Request(reference: m.reference, current: "", options: options, registeredOnly: true, serving: window)
            let outcome = try await DriftFlow.analyze(request, catalog: catalog, tracking: tracking, endpoints: endpoints,
                                                      now: Date(timeIntervalSince1970: Double(windowEnd) / 1000))
            let report = outcome.report
            run.rows = report.currentRows
            run.datasetDrift = report.datasetDrift
            run.driftedShare = report.driftedShare
            run.columns = Self.columnsJSON(report)
            run.report = String(decoding: report.jsonData(), as: UTF8.self)
            run.message = report.warnings.isEmpty ? nil : report.warnings.joined(separator: "; ")
            let realized = outcome.kept.isEmpty ? [:] : RealizedPerformance.compute(entries: outcome.kept, feedback: feedback, rows: outcome.answeredRows)
            var figures = realized
            for (k, v) in report.estimatedPerformance ?? [:] { figures["estimated_\(k)"] = v }
            for (k, v) in await trainingFigures(report.model) { figures["training_\(k)"] = v }
            if let traffic = report.traffic { figures.merge(Self.trafficFigures(traffic)) { _, new in new } }
            run.performance = RealizedPerformance.json(figures)
            do { run.trackingRunId = try await record(m, run, report, realized: realized, other: figures.filter { !realized.keys.contains($0.key) }) } catch {
                // the window is kept all the same; say why it has no tracking run
                run.message = [run.message, "not recorded as a tracking run: \(error)"].compactMap { $0 }.joined(separator: "; ")
            }
        } catch let e as DriftFlow.EmptyWindow {
            run.status = .empty
            run.message = e.message
            run.performance = RealizedPerformance.json(Self.trafficFigures(e.traffic))
        } catch {
            run.status = .failed
            run.message = "\(error)"
        }
        let events = try await evaluateAlerts(m, run)
        if !events.isEmpty {
            run.alerts = String(decoding: (try? JSONEncoder.snakeCase.encode(events)) ?? Data("[]".utf8), as: UTF8.self)
        }
        try await store.recordMonitorRun(run)
        if !events.isEmpty, let onAlerts { await onAlerts(events) }
        return run
    }

    /// Feedback older than a window's start by this much (milliseconds) may still be its requests'.
    static let clockMargin: Int64 = 300_000
    /// The most feedback rows one window reads.
    static let maxFeedback = 5_000_000

    /// The window's traffic figures, by the name they are kept (with its performance) and alerted on.
    static let traffic: [(name: String, value: @Sendable (ServingTraffic) -> Double?)] = [
        ("requests", { Double($0.requests) }), ("error_rate", { $0.errorRate }),
        ("refused_rate", { $0.requests > 0 ? Double($0.refused) / Double($0.requests) : 0 }),
        ("latency_p50_ms", { $0.latencyP50Ms }), ("latency_p95_ms", { $0.latencyP95Ms }), ("latency_p99_ms", { $0.latencyP99Ms }),
    ]
    static let trafficMetrics = Set(traffic.map(\.name))

    static func trafficFigures(_ t: ServingTraffic) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: traffic.compactMap { figure in figure.value(t).map { (figure.name, $0) } })
    }

    /// Each rule's metric in the window: what moves its state, and the events of those that fired or
    /// resolved. The states are saved with the monitor (read afresh: the schedule moved meanwhile).
    func evaluateAlerts(_ m: Monitor, _ run: MonitorRun) async throws -> [AlertEvent] {
        guard let rules = m.alerts, !rules.isEmpty else { return [] }
        var current = try await store.monitor(name: m.name)
        var states = current.alertStates ?? []
        var events: [AlertEvent] = []
        let columns = run.columnFigures, performance = run.performanceFigures
        let report = run.status == .ok ? DriftReport(json: Data(run.report.utf8)) : nil
        for rule in rules {
            let value = Self.metric(rule.metric, run: run, columns: columns, performance: performance, report: report)
            let index = states.firstIndex { $0.rule == rule.text } ?? { states.append(AlertState(rule: rule.text)); return states.count - 1 }()
            let (next, action) = states[index].next(rule, value: value, at: run.windowEnd)
            states[index] = next
            if let action, let value {
                events.append(AlertEvent(monitor: m.name, endpoint: m.endpoint, rule: rule.text, action: action, value: value,
                                         windowStart: run.windowStart, windowEnd: run.windowEnd))
            }
        }
        current.alertStates = states
        _ = try await store.updateMonitor(current)
        return events
    }

    /// A rule's metric in a window; nil when the window has none (a failed window, a column not compared, no feedback).
    static func metric(_ name: String, run: MonitorRun, columns: [[String: Any]], performance: [String: Double], report: DriftReport?) -> Double? {
        if name == "rows" { return run.status == .failed ? nil : Double(run.rows) }
        // the traffic figures exist in a window without answered requests too (all of them failed)
        if trafficMetrics.contains(name) { return performance[name] }
        guard run.status == .ok else { return nil }
        switch name {
        case "dataset_drift": return run.datasetDrift ? 1 : 0
        case "drifted_share": return run.driftedShare
        case "refused_requests": return report?.refusedRequests.map(Double.init)
        default: break
        }
        if name.hasPrefix("realized_") { return performance[String(name.dropFirst("realized_".count))] }
        if name.hasPrefix("estimated_") { return performance[name] }
        if name.hasPrefix("drift_size:") {
            let column = String(name.dropFirst("drift_size:".count))
            return columns.first { $0["name"] as? String == column }?["drift_size"] as? Double
        }
        if name.hasPrefix("missing_rate:") {
            let column = String(name.dropFirst("missing_rate:".count))
            return report?.allColumns.first { $0.name == column }?.quality.currentMissingRate
        }
        return nil
    }

    /// The test-split figures of the run that trained `model` (NAME:VERSION), to read realized and
    /// estimated figures against; empty when there is no such run.
    func trainingFigures(_ model: String?) async -> [String: Double] {
        guard let model, let ref = try? ModelReference(parsing: model), let client = try? await tracking(),
              let version = try? await ref.version(client), !version.runId.isEmpty, let run = try? await client.run(id: version.runId) else { return [:] }
        var out: [String: Double] = [:]
        for name in ["accuracy", "balanced_accuracy", "f1_macro", "mae", "rmse", "r2"] {
            if let metric = run.metrics.last(where: { $0.key == "test_\(name)" }) { out[name] = metric.value }
        }
        return out
    }

    static func columnsJSON(_ r: DriftReport) -> String {
        let rows: [[String: Any]] = r.allColumns.map { c in
            var o: [String: Any] = ["name": c.name, "role": c.role.rawValue, "method": c.method.rawValue, "drifted": c.drifted, "drift_size": c.driftSize]
            if let v = c.value { o["value"] = v }
            return o
        }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys])) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The window as a run of the experiment `monitor/NAME`: the drift share, dataset drift and rows,
    /// each column's drift size and value, and the report as drift.html and drift.json.
    func record(_ m: Monitor, _ run: MonitorRun, _ report: DriftReport, realized: [String: Double], other: [String: Double]) async throws -> String {
        let client = try await tracking()
        let experiment = try await client.experimentId(named: "monitor/\(m.name)")
        let info = try await client.createRun(experimentId: experiment, runName: "\(m.name) window to \(Self.iso(run.windowEnd))", userId: m.user,
                                              startTime: run.time, tags: [Tag("pulk.monitor", m.name), Tag("pulk.endpoint", m.endpoint)])
        let t = run.windowEnd
        var metrics = [Metric("dataset_drift", report.datasetDrift ? 1 : 0, timestamp: t), Metric("drifted_share", report.driftedShare, timestamp: t),
                       Metric("rows", Double(report.currentRows), timestamp: t)]
        for (k, v) in realized.sorted(by: { $0.key < $1.key }) { metrics.append(Metric("realized_\(k)", v, timestamp: t)) }
        for (k, v) in other.sorted(by: { $0.key < $1.key }) { metrics.append(Metric(k, v, timestamp: t)) }

        for c in report.allColumns {
            metrics.append(Metric("drift_size.\(c.name)", c.driftSize, timestamp: t))
            if let v = c.value { metrics.append(Metric("\(c.method.rawValue).\(c.name)", v, timestamp: t)) }
        }
        let params = [Param("endpoint", m.endpoint), Param("reference", report.reference), Param("window_start", Self.iso(run.windowStart)),
                      Param("window_end", Self.iso(run.windowEnd))]
        try await client.logBatch(runId: info.runId, metrics: metrics, params: params, tags: [])
        try await client.logArtifact(info, path: "drift.html", bytes: Array(report.html().utf8))
        try await client.logArtifact(info, path: "drift.json", bytes: Array(report.jsonData()))
        try await client.finishRun(runId: info.runId, status: .finished, endTime: clock())
        return info.runId
    }

    static func iso(_ millis: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

/// Computes the due windows of every monitor on a schedule, inside `pulk server` (any number of
/// servers of one store: each window is claimed by one).
public struct MonitorScheduler: Sendable {
    public let monitoring: Monitoring
    /// How often the store is asked for due monitors.
    public let interval: Duration

    public init(monitoring: Monitoring, interval: Duration = .seconds(5)) {
        self.monitoring = monitoring
        self.interval = interval
    }

    /// Until cancelled. A failing pass (the store unreachable) is tried again at the next tick.
    public func run() async {
        while !Task.isCancelled {
            _ = try? await monitoring.runDue()
            try? await Task.sleep(for: interval)
        }
    }
}

extension JSONEncoder {
    /// snake_case keys, sorted: the shape the API and the stored JSON use.
    static var snakeCase: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
