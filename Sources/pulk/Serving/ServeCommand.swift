import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PulkApp
import Logging
import PulkLearn
import PulkScoring
import PulkServer
import PulkServing
import PulkStore
import PulkEndpoints

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
        var s = ModelServerLaunch.Settings(model: model)
        s.host = host
        s.port = port
        s.name = name
        s.bodyLimit = bodyLimit
        s.idleTimeout = idleTimeout
        s.shedAfterMs = shedAfterMs
        s.allowedHosts = hosts.allowed(bindHost: host)
        s.tls = try tlsOptions.tls()
        s.logLevel = level
        s.endpoint = try settings.settings()
        // The serving log belongs to an endpoint of a workspace or server; this process has none.
        guard settings.logSample == 0 else {
            throw ValidationError("pulk serve keeps no serving log (--log-sample): it belongs to an endpoint of a workspace or server. `pulk endpoints create NAME --log-sample 1`, `pulk deploy NAME --model \(model)` and `pulk server` log every request of NAME.")
        }
        s.maxBatch = batching.maxBatch
        s.maxWaitMicros = batching.maxWaitUs
        let server = try await ModelServerLaunch.prepare(s, workbench: try folder.options.workbench(tracking: tracking))
        print(server.banner)
        // A pipe or a container's log gets the banner now, not when the server exits.
        fflush(nil)
        try await server.run()
    }
}
