public import Foundation
import Hummingbird
public import Logging
public import PulkApp
import PulkAccess
import PulkFrame
import PulkLearn
public import PulkSQL
public import PulkServing
public import PulkStore
public import PulkEndpoints
import PulkTracking
public import PulkWorkspace
#if canImport(Glibc)
import Glibc
#endif

/// `pulk server` assembled from its settings: the store, artifacts, accounts check, endpoints kept in
/// step with the store, scoring with load shedding, and the application. A front end calls
/// `prepare`, prints `banner` (and `warnings`), then `run`s it until SIGTERM.
public struct TrackingServerLaunch: Sendable {
    public struct Settings: Sendable {
        public var host = "127.0.0.1"
        public var port = 5000
        public var store = StoreLocation.workspace
        /// Artifacts' folder (default: WORKSPACE/artifacts).
        public var artifactsRoot: String?
        public var durability = StoreLocation.Durability.normal
        public var bodyLimit = 16 << 20
        /// Seconds a connection may idle mid-request (0: never).
        public var idleTimeout = 60
        /// Milliseconds requests may wait unread before scoring sheds load (0: never).
        public var shedAfterMs = 500
        public var noAuth = false
        public var defaultDeny = false
        public var sessionHours = 12
        public var allowHTTPWebhooks = false
        public var allowPrivateWebhooks = false
        /// As `ServerConfiguration.allowedHosts`.
        public var allowedHosts: [String]?? = nil
        public var tls: ServerTLS?
        public init() {}
    }

    /// One line saying where it listens and what it serves.
    public let banner: String
    /// What the operator must know (an open server).
    public let warnings: [String]
    let body: @Sendable () async throws -> Void

    /// Runs until the process is told to stop (requests in flight finish).
    public func run() async throws { try await body() }

    public static func prepare(_ s: Settings, workspace: Workspace) async throws -> TrackingServerLaunch {
        try await PortCheck.ensureFree(host: s.host, port: s.port)
        // The request log is gathered and written every 100 ms (lines at notice and above at once).
        ServerLogHandler.bootstrap()
        let store: SQLTrackingStore
        do { store = try await s.store.open(workspace: workspace, durability: s.durability, maxConnections: 8) } catch {
            throw AppError(.unavailable, "cannot open the tracking store: \(error.description)")
        }
        // Accounts: on when the store has users. Without users, only loopback stays open by default.
        let users = try await store.userCount()
        let loopback = ServerConfiguration.defaultAllowedHosts(bindHost: s.host) != nil
        if users == 0, !loopback, !s.noAuth {
            throw AppError.invalid("refusing to listen on \(s.host) with no users: anyone who can reach it could change everything. "
                + "Add an admin first (`pulk users add NAME --role admin`\(s.store == .workspace ? "" : " --store-uri …")), or pass --no-auth to serve it open on purpose")
        }
        let accounts: String
        var warnings: [String] = []
        if s.noAuth {
            accounts = "OPEN: --no-auth, no sign-in"
            if !loopback || users > 0 {
                warnings.append("--no-auth: anyone who can reach \(s.host):\(s.port) can read and change everything\(users > 0 ? " (the \(users) users are not checked)" : "")")
            }
        } else {
            accounts = users == 0 ? "open: no users (`pulk users add NAME --role admin` turns sign-in on)" : "sign-in required (\(users) users)"
        }
        let root = s.artifactsRoot.map { URL(fileURLWithPath: $0) } ?? LocalTracking.artifactFolder(workspace)
        let artifacts = try ArtifactStore(root: root)
        // Uploads a killed server left unfinished are removed before any new one starts.
        artifacts.sweepUnfinishedUploads()
        // Metrics first: handles made before the bootstrap would count nothing.
        let registry = TrackingServer.bootstrapMetrics()
        // Endpoints: kept in step with the store (deploys, traffic changes, moved aliases) by a background pass.
        let host = EndpointHost(endpoints: store, registry: store, loader: EndpointHost.artifactLoader(artifacts))
        let log = StoreServingLog(store: store, table: host.table)
        await host.reconcile()
        var serving = ServingRoutes(table: host.table, log: log, bodyLimit: s.bodyLimit)
        // Scoring answers 429 while the event loops lag (a flood waiting unread); 0 turns it off.
        let load = s.shedAfterMs > 0 ? LoadMonitor(threshold: .milliseconds(s.shedAfterMs)) : nil
        serving.load = load
        serving.feedback = store
        let configuration = ServerConfiguration(
            host: s.host, port: s.port, bodyLimit: s.bodyLimit, idleTimeout: s.idleTimeout > 0 ? .seconds(s.idleTimeout) : nil,
            allowedHosts: s.allowedHosts, tls: s.tls,
            access: AccessSettings(noAuth: s.noAuth, sessionHours: max(1, s.sessionHours), policy: AccessPolicy(defaultDeny: s.defaultDeny)),
            webhooks: WebhookSettings(policy: OutboundURLPolicy(allowHTTP: s.allowHTTPWebhooks, allowPrivate: s.allowPrivateWebhooks)))
        // AutoML searches clients start: queued in the store, run one at a time on the workspace's datasets.
        let catalog = LocalDatasets(store: workspace.datasets, location: "this server", readers: { DatasetReaders(store: store) })
        let automl = AutoMLJobs(store: store, datasets: catalog,
                                tracking: LocalTracking(store: store, artifacts: artifacts, datasets: workspace.datasets, location: "this server"),
                                cores: defaultThreadCount())
        // Drift monitors: due windows computed from the serving log on their schedule (state in the store).
        var monitoring = Monitoring(store: store, catalog: catalog,
                                    tracking: { LocalTracking(store: store, artifacts: artifacts, datasets: workspace.datasets, location: "this server") },
                                    endpoints: { LocalEndpoints(store: store, registry: LocalTracking(store: store, artifacts: artifacts, datasets: workspace.datasets,
                                                                                                     location: "this server"),
                                                                user: "pulk-server", location: "this server") })
        let alerts = MonitorAlerts(dispatcher: WebhookDispatcher(store: store, settings: configuration.webhooks))
        monitoring.onAlerts = { events in alerts.deliver(events) }
        let scheduler = MonitorScheduler(monitoring: monitoring)
        let app = try TrackingServer.application(store: store, artifacts: artifacts, datasets: workspace.datasets, configuration: configuration,
                                                 metrics: registry, serving: serving, automl: automl, monitoring: monitoring)
        let banner = "pulk server on \(s.tls == nil ? "http" : "https")://\(s.host):\(s.port)  (web UI at /; store: "
            + (s.store == .workspace ? "SQLite in \(workspace.root.path)" : "PostgreSQL") + ", artifacts: \(root.path); "
            + "endpoints at /endpoints/NAME/score; accounts: \(accounts))"
        return TrackingServerLaunch(banner: banner, warnings: warnings) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await host.run() }
                group.addTask { await log.run() }
                group.addTask { await MemoryReturn.run() }
                group.addTask { await automl.run() }
                group.addTask { await scheduler.run() }
                if let load { group.addTask { await load.run() } }
                let watchdog = ShutdownWatchdog()
                try await app.runService()
                withExtendedLifetime(watchdog) {}
                group.cancelAll()
            }
        }
    }
}

