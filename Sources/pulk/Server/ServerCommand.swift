import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import PulkAccess
import PulkApp
import PulkServer
import PulkServing
import PulkSQL
import PulkStore
import PulkTracking
import PulkWorkspace

/// `pulk server`: the MLflow-compatible tracking server.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the tracking server: the web UI at /, MLflow's REST API (point MLFLOW_TRACKING_URI at it) and the artifact proxy.",
        discussion: "Defaults: SQLite in the workspace and artifacts in WORKSPACE/artifacts. SIGTERM or Ctrl-C stops it gracefully (requests in flight finish).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 5000
    @Option(help: "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE to keep tracking data in PostgreSQL instead of the workspace.")
    var storeUri: String?
    @Option(help: "Folder for artifacts (default: WORKSPACE/artifacts).") var artifactsRoot: String?
    @Option(help: "normal: commits survive a killed server; full: also power loss (fsync per commit).") var durability = "normal"
    @Option(help: "Largest JSON request body in bytes (artifact uploads stream without limit).") var bodyLimit = 16 << 20
    @Option(help: "Seconds a connection may wait for a request's next bytes before it is closed (0: never).") var idleTimeout = 60
    @Option(help: "Answer scoring 429 while requests wait longer than this many milliseconds before they are read (0: never).") var shedAfterMs = 500
    @Flag(help: "Serve without sign-in even if users exist; required to listen on a non-loopback address without users.") var noAuth = false
    @Flag(help: "Non-admins reach only the experiments, models and endpoints they were granted (pulk grants) or created; default: their role applies to all.")
    var defaultDeny = false
    @Option(help: "Hours a web UI sign-in lasts.") var sessionHours = 12
    @Flag(help: "Let registry webhooks call http:// URLs (default: https only).") var allowHttpWebhooks = false
    @Flag(help: "Let registry webhooks call loopback, private and link-local addresses (default: public addresses only).")
    var allowPrivateWebhooks = false
    @OptionGroup var hosts: AllowedHostOptions
    @OptionGroup var tlsOptions: TLSOptions
    @OptionGroup var folder: WorkspaceFolderOption

    func run() async throws {
        guard let mode = SQLiteDatabase.Durability(rawValue: durability) else {
            throw ValidationError("--durability must be normal or full, not '\(durability)'.")
        }
        try await checkPortFree(host: host, port: port)
        // The request log is gathered and written every 100 ms (lines at notice and above at once).
        ServerLogHandler.bootstrap()
        let workspace = try folder.options.open()
        let store: SQLTrackingStore
        do { store = try await StoreLocation(uri: storeUri).open(workspace: workspace, durability: mode, maxConnections: 8) } catch {
            throw PulkFailure(message: "cannot open the tracking store: \(error.description)")
        }
        // Accounts: on when the store has users. Without users, only loopback stays open by default.
        let users = try await store.userCount()
        let loopback = ServerConfiguration.defaultAllowedHosts(bindHost: self.host) != nil
        if users == 0, !loopback, !noAuth {
            throw PulkFailure(message: "refusing to listen on \(self.host) with no users: anyone who can reach it could change everything. "
                + "Add an admin first (`pulk users add NAME --role admin`\(storeUri == nil ? "" : " --store-uri …")), or pass --no-auth to serve it open on purpose")
        }
        let accounts: String
        if noAuth {
            accounts = "OPEN: --no-auth, no sign-in"
            if !loopback || users > 0 { Output.warn("--no-auth: anyone who can reach \(self.host):\(port) can read and change everything\(users > 0 ? " (the \(users) users are not checked)" : "")") }
        } else {
            accounts = users == 0 ? "open: no users (`pulk users add NAME --role admin` turns sign-in on)" : "sign-in required (\(users) users)"
        }
        let root = artifactsRoot.map { URL(fileURLWithPath: $0) } ?? LocalTracking.artifactFolder(workspace)
        let artifacts: ArtifactStore
        artifacts = try ArtifactStore(root: root)
        // Uploads a killed server left unfinished are removed before any new one starts.
        artifacts.sweepUnfinishedUploads()
        // Metrics first: handles made before the bootstrap would count nothing.
        let registry = TrackingServer.bootstrapMetrics()
        // Endpoints: kept in step with the store (deploys, traffic changes, moved aliases) by a background pass.
        let host = EndpointHost(endpoints: store, registry: store, loader: EndpointHost.artifactLoader(artifacts))
        let log = StoreServingLog(store: store, table: host.table)
        await host.reconcile()
        var serving = ServingRoutes(table: host.table, log: log, bodyLimit: bodyLimit)
        // Scoring answers 429 while the event loops lag (a flood waiting unread); 0 turns it off.
        let load = shedAfterMs > 0 ? LoadMonitor(threshold: .milliseconds(shedAfterMs)) : nil
        serving.load = load
        let app = try TrackingServer.application(store: store, artifacts: artifacts, datasets: workspace.datasets,
                                             configuration: ServerConfiguration(host: self.host, port: port, bodyLimit: bodyLimit,
                                                                                idleTimeout: idleTimeout > 0 ? .seconds(idleTimeout) : nil,
                                                                                allowedHosts: hosts.allowed(bindHost: self.host),
                                                                                tls: try tlsOptions.tls(),
                                                                                access: AccessSettings(noAuth: noAuth, sessionHours: max(1, sessionHours),
                                                                                                       policy: AccessPolicy(defaultDeny: defaultDeny)),
                                                                                webhooks: WebhookSettings(policy: OutboundURLPolicy(allowHTTP: allowHttpWebhooks,
                                                                                                                                    allowPrivate: allowPrivateWebhooks))),
                                             metrics: registry,
                                             serving: serving)
        print("pulk server on \(tlsOptions.scheme)://\(self.host):\(port)  (web UI at /; store: \(storeUri.map { _ in "PostgreSQL" } ?? "SQLite in \(workspace.root.path)"), artifacts: \(root.path); "
            + "endpoints at /endpoints/NAME/score; accounts: \(accounts))")
        // A pipe or a container's log gets the banner now, not when the server exits.
        fflush(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await host.run() }
            group.addTask { await log.run() }
            group.addTask { await MemoryReturn.run() }
            if let load { group.addTask { await load.run() } }
            try await app.runService()
            group.cancelAll()
        }
    }
}

/// `--allowed-host`, for `pulk server` and `pulk serve`.
struct AllowedHostOptions: ParsableArguments {
    @Option(name: .customLong("allowed-host"), parsing: .singleValue,
            help: "A host name the server answers to (repeatable; '*' for any). Default: loopback names when listening on loopback, any otherwise.")
    var allowedHosts: [String] = []

    /// What `ServerConfiguration` takes: nil for its default, `.some(nil)` for any host.
    func allowed(bindHost: String) -> [String]?? {
        if allowedHosts.isEmpty { return .none }
        if allowedHosts.contains("*") { return .some(nil) }
        return .some(ServerConfiguration.defaultAllowedHosts(bindHost: bindHost).map { $0 + allowedHosts } ?? allowedHosts)
    }
}

/// `--tls-cert` and `--tls-key`, for `pulk server` and `pulk serve`.
struct TLSOptions: ParsableArguments {
    @Option(help: "PEM certificate chain: serve HTTPS instead of HTTP (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?

    var scheme: String { tlsCert == nil ? "http" : "https" }

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP.")
        }
    }

    func tls() throws -> ServerTLS? {
        switch (tlsCert, tlsKey) {
        case (nil, nil): return nil
        case (let cert?, let key?):
            return try ServerTLS(certificateChain: cert, privateKey: key)
        default: throw ValidationError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP.")
        }
    }
}
