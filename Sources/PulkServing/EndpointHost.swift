public import PulkStore
public import PulkEndpoints
public import PulkLearn
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import PulkModels

/// Keeps a server's `EndpointTable` in step with the store: loads the model version of every
/// deployment, follows aliases (a deployment on `@champion` moves to the alias's new version, and
/// the move is recorded as an endpoint event), and swaps an endpoint's runtime whole when anything
/// changed. A version that fails to load leaves the endpoint as it was and is reported.
public final class EndpointHost: Sendable {
    public typealias Loader = @Sendable (ModelVersion) async throws -> any Model

    let endpoints: any EndpointStore
    let registry: any ModelRegistryStore
    public let table: EndpointTable
    let loader: Loader
    let cache = NIOLockedValueBox<[String: ServedModel]>([:])
    /// What each installed runtime was built from.
    let built = NIOLockedValueBox<[String: Endpoint]>([:])
    let logger = Logger(label: "pulk.serving")

    public init(endpoints: any EndpointStore, registry: any ModelRegistryStore, table: EndpointTable = EndpointTable(), loader: @escaping Loader) {
        self.endpoints = endpoints
        self.registry = registry
        self.table = table
        self.loader = loader
    }

    /// Model files kept as run artifacts: `STORAGE_LOCATION/model.pulk`.
    public static func artifactLoader(_ artifacts: ArtifactStore) -> Loader {
        { version in
            let key = try artifacts.key(ofLocation: version.storageLocation)
            let file = try artifacts.resolve(key.isEmpty ? "model.pulk" : key + "/model.pulk")
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw StoreError.notFound("Model \(version.name) version \(version.version) has no model.pulk at \(version.storageLocation); register a run of `pulk train`")
            }
            return try Catalog.read(path: file.path)
        }
    }

    /// One pass: every endpoint of the store brought up to date. Returns the problems met (also logged).
    @discardableResult
    public func reconcile(user: String = "pulk-server") async -> [String] {
        var problems: [String] = []
        let all: [Endpoint]
        do { all = try await endpoints.endpoints() } catch {
            logger.error("cannot read endpoints: \(error)")
            return ["cannot read endpoints: \(error)"]
        }
        for var endpoint in all {
            let problemsBefore = problems.count
            defer {
                // What went wrong with this endpoint in this pass, shown by /endpoints and /ready.
                table.setProblem(endpoint.name, problems.count > problemsBefore ? problems[problemsBefore...].joined(separator: "; ") : nil)
            }
            // Aliases first: a move is written to the store (and so seen by every server).
            var moved: [String] = []
            var deployments = endpoint.deployments
            for (k, d) in deployments.enumerated() {
                guard let alias = d.alias else { continue }
                do {
                    let current = try await registry.modelVersion(name: d.model, alias: alias)
                    if String(current.version) != d.version {
                        _ = try await served(current)
                        moved.append("\(d.name) follows \(d.model)@\(alias): version \(d.version) → \(current.version)")
                        deployments[k].version = String(current.version)
                    }
                } catch {
                    problems.append("endpoint \(endpoint.name), deployment \(d.name): \(d.model)@\(alias) cannot be loaded: \(error)")
                }
            }
            if !moved.isEmpty {
                do {
                    endpoint = try await endpoints.setDeployments(endpoint: endpoint.name, deployments, kind: "alias", message: moved.joined(separator: "; "), user: user)
                    for m in moved { logger.info("endpoint \(endpoint.name): \(m)") }
                } catch {
                    problems.append("endpoint \(endpoint.name): cannot record the alias move: \(error)")
                }
            }
            if built.withLockedValue({ $0[endpoint.name] }) == endpoint { continue }
            do {
                var runtimes: [DeploymentRuntime] = []
                for d in endpoint.deployments {
                    let version = try await registry.modelVersion(name: d.model, version: d.version)
                    runtimes.append(DeploymentRuntime(d, served: try await served(version), endpoint: endpoint.name, settings: endpoint.settings))
                }
                table.install(EndpointRuntime(name: endpoint.name, settings: endpoint.settings, deployments: runtimes, inFlight: table.counter(endpoint.name)))
                built.withLockedValue { $0[endpoint.name] = endpoint }
                logger.info("endpoint \(endpoint.name): \(endpoint.deployments.map { "\($0.name)=\($0.model) v\($0.version) \($0.traffic)%" }.joined(separator: ", "))")
            } catch {
                let serving = table[endpoint.name] != nil
                problems.append("endpoint \(endpoint.name): " + (serving ? "kept as it was; " : "not serving; ") + "a deployment cannot be loaded: \(error)")
            }
        }
        let names = Set(all.map(\.name))
        for gone in table.failing.keys where !names.contains(gone) { table.setProblem(gone, nil) }
        for gone in table.all.map(\.name) where !names.contains(gone) {
            table.remove(gone)
            built.withLockedValue { _ = $0.removeValue(forKey: gone) }
        }
        // Models no installed deployment serves any more are let go (an alias that moved ten times
        // would otherwise keep ten models in memory).
        let used = Set(table.all.flatMap { $0.deployments.map { Self.cacheKey($0.served.name, $0.served.version) } })
        cache.withLockedValue { $0 = $0.filter { used.contains($0.key) } }
        for p in problems { logger.error("\(p)") }
        return problems
    }

    static func cacheKey(_ model: String, _ version: String) -> String { model + "/" + version }

    func served(_ version: ModelVersion) async throws -> ServedModel {
        let key = Self.cacheKey(version.name, String(version.version))
        if let s = cache.withLockedValue({ $0[key] }) { return s }
        let model = try await loader(version)
        let s = ServedModel(model: model, name: version.name, version: String(version.version))
        cache.withLockedValue { $0[key] = s }
        return s
    }

    /// Reconciles every `interval` until cancelled (the server's background task).
    public func run(every interval: Duration = .seconds(1)) async {
        var generation: Int64 = -1
        var passes = 0
        while !_Concurrency.Task.isCancelled {
            // A pass when anything changed, and every few seconds anyway (aliases move in the registry).
            let now = (try? await endpoints.endpointGeneration()) ?? generation
            if now != generation || passes % 5 == 0 {
                generation = now
                await reconcile()
            }
            passes += 1
            try? await _Concurrency.Task.sleep(for: interval)
        }
    }
}