/// `pulk serve` assembled: one model (a file or a registry reference resolved through the workbench)
/// behind the scoring API, without a tracking server.
public struct ModelServerLaunch: Sendable {
    public struct Settings: Sendable {
        /// A model file, NAME@ALIAS or NAME:VERSION.
        public var model: String
        public var host = "127.0.0.1"
        public var port = 8080
        /// The endpoint's name in /endpoints/NAME/… and in metrics.
        public var name = "default"
        public var bodyLimit = 16 << 20
        public var idleTimeout = 60
        public var shedAfterMs = 500
        public var allowedHosts: [String]?? = nil
        public var tls: ServerTLS?
        public var logLevel = Logger.Level.info
        public var endpoint = EndpointSettings()
        /// Micro-batching: rows per batch (0: off) and the longest wait.
        public var maxBatch = 0
        public var maxWaitMicros = 1000
        public init(model: String) { self.model = model }
    }

    public let banner: String
    let body: @Sendable () async throws -> Void

    public func run() async throws { try await body() }

    public static func prepare(_ s: Settings, workbench: Workbench) async throws -> ModelServerLaunch {
        try await PortCheck.ensureFree(host: s.host, port: s.port)
        ServerLogHandler.bootstrap()
        try EndpointRules.checkName(s.name, what: "endpoint")
        let reference = try ModelReference(parsing: s.model)
        let resolved = try await reference.resolve(try await workbench.trackingClient())
        let deployment = Deployment(name: "default", model: resolved.name, reference: reference == .file(s.model) ? "file" : s.model,
                                    version: resolved.version, traffic: 100, maxBatch: s.maxBatch, maxWaitMicros: s.maxWaitMicros)
        try EndpointRules.check([deployment])
        try s.endpoint.validate()
        // Metrics first: handles made before the bootstrap would count nothing.
        let registry = TrackingServer.bootstrapMetrics()
        let table = EndpointTable()
        table.install(EndpointRuntime(name: s.name, settings: s.endpoint, deployments: [
            DeploymentRuntime(deployment, served: ServedModel(model: resolved.model, name: resolved.name, version: resolved.version),
                              endpoint: s.name, settings: s.endpoint),
        ]))
        var logger = Logger(label: "pulk.serve")
        logger.logLevel = s.logLevel
        var serving = ServingRoutes(table: table, bodyLimit: s.bodyLimit)
        let load = s.shedAfterMs > 0 ? LoadMonitor(threshold: .milliseconds(s.shedAfterMs)) : nil
        serving.load = load
        let app = try TrackingServer.servingApplication(serving, endpoint: s.name,
                                                        configuration: ServerConfiguration(host: s.host, port: s.port, bodyLimit: s.bodyLimit,
                                                                                           idleTimeout: s.idleTimeout > 0 ? .seconds(s.idleTimeout) : nil,
                                                                                           allowedHosts: s.allowedHosts, tls: s.tls),
                                                        metrics: registry, logger: logger)
        let target = resolved.model.target
        let banner = "pulk serve: \(resolved.label) (\(resolved.model.kind), \(target.task.rawValue)\(target.name.isEmpty ? "" : " of \(target.name)")) "
            + "on \(s.tls == nil ? "http" : "https")://\(s.host):\(s.port)  (POST /score, /invocations; GET /health, /ready, /metrics)"
        return ModelServerLaunch(banner: banner) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await MemoryReturn.run() }
                if let load { group.addTask { await load.run() } }
                let watchdog = ShutdownWatchdog()
                try await app.runService()
                withExtendedLifetime(watchdog) {}
                group.cancelAll()
            }
        }
    }
}
