import Foundation
public import Hummingbird
import HummingbirdCore
public import PulkApp
import PulkAccess
import PulkLearn
public import PulkStore
public import PulkEndpoints
public import PulkWorkspace
public import Logging
import NIOCore
import NIOHTTP1
import Metrics
public import Prometheus
public import PulkServing

/// Every role one `pulk server` assembles over one database (`TrackingServer.application`). Its parts
/// take only the roles they use: the MLflow routes tracking, registry and webhooks; the access layer
/// accounts, audit and what it checks grants on; `LocalTracking` tracking and the registry.
public typealias ServerStore = TrackingStore & ModelRegistryStore & EndpointStore & AccessStore & AuditStore & WebhookStore & JobStore & MonitorStore & FeedbackStore

/// How `pulk server` runs.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The largest JSON request body; artifact uploads stream and have no limit.
    public var bodyLimit: Int
    /// How long a connection may wait for a request's next bytes before it is closed (a stalled
    /// head or body, an idle keep-alive); nil: for ever.
    public var idleTimeout: Duration?
    /// Host names the server answers to (`Host` and the `Origin` of changes); nil: any. By
    /// default loopback names when it listens on loopback (`defaultAllowedHosts`).
    public var allowedHosts: [String]?
    /// TLS in front of the server (`--tls-cert`, `--tls-key`); nil: plain HTTP.
    public var tls: ServerTLS?
    /// Accounts: on when the store has users, unless `noAuth`.
    public var access: AccessSettings
    /// Which URLs webhooks may call, and how deliveries are retried.
    public var webhooks: WebhookSettings

    public init(host: String = "127.0.0.1", port: Int = 5000, bodyLimit: Int = 16 << 20, idleTimeout: Duration? = .seconds(60),
                allowedHosts: [String]?? = nil, tls: ServerTLS? = nil, access: AccessSettings = .init(), webhooks: WebhookSettings = .init()) {
        self.webhooks = webhooks
        self.host = host
        self.port = port
        self.bodyLimit = bodyLimit
        self.idleTimeout = idleTimeout
        self.allowedHosts = allowedHosts ?? Self.defaultAllowedHosts(bindHost: host)
        self.tls = tls
        self.access = access
        self.access.secureCookies = self.access.secureCookies || tls != nil
    }
}

/// The tracking server: MLflow's REST protocol under `/api/2.0/mlflow/…`, the artifact proxy under
/// `/api/2.0/mlflow-artifacts/…`, and `/health`.
public enum TrackingServer {
    /// Routes every swift-metrics measurement of this process into a Prometheus registry (once per
    /// process; later calls return the same registry).
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry { sharedRegistry }

    private static let sharedRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Scoring answers in well under a millisecond: buckets from 50 µs to 5 s, and batch sizes in powers of two.
        factory.durationHistogramBuckets["pulk_serving_request_duration_seconds"] =
            [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000, 5_000_000].map { Duration.microseconds($0) }
        factory.valueHistogramBuckets["pulk_serving_batch_rows"] = (0...14).map { Double(1 << $0) }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// `/health`: the process is up.
    public static func healthResponse() -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "OK")))
    }

    /// `/metrics` in Prometheus's text format.
    public static func metricsResponse(_ registry: PrometheusCollectorRegistry) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    public static func application(store: any ServerStore, artifacts: ArtifactStore, datasets: DatasetStore? = nil,
                                   configuration: ServerConfiguration = .init(),
                                   metrics: PrometheusCollectorRegistry? = nil, serving: ServingRoutes? = nil,
                                   automl: AutoMLJobs? = nil, monitoring: Monitoring? = nil) throws -> some ApplicationProtocol {
        let router = baseRouter(configuration, metrics: metrics, requestLog: .info)
        let authenticator = Authenticator(store: store, now: configuration.access.clock)
        router.add(middleware: AccessMiddleware(store: store, authenticator: authenticator, settings: configuration.access, bodyLimit: configuration.bodyLimit,
                                                runs: RunExperiments()))
        AccessRoutes(admin: AccessAdmin(store: store), authenticator: authenticator, settings: configuration.access, bodyLimit: configuration.bodyLimit,
                     webhooks: store)
            .register(router)
        MLflowRoutes(store: store, bodyLimit: configuration.bodyLimit, webhooks: WebhookDispatcher(store: store, settings: configuration.webhooks))
            .register(router, artifacts: artifacts)
        ArtifactRoutes(artifacts: artifacts).register(router)
        NativeAPI(store: store, artifacts: artifacts, datasets: datasets, bodyLimit: configuration.bodyLimit, automl: automl, monitoring: monitoring).register(router)
        WebUI(store: store, artifacts: artifacts, datasets: datasets, automl: automl).register(router)
        var serving = serving
        if !configuration.access.noAuth { serving?.accounts = EndpointAccess(authenticator: authenticator, policy: configuration.access.policy) }
        serving?.register(router)
        // As Hummingbird names its logger when given none, with LOG_LEVEL honoured.
        var logger = Logger(label: "pulk")
        if let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { logger.logLevel = level }
        return try make(router, configuration: configuration, serving: serving, defaultEndpoint: nil, logger: logger)
    }

    /// `pulk serve`: one endpoint's scoring API (`/score`, `/invocations`, `/ready`, `/ping` and
    /// `/endpoints/NAME/…`) with the same health, metrics, request log, host checks and error bodies
    /// as the tracking server. Requests are logged at info, so a `logger` at notice or above turns
    /// the request log off.
    public static func servingApplication(_ serving: ServingRoutes, endpoint: String, configuration: ServerConfiguration,
                                          metrics: PrometheusCollectorRegistry?, logger: Logger) throws -> some ApplicationProtocol {
        let router = baseRouter(configuration, metrics: metrics, requestLog: .info)
        serving.register(router, defaultEndpoint: endpoint)
        return try make(router, configuration: configuration, serving: serving, defaultEndpoint: endpoint, logger: logger)
    }

    /// What every Pulk server has: the request log, host and origin checks, per-route metrics, JSON
    /// error bodies, `/health` and (with a registry) `/metrics`.
    static func baseRouter(_ configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry?, requestLog: Logger.Level) -> Router<BasicRequestContext> {
        let router = Router()
        // Structured request logs, request counts and latency histograms per route, then MLflow error bodies.
        router.add(middleware: LogRequestsMiddleware(requestLog))
        router.add(middleware: BrowserGuardMiddleware(allowedHosts: configuration.allowedHosts.map { Set($0.map { $0.lowercased() }) }))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware(bodyLimit: configuration.bodyLimit))
        if let metrics {
            router.get("/metrics") { _, _ in metricsResponse(metrics) }
        }
        router.get("/health") { _, _ in healthResponse() }
        return router
    }

    /// The application on the configured address: scoring requests to the endpoints are answered in
    /// the channel pipeline (ScoringChannelHandler), everything else by the router; TLS when configured.
    static func make(_ router: Router<BasicRequestContext>, configuration: ServerConfiguration, serving: ServingRoutes?, defaultEndpoint: String?,
                     logger: Logger) throws -> some ApplicationProtocol {
        let plain = HTTPServerBuilder.http1(configuration: .init(idleTimeout: configuration.idleTimeout.map(TimeAmount.init)))
        let server = try serving?.server(defaultEndpoint: defaultEndpoint, logger: logger, idleTimeout: configuration.idleTimeout, tls: configuration.tls)
            ?? configuration.tls?.wrap(plain) ?? plain
        return Application(router: router, server: server,
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "pulk"), logger: logger)
    }
}

