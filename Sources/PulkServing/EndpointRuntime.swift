public import PulkLearn
public import PulkScoring
public import PulkStore
public import PulkEndpoints
public import PulkFrame
import Foundation
import Metrics
import CoreMetrics
public import NIOConcurrencyHelpers

/// A loaded model ready to score: the model, its compiled input contract, and what it is.
public struct ServedModel: Sendable {
    public let model: any Model
    /// The registered model's name (or the model file's name when served from a file).
    public let name: String
    public let version: String

    public init(model: any Model, name: String, version: String) {
        self.model = model
        self.name = name
        self.version = version
    }
}

/// One deployment as it runs: its model, its share of traffic, its metrics and (optionally) its
/// micro-batcher.
public final class DeploymentRuntime: Sendable {
    public let record: Deployment
    public let served: ServedModel
    public let input: InputSchema
    let batcher: MicroBatcher?
    /// The model when it scores plain numbers without a frame (and no micro-batcher gathers frames).
    let matrix: (any MatrixScoring)?
    /// The model when it recommends, which also answers `{"user": …, "k": …}` requests.
    let recommender: (any RecommenderModel)?
    let metrics: DeploymentMetrics

    public init(_ record: Deployment, served: ServedModel, endpoint: String, settings: EndpointSettings) {
        self.record = record
        self.served = served
        input = InputSchema(served.model.schema, policy: ScoringPolicy(
            unseenCategories: ScoringPolicy.UnseenCategories(rawValue: settings.unseenCategories) ?? .allow, maxRows: settings.maxRows))
        metrics = DeploymentMetrics(endpoint: endpoint, deployment: record.name)
        batcher = record.maxBatch > 0 ? MicroBatcher(model: served.model, maxRows: record.maxBatch, maxWaitMicros: record.maxWaitMicros, metrics: metrics) : nil
        let m = served.model as? any MatrixScoring
        matrix = batcher == nil && m?.scoresMatrix == true ? m : nil
        recommender = served.model as? any RecommenderModel
    }

    /// Scores `frame`, alone or within a micro-batch.
    public func predict(_ frame: Frame) async throws -> Predictions { try await predict(.frame(frame)) }

    /// Scores a request's rows: a matrix straight through the model (see `matrix`), a frame as `predict(_:)`.
    public func predict(_ rows: ScoringRows) async throws -> Predictions {
        if let batcher, case .frame(let frame) = rows { return try await batcher.predict(frame) }
        return try predictAlone(rows)
    }

    /// Scores a request's rows on the calling thread, never within a micro-batch.
    public func predictAlone(_ rows: ScoringRows) throws -> Predictions {
        switch rows {
        case .frame(let frame):
            metrics.batchRows.record(frame.rowCount)
            return try served.model.predict(frame)
        case .matrix(let x, let n):
            guard let matrix else { preconditionFailure("a matrix of rows for a deployment that scores frames") }
            metrics.batchRows.record(n)
            return matrix.predict(columnMajor: x, rows: n)
        case .query(let q):
            guard let recommender else { preconditionFailure("a recommendation request for a deployment that does not recommend") }
            metrics.batchRows.record(q.ids.count)
            return q.answer(recommender)
        }
    }

    /// Whether requests are scored one by one (no micro-batcher gathers them).
    public var scoresAlone: Bool { batcher == nil }
}

/// An endpoint as it runs: its deployments with the live traffic split and the mirrors, and its
/// in-flight count for the concurrency limit. Immutable but for that count: a change of traffic
/// builds a new runtime and swaps it in (requests in flight finish on the one they started with).
public final class EndpointRuntime: Sendable {
    public let name: String
    public let settings: EndpointSettings
    public let deployments: [DeploymentRuntime]
    /// Live deployments with the upper bound (exclusive, out of 100) of their share.
    let live: [(DeploymentRuntime, Int)]
    /// Whether every deployment scores requests one by one (none micro-batches).
    let scoresAlone: Bool
    let mirrors: [DeploymentRuntime]
    public let inFlight: NIOLockedValueBox<Int>
    let gauge: Gauge
    /// Mirrored copies being scored; past `maxConcurrency` further copies are skipped (and counted),
    /// so a slow shadow model cannot pile up work behind live traffic.
    let mirrorsInFlight = NIOLockedValueBox(0)
    let mirrorsSkipped: Counter

