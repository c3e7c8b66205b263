public import Hummingbird
public import PulkStore
public import Foundation
import HTTPTypes
import CoreMetrics
import NIOCore
import NIOConcurrencyHelpers
import PulkLearn
import PulkScoring
import PulkFrame

/// The scoring API over an `EndpointTable`:
///
/// - `POST /endpoints/NAME/score`: Pulk's response (predictions, probabilities, who answered);
/// - `POST /endpoints/NAME/invocations`: MLflow's scoring protocol and response;
/// - `GET /endpoints/NAME/ready`: 200 when a deployment with a loaded model takes traffic, else 503;
/// - `GET /endpoints`: every endpoint with its deployments.
///
/// With a default endpoint (`pulk serve`), also `POST /invocations`, `POST /score`, `GET /ping` and `GET /ready`.
public struct ServingRoutes: Sendable {
    public let table: EndpointTable
    public let log: (any ServingLogSink)?
    public let bodyLimit: Int
    let clock: @Sendable () -> Int64

    public init(table: EndpointTable, log: (any ServingLogSink)? = nil, bodyLimit: Int = 16 << 20,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.table = table
        self.log = log
        self.bodyLimit = bodyLimit
        self.clock = clock
    }

    public func register<Context: RequestContext>(_ router: Router<Context>, defaultEndpoint: String? = nil) {
        router.post("/endpoints/{endpoint}/score") { request, context in
            await score(request, endpoint: context.parameters.get("endpoint") ?? "", mlflow: false)
        }
        router.post("/endpoints/{endpoint}/invocations") { request, context in
            await score(request, endpoint: context.parameters.get("endpoint") ?? "", mlflow: true)
        }
        router.get("/endpoints/{endpoint}/ready") { _, context in ready(context.parameters.get("endpoint") ?? "") }
        router.get("/endpoints") { _, _ in list() }
        if let name = defaultEndpoint {
            router.post("/invocations") { request, _ in await score(request, endpoint: name, mlflow: true) }
            router.post("/score") { request, _ in await score(request, endpoint: name, mlflow: false) }
            router.get("/ping") { _, _ in ready(name) }
            router.get("/ready") { _, _ in ready(name) }
        }
    }

    // MARK: scoring

    static let requestIdHeader = HTTPField.Name("X-Request-ID")!
    static let deploymentHeader = HTTPField.Name("X-Pulk-Deployment")!
    static let versionHeader = HTTPField.Name("X-Pulk-Model-Version")!

