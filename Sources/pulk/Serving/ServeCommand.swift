import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import PulkApp
import Logging
import PulkLearn
import PulkScoring
import PulkServer
import PulkServing
import PulkStore

/// Options every served endpoint takes (`pulk serve` and `pulk endpoints create`).
struct EndpointSettingsOptions: ParsableArguments {
    @Option(help: "Requests in flight at once; more are answered 429 with Retry-After.") var maxConcurrency = 256
    @Option(help: "Rows per request; more are answered 400.") var maxRows = 10_000
    @Option(help: "Categories never seen in training: allow (score them as the model treats unknowns) or reject (400).")
    var unseenCategories = "allow"
    @Option(help: "Share of requests (0 to 1) whose input and output go to the serving log.") var logSample = 0.0
    @Option(help: "Rows of the serving log kept per endpoint (older ones are deleted).") var logRetention = 100_000

    func settings() throws -> EndpointSettings {
        var s = EndpointSettings()
        s.maxConcurrency = maxConcurrency
        s.maxRows = maxRows
        s.unseenCategories = unseenCategories
        s.logSample = logSample
        s.logRetention = logRetention
        try s.validate()
        return s
    }
}

/// Micro-batching options of a deployment.
struct BatchingOptions: ParsableArguments {
    @Option(help: "Micro-batching: score requests arriving together in batches of up to this many rows (0: off).") var maxBatch = 0
    @Option(help: "Micro-batching: the longest a request waits for others, in microseconds.") var maxWaitUs = 1000
}

/// `pulk serve`: one model behind the scoring API, without a tracking server (what a container runs).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve one model over HTTP: POST /score (Pulk), POST /invocations (MLflow), GET /health, /ready, /metrics.",
        discussion: """
            MODEL is a model file or a registered version (NAME@ALIAS, NAME:VERSION), read from the workspace or --tracking-uri. \
            The model is also at /endpoints/NAME/score and /endpoints/NAME/invocations. SIGTERM drains: requests in flight finish.
            """)

    @Argument(help: "A .pulk model file, NAME@ALIAS or NAME:VERSION.") var model: String
    @Option(help: "Address to listen on (0.0.0.0 in a container).") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "The endpoint's name in /endpoints/NAME/… and in metrics.") var name = "default"
    @Option(help: "Largest request body in bytes (413 above).") var bodyLimit = 16 << 20
    @Option(help: "Seconds a connection may wait for a request's next bytes before it is closed (0: never).") var idleTimeout = 60
    @Option(help: "Answer scoring 429 while requests wait longer than this many milliseconds before they are read (0: never).") var shedAfterMs = 500
    @OptionGroup var hosts: AllowedHostOptions
    @OptionGroup var tlsOptions: TLSOptions
    @Option(help: "Request log level: trace, debug, info, notice, warning, error (info logs every request).") var logLevel = "info"
    @OptionGroup var settings: EndpointSettingsOptions
    @OptionGroup var batching: BatchingOptions
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var folder: WorkspaceFolderOption

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try await checkPortFree(host: host, port: port)
        // The request log is gathered and written every 100 ms (lines at notice and above at once).
        ServerLogHandler.bootstrap()
        try EndpointRules.checkName(name, what: "endpoint")
        let reference = try ModelReference(parsing: model)
        let resolved = try await reference.resolve(try await folder.options.workbench(tracking: tracking).trackingClient())
        let endpoint = try settings.settings()
        let deployment = Deployment(name: "default", model: resolved.name, reference: reference == .file(model) ? "file" : model,
                                    version: resolved.version, traffic: 100, maxBatch: batching.maxBatch, maxWaitMicros: batching.maxWaitUs)
        try EndpointRules.check([deployment])
        // Metrics first: handles made before the bootstrap would count nothing.
        let registry = TrackingServer.bootstrapMetrics()
        let table = EndpointTable()
        table.install(EndpointRuntime(name: name, settings: endpoint, deployments: [
            DeploymentRuntime(deployment, served: ServedModel(model: resolved.model, name: resolved.name, version: resolved.version), endpoint: name, settings: endpoint),
        ]))
        var logger = Logger(label: "pulk.serve")
        logger.logLevel = level
        var serving = ServingRoutes(table: table, bodyLimit: bodyLimit)
        // Scoring answers 429 while the event loops lag (a flood waiting unread); 0 turns it off.
        let load = shedAfterMs > 0 ? LoadMonitor(threshold: .milliseconds(shedAfterMs)) : nil
        serving.load = load
        let app = try TrackingServer.servingApplication(serving, endpoint: name,
                                                        configuration: ServerConfiguration(host: host, port: port, bodyLimit: bodyLimit,
                                                                                           idleTimeout: idleTimeout > 0 ? .seconds(idleTimeout) : nil,
                                                                                           allowedHosts: hosts.allowed(bindHost: host), tls: try tlsOptions.tls()),
                                                        metrics: registry, logger: logger)
        print("pulk serve: \(resolved.label) (\(resolved.model.kind), \(resolved.model.target.task.rawValue) of \(resolved.model.target.name)) on \(tlsOptions.scheme)://\(host):\(port)  "
            + "(POST /score, /invocations; GET /health, /ready, /metrics)")
        // A pipe or a container's log gets the banner now, not when the server exits.
        fflush(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await MemoryReturn.run() }
            if let load { group.addTask { await load.run() } }
            try await app.runService()
            group.cancelAll()
        }
    }
}