    public init(name: String, settings: EndpointSettings, deployments: [DeploymentRuntime], inFlight: NIOLockedValueBox<Int>? = nil) {
        self.name = name
        self.settings = settings
        self.deployments = deployments
        var bound = 0
        live = deployments.filter { $0.record.traffic > 0 }.map { d in
            bound += d.record.traffic
            return (d, bound)
        }
        mirrors = deployments.filter { $0.record.mirror > 0 }
        scoresAlone = deployments.allSatisfy(\.scoresAlone)
        self.inFlight = inFlight ?? NIOLockedValueBox(0)
        gauge = Gauge(label: "pulk_serving_in_flight", dimensions: [("endpoint", name)])
        mirrorsSkipped = Counter(label: "pulk_serving_mirrors_skipped_total", dimensions: [("endpoint", name)])
    }

    /// Takes a slot for a mirrored copy, or counts it skipped.
    func enterMirror() -> Bool {
        let ok = mirrorsInFlight.withLockedValue { n -> Bool in
            guard n < settings.maxConcurrency else { return false }
            n += 1
            return true
        }
        if !ok { mirrorsSkipped.increment() }
        return ok
    }

    func leaveMirror() { mirrorsInFlight.withLockedValue { $0 -= 1 } }

    /// The live deployment for a draw in 0..<100 (nil when no deployment takes traffic).
    public func route(_ draw: Int) -> DeploymentRuntime? {
        live.first { draw < $0.1 }?.0
    }

    /// The mirrors a request with this draw (0..<100) is copied to.
    public func mirrored(_ draw: Int) -> [DeploymentRuntime] { mirrors.filter { draw < $0.record.mirror } }

    /// Takes a slot for a request, or nil when `maxConcurrency` requests are in flight.
    func enter() -> Bool {
        let n = inFlight.withLockedValue { n -> Int in
            guard n < settings.maxConcurrency else { return -1 }
            n += 1
            return n
        }
        guard n >= 0 else { return false }
        gauge.record(n)
        return true
    }

    func leave() {
        let n = inFlight.withLockedValue { n -> Int in
            n -= 1
            return n
        }
        gauge.record(n)
    }

    /// Every deployment has its model loaded (runtimes are built only from loaded models), and one takes traffic.
    public var ready: Bool { !live.isEmpty }
}

/// The endpoints a server answers, swapped whole on every change.
public final class EndpointTable: Sendable {
    let box = NIOLockedValueBox<[String: EndpointRuntime]>([:])

    public init() {}

    public subscript(name: String) -> EndpointRuntime? { box.withLockedValue { $0[name] } }

    public var all: [EndpointRuntime] { box.withLockedValue { Array($0.values) }.sorted { $0.name < $1.name } }

    /// Puts `runtime` in place of the endpoint's current one; the in-flight count carries over.
    public func install(_ runtime: EndpointRuntime) {
        box.withLockedValue { $0[runtime.name] = runtime }
    }

    public func remove(_ name: String) {
        box.withLockedValue { _ = $0.removeValue(forKey: name) }
        setProblem(name, nil)
    }

    /// Why an endpoint cannot serve as configured (a deployment whose model cannot be loaded),
    /// shown by `/endpoints` and `/ready` until a pass succeeds.
    let problems = NIOLockedValueBox<[String: String]>([:])

    public func setProblem(_ name: String, _ reason: String?) { problems.withLockedValue { $0[name] = reason } }

    public func problem(_ name: String) -> String? { problems.withLockedValue { $0[name] } }

    /// Endpoints with a problem, by name.
    public var failing: [String: String] { problems.withLockedValue { $0 } }