    func score(_ request: Request, endpoint name: String, mlflow: Bool) async -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        guard let endpoint = table[name] else {
            return Self.error(404, "ENDPOINT_NOT_FOUND", "No endpoint named '\(name)'; `pulk endpoints list` shows them")
        }
        guard endpoint.enter() else {
            var r = Self.error(429, "TOO_MANY_REQUESTS", "Endpoint '\(name)' has \(endpoint.settings.maxConcurrency) requests in flight, its limit; retry after a second")
            r.headers[.retryAfter] = "1"
            return r
        }
        defer { endpoint.leave() }
        let (a, b) = Self.randomWords()
        guard let deployment = endpoint.route(Int(a % 100)) else {
            var r = Self.error(503, "NOT_READY", "Endpoint '\(name)' has no deployment taking traffic; `pulk deploy \(name) --model MODEL@ALIAS` adds one")
            r.headers[.retryAfter] = "5"
            return r
        }
        let requestId = Self.requestId(request, random: (a, b))
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: bodyLimit) } catch {
            deployment.metrics.count(status: 413)
            return Self.error(413, "BAD_REQUEST", "The request body is larger than this endpoint's limit of \(bodyLimit) bytes; send fewer rows per request")
        }
        let csv = request.headers[.contentType]?.lowercased().hasPrefix("text/csv") == true
        let mirrors = endpoint.mirrored(Int(a / 100 % 100))
        let sample = endpoint.settings.logSample > 0 && Double(b >> 11) * 0x1p-53 < endpoint.settings.logSample
        let keepBody = !mirrors.isEmpty || (sample && log != nil)
        let body: [UInt8]? = keepBody ? Array(buffer.readableBytesView) : nil

        let (status, bytes, rows) = await Self.answer(buffer, csv: csv, deployment: deployment, mlflow: mlflow,
                                                     origin: .init(endpoint: name, deployment: deployment.record.name, model: deployment.served.name,
                                                                   version: deployment.served.version, requestId: requestId))
        let elapsed = DispatchTime.now().uptimeNanoseconds - started
        deployment.metrics.count(status: status)
        deployment.metrics.latency.recordNanoseconds(Int64(elapsed))
        if rows > 0 { deployment.metrics.rows.increment(by: rows) }
        if sample, let log, let body {
            log.record(entry(endpoint, deployment, requestId, status, elapsed, shadow: false, rows: rows, input: body, output: bytes))
        }
        for mirror in mirrors where endpoint.enterMirror() {
            let copy = body ?? []
            _Concurrency.Task.detached { [self] in
                await shadow(copy, csv: csv, endpoint: endpoint, mirror: mirror, requestId: requestId)
                endpoint.leaveMirror()
            }
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[Self.requestIdHeader] = requestId
        headers[Self.deploymentHeader] = deployment.record.name
        headers[Self.versionHeader] = deployment.served.version
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Scores a body with one deployment: (status, response body, rows scored).
    static func answer(_ buffer: ByteBuffer, csv: Bool, deployment: DeploymentRuntime, mlflow: Bool, origin: ScoringOutput.Origin) async -> (Int, [UInt8], Int) {
        let matrix = deployment.matrix != nil
        let decoded: Result<ScoringRows, ScoringError> = csv
            ? Result { () throws(ScoringError) in .frame(try deployment.input.frame(csv: Array(buffer.readableBytesView))) }
            : buffer.readableBytesView.withUnsafeBytes { raw in Result { () throws(ScoringError) in try deployment.input.rows(json: raw, matrix: matrix) } }
        let rows: ScoringRows
        switch decoded {
        case .success(let r): rows = r
        case .failure(let e): return (400, ScoringOutput.error(e), 0)
        }
        do {
            let predictions = try await deployment.predict(rows)
            return (200, mlflow ? ScoringOutput.mlflow(predictions) : ScoringOutput.pulk(predictions, origin: origin), rows.rowCount)
        } catch let e as LearnError {
            return (400, ScoringOutput.error(code: "INVALID_INPUT", message: e.description), 0)
        } catch {
            return (500, ScoringOutput.error(code: "INTERNAL_ERROR", message: "scoring failed: \(error)"), 0)
        }
    }

    /// A mirrored request: scored by the shadow deployment, its answer only logged.
    func shadow(_ body: [UInt8], csv: Bool, endpoint: EndpointRuntime, mirror: DeploymentRuntime, requestId: String) async {
        let started = DispatchTime.now().uptimeNanoseconds
        var buffer = ByteBufferAllocator().buffer(capacity: body.count)
        buffer.writeBytes(body)
        let (status, bytes, rows) = await Self.answer(buffer, csv: csv, deployment: mirror, mlflow: false,
                                                     origin: .init(endpoint: endpoint.name, deployment: mirror.record.name, model: mirror.served.name,
                                                                   version: mirror.served.version, requestId: requestId))
        let elapsed = DispatchTime.now().uptimeNanoseconds - started
        mirror.metrics.count(status: status)
        mirror.metrics.latency.recordNanoseconds(Int64(elapsed))
        log?.record(entry(endpoint, mirror, requestId, status, elapsed, shadow: true, rows: rows, input: body, output: bytes))
    }

    func entry(_ endpoint: EndpointRuntime, _ d: DeploymentRuntime, _ requestId: String, _ status: Int, _ elapsed: UInt64,
               shadow: Bool, rows: Int, input: [UInt8], output: [UInt8]) -> ServingLogEntry {
        ServingLogEntry(endpoint: endpoint.name, deployment: d.record.name, model: d.served.name, version: d.served.version, time: clock(),
                        requestId: requestId, status: status, latencyMicros: Int64(elapsed / 1000), shadow: shadow, rows: rows,
                        input: String(decoding: input, as: UTF8.self), output: String(decoding: output, as: UTF8.self))
    }

    /// The caller's X-Request-ID when it is short and printable, else 32 hex digits of `random`.
    static func requestId(_ request: Request, random: (UInt64, UInt64)) -> String {
        if let given = request.headers[requestIdHeader], (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return given
        }
        let (a, b) = random
        let hex = String(a, radix: 16), low = String(b, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + String(repeating: "0", count: 16 - low.count) + low
    }

    /// A request's random draws (traffic split, mirrors, payload sample, request id), from one
    /// process-wide generator seeded once by the system's: the system generator makes a getrandom
    /// call per draw, and a request needs five. Request ids need to be unique, not secret.
    static func randomWords() -> (UInt64, UInt64) { draws.withLockedValue { ($0.next(), $0.next()) } }
    static let draws = NIOLockedValueBox(SeededGenerator(seed: UInt64.random(in: 0...UInt64.max)))

    // MARK: readiness and listing

    func ready(_ name: String) -> Response {
        guard let endpoint = table[name] else {
            return Self.error(404, "ENDPOINT_NOT_FOUND", "No endpoint named '\(name)'")
        }
        var w = JSONWriter()
        w.raw("{\"endpoint\":")
        w.string(name)
        w.raw(",\"ready\":\(endpoint.ready),\"deployments\":")
        Self.deployments(endpoint, &w)
        w.raw("}")
        return Response(status: endpoint.ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }

    func list() -> Response {
        var w = JSONWriter()
        w.raw("{\"endpoints\":[")
        for (k, e) in table.all.enumerated() {
            w.raw(k == 0 ? "{\"name\":" : ",{\"name\":")
            w.string(e.name)
            w.raw(",\"ready\":\(e.ready),\"deployments\":")
            Self.deployments(e, &w)
            w.raw("}")
        }
        w.raw("]}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }

    static func deployments(_ e: EndpointRuntime, _ w: inout JSONWriter) {
        w.raw("[")
        for (k, d) in e.deployments.enumerated() {
            w.raw(k == 0 ? "{\"name\":" : ",{\"name\":")
            w.string(d.record.name)
            w.raw(",\"model\":")
            w.string(d.served.name)
            w.raw(",\"version\":")
            w.string(d.served.version)
            w.raw(",\"traffic\":\(d.record.traffic),\"mirror\":\(d.record.mirror)}")
        }
        w.raw("]")
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: ScoringOutput.error(code: code, message: message))))
    }
}

/// Where sampled requests go (the store's serving log, in batches).
public protocol ServingLogSink: Sendable {
    /// Queues an entry; never blocks the request.
    func record(_ entry: ServingLogEntry)
}
