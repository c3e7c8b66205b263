import Foundation
import PulkApp
import PulkEndpoints
import PulkSQL
import PulkStore
import PulkTracking
import PulkWorkspace
import Testing

/// What a monitor handed to its alert delivery.
final class AlertInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var got: [AlertEvent] = []
    func add(_ events: [AlertEvent]) { lock.lock(); got += events; lock.unlock() }
    var events: [AlertEvent] { lock.lock(); defer { lock.unlock() }; return got }
}

/// A settable clock (milliseconds since 1970) for the monitor schedule.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(_ start: Int64) { value = start }
    var now: Int64 { lock.lock(); defer { lock.unlock() }; return value }
    func advance(seconds: Int64) { lock.lock(); value += seconds * 1000; lock.unlock() }
}

@Suite("Application layer: drift monitors")
struct MonitoringTests {
    /// A workspace whose `toy` endpoint serves the logistic model trained on toy.csv (registered as
    /// toy version 1), and a `Monitoring` on a test clock.
    struct Fixture {
        let b: Bench
        let store: SQLTrackingStore
        let clock: TestClock
        let monitoring: Monitoring
    }

    static func fixture() async throws -> Fixture {
        let b = try Bench.make()
        let ws = try await b.bench.workspace()
        _ = try ws.datasets.add(file: b.csv, name: "toy")
        let trained = try await Training.train(TrainingRequest(data: "toy", target: "target", model: "logistic", run: RunSettings(profile: false)), on: b.bench)
        let client = try await b.bench.trackingClient()
        _ = try await Registering.register(runId: try #require(trained.run).runId, name: "toy", client: client)
        try await client.setAlias(name: "toy", alias: "champion", version: "1", user: "t")
        _ = try await Deploying.deploy(DeployRequest(endpoint: "toy", model: "toy@champion"), on: b.bench)
        let store = try await b.bench.sqlStore()
        let clock = TestClock(1_800_000_000_000)
        let bench = b.bench
        let monitoring = Monitoring(store: store, catalog: try await bench.datasets(), tracking: { try await bench.trackingClient() },
                                    endpoints: { try await bench.endpoints() }, clock: { clock.now })
        return Fixture(b: b, store: store, clock: clock, monitoring: monitoring)
    }

    /// `n` logged requests of one row each at `time`, x shifted by `shift`.
    static func log(_ f: Fixture, at time: Int64, count n: Int, shift: Int) async throws {
        let entries = (0..<n).map { i in
            ServingLogEntry(endpoint: "toy", deployment: "blue", model: "toy", version: "1", time: time + Int64(i), requestId: "r\(time)-\(i)", status: 200,
                            latencyMicros: 100, shadow: false, rows: 1, input: #"{"records": [{"x": \#(i * 2 + shift), "z": \#(i % 7)}]}"#,
                            output: #"{"predictions": ["no"]}"#)
        }
        try await f.store.appendServingLog(entries, retention: ["toy": 100_000])
    }

    @Test("Due windows are computed once, on schedule, kept in the store and as tracking runs; empty windows say so")
    func schedule() async throws {
        let f = try await Self.fixture()
        let m = try await f.monitoring.create(name: "toy-drift", endpoint: "toy", reference: nil, windowSeconds: 3600, everySeconds: 3600, columns: nil,
                                              method: nil, threshold: nil, driftShare: 0.5, user: "ada")
        #expect(m.nextRunTime == f.clock.now + 3_600_000)
        #expect(try await f.monitoring.runDue().isEmpty, "nothing is due before the first window closes")

        // The first hour: requests like the training data; the second: x shifted far beyond it.
        try await Self.log(f, at: f.clock.now + 60_000, count: 60, shift: 0)
        try await Self.log(f, at: f.clock.now + 3_660_000, count: 60, shift: 500)
        // The truth of 40 of the first hour's requests: every logged answer was "no"; 30 of them were right.
        let start = f.clock.now + 60_000
        _ = try await f.store.addFeedback(endpoint: "toy", (0..<40).map { i in
            Feedback(requestId: "r\(start)-\(i)", truth: i < 30 ? "no" : "yes", time: start)
        })
        f.clock.advance(seconds: 3600)
        let first = try await f.monitoring.runDue()
        #expect(first.count == 1)
        #expect(first[0].status == .ok && first[0].rows == 60 && !first[0].datasetDrift, "\(first[0].message ?? "")")
        let realized = try #require(try JSONSerialization.jsonObject(with: Data(first[0].performance.utf8)) as? [String: Double])
        #expect(realized["rows_with_truth"] == 40 && realized["accuracy"] == 0.75 && abs((realized["coverage"] ?? 0) - 40.0 / 60) < 1e-12, "\(realized)")
        // Beside them: the estimate from the model's confidence, and the training run's test figures.
        #expect((0...1).contains(realized["estimated_accuracy"] ?? -1) && (0...1).contains(realized["training_accuracy"] ?? -1), "\(realized)")
        #expect(try await f.monitoring.runDue().isEmpty, "a window is computed once")

        f.clock.advance(seconds: 3600)
        let second = try await f.monitoring.runDue()
        #expect(second.count == 1 && second[0].status == .ok && second[0].datasetDrift)
        let columns = try #require(try JSONSerialization.jsonObject(with: Data(second[0].columns.utf8)) as? [[String: Any]])
        #expect(columns.first { $0["name"] as? String == "x" }?["drifted"] as? Bool == true)

        // A restart: a new Monitoring on the same store keeps the schedule.
        let bench = f.b.bench, clock = f.clock
        let restarted = Monitoring(store: f.store, catalog: try await bench.datasets(), tracking: { try await bench.trackingClient() },
                                   endpoints: { try await bench.endpoints() }, clock: { clock.now })
        #expect(try await restarted.store.monitor(name: "toy-drift").nextRunTime == f.clock.now + 3_600_000)
        f.clock.advance(seconds: 3600)
        let empty = try await restarted.runDue()
        #expect(empty.count == 1 && empty[0].status == .empty && empty[0].message?.contains("no logged answered request") == true)

        // Every window is kept, newest first; the computed ones are runs of the experiment monitor/toy-drift.
        let kept = try await f.store.monitorRuns(monitor: "toy-drift", limit: 10)
        #expect(kept.map(\.status) == [.empty, .ok, .ok])
        let client = try await bench.trackingClient()
        let run = try await client.run(id: try #require(kept[1].trackingRunId))
        #expect(run.metrics.contains { $0.key == "dataset_drift" && $0.value == 1 })
        let firstRun = try await client.run(id: try #require(kept[2].trackingRunId))
        #expect(firstRun.metrics.contains { $0.key == "realized_accuracy" && $0.value == 0.75 })
        #expect(try await client.artifactFiles(run.info).contains("drift.html"))

        // Paused: nothing is computed; resumed: the next window closes a period later.
        _ = try await f.monitoring.setPaused("toy-drift", true)
        f.clock.advance(seconds: 7200)
        #expect(try await f.monitoring.runDue().isEmpty)
        let resumed = try await f.monitoring.setPaused("toy-drift", false)
        #expect(resumed.nextRunTime == f.clock.now + 3_600_000)
    }

    @Test("Alert rules fire and resolve with the windows, are kept with them and handed to the server's delivery")
    func alerts() async throws {
        var f = try await Self.fixture()
        let received = AlertInbox()
        var monitoring = f.monitoring
        monitoring.onAlerts = { events in received.add(events) }
        f = Fixture(b: f.b, store: f.store, clock: f.clock, monitoring: monitoring)
        _ = try await monitoring.create(name: "toy-drift", endpoint: "toy", reference: nil, windowSeconds: 3600, everySeconds: 3600, columns: nil,
                                        method: nil, threshold: nil, driftShare: 0.5,
                                        alerts: ["drift_size:x > 0.2", "realized_accuracy < 0.8", "rows < 1 for 2"], user: "ada")
        await #expect(throws: AppError.self) {
            _ = try await monitoring.create(name: "bad", endpoint: "toy", reference: nil, windowSeconds: 3600, everySeconds: 3600, columns: nil,
                                            method: nil, threshold: nil, driftShare: 0.5, alerts: ["accuracy < 0.8"], user: "ada")
        }
        let start = f.clock.now
        try await Self.log(f, at: start + 60_000, count: 60, shift: 0)
        try await Self.log(f, at: start + 3_660_000, count: 60, shift: 500)
        _ = try await f.store.addFeedback(endpoint: "toy", (0..<40).map { Feedback(requestId: "r\(start + 60_000)-\($0)", truth: $0 < 30 ? "no" : "yes", time: start) })
        for _ in 0..<4 {
            f.clock.advance(seconds: 3600)
            _ = try await monitoring.runDue()
        }
        // Window 1: accuracy 0.75 fires; window 2: x drifts, fires; windows 3 and 4 are empty: two in a row fire "rows < 1".
        let events = received.events.map { "\($0.rule) \($0.action)" }
        #expect(events == ["realized_accuracy < 0.8 fired", "drift_size:x > 0.2 fired", "rows < 1 for 2 fired"], "\(events)")
        let states = try #require(try await f.store.monitor(name: "toy-drift").alertStates)
        #expect(states.filter(\.firing).count == 3)
        let kept = try await f.store.monitorRuns(monitor: "toy-drift", limit: 10)
        #expect(kept.map { $0.alerts == "[]" } == [false, true, false, false], "each window keeps the events of its end")
    }

    @Test("Requests refused as bad input are counted in the window, and can raise an alert")
    func refusals() async throws {
        let f = try await Self.fixture()
        _ = try await f.monitoring.create(name: "toy-drift", endpoint: "toy", reference: nil, windowSeconds: 3600, everySeconds: 3600, columns: nil,
                                          method: nil, threshold: nil, driftShare: 0.5, alerts: ["refused_requests >= 3"], user: "ada")
        try await Self.log(f, at: f.clock.now + 60_000, count: 30, shift: 0)
        let refused = (0..<4).map { i in
            ServingLogEntry(endpoint: "toy", deployment: "blue", model: "toy", version: "1", time: f.clock.now + 120_000 + Int64(i), requestId: "bad-\(i)",
                            status: 400, latencyMicros: 50, shadow: false, rows: 0, input: #"{"records": [{"x": "ten"}]}"#, output: #"{"error_code": "BAD_REQUEST"}"#)
        }
        try await f.store.appendServingLog(refused, retention: ["toy": 100_000])
        f.clock.advance(seconds: 3600)
        let run = try #require(try await f.monitoring.runDue().first)
        #expect(run.status == .ok && run.rows == 30)
        #expect(run.message?.contains("4 logged requests were refused as bad input") == true, "\(run.message ?? "")")
        #expect(run.report.contains("\"refused_requests\":4"))
        #expect(run.alerts.contains("refused_requests >= 3") && run.alerts.contains("fired"), "\(run.alerts)")
    }

    @Test("A window is read page by page, whole; its traffic (latency percentiles, error rate) is kept and alerted on, also when nothing was answered")
    func trafficAndPages() async throws {
        var f = try await Self.fixture()
        var monitoring = f.monitoring
        monitoring.pageSize = 7
        f = Fixture(b: f.b, store: f.store, clock: f.clock, monitoring: monitoring)
        _ = try await f.monitoring.create(name: "toy-ops", endpoint: "toy", reference: nil, windowSeconds: 3600, everySeconds: 3600, columns: nil,
                                          method: nil, threshold: nil, driftShare: 0.5,
                                          alerts: ["error_rate > 0.2", "latency_p99_ms >= 50", "requests < 5"], user: "ada")
        let t0 = f.clock.now + 60_000
        // 30 answered at 1 ms except one at 90 ms, two mirrored copies (left out), 10 failed; several at one time
        try await Self.log(f, at: t0, count: 30, shift: 0)
        var more: [ServingLogEntry] = (0..<10).map { i in
            ServingLogEntry(endpoint: "toy", deployment: "blue", model: "toy", version: "1", time: t0 + 5, requestId: "boom-\(i)", status: 500,
                            latencyMicros: 2_000, shadow: false, rows: 0, input: "{}", output: #"{"error_code": "INTERNAL_ERROR"}"#)
        }
        more += (0..<2).map { i in
            ServingLogEntry(endpoint: "toy", deployment: "green", model: "toy", version: "1", time: t0 + Int64(i), requestId: "r\(t0)-\(i)", status: 200,
                            latencyMicros: 900_000, shadow: true, rows: 1, input: #"{"records": [{"x": 1, "z": 1}]}"#, output: #"{"predictions": ["no"]}"#)
        }
        more.append(ServingLogEntry(endpoint: "toy", deployment: "blue", model: "toy", version: "1", time: t0 + 7, requestId: "slow", status: 200,
                                    latencyMicros: 90_000, shadow: false, rows: 1, input: #"{"records": [{"x": 3, "z": 1}]}"#, output: #"{"predictions": ["no"]}"#))
        try await f.store.appendServingLog(more, retention: ["toy": 100_000])
        f.clock.advance(seconds: 3600)
        let run = try #require(try await f.monitoring.runDue().first)
        #expect(run.status == .ok && run.rows == 31, "every page read: \(run.rows) rows")
        let p = run.performanceFigures
        #expect(p["requests"] == 41 && abs((p["error_rate"] ?? 0) - 10.0 / 41) < 1e-12)
        #expect(p["latency_p50_ms"] == 0.1 && p["latency_p99_ms"] == 90, "\(p)")
        #expect(run.report.contains("\"traffic\":{") && run.report.contains("\"errors\":10"))
        #expect(run.alerts.contains("error_rate > 0.2") && run.alerts.contains("latency_p99_ms >= 50"), "\(run.alerts)")
        #expect(!run.alerts.contains("requests < 5"))
        // a window of failures only: nothing to compare, the traffic still counts
        let failing = (0..<3).map { i in
            ServingLogEntry(endpoint: "toy", deployment: "blue", model: "toy", version: "1", time: f.clock.now + 1_000 + Int64(i), requestId: "down-\(i)", status: 503,
                            latencyMicros: 10, shadow: false, rows: 0, input: "{}", output: "{}")
        }
        try await f.store.appendServingLog(failing, retention: ["toy": 100_000])
        f.clock.advance(seconds: 3600)
        let down = try #require(try await f.monitoring.runDue().first)
        #expect(down.status == .empty && down.performanceFigures["error_rate"] == 1)
        #expect(down.alerts.contains("requests < 5") && down.alerts.contains("fired"), "\(down.alerts)")
        #expect(!down.alerts.contains("error_rate"), "still firing: no new event")
    }

    @Test("A server that was down computes the window due and skips the missed ones; backfill computes past windows")
    func missedWindowsAndBackfill() async throws {
        let f = try await Self.fixture()
        _ = try await f.monitoring.create(name: "toy-drift", endpoint: "toy", reference: "toy:1", windowSeconds: 600, everySeconds: 600, columns: ["x"],
                                          method: "psi", threshold: 0.2, driftShare: 0.5, user: "ada")
        try await Self.log(f, at: f.clock.now + 100_000, count: 30, shift: 0)
        f.clock.advance(seconds: 3 * 600 + 30)
        let due = try await f.monitoring.runDue()
        #expect(due.count == 1, "one window, not three")
        #expect(try await f.store.monitor(name: "toy-drift").nextRunTime > f.clock.now)
        let filled = try await f.monitoring.backfill("toy-drift", windows: 4)
        #expect(filled.count == 4 && filled.map(\.windowEnd) == filled.map(\.windowEnd).sorted())
        #expect(filled.filter { $0.status == .ok }.count == 1, "only the first 10 minutes had requests: \(filled.map(\.status))")
        let report = try #require(filled.first { $0.status == .ok }?.report)
        #expect(report.contains("\"method\":\"psi\"") && report.contains("\"threshold\":0.2"))
        await #expect(throws: AppError.self) { _ = try await f.monitoring.backfill("toy-drift", windows: 0) }
        // Wild schedules are refused before any arithmetic on them (a fuzzer found the overflow).
        for (window, every) in [(Int64(3600), Int64.max / 10), (Int64(-5), Int64(600)), (Int64.max, Int64(600))] {
            await #expect(throws: AppError.self) {
                _ = try await f.monitoring.create(name: "wild", endpoint: "toy", reference: nil, windowSeconds: window, everySeconds: every, columns: nil,
                                                  method: nil, threshold: nil, driftShare: 0.5, user: "ada")
            }
        }
        await #expect(throws: (any Error).self) {
            _ = try await f.monitoring.create(name: "bad", endpoint: "toy", reference: nil, windowSeconds: 600, everySeconds: 600, columns: nil,
                                              method: "magic", threshold: nil, driftShare: 0.5, user: "ada")
        }
        await #expect(throws: (any Error).self) {
            _ = try await f.monitoring.create(name: "bad", endpoint: "toy", reference: "nope:3", windowSeconds: 600, everySeconds: 600, columns: nil,
                                              method: nil, threshold: nil, driftShare: 0.5, user: "ada")
        }
    }
}
