import Foundation
public import PulkStore

/// How an endpoint treats requests (the same for every deployment behind it).
public struct EndpointSettings: Sendable, Codable, Equatable {
    /// Requests in flight at once; more get 429 with Retry-After.
    public var maxConcurrency: Int = 256
    /// Rows per request; more get 400.
    public var maxRows: Int = 10_000
    /// `allow` scores categories unseen in training as the model treats unknown values; `reject` refuses them.
    public var unseenCategories: String = "allow"
    /// The share of requests (0…1) whose inputs and outputs go to the serving log.
    public var logSample: Double = 0
    /// The newest rows of the serving log kept per endpoint; older ones are deleted.
    public var logRetention: Int = 100_000
    /// Scoring tokens: when there are any, a scoring request must carry one (`Authorization: Bearer
    /// …`). Separate from the tracking server's accounts; only their SHA-256 is kept.
    public var tokens: [EndpointToken] = []

    public init() {}

    enum CodingKeys: String, CodingKey { case maxConcurrency, maxRows, unseenCategories, logSample, logRetention, tokens }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxConcurrency = try c.decodeIfPresent(Int.self, forKey: .maxConcurrency) ?? 256
        maxRows = try c.decodeIfPresent(Int.self, forKey: .maxRows) ?? 10_000
        unseenCategories = try c.decodeIfPresent(String.self, forKey: .unseenCategories) ?? "allow"
        logSample = try c.decodeIfPresent(Double.self, forKey: .logSample) ?? 0
        logRetention = try c.decodeIfPresent(Int.self, forKey: .logRetention) ?? 100_000
        tokens = try c.decodeIfPresent([EndpointToken].self, forKey: .tokens) ?? []
    }

    public func validate() throws(StoreError) {
        guard maxConcurrency >= 1 else { throw .invalid("max concurrency must be at least 1, not \(maxConcurrency)") }
        guard maxRows >= 1 else { throw .invalid("max rows must be at least 1, not \(maxRows)") }
        guard ["allow", "reject"].contains(unseenCategories) else { throw .invalid("unseen categories must be allow or reject, not '\(unseenCategories)'") }
        guard (0...1).contains(logSample) else { throw .invalid("the log sample must be between 0 and 1, not \(logSample)") }
        guard logRetention >= 0 else { throw .invalid("the log retention must be at least 0 rows, not \(logRetention)") }
    }
}

/// A scoring token of one endpoint: its name and the SHA-256 (hex) of its secret.
public struct EndpointToken: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var secretHash: String
    public var creationTime: Int64

    public init(id: String, name: String, secretHash: String, creationTime: Int64) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.creationTime = creationTime
    }
}

/// One model version behind an endpoint, with its share of the traffic.
public struct Deployment: Sendable, Codable, Equatable {
    public var name: String
    /// The registered model.
    public var model: String
    /// `@ALIAS` (the deployment follows the alias) or a version number.
    public var reference: String
    /// The version it serves now (the alias's version when it was last resolved).
    public var version: String
    /// Percent of live requests (0…100; the live deployments of an endpoint sum to 100).
    public var traffic: Int
    /// Percent of requests also mirrored to this deployment; its answers are logged, never returned.
    public var mirror: Int
    /// Adaptive micro-batching: requests arriving within `maxWaitMicros` are scored together, up to `maxBatch` rows (0: off).
    public var maxBatch: Int
    public var maxWaitMicros: Int

    public init(name: String, model: String, reference: String, version: String, traffic: Int, mirror: Int = 0, maxBatch: Int = 0, maxWaitMicros: Int = 0) {
        self.name = name
        self.model = model
        self.reference = reference
        self.version = version
        self.traffic = traffic
        self.mirror = mirror
        self.maxBatch = maxBatch
        self.maxWaitMicros = maxWaitMicros
    }

    /// The alias it follows, if any.
    public var alias: String? { reference.hasPrefix("@") ? String(reference.dropFirst()) : nil }
}

public struct Endpoint: Sendable, Codable, Equatable {
    public var name: String
    public var description: String
    public var settings: EndpointSettings
    public var deployments: [Deployment]
    /// Goes up with every change of the endpoint (servers reload when it moves).
    public var generation: Int64
    public var creationTime: Int64
    public var lastUpdatedTime: Int64

    package init(name: String, description: String, settings: EndpointSettings, deployments: [Deployment], generation: Int64, creationTime: Int64,
                 lastUpdatedTime: Int64) {
        self.name = name
        self.description = description
        self.settings = settings
        self.deployments = deployments
        self.generation = generation
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
    }
}

/// One change of an endpoint, with the deployments it left in place (so a rollback can restore them).
public struct EndpointEvent: Sendable, Codable, Equatable {
    public var sequence: Int64
    public var endpoint: String
    public var time: Int64
    public var user: String
    /// `create`, `deploy`, `traffic`, `remove`, `rollback`, `alias`, `settings`.
    public var kind: String
    public var message: String
    public var deployments: [Deployment]

    package init(sequence: Int64, endpoint: String, time: Int64, user: String, kind: String, message: String, deployments: [Deployment]) {
        self.sequence = sequence
        self.endpoint = endpoint
        self.time = time
        self.user = user
        self.kind = kind
        self.message = message
        self.deployments = deployments
    }
}

/// One sampled request: what came in and what went out.
public struct ServingLogEntry: Sendable, Codable, Equatable {
    public var endpoint: String
    public var deployment: String
    public var model: String
    public var version: String
    public var time: Int64
    public var requestId: String
    public var status: Int
    public var latencyMicros: Int64
    /// A mirrored request: the answer went nowhere but here.
    public var shadow: Bool
    public var rows: Int
    /// The request body as received (JSON or CSV text), and the response body.
    public var input: String
    public var output: String

