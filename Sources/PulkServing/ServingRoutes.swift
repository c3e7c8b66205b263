public import Hummingbird
public import PulkStore
public import PulkEndpoints
public import Foundation
import PulkAccess
import HTTPTypes
import CoreMetrics
import NIOCore
import NIOConcurrencyHelpers
import PulkLearn
import PulkScoring
import PulkFrame
import PulkJSON

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
    /// Who may score besides the holders of an endpoint's own tokens (`pulk server` with accounts);
    /// nil: anyone, unless the endpoint has tokens.
    public var accounts: (any ScoringAccounts)?
    /// Refuses scoring with 429 while the event loops lag (see `LoadMonitor`); nil: never.
    public var load: LoadMonitor?
    /// Where `POST /endpoints/NAME/feedback` keeps the true values of answered requests (nil: the
    /// route answers 404, as `pulk serve` without a store does).
    public var feedback: (any FeedbackStore)?

    public init(table: EndpointTable, log: (any ServingLogSink)? = nil, bodyLimit: Int = 16 << 20,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.table = table
        self.log = log
        self.bodyLimit = bodyLimit
        self.clock = clock
    }

    /// The scoring routes, one table for the router (`register`) and the pipeline's fast path
    /// (`fastCall`): `/endpoints/NAME/SUFFIX`, and `/SUFFIX` for a default endpoint (`pulk serve`).
    static let scoringRoutes: [(suffix: String, mlflow: Bool)] = [("score", false), ("invocations", true)]

    /// The endpoint and protocol a POST to `path` (without its query) scores; nil for other paths.
    static func scoringRoute(_ path: Substring, defaultEndpoint: String?) -> (endpoint: Substring, mlflow: Bool)? {
        if let defaultEndpoint, path.first == "/", let route = scoringRoutes.first(where: { path.dropFirst() == $0.suffix }) {
            return (Substring(defaultEndpoint), route.mlflow)
        }
        guard path.hasPrefix("/endpoints/") else { return nil }
        let rest = path.dropFirst("/endpoints/".count)
        guard let slash = rest.firstIndex(of: "/"), slash > rest.startIndex else { return nil }
        let suffix = rest[rest.index(after: slash)...]
        guard let route = scoringRoutes.first(where: { suffix == $0.suffix }) else { return nil }
        return (rest[..<slash], route.mlflow)
    }

    public func register<Context: RequestContext>(_ router: Router<Context>, defaultEndpoint: String? = nil) {
        for route in Self.scoringRoutes {
            router.post("/endpoints/{endpoint}/\(route.suffix)") { request, context in
                await score(request, endpoint: context.parameters.get("endpoint") ?? "", mlflow: route.mlflow)
            }
            if let name = defaultEndpoint {
                router.post("/\(route.suffix)") { request, _ in await score(request, endpoint: name, mlflow: route.mlflow) }
            }
        }
        router.post("/endpoints/{endpoint}/feedback") { request, context in await addFeedback(request, endpoint: context.parameters.get("endpoint") ?? "") }
        router.get("/endpoints/{endpoint}/ready") { _, context in ready(context.parameters.get("endpoint") ?? "") }
        router.get("/endpoints") { _, _ in list() }
        router.get("/endpoints/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: ScoringAPIDocument.json)))
        }
        if let name = defaultEndpoint {
            router.get("/ping") { _, _ in ready(name) }
            router.get("/ready") { _, _ in ready(name) }
        }
    }

    // MARK: feedback

    /// `POST /endpoints/NAME/feedback` `{"feedback": [{"request_id", "row"?, "truth"}, …]}`: with the
    /// credentials that may score the endpoint (its tokens, or an account allowed to score it).
    func addFeedback(_ request: Request, endpoint name: String) async -> Response {
        guard let feedback else {
            return ScoringReply.error(404, "ENDPOINT_NOT_FOUND", "This server keeps no feedback; send it to a `pulk server`").response
        }
        let call = ScoringCall(endpoint: name, mlflow: false, contentType: request.headers[.contentType], requestId: nil,
                               authorization: request.headers[.authorization])
        guard let endpoint = table[name] else {
            return ScoringReply.error(404, "ENDPOINT_NOT_FOUND", "No endpoint named '\(name)'; `pulk endpoints list` shows them").response
        }
        if let accounts, accounts.required(), !holdsToken(call) {
            if let refusal = await accounts.refusal(authorization: call.authorization, endpoint: name) {
                var r = ScoringReply.error(refusal.status, refusal.status == 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED", refusal.message)
                r.authenticate = refusal.status == 401
                return r.response
            }
        } else if !endpoint.settings.tokens.isEmpty, !holdsToken(call) {
            var r = ScoringReply.error(401, "UNAUTHENTICATED", "Endpoint '\(name)' needs a scoring token: send Authorization: Bearer TOKEN")
            r.authenticate = true
            return r.response
        }
        guard let buffer = try? await request.body.collect(upTo: bodyLimit) else {
            return ScoringReply.error(413, "BAD_REQUEST", "The request body is larger than \(bodyLimit) bytes; send the feedback in smaller batches").response
        }
        let rows: [Feedback]
        do { rows = try Self.feedbackRows(Array(buffer.readableBytesView), now: clock()) } catch {
            return ScoringReply.error(400, "BAD_REQUEST", error.message).response
        }
        do {
            let added = try await feedback.addFeedback(endpoint: name, rows)
            var w = JSONWriter()
            w.raw("{\"added\":\(added),\"received\":\(rows.count)}")
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
        } catch {
            return ScoringReply.error(error.code == .resourceDoesNotExist ? 404 : 400, error.code.rawValue, error.message).response
        }
    }

    /// The body's rows: a request id (1–200 characters), a row (0 or more, 0 when left out) and a truth
    /// (text, a number or a boolean, kept as text). The native API's feedback route reads it too.
    public static func feedbackRows(_ bytes: [UInt8], now: Int64) throws(StoreError) -> [Feedback] {
        let usage = #"the body is {"feedback": [{"request_id": "…", "row": 0, "truth": "…"}, …]}"#
        guard let object = try? JSON.parse(bytes) as? [String: Any], let list = object["feedback"] as? [Any] else { throw .invalid(usage) }
        var out: [Feedback] = []
        for (i, item) in list.enumerated() {
            guard let o = item as? [String: Any], let id = o["request_id"] as? String else { throw .invalid("feedback[\(i)] has no request_id; \(usage)") }
            let row: Int
            switch o["row"] {
            case nil: row = 0
            case let n as Int64: row = Int(n)
            case let n as Int: row = n
            default: throw .invalid("feedback[\(i)].row is not a whole number")
            }
            let truth: String
            switch o["truth"] {
            case let s as String: truth = s
            case let b as Bool: truth = b ? "true" : "false"
            case let n as Int64: truth = String(n)
            case let n as Int: truth = String(n)
            case let d as Double where d.isFinite: truth = formatDouble(d)
            default: throw .invalid("feedback[\(i)] has no truth (a string, a number or a boolean)")
            }
            out.append(Feedback(requestId: id, row: row, truth: truth, time: now))
        }
        return out
    }

    // MARK: scoring

    static let requestIdHeader = HTTPField.Name("X-Request-ID")!
    static let deploymentHeader = HTTPField.Name("X-Pulk-Deployment")!
    static let versionHeader = HTTPField.Name("X-Pulk-Model-Version")!

    /// A scoring request through the router (`pulk server`'s endpoints, and any request the
    /// pipeline's `ScoringChannelHandler` leaves to the router).
    func score(_ request: Request, endpoint name: String, mlflow: Bool) async -> Response {
        let call = ScoringCall(endpoint: name, mlflow: mlflow, contentType: request.headers[.contentType],
                               requestId: request.headers[Self.requestIdHeader], authorization: request.headers[.authorization])
        var signedIn = false
        if let accounts, accounts.required(), !holdsToken(call) {
            if let refusal = await accounts.refusal(authorization: call.authorization, endpoint: name) {
                let code = [401: "UNAUTHENTICATED", 429: "TOO_MANY_REQUESTS"][refusal.status] ?? "PERMISSION_DENIED"
                var r = ScoringReply.error(refusal.status, code, refusal.message)
                r.authenticate = refusal.status == 401
                if let seconds = refusal.retryAfter { r.retryAfter = String(seconds) }
                return r.response
            }
            signedIn = true
        }
        let admission: Admission
        switch admit(call, signedIn: signedIn) {
        case .refused(let refusal): return refusal.response
        case .admitted(let a): admission = a
        }
        defer { admission.endpoint.leave() }
        guard let buffer = try? await request.body.collect(upTo: bodyLimit) else { return tooLarge(admission).response }
        let (status, bytes, rows) = await Self.answer(buffer, csv: call.csv, deployment: admission.deployment, mlflow: mlflow,
                                                     origin: admission.origin)
        return finish(admission, call, buffer, status: status, body: bytes, rows: rows).response
    }

    /// A scoring request whose whole body is at hand, answered on the calling thread: the pipeline's
    /// fast path. A deployment that micro-batches scores this request alone (the same answer).
    func scoreNow(_ call: ScoringCall, body buffer: ByteBuffer, tooLarge bodyTooLarge: Bool) -> ScoringReply {
        switch admit(call) {
        case .refused(let refusal): return refusal
        case .admitted(let admission): return scoreNow(call, admitted: admission, body: buffer, tooLarge: bodyTooLarge)
        }
    }

    /// `scoreNow` for a request admitted when its head arrived (the pipeline admits before it
    /// buffers a body, so bodies in transit count against the endpoint's limit); leaves the endpoint.
    func scoreNow(_ call: ScoringCall, admitted admission: Admission, body buffer: ByteBuffer, tooLarge bodyTooLarge: Bool) -> ScoringReply {
        defer { admission.endpoint.leave() }
        if bodyTooLarge { return tooLarge(admission) }
        let (status, bytes, rows) = Self.answerNow(buffer, csv: call.csv, deployment: admission.deployment, mlflow: call.mlflow,
                                                   origin: admission.origin)
        return finish(admission, call, buffer, status: status, body: bytes, rows: rows)
    }

    /// A request let in: its endpoint (entered: the caller leaves it), the deployment that answers,
    /// the request's random draws and id, and when it started.
    struct Admission {
        let endpoint: EndpointRuntime
        let deployment: DeploymentRuntime
        let draws: (UInt64, UInt64)
        let origin: ScoringOutput.Origin
        let started: UInt64
    }

    enum Admitted {
        case admitted(Admission)
        case refused(ScoringReply)
    }

    /// Finds the endpoint, takes a place under its concurrency limit and picks the deployment; or the
    /// refusal (404, 429, 503).
    /// `signedIn`: the caller's account may score the endpoint (checked by `accounts`), so its tokens are not needed.
    func admit(_ call: ScoringCall, signedIn: Bool = false) -> Admitted {
        let started = DispatchTime.now().uptimeNanoseconds
        let name = call.endpoint
        guard let endpoint = table[name] else {
            return .refused(.error(404, "ENDPOINT_NOT_FOUND", "No endpoint named '\(name)'; `pulk endpoints list` shows them"))
        }
        if !signedIn, !endpoint.settings.tokens.isEmpty || accounts?.required() == true, !Self.authorized(call.authorization, endpoint.settings.tokens) {
            var r = ScoringReply.error(401, "UNAUTHENTICATED", "Endpoint '\(name)' needs a scoring token: send Authorization: Bearer TOKEN "
                + "(`pulk endpoints tokens create \(name)` makes one)")
            r.authenticate = true
            return .refused(r)
        }
        if let load, case let lag = load.lag(), lag > load.threshold {
            var r = ScoringReply.error(429, "TOO_MANY_REQUESTS", "The server is overloaded: requests wait \(LoadMonitor.millis(lag)) ms "
                + "before they are read (over \(LoadMonitor.millis(load.threshold)) ms); retry after a second")
            r.retryAfter = "1"
            return .refused(r)
        }
        guard endpoint.enter() else {
            var r = ScoringReply.error(429, "TOO_MANY_REQUESTS", "Endpoint '\(name)' has \(endpoint.settings.maxConcurrency) requests in flight, its limit; retry after a second")
            r.retryAfter = "1"
            return .refused(r)
        }
        let (a, b) = Self.randomWords()
        guard let deployment = endpoint.route(Int(a % 100)) else {
            endpoint.leave()
            var r = ScoringReply.error(503, "NOT_READY", "Endpoint '\(name)' has no deployment taking traffic; `pulk deploy \(name) --model MODEL@ALIAS` adds one")
            r.retryAfter = "5"
            return .refused(r)
        }
        let requestId = Self.requestId(given: call.requestId, random: (a, b))
        return .admitted(Admission(endpoint: endpoint, deployment: deployment, draws: (a, b),
                                  origin: .init(endpoint: name, deployment: deployment.record.name, model: deployment.served.name,
                                                version: deployment.served.version, requestId: requestId),
                                  started: started))
    }

    /// Whether the call carries one of its endpoint's scoring tokens.
    func holdsToken(_ call: ScoringCall) -> Bool {
        guard let tokens = table[call.endpoint]?.settings.tokens, !tokens.isEmpty else { return false }
        return Self.authorized(call.authorization, tokens)
    }

    /// Whether the header carries one of the tokens: `Bearer SECRET`, or Basic with the secret as the
    /// password (what MLflow's client sends with a token in MLFLOW_TRACKING_PASSWORD).
    static func authorized(_ header: String?, _ tokens: [EndpointToken]) -> Bool {
        guard let header, let sent = try? AuthorizationHeader(header) else { return false }
        let hash = Credentials.secretHash(sent.secret)
        return tokens.contains { $0.secretHash == hash }
    }

    func tooLarge(_ admission: Admission) -> ScoringReply {
        admission.deployment.metrics.count(status: 413)
        return .error(413, "BAD_REQUEST", "The request body is larger than this endpoint's limit of \(bodyLimit) bytes; send fewer rows per request")
    }

    /// Metrics, the sampled serving log and the mirrored copies of an answered request; its reply.
    func finish(_ admission: Admission, _ call: ScoringCall, _ buffer: ByteBuffer, status: Int, body bytes: [UInt8], rows: Int) -> ScoringReply {
        let (endpoint, deployment, (a, b)) = (admission.endpoint, admission.deployment, admission.draws)
        let requestId = admission.origin.requestId
        let elapsed = DispatchTime.now().uptimeNanoseconds - admission.started
        deployment.metrics.count(status: status)
        deployment.metrics.latency.recordNanoseconds(Int64(elapsed))
        if rows > 0 { deployment.metrics.rows.increment(by: rows) }
        let mirrors = endpoint.mirrored(Int(a / 100 % 100))
        let sample = endpoint.settings.logSample > 0 && Double(b >> 11) * 0x1p-53 < endpoint.settings.logSample
        let body: [UInt8]? = !mirrors.isEmpty || (sample && log != nil) ? Array(buffer.readableBytesView) : nil
        if sample, let log, let body {
            log.record(entry(endpoint, deployment, requestId, status, elapsed, shadow: false, rows: rows, input: body, output: bytes))
        }
        for mirror in mirrors where endpoint.enterMirror() {
            let copy = body ?? []
            _Concurrency.Task.detached { [self] in
                await shadow(copy, csv: call.csv, endpoint: endpoint, mirror: mirror, requestId: requestId)
                endpoint.leaveMirror()
            }
        }
        return ScoringReply(status: status, body: bytes, requestId: requestId, deployment: deployment.record.name,
                            version: deployment.served.version)
    }

    /// Scores a body with one deployment through its micro-batcher: (status, response body, rows scored).
    static func answer(_ buffer: ByteBuffer, csv: Bool, deployment: DeploymentRuntime, mlflow: Bool, origin: ScoringOutput.Origin) async -> (Int, [UInt8], Int) {
        let outcome: Outcome
        switch decode(buffer, csv: csv, deployment: deployment) {
        case .failure(let e): outcome = .failure(e)
        case .success(let rows):
            do { outcome = .success((rows, .success(try await deployment.predict(rows)))) } catch { outcome = .success((rows, .failure(error))) }
        }
        return reply(outcome, mlflow: mlflow, origin: origin)
    }

    /// `answer` on the calling thread, without the deployment's micro-batcher.
    static func answerNow(_ buffer: ByteBuffer, csv: Bool, deployment: DeploymentRuntime, mlflow: Bool, origin: ScoringOutput.Origin) -> (Int, [UInt8], Int) {
        reply(decode(buffer, csv: csv, deployment: deployment).map { rows in (rows, Result { try deployment.predictAlone(rows) }) },
              mlflow: mlflow, origin: origin)
    }

    /// A body decoded into rows (or refused), and what the model made of them.
    typealias Outcome = Result<(ScoringRows, Result<Predictions, any Error>), ScoringError>

    /// The answer to an outcome: 400 for a body that did not decode or input the model refused, 500
    /// for a failure of its own.
    static func reply(_ outcome: Outcome, mlflow: Bool, origin: ScoringOutput.Origin) -> (Int, [UInt8], Int) {
        switch outcome {
        case .failure(let e): return (400, ScoringOutput.error(e), 0)
        case .success((let rows, .success(let predictions))): return encode(predictions, rows: rows, mlflow: mlflow, origin: origin)
        case .success((_, .failure(let error))): return failed(error)
        }
    }

    static func decode(_ buffer: ByteBuffer, csv: Bool, deployment: DeploymentRuntime) -> Result<ScoringRows, ScoringError> {
        let matrix = deployment.matrix != nil
        if deployment.recommender != nil, !csv {
            do {
                let query = try buffer.readableBytesView.withUnsafeBytes { raw throws(ScoringError) in
                    try RecommendationQuery.parse(raw, maxIds: deployment.input.policy.maxRows)
                }
                if let query { return .success(.query(query)) }
            } catch { return .failure(error) }
        }
        return csv
            ? Result { () throws(ScoringError) in .frame(try deployment.input.frame(csv: Array(buffer.readableBytesView))) }
            : buffer.readableBytesView.withUnsafeBytes { raw in Result { () throws(ScoringError) in try deployment.input.rows(json: raw, matrix: matrix) } }
    }

    static func encode(_ predictions: Predictions, rows: ScoringRows, mlflow: Bool, origin: ScoringOutput.Origin) -> (Int, [UInt8], Int) {
        (200, mlflow ? ScoringOutput.mlflow(predictions) : ScoringOutput.pulk(predictions, origin: origin), rows.rowCount)
    }

    static func failed(_ error: any Error) -> (Int, [UInt8], Int) {
        if let e = error as? LearnError { return (400, ScoringOutput.error(code: "INVALID_INPUT", message: e.description), 0) }
        return (500, ScoringOutput.error(code: "INTERNAL_ERROR", message: "scoring failed: \(error)"), 0)
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
    static func requestId(given: String?, random: (UInt64, UInt64)) -> String {
        if let given, (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return given
        }
        // 32 hex digits written in place (one allocation, where formatting each half took several).
        return String(unsafeUninitializedCapacity: 32) { out in
            let digits: StaticString = "0123456789abcdef"
            for d in 0..<16 {
                let shift = 60 - 4 * UInt64(d)
                out[d] = digits.utf8Start[Int(random.0 >> shift & 15)]
                out[16 + d] = digits.utf8Start[Int(random.1 >> shift & 15)]
            }
            return 32
        }
    }

    /// A request's random draws (traffic split, mirrors, payload sample, request id), from one
    /// process-wide generator seeded once by the system's: the system generator makes a getrandom
    /// call per draw, and a request needs five. Request ids need to be unique, not secret.
    static func randomWords() -> (UInt64, UInt64) { draws.withLockedValue { ($0.next(), $0.next()) } }
    static let draws = NIOLockedValueBox(SeededGenerator(seed: UInt64.random(in: 0...UInt64.max)))

    // MARK: readiness and listing

    func ready(_ name: String) -> Response {
        let endpoint = table[name], problem = table.problem(name)
        guard endpoint != nil || problem != nil else { return ScoringReply.error(404, "ENDPOINT_NOT_FOUND", "No endpoint named '\(name)'").response }
        var w = JSONWriter()
        w.raw("{\"endpoint\":")
        w.string(name)
        Self.state(endpoint, problem, &w)
        w.raw("}")
        return Response(status: endpoint?.ready == true ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }

    func list() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: listJSON())))
    }

    /// `GET /endpoints`: every endpoint with its deployments, and the problem of any that cannot serve.
    func listJSON() -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"endpoints\":[")
        let installed = table.all, failing = table.failing
        // Installed endpoints, then those that never loaded (listed as failed, with the reason).
        let names = Set(installed.map(\.name))
        let entries = installed.map { ($0.name, Optional($0)) }
            + failing.keys.sorted().filter { !names.contains($0) }.map { ($0, EndpointRuntime?.none) }
        for (k, (name, runtime)) in entries.enumerated() {
            w.raw(k == 0 ? "{\"name\":" : ",{\"name\":")
            w.string(name)
            Self.state(runtime, failing[name], &w)
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }

    /// An endpoint's `"ready"`, `"deployments"` and, when it has one, `"problem"` fields (an
    /// endpoint that never loaded has no runtime: not ready, no deployments).
    static func state(_ runtime: EndpointRuntime?, _ problem: String?, _ w: inout JSONWriter) {
        w.raw(",\"ready\":\(runtime?.ready ?? false),\"deployments\":")
        if let runtime { deployments(runtime, &w) } else { w.raw("[]") }
        if let problem {
            w.raw(",\"problem\":")
            w.string(problem)
        }
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
}

/// Where sampled requests go (the store's serving log, in batches).
public protocol ServingLogSink: Sendable {
    /// Queues an entry; never blocks the request.
    func record(_ entry: ServingLogEntry)
}