/// Every failure becomes MLflow's error body, `{"error_code": …, "message": …}`, with a 4xx status
/// for anything the client can fix; nothing the client sends produces a 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The JSON body limit, named in the 413 message.
    var bodyLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as StoreError {
            if e.code == .internalError { context.logger.error("\(request.method) \(request.uri.path): \(e.message)") }
            return Self.error(e.code.rawValue, e.message, status: e.code.httpStatus)
        } catch let e as AppError {
            switch e.kind {
            case .invalid: return Self.error(StoreError.Code.invalidParameterValue.rawValue, e.message, status: 400)
            case .notFound: return Self.error(StoreError.Code.resourceDoesNotExist.rawValue, e.message, status: 404)
            case .conflict: return Self.error(StoreError.Code.invalidState.rawValue, e.message, status: 409)
            case .unavailable: return Self.error("TEMPORARILY_UNAVAILABLE", e.message, status: 502)
            }
        } catch let e as WorkspaceError {
            // A dataset a flow of the application layer was asked for (the workspace's own words).
            let mapped = NativeAPI.storeError(e)
            if mapped.code == .internalError { context.logger.error("\(request.method) \(request.uri.path): \(e.description)") }
            return Self.error(mapped.code.rawValue, mapped.message, status: mapped.code.httpStatus)
        } catch let e as LearnError {
            // A model or its parameters that cannot work as given (a flow of the application layer).
            return Self.error(StoreError.Code.invalidParameterValue.rawValue, e.description, status: 400)
        } catch let e as HTTPParserError {
            // The body's framing broke mid-request (a malformed or overflowing chunk size): the
            // client's fault, and the connection cannot carry another request.
            var r = Self.error("BAD_REQUEST", "The request body is not valid HTTP/1.1 (\(e)); check its chunked encoding or Content-Length", status: 400)
            r.headers[.connection] = "close"
            return r
        } catch is NIOTooManyBytesError {
            return Self.error("BAD_REQUEST", "The request body is larger than the server's limit of \(bodyLimit) bytes.", status: 413)
        } catch let e as HTTPError {
            switch e.status {
            case .contentTooLarge:
                return Self.error("BAD_REQUEST", "The request body is larger than the server's limit.", status: 413)
            case .notFound:
                return Self.error("ENDPOINT_NOT_FOUND", "No endpoint \(request.method) \(request.uri.path)", status: 404)
            case .methodNotAllowed:
                return Self.error("ENDPOINT_NOT_FOUND", "\(request.method) is not allowed on \(request.uri.path)", status: 405)
            default:
                return Self.error(e.status.code < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR", e.body ?? e.status.reasonPhrase, status: e.status.code)
            }
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            return Self.error("INTERNAL_ERROR", "internal error: \(error)", status: 500)
        }
    }

    static func error(_ code: String, _ message: String, status: Int) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: Wire.encode(["error_code": code, "message": message]))))
    }
}

func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Wire.encode(object))))
}
