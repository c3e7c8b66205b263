import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PulkApp
import PulkServer
import PulkServing

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
        var s = TrackingServerLaunch.Settings()
        s.host = host
        s.port = port
        s.store = StoreLocation(uri: storeUri)
        s.artifactsRoot = artifactsRoot
        s.durability = try StoreLocation.durability(named: durability)
        s.bodyLimit = bodyLimit
        s.idleTimeout = idleTimeout
        s.shedAfterMs = shedAfterMs
        s.noAuth = noAuth
        s.defaultDeny = defaultDeny
        s.sessionHours = sessionHours
        s.allowHTTPWebhooks = allowHttpWebhooks
        s.allowPrivateWebhooks = allowPrivateWebhooks
        s.allowedHosts = hosts.allowed(bindHost: host)
        s.tls = try tlsOptions.tls()
        let server = try await TrackingServerLaunch.prepare(s, workspace: try folder.options.open())
        server.warnings.forEach(Output.warn)
        print(server.banner)
        // A pipe or a container's log gets the banner now, not when the server exits.
        fflush(nil)
        try await server.run()
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