/// The serving log in the store, written in batches off the request path.
public final class StoreServingLog: ServingLogSink {
    let store: any EndpointStore
    let table: EndpointTable
    let pending = NIOLockedValueBox<[ServingLogEntry]>([])
    /// Entries waiting beyond this are dropped (and counted) rather than growing memory.
    let limit: Int
    let dropped = NIOLockedValueBox<Int>(0)
    /// Entries dropped because the queue was full.
    public var droppedCount: Int { dropped.withLockedValue { $0 } }

    /// `pulk_serving_log_dropped_total` on /metrics: entries the log could not keep up with.
    let droppedTotal: Counter

    public init(store: any EndpointStore, table: EndpointTable, limit: Int = 50_000) {
        self.store = store
        self.table = table
        self.limit = limit
        droppedTotal = Counter(label: "pulk_serving_log_dropped_total")
    }

    public func record(_ entry: ServingLogEntry) {
        let kept = pending.withLockedValue { p -> Bool in
            guard p.count < limit else { return false }
            p.append(entry)
            return true
        }
        if !kept {
            dropped.withLockedValue { $0 += 1 }
            droppedTotal.increment()
        }
    }

    /// Writes what is waiting, with each endpoint's retention.
    public func flush() async throws(StoreError) {
        let entries = pending.withLockedValue { p -> [ServingLogEntry] in
            let t = p
            p = []
            return t
        }
        guard !entries.isEmpty else { return }
        var retention: [String: Int] = [:]
        for name in Set(entries.map(\.endpoint)) { retention[name] = table[name]?.settings.logRetention ?? 100_000 }
        try await store.appendServingLog(entries, retention: retention)
    }

    public func run(every interval: Duration = .seconds(1)) async {
        while !_Concurrency.Task.isCancelled {
            try? await _Concurrency.Task.sleep(for: interval)
            try? await flush()
        }
        try? await flush()
    }
}
