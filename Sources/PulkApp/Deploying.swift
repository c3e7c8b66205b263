public import Foundation
import PulkSQL
public import PulkStore
public import PulkTracking

/// What `pulk deploy` asks for.
public struct DeployRequest: Sendable {
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
}

/// Deploy planning and endpoint management: the rules of traffic splits, mirrors, rollbacks and
/// removals, applied to an endpoint store. A running `pulk server` on that store follows every change.
public enum Deploying {
    public struct Deployed: Sendable {
        public var endpoint: Endpoint
        /// The endpoint did not exist and was made with default settings.
        public var created: Bool
        /// What changed, as recorded in the endpoint's history.
        public var message: String
    }

    /// Puts a registered version behind an endpoint (created when missing). A new deployment takes no
    /// live traffic unless asked (the first takes 100%); the others' shares shrink in proportion.
    public static func deploy(_ request: DeployRequest, on bench: Workbench, user: String = RunRecorder.user()) async throws -> Deployed {
        let reference = try registered(request.model)
        let store = try await bench.sqlStore()
        guard let version = try await reference.version(try await bench.registryClient()) else { throw ModelReference.refusal(request.model) }
        let (current, created) = try await endpointOrNew(request.endpoint, store: store, user: user)
        let refText: String
        if case .alias(_, let alias) = reference { refText = "@" + alias } else { refText = String(version.version) }
        let existing = current.deployments.first { $0.name == request.deployment }
        let othersLive = current.deployments.filter { $0.name != request.deployment && $0.traffic > 0 }
        let share = request.mirror != nil ? 0 : (request.traffic ?? existing?.traffic ?? (othersLive.isEmpty ? 100 : 0))
        let d = Deployment(name: request.deployment, model: version.name, reference: refText, version: String(version.version), traffic: share,
                           mirror: request.mirror ?? 0, maxBatch: request.maxBatch, maxWaitMicros: request.maxBatch > 0 ? request.maxWaitMicros : 0)
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

    /// Changes the settings given, keeping the others.
    public static func updateSettings(endpoint: String, store: any EndpointStore, user: String = RunRecorder.user(),
                                      _ change: (inout EndpointSettings) -> Void) async throws -> Endpoint {
        var settings = try await store.endpoint(name: endpoint).settings
        change(&settings)
        return try await store.updateSettings(endpoint: endpoint, settings, user: user)
    }
}
