import Foundation
import PulkEndpoints
import Testing
@testable import PulkSQL
@testable import PulkStore

/// Drift monitors: the same schedule, claims and kept windows on every backend.
@Suite("Monitor store contract")
struct MonitorStoreContractTests {
    static let backends = StoreBackend.available

    static func monitor(_ name: String = "churn-drift", next: Int64 = 1_000) -> Monitor {
        Monitor(name: name, endpoint: "churn", windowSeconds: 3600, everySeconds: 600, columns: ["age", "plan"], method: "psi", threshold: 0.2,
                nextRunTime: next, creationTime: 500, user: "ada")
    }

    static func run(_ id: String, end: Int64, drift: Bool = false) -> MonitorRun {
        MonitorRun(id: id, monitor: "churn-drift", windowStart: end - 3_600_000, windowEnd: end, time: end + 5, status: .ok, rows: 120,
                   datasetDrift: drift, driftedShare: drift ? 0.5 : 0.25, columns: #"[{"name":"age","drifted":true}]"#, report: "{}", message: nil)
    }

    @Test("Created, read, listed, changed, deleted with its runs", arguments: backends)
    func lifecycle(backend: StoreBackend) async throws {
        let store = try await backend.make()
        await #expect(throws: StoreError.self) { _ = try await store.createMonitor(Self.monitor()) }  // no endpoint 'churn' yet
        _ = try await store.createEndpoint(name: "churn", description: "", settings: EndpointSettings(), user: "ada")
        let created = try await store.createMonitor(Self.monitor())
        #expect(try await store.monitor(name: "churn-drift") == created)
        await #expect(throws: StoreError.exists("Monitor 'churn-drift' already exists")) { _ = try await store.createMonitor(Self.monitor()) }
        _ = try await store.createMonitor(Self.monitor("a-first"))
        #expect(try await store.monitors().map(\.name) == ["a-first", "churn-drift"])

        var paused = created
        paused.paused = true
        paused.threshold = 0.3
        let changed = try await store.updateMonitor(paused)
        #expect(changed.paused && changed.threshold == 0.3 && changed.creationTime == 500)
        #expect(try await store.monitor(name: "churn-drift") == changed)
        var moved = changed
        moved.endpoint = "other"
        await #expect(throws: StoreError.self) { _ = try await store.updateMonitor(moved) }

        try await store.recordMonitorRun(Self.run("r1", end: 10_000_000))
        try await store.recordMonitorRun(Self.run("r3", end: 30_000_000, drift: true))
        try await store.recordMonitorRun(Self.run("r2", end: 20_000_000))
        let runs = try await store.monitorRuns(monitor: "churn-drift", limit: 10)
        #expect(runs.map(\.id) == ["r3", "r2", "r1"])
        #expect(runs[0] == Self.run("r3", end: 30_000_000, drift: true))
        #expect(try await store.monitorRuns(monitor: "churn-drift", limit: 1).map(\.id) == ["r3"])

        try await store.deleteMonitor(name: "churn-drift")
        await #expect(throws: StoreError.self) { _ = try await store.monitor(name: "churn-drift") }
        await #expect(throws: StoreError.self) { _ = try await store.monitorRuns(monitor: "churn-drift", limit: 10) }
        await #expect(throws: StoreError.self) { try await store.recordMonitorRun(Self.run("r4", end: 40_000_000)) }
        await #expect(throws: StoreError.self) { try await store.deleteMonitor(name: "churn-drift") }
    }

    @Test("Due monitors; one claim per window", arguments: backends)
    func schedule(backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.createEndpoint(name: "churn", description: "", settings: EndpointSettings(), user: "ada")
        _ = try await store.createMonitor(Self.monitor("due", next: 1_000))
        _ = try await store.createMonitor(Self.monitor("later", next: 9_000))
        var p = Self.monitor("paused", next: 500)
        p.paused = true
        _ = try await store.createMonitor(p)
        #expect(try await store.dueMonitors(now: 2_000).map(\.name) == ["due"])
        #expect(try await store.claimMonitorRun(name: "due", from: 1_000, to: 601_000))
        #expect(!(try await store.claimMonitorRun(name: "due", from: 1_000, to: 601_000)), "a second server loses the claim")
        #expect(try await store.dueMonitors(now: 2_000).isEmpty)
        #expect(try await store.monitor(name: "due").nextRunTime == 601_000)
        #expect(try await store.dueMonitors(now: 10_000).map(\.name) == ["later"])
    }

    @Test("Bad settings are refused", arguments: backends)
    func badSettings(backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.createEndpoint(name: "churn", description: "", settings: EndpointSettings(), user: "ada")
        let table: [(inout Monitor) -> Void] = [
            { $0.name = "Bad Name" }, { $0.windowSeconds = 10 }, { $0.everySeconds = 0 }, { $0.driftShare = 2 }, { $0.columns = [] },
        ]
        for change in table {
            var m = Self.monitor()
            change(&m)
            await #expect(throws: StoreError.self) { _ = try await store.createMonitor(m) }
        }
        await #expect(throws: StoreError.self) { _ = try await store.monitorRuns(monitor: "churn-drift", limit: 0) }
    }

    @Test("Feedback is kept per request and row, replaced by a later value, and goes with its endpoint", arguments: backends)
    func feedback(backend: StoreBackend) async throws {
        let store = try await backend.make()
        await #expect(throws: StoreError.self) { _ = try await store.addFeedback(endpoint: "churn", [Feedback(requestId: "r1", truth: "yes", time: 1)]) }
        _ = try await store.createEndpoint(name: "churn", description: "", settings: EndpointSettings(), user: "ada")
        #expect(try await store.addFeedback(endpoint: "churn", [Feedback(requestId: "r1", truth: "yes", time: 1), Feedback(requestId: "r2", row: 3, truth: "no", time: 1)]) == 2)
        #expect(try await store.addFeedback(endpoint: "churn", [Feedback(requestId: "r1", truth: "no", time: 2)]) == 0, "a replacement is not new")
        let kept = try await store.feedback(endpoint: "churn", requestIds: ["r1", "r2", "r9"]).sorted { $0.requestId < $1.requestId }
        #expect(kept == [Feedback(requestId: "r1", truth: "no", time: 2), Feedback(requestId: "r2", row: 3, truth: "no", time: 1)])
        #expect(try await store.feedback(endpoint: "churn", requestIds: (0..<1200).map { "r\($0)" }).count == 2, "asked in chunks")
        // by arrival: what a window that opened at `since` can be owed
        #expect(try await store.feedback(endpoint: "churn", since: 2, limit: 10) == [Feedback(requestId: "r1", truth: "no", time: 2)])
        #expect(try await store.feedback(endpoint: "churn", since: 0, limit: 10).count == 2)
        #expect(try await store.feedback(endpoint: "churn", since: 0, limit: 1) == [Feedback(requestId: "r2", row: 3, truth: "no", time: 1)], "oldest first")
        #expect(try await store.feedback(endpoint: "other", since: 0, limit: 10).isEmpty)
        for bad in [Feedback(requestId: "", truth: "x", time: 1), Feedback(requestId: "r", row: -1, truth: "x", time: 1)] {
            await #expect(throws: StoreError.self) { _ = try await store.addFeedback(endpoint: "churn", [bad]) }
        }
        try await store.deleteEndpoint(name: "churn", user: "ada")
        _ = try await store.createEndpoint(name: "churn", description: "", settings: EndpointSettings(), user: "ada")
        #expect(try await store.feedback(endpoint: "churn", requestIds: ["r1"]).isEmpty)
    }
}

@Suite("Alert rules")
struct AlertRuleTests {
    @Test(arguments: [
        ("drifted_share >= 0.5", "drifted_share", ">=", 0.5, 1),
        ("drift_size:age>0.2 for 3", "drift_size:age", ">", 0.2, 3),
        ("realized_accuracy < 0.8", "realized_accuracy", "<", 0.8, 1),
        ("missing_rate:plan <= 0.1 for 2", "missing_rate:plan", "<=", 0.1, 2),
        ("rows < 10", "rows", "<", 10.0, 1),
    ])
    func parses(text: String, metric: String, op: String, threshold: Double, windows: Int) throws {
        let r = try AlertRule(parsing: text)
        #expect(r == AlertRule(metric: metric, op: op, threshold: threshold, windows: windows))
        #expect(try AlertRule(parsing: r.text) == r, "its text reads back")
    }

    @Test(arguments: ["drifted_share", "accuracy < 0.8", "drift_size: > 1", "rows < many", "rows < 1 for 0", "rows = 3", "drifted_share >= nan"])
    func refuses(text: String) {
        #expect(throws: StoreError.self) { try AlertRule(parsing: text) }
    }

    /// Fires after N windows in a row meet the condition, resolves after N in a row that do not; a
    /// window without a value changes nothing.
    @Test func hysteresis() throws {
        let rule = try AlertRule(parsing: "drifted_share >= 0.5 for 2")
        var state = AlertState(rule: rule.text)
        var actions: [String?] = []
        for (t, v) in [(1, 0.6), (2, 0.2), (3, 0.6), (4, nil), (5, 0.7), (6, 0.1), (7, 0.9), (8, 0.2), (9, 0.3)] as [(Int64, Double?)] {
            let (next, action) = state.next(rule, value: v, at: t)
            state = next
            actions.append(action)
        }
        #expect(actions == [nil, nil, nil, nil, "fired", nil, nil, nil, "resolved"])
        #expect(!state.firing && state.since == 9 && state.lastValue == 0.3)
    }
}