    public init(endpoint: String, deployment: String, model: String, version: String, time: Int64, requestId: String, status: Int,
                latencyMicros: Int64, shadow: Bool, rows: Int, input: String, output: String) {
        self.endpoint = endpoint
        self.deployment = deployment
        self.model = model
        self.version = version
        self.time = time
        self.requestId = requestId
        self.status = status
        self.latencyMicros = latencyMicros
        self.shadow = shadow
        self.rows = rows
        self.input = input
        self.output = output
    }
}

/// Endpoints and their deployments, the history of every change, and the serving log. Every change
/// is one transaction that also moves a store-wide generation, which servers poll to pick it up.
public protocol EndpointStore: Sendable {
    /// Creates an endpoint with no deployments (name: lowercase letters, digits and '-'), recording a `create`
    /// event by `user`.
    func createEndpoint(name: String, description: String, settings: EndpointSettings, user: String) async throws(StoreError) -> Endpoint
    /// The endpoint with its settings and deployments; RESOURCE_DOES_NOT_EXIST otherwise.
    func endpoint(name: String) async throws(StoreError) -> Endpoint
    /// Every endpoint, by name.
    func endpoints() async throws(StoreError) -> [Endpoint]
    /// Replaces the endpoint's deployments (validated: unique names, live traffic summing to 100 or
    /// nothing live), recording the change as `kind` with `message`.
    func setDeployments(endpoint: String, _ deployments: [Deployment], kind: String, message: String, user: String) async throws(StoreError) -> Endpoint
    /// Replaces the endpoint's settings (validated), recording a `settings` event.
    func updateSettings(endpoint: String, _ settings: EndpointSettings, user: String) async throws(StoreError) -> Endpoint
    /// Deletes the endpoint with its history, serving log and monitors; servers stop answering it at their next
    /// reconcile.
    func deleteEndpoint(name: String, user: String) async throws(StoreError)
    /// The endpoint's changes, oldest first.
    func events(endpoint: String) async throws(StoreError) -> [EndpointEvent]
    /// Moves with every change of any endpoint.
    func endpointGeneration() async throws(StoreError) -> Int64

    /// Appends sampled requests, then keeps only the newest `retention` rows of each endpoint involved.
    func appendServingLog(_ entries: [ServingLogEntry], retention: [String: Int]) async throws(StoreError)
    /// The newest entries of an endpoint's serving log, newest first.
    func servingLog(endpoint: String, limit: Int) async throws(StoreError) -> [ServingLogEntry]
    /// One page of the entries with `from ≤ time < to`, oldest first: at most `limit` (1 to 100,000)
    /// that come after `after` (the previous page's last entry; nil: the first page). A window of any
    /// size is read page by page, never whole.
    func servingLog(endpoint: String, from: Int64, to: Int64, after: ServingLogPosition?, limit: Int) async throws(StoreError) -> [ServingLogEntry]
}

/// Where an entry stands in the serving log's order (time, then request id, then deployment: a
/// mirrored request is logged once per deployment under one id).
public struct ServingLogPosition: Sendable, Equatable, Codable {
    public var time: Int64
    public var requestId: String
    public var deployment: String

    public init(time: Int64, requestId: String, deployment: String) {
        self.time = time
        self.requestId = requestId
        self.deployment = deployment
    }

    public init(_ e: ServingLogEntry) { self.init(time: e.time, requestId: e.requestId, deployment: e.deployment) }

    /// `TIME:DEPLOYMENT:REQUEST_ID`, the page token of the log's REST route (request ids may hold ':').
    public var token: String { "\(time):\(deployment):\(requestId)" }

    public init?(token: String) {
        let parts = token.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let time = Int64(parts[0]), !parts[2].isEmpty else { return nil }
        self.init(time: time, requestId: String(parts[2]), deployment: String(parts[1]))
    }
}

public enum EndpointRules {
    /// Names are 1–63 lowercase letters, digits and '-', starting with a letter (they appear in URLs
    /// and Kubernetes object names).
    public static func checkName(_ name: String, what: String) throws(StoreError) {
        let ok = (1...63).contains(name.count) && name.first!.isLetter && name.allSatisfy { ($0.isLetter && $0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }
        guard ok else { throw .invalid("Invalid \(what) name '\(name.prefix(80))': use 1 to 63 lowercase letters, digits and '-', starting with a letter") }
    }

    public static func check(_ deployments: [Deployment]) throws(StoreError) {
        var seen = Set<String>()
        for d in deployments {
            try checkName(d.name, what: "deployment")
            guard seen.insert(d.name).inserted else { throw .invalid("Deployment '\(d.name)' appears twice") }
            guard (0...100).contains(d.traffic), (0...100).contains(d.mirror) else {
                throw .invalid("Deployment '\(d.name)': traffic and mirror are percentages (0 to 100), not \(d.traffic) and \(d.mirror)")
            }
            guard d.traffic == 0 || d.mirror == 0 else {
                throw .invalid("Deployment '\(d.name)' cannot both take live traffic (\(d.traffic)%) and be mirrored to (\(d.mirror)%)")
            }
            guard d.maxBatch >= 0, d.maxWaitMicros >= 0, d.maxWaitMicros <= 1_000_000 else {
                throw .invalid("Deployment '\(d.name)': max batch must be at least 0 and max wait between 0 and 1 s")
            }
        }
        let live = deployments.reduce(0) { $0 + $1.traffic }
        guard live == 100 || live == 0 else {
            let split = deployments.map { "\($0.name)=\($0.traffic)" }.joined(separator: " ")
            throw .invalid("Live traffic must add up to 100%, but it adds up to \(live)% (\(split)); give every deployment its share")
        }
    }
}
