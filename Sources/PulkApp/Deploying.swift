public import Foundation
import PulkModels
public import PulkStore
public import PulkTracking
public import PulkEndpoints

/// What `pulk deploy` asks for.
public struct DeployRequest: Sendable, Codable, Equatable {
    public var endpoint: String
    /// MODEL@ALIAS (the deployment follows the alias) or MODEL:VERSION.
    public var model: String
    public var deployment: String
    /// Percent of live traffic; nil: 100 for the first deployment, else its current share or 0.
    public var traffic: Int?
    /// Percent of requests mirrored to it instead (answers only logged).
    public var mirror: Int?
    public var maxBatch: Int
    public var maxWaitMicros: Int

    public init(endpoint: String, model: String, deployment: String = "blue", traffic: Int? = nil, mirror: Int? = nil, maxBatch: Int = 0,
                maxWaitMicros: Int = 1000) {
        self.endpoint = endpoint
        self.model = model
        self.deployment = deployment
        self.traffic = traffic
        self.mirror = mirror
        self.maxBatch = maxBatch
        self.maxWaitMicros = maxWaitMicros
    }

    enum CodingKeys: String, CodingKey { case endpoint, model, deployment, traffic, mirror, maxBatch, maxWaitMicros }

    /// Only `model` is required (the endpoint comes from the API's path); the rest take the CLI's defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(endpoint: try c.decodeIfPresent(String.self, forKey: .endpoint) ?? "", model: try c.decode(String.self, forKey: .model),
                  deployment: try c.decodeIfPresent(String.self, forKey: .deployment) ?? "blue", traffic: try c.decodeIfPresent(Int.self, forKey: .traffic),
                  mirror: try c.decodeIfPresent(Int.self, forKey: .mirror), maxBatch: try c.decodeIfPresent(Int.self, forKey: .maxBatch) ?? 0,
                  maxWaitMicros: try c.decodeIfPresent(Int.self, forKey: .maxWaitMicros) ?? 1000)
    }
}

/// Deploy planning and endpoint management: the rules of traffic splits, mirrors, rollbacks and
/// removals, applied to an endpoint store. A running `pulk server` on that store follows every change.
public enum Deploying {
    public struct Deployed: Sendable, Codable {
        public var endpoint: Endpoint
        /// The endpoint did not exist and was made with default settings.
        public var created: Bool
        /// What changed, as recorded in the endpoint's history.
        public var message: String
    }

    /// Puts a registered version behind an endpoint (created when missing). A new deployment takes no
    /// live traffic unless asked (the first takes 100%); the others' shares shrink in proportion.
    public static func deploy(_ request: DeployRequest, on bench: Workbench) async throws -> Deployed {
        // Through the endpoint service: on a remote server, the server checks and applies it.
        try await bench.endpoints().deploy(request)
    }

    /// `deploy` against a registry (which must hold the model file) and an endpoint store. The version
    /// is loaded and checked before anything changes: one Pulk cannot serve is refused with the reason.
    public static func deploy(_ request: DeployRequest, registry: any TrackingClient, endpoints store: any EndpointStore,
                              user: String = RunRecorder.user()) async throws -> Deployed {
        let reference = try registered(request.model)
        guard let version = try await reference.version(registry) else { throw ModelReference.refusal(request.model) }
        try await checkServable(version, registry: registry)
        let (current, created) = try await endpointOrNew(request.endpoint, store: store, user: user)
        let refText: String
        if case .alias(_, let alias) = reference { refText = "@" + alias } else { refText = String(version.version) }
        let existing = current.deployments.first { $0.name == request.deployment }
        let othersLive = current.deployments.filter { $0.name != request.deployment && $0.traffic > 0 }
        let share = request.mirror != nil ? 0 : (request.traffic ?? existing?.traffic ?? (othersLive.isEmpty ? 100 : 0))
        let d = Deployment(name: request.deployment, model: version.name, reference: refText, version: String(version.version), traffic: share,
                           mirror: request.mirror ?? 0, maxBatch: request.maxBatch, maxWaitMicros: request.maxBatch > 0 ? request.maxWaitMicros : 0)
        guard (0...100).contains(share), (0...100).contains(d.mirror) else {
            throw AppError.invalid("Traffic and mirror are percentages from 0 to 100, not \(request.traffic ?? share) and \(d.mirror)")
        }
        var deployments = rescale(current.deployments.filter { $0.name != request.deployment }, to: 100 - share)
        if let at = current.deployments.firstIndex(where: { $0.name == request.deployment }) {
            deployments.insert(d, at: min(at, deployments.count))
        } else {
            deployments.append(d)
        }
        let message = "\(request.deployment): \(version.name) version \(version.version)\(refText.hasPrefix("@") ? " (follows \(refText))" : ""), "
            + (d.mirror > 0 ? "mirror \(d.mirror)%" : "traffic \(share)%")
        let updated = try await store.setDeployments(endpoint: request.endpoint, deployments, kind: "deploy", message: message, user: user)
        return Deployed(endpoint: updated, created: created, message: message)
    }

