import Foundation
import PulkAccess
public import PulkStore
public import PulkTracking
public import PulkEndpoints

/// A change of an endpoint's settings: the fields given change, the others stay.
public struct SettingsChange: Sendable, Codable, Equatable {
    public var maxConcurrency: Int?
    public var maxRows: Int?
    public var unseenCategories: String?
    public var logSample: Double?
    public var logRetention: Int?

    public init(maxConcurrency: Int? = nil, maxRows: Int? = nil, unseenCategories: String? = nil, logSample: Double? = nil, logRetention: Int? = nil) {
        self.maxConcurrency = maxConcurrency
        self.maxRows = maxRows
        self.unseenCategories = unseenCategories
        self.logSample = logSample
        self.logRetention = logRetention
    }

    public func applied(to settings: EndpointSettings) -> EndpointSettings {
        var s = settings
        if let maxConcurrency { s.maxConcurrency = maxConcurrency }
        if let maxRows { s.maxRows = maxRows }
        if let unseenCategories { s.unseenCategories = unseenCategories }
        if let logSample { s.logSample = logSample }
        if let logRetention { s.logRetention = logRetention }
        return s
    }
}

/// Endpoint management as every front end sees it: on the local store (`LocalEndpoints`), or on a
/// `pulk server` through its native API (`RemoteEndpoints`); the commands cannot tell them apart.
public protocol EndpointService: Sendable {
    /// For messages: "the workspace", "the PostgreSQL store" or the server's address.
    var location: String { get }
    /// Every endpoint with its deployments, by name.
    func endpoints() async throws -> [Endpoint]
    /// The endpoint with the history of its changes, oldest first.
    func endpoint(name: String) async throws -> (endpoint: Endpoint, events: [EndpointEvent])
    /// Creates an endpoint with no deployments; settings are validated first.
    func create(name: String, description: String, settings: EndpointSettings) async throws -> Endpoint
    /// Applies the change to the current settings (validated) and records it.
    func updateSettings(endpoint: String, _ change: SettingsChange) async throws -> Endpoint
    /// Deletes the endpoint; servers stop answering it within a second.
    func delete(name: String) async throws
    /// Puts a registered version behind the endpoint (`Deploying.deploy`'s rules).
    func deploy(_ request: DeployRequest) async throws -> Deploying.Deployed
    /// Sets the live shares (the deployments named take them, the others none) and mirrors; returns the change
    /// as recorded.
    func setTraffic(endpoint: String, live: [String: Int], mirrors: [String: Int]) async throws -> (endpoint: Endpoint, message: String)
    /// Restores the newest earlier state of the deployments; returns the change whose state it restored.
    func rollback(endpoint: String) async throws -> (endpoint: Endpoint, restored: EndpointEvent)
    /// Removes one deployment, which must take no live traffic.
    func removeDeployment(_ deployment: String, from endpoint: String) async throws -> Endpoint
    /// The newest entries of the serving log, newest first.
    func servingLog(endpoint: String, limit: Int) async throws -> [ServingLogEntry]
    /// One page of the entries with `from ≤ time < to`, oldest first, after `after` (see `EndpointStore`).
    func servingLog(endpoint: String, from: Int64, to: Int64, after: ServingLogPosition?, limit: Int) async throws -> [ServingLogEntry]
    /// Keeps the true values of answered requests' rows (by request id and row); returns how many were new.
    func addFeedback(endpoint: String, _ feedback: [Feedback]) async throws -> Int
    /// A new scoring token: from then on the endpoint answers only requests that carry one of its
    /// tokens. The secret is returned once; the endpoint keeps its SHA-256.
    func createScoringToken(endpoint: String, name: String) async throws -> (token: EndpointToken, secret: String)
    /// Removes a scoring token (with none left, the endpoint scores without one again).
    func revokeScoringToken(endpoint: String, id: String) async throws -> Endpoint
}

/// The token rules every `EndpointService` shares.
public enum ScoringTokens {
    public static func add(name: String, to settings: EndpointSettings, now: Int64) throws -> (settings: EndpointSettings, token: EndpointToken, secret: String) {
        guard (1...100).contains(name.count) else { throw AppError.invalid("A token name is 1 to 100 characters") }
        guard settings.tokens.count < 100 else { throw AppError.invalid("An endpoint has at most 100 scoring tokens; revoke some first") }
        let secret = Credentials.newSecret(prefix: "pulk_ep_")
        let token = EndpointToken(id: "ept-" + String(Credentials.secretHash(secret).prefix(12)), name: name, secretHash: Credentials.secretHash(secret), creationTime: now)
        var s = settings
        s.tokens.append(token)
        return (s, token, secret)
    }