    /// The in-flight counter a new runtime of this endpoint should share with the current one.
    public func counter(_ name: String) -> NIOLockedValueBox<Int>? { box.withLockedValue { $0[name]?.inFlight } }
}

/// Per-deployment metrics, created once (swift-metrics handles are looked up by label and dimensions).
final class DeploymentMetrics: Sendable {
    let success: Counter
    let clientErrors: Counter
    let serverErrors: Counter
    let latency: Metrics.Timer
    let batchRows: Recorder
    let rows: Counter

    init(endpoint: String, deployment: String) {
        let d = [("endpoint", endpoint), ("deployment", deployment)]
        success = Counter(label: "pulk_serving_requests_total", dimensions: d + [("status", "2xx")])
        clientErrors = Counter(label: "pulk_serving_requests_total", dimensions: d + [("status", "4xx")])
        serverErrors = Counter(label: "pulk_serving_requests_total", dimensions: d + [("status", "5xx")])
        latency = Metrics.Timer(label: "pulk_serving_request_duration_seconds", dimensions: d)
        batchRows = Recorder(label: "pulk_serving_batch_rows", dimensions: d, aggregate: true)
        rows = Counter(label: "pulk_serving_rows_total", dimensions: d)
    }

    func count(status: Int) {
        if status < 300 { success.increment() } else if status < 500 { clientErrors.increment() } else { serverErrors.increment() }
    }
}

/// Adaptive micro-batching: requests arriving while a batch is open are scored together once it
/// holds `maxRows` rows or `maxWaitMicros` have passed since it opened. One request alone pays at
/// most the wait; under load, batches fill before it.
final class MicroBatcher: Sendable {
    struct Waiting: Sendable {
        var frame: Frame
        var continuation: CheckedContinuation<Predictions, any Error>
    }

    struct State: Sendable {
        var waiting: [Waiting] = []
        var rows = 0
        /// Bumped per batch, so a timer for a batch already taken does nothing.
        var batch = 0
    }

    let model: any Model
    let maxRows: Int
    let maxWaitMicros: Int
    let metrics: DeploymentMetrics
    let state = NIOLockedValueBox(State())

    init(model: any Model, maxRows: Int, maxWaitMicros: Int, metrics: DeploymentMetrics) {
        self.model = model
        self.maxRows = maxRows
        self.maxWaitMicros = maxWaitMicros
        self.metrics = metrics
    }

    func predict(_ frame: Frame) async throws -> Predictions {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Predictions, any Error>) in
            let (full, startTimer, batch): ([Waiting]?, Bool, Int) = state.withLockedValue { s in
                s.waiting.append(Waiting(frame: frame, continuation: c))
                s.rows += frame.rowCount
                if s.rows >= maxRows || maxWaitMicros == 0 {
                    let taken = s.waiting
                    s.waiting = []
                    s.rows = 0
                    s.batch += 1
                    return (taken, false, s.batch)
                }
                return (nil, s.waiting.count == 1, s.batch)
            }
            if let full { run(full) }
            if startTimer {
                let wait = UInt64(maxWaitMicros) * 1000
                _Concurrency.Task { [self] in
                    try? await _Concurrency.Task.sleep(nanoseconds: wait)
                    let taken: [Waiting] = state.withLockedValue { s in
                        guard s.batch == batch, !s.waiting.isEmpty else { return [] }
                        let t = s.waiting
                        s.waiting = []
                        s.rows = 0
                        s.batch += 1
                        return t
                    }
                    if !taken.isEmpty { run(taken) }
                }
            }
        }
    }

    func run(_ items: [Waiting]) {
        let frame = Batches.concatenate(items.map(\.frame))
        metrics.batchRows.record(frame.rowCount)
        do {
            let all = try model.predict(frame)
            var at = 0
            for item in items {
                let n = item.frame.rowCount
                item.continuation.resume(returning: Batches.slice(all, at..<(at + n)))
                at += n
            }
        } catch {
            for item in items { item.continuation.resume(throwing: error) }
        }
    }
}