    /// Loads the version's model file and decodes it, as a server would before serving it.
    static func checkServable(_ version: ModelVersion, registry: any TrackingClient) async throws {
        let label = "\(version.name) version \(version.version)"
        let bytes: [UInt8]
        do { bytes = try await ModelReference.modelFile(registry, version) } catch {
            throw AppError.invalid("\(label) cannot be served: \(error). Register a run of `pulk train` (its model is a model.pulk file)")
        }
        do { _ = try Catalog.decode(bytes, name: label) } catch {
            throw AppError.invalid("\(label) cannot be served: \(error)")
        }
    }

    /// The endpoint, created with default settings when missing (and whether it was).
    static func endpointOrNew(_ name: String, store: any EndpointStore, user: String) async throws(StoreError) -> (Endpoint, Bool) {
        do { return (try await store.endpoint(name: name), false) } catch where error.code == .resourceDoesNotExist {
            return (try await store.createEndpoint(name: name, description: "", settings: EndpointSettings(), user: user), true)
        }
    }

    /// A reference to a registered version; a file is refused (endpoints serve the registry).
    public static func registered(_ text: String) throws(AppError) -> ModelReference {
        let reference = try ModelReference(parsing: text)
        if case .file = reference { throw AppError.invalid("Deploy a registered model (MODEL@ALIAS or MODEL:VERSION); `pulk serve FILE` serves a model file") }
        return reference
    }

    /// Shares of the live deployments scaled to add up to `total` (largest remainders get the rounding).
    public static func rescale(_ deployments: [Deployment], to total: Int) -> [Deployment] {
        let live = deployments.reduce(0) { $0 + $1.traffic }
        guard live > 0 else { return deployments }
        let exact = deployments.map { Double($0.traffic) * Double(total) / Double(live) }
        var shares = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { (exact[$0] - Double(shares[$0]), deployments[$1].traffic) > (exact[$1] - Double(shares[$1]), deployments[$0].traffic) }
        for k in order.prefix(total - shares.reduce(0, +)) { shares[k] += 1 }
        return zip(deployments, shares).map { d, s in
            var d = d
            d.traffic = d.traffic > 0 ? s : 0
            return d
        }
    }

    /// Sets the traffic split: the named deployments take `live` percent, the rest none; `mirrors`
    /// copies requests to deployments whose answers are only logged.
    public static func setTraffic(endpoint: String, live: [String: Int], mirrors: [String: Int], store: any EndpointStore,
                                  user: String = RunRecorder.user()) async throws -> (endpoint: Endpoint, message: String) {
        let e = try await store.endpoint(name: endpoint)
        let known = Set(e.deployments.map(\.name))
        if let unknown = (Array(live.keys) + Array(mirrors.keys)).sorted().first(where: { !known.contains($0) }) {
            throw AppError.notFound("Endpoint \(endpoint) has no deployment '\(unknown)' (it has \(known.sorted().joined(separator: ", ")))")
        }
        let deployments = e.deployments.map { d -> Deployment in
            var d = d
            d.traffic = live[d.name] ?? 0
            d.mirror = mirrors[d.name] ?? (live[d.name] == nil ? d.mirror : 0)
            return d
        }
        let message = deployments.map { "\($0.name)=\($0.traffic)%" + ($0.mirror > 0 ? " (mirror \($0.mirror)%)" : "") }.joined(separator: " ")
        return (try await store.setDeployments(endpoint: endpoint, deployments, kind: "traffic", message: message, user: user), message)
    }

    /// Restores the newest earlier state of the deployments different from the current one.
    public static func rollback(endpoint: String, store: any EndpointStore, user: String = RunRecorder.user()) async throws
        -> (endpoint: Endpoint, restored: EndpointEvent) {
        let e = try await store.endpoint(name: endpoint)
        let events = try await store.events(endpoint: endpoint)
        // The newest state different from the current one, skipping the changes that led here.
        guard let previous = events.reversed().first(where: { $0.deployments != e.deployments && !$0.deployments.isEmpty }) else {
            throw AppError.conflict("Endpoint \(endpoint) has no earlier deployments to roll back to")
        }
        let updated = try await store.setDeployments(endpoint: endpoint, previous.deployments, kind: "rollback",
                                                     message: "back to the state of change #\(previous.sequence)", user: user)
        return (updated, previous)
    }

    /// Removes one deployment, which must take no live traffic.
    public static func removeDeployment(_ deployment: String, from endpoint: String, store: any EndpointStore,
                                        user: String = RunRecorder.user()) async throws -> Endpoint {
        let e = try await store.endpoint(name: endpoint)
        guard let d = e.deployments.first(where: { $0.name == deployment }) else {
            throw AppError.notFound("Endpoint \(endpoint) has no deployment '\(deployment)'")
        }
        guard d.traffic == 0 else {
            throw AppError.conflict("Deployment \(deployment) takes \(d.traffic)% of live traffic; move it first (`pulk endpoints traffic \(endpoint) …`)")
        }
        return try await store.setDeployments(endpoint: endpoint, e.deployments.filter { $0.name != deployment }, kind: "remove",
                                              message: "removed \(deployment)", user: user)
    }
}