    public static func remove(id: String, from settings: EndpointSettings, endpoint: String) throws -> EndpointSettings {
        guard settings.tokens.contains(where: { $0.id == id }) else {
            throw AppError.notFound("Endpoint '\(endpoint)' has no scoring token '\(id)'; `pulk endpoints show \(endpoint)` lists them")
        }
        var s = settings
        s.tokens.removeAll { $0.id == id }
        return s
    }
}

/// Endpoints in a store this process opened (the workspace's SQLite or a PostgreSQL store), deploying
/// from `registry`; changes are recorded as `user`'s.
public struct LocalEndpoints: EndpointService {
    public let store: any EndpointStore
    public let registry: any TrackingClient
    public let user: String
    public let location: String

    public init(store: any EndpointStore, registry: any TrackingClient, user: String = RunRecorder.user(), location: String) {
        self.store = store
        self.registry = registry
        self.user = user
        self.location = location
    }

    public func endpoints() async throws -> [Endpoint] { try await store.endpoints() }
    public func endpoint(name: String) async throws -> (endpoint: Endpoint, events: [EndpointEvent]) {
        (try await store.endpoint(name: name), try await store.events(endpoint: name))
    }
    public func create(name: String, description: String, settings: EndpointSettings) async throws -> Endpoint {
        try settings.validate()
        return try await store.createEndpoint(name: name, description: description, settings: settings, user: user)
    }
    public func updateSettings(endpoint: String, _ change: SettingsChange) async throws -> Endpoint {
        let settings = change.applied(to: try await store.endpoint(name: endpoint).settings)
        try settings.validate()
        return try await store.updateSettings(endpoint: endpoint, settings, user: user)
    }
    public func delete(name: String) async throws { try await store.deleteEndpoint(name: name, user: user) }
    public func deploy(_ request: DeployRequest) async throws -> Deploying.Deployed {
        try await Deploying.deploy(request, registry: registry, endpoints: store, user: user)
    }
    public func setTraffic(endpoint: String, live: [String: Int], mirrors: [String: Int]) async throws -> (endpoint: Endpoint, message: String) {
        try await Deploying.setTraffic(endpoint: endpoint, live: live, mirrors: mirrors, store: store, user: user)
    }
    public func rollback(endpoint: String) async throws -> (endpoint: Endpoint, restored: EndpointEvent) {
        try await Deploying.rollback(endpoint: endpoint, store: store, user: user)
    }
    public func removeDeployment(_ deployment: String, from endpoint: String) async throws -> Endpoint {
        try await Deploying.removeDeployment(deployment, from: endpoint, store: store, user: user)
    }
    public func addFeedback(endpoint: String, _ feedback: [Feedback]) async throws -> Int {
        guard let store = store as? any FeedbackStore else { throw AppError.invalid("this store keeps no feedback") }
        return try await store.addFeedback(endpoint: endpoint, feedback)
    }
    public func servingLog(endpoint: String, limit: Int) async throws -> [ServingLogEntry] {
        try await store.servingLog(endpoint: endpoint, limit: limit)
    }
    public func servingLog(endpoint: String, from: Int64, to: Int64, after: ServingLogPosition?, limit: Int) async throws -> [ServingLogEntry] {
        try await store.servingLog(endpoint: endpoint, from: from, to: to, after: after, limit: limit)
    }
    public func createScoringToken(endpoint: String, name: String) async throws -> (token: EndpointToken, secret: String) {
        let made = try ScoringTokens.add(name: name, to: try await store.endpoint(name: endpoint).settings, now: Int64(Date().timeIntervalSince1970 * 1000))
        _ = try await store.updateSettings(endpoint: endpoint, made.settings, user: user)
        return (made.token, made.secret)
    }
    public func revokeScoringToken(endpoint: String, id: String) async throws -> Endpoint {
        try await store.updateSettings(endpoint: endpoint, try ScoringTokens.remove(id: id, from: try await store.endpoint(name: endpoint).settings, endpoint: endpoint),
                                       user: user)
    }
}
