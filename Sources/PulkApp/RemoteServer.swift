public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import PulkStore
import PulkTracking
import PulkJSON
public import PulkEndpoints

/// Pulk's native API (`/api/pulk/v1/…`) of a `pulk server`, as JSON over HTTP: what `--server URL`
/// (or `PULK_SERVER`) points the commands at. Errors come back as the server's typed messages.
public struct PulkServerClient: Sendable {
    public let base: URL
    let session: URLSession
    let authorization: String?
    /// The OS user (or `MLFLOW_TRACKING_USERNAME`), sent as `X-Pulk-User`.
    let user: String

    /// `authorization`: the header to send; by default the environment's credentials, else what
    /// `pulk login` saved for `base`.
    public init(base: URL, environment: [String: String] = ProcessInfo.processInfo.environment, authorization: String?? = nil) {
        self.base = base
        self.authorization = authorization ?? RemoteTracking.authorization(environment, server: base)
        user = RunRecorder.user(environment)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 300
        session = URLSession(configuration: config)
    }

    /// `--server`, else `PULK_SERVER`; nil for neither. Only http(s) addresses are taken.
    public static func url(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(AppError) -> URL? {
        guard let text = flag ?? environment["PULK_SERVER"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .invalid("'\(text)' is not the http(s):// address of a pulk server; pass --server http://HOST:PORT (or set PULK_SERVER)")
        }
        return url
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }()

    static let segment: CharacterSet = {
        var s = CharacterSet.alphanumerics
        s.insert(charactersIn: "-._~")
        return s
    }()

    /// A path segment, percent-encoded.
    public static func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: segment) ?? text }

    /// Sends `body` (JSON, or raw bytes) to `path` under `/api/pulk/v1` and decodes the answer.
    /// `prefix`: the API the path is under (Pulk's own by default; `/api/2.0/mlflow` for MLflow's).
    public func send<T: Decodable>(_ method: String, _ path: String, query: [(String, String)] = [], json body: (any Encodable)? = nil,
                                   bytes: [UInt8]? = nil, prefix: String = "/api/pulk/v1", as type: T.Type) async throws -> T {
        let data = try await raw(method, path, query: query, json: body, bytes: bytes, prefix: prefix)
        do { return try Self.decoder.decode(T.self, from: data) } catch {
            throw AppError.invalid("The server at \(base.absoluteString) answered \(method) \(path) with a body this pulk cannot read (\(error)); "
                + "is it a pulk server of the same version?")
        }
    }

    /// The body of a 2xx answer; any other status becomes the server's error message.
    public func raw(_ method: String, _ path: String, query: [(String, String)] = [], json body: (any Encodable)? = nil,
                    bytes: [UInt8]? = nil, prefix: String = "/api/pulk/v1") async throws -> Data {
        var c = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        c.percentEncodedPath = (c.percentEncodedPath.hasSuffix("/") ? String(c.percentEncodedPath.dropLast()) : c.percentEncodedPath) + prefix + path
        if !query.isEmpty { c.percentEncodedQuery = query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&") }
        var request = URLRequest(url: c.url!)
        request.httpMethod = method
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        // Who is asking, for the server's histories when it does not authenticate (an authenticated user wins).
        request.setValue(user, forHTTPHeaderField: "X-Pulk-User")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try Self.encoder.encode(body)
        } else if let bytes {
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(bytes)
        }
        let data: Data, response: URLResponse
        do { (data, response) = try await session.data(for: request) } catch {
            throw AppError(.unavailable, "cannot reach the pulk server at \(base.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let object = JSON.object(data)
            let message = object?["message"] as? String ?? String(decoding: data.prefix(300), as: UTF8.self)
            switch status {
            case 401: throw AppError.invalid("\(message). The server at \(base.absoluteString) has accounts: sign in with `pulk login --server \(base.absoluteString)`, "
                + "or set PULK_TOKEN to a token (`pulk tokens create`), or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD")
            case 404: throw AppError.notFound(message)
            case 409: throw AppError.conflict(message)
            case 400..<500: throw AppError.invalid(message)
            default: throw AppError(.unavailable, "the pulk server at \(base.absoluteString) failed (HTTP \(status)): \(message)")
            }
        }
        return data
    }
}

/// Endpoints of a `pulk server`, managed through its native API; the server records the changes and
/// its endpoint host follows them.
public struct RemoteEndpoints: EndpointService {
    public let client: PulkServerClient
    public var location: String { client.base.absoluteString }

    public init(client: PulkServerClient) { self.client = client }

    struct List: Codable { var endpoints: [Endpoint] }
    struct Detail: Codable { var endpoint: Endpoint; var events: [EndpointEvent] }
    struct One: Codable { var endpoint: Endpoint }
    struct Create: Codable { var name: String; var description: String; var settings: EndpointSettings }
    struct Traffic: Codable { var traffic: [String: Int]; var mirror: [String: Int] }
    struct Changed: Codable { var endpoint: Endpoint; var message: String }
    struct RolledBack: Codable { var endpoint: Endpoint; var restored: EndpointEvent }
    struct Log: Codable { var entries: [ServingLogEntry] }
    struct Empty: Codable {}

    /// `/endpoints/NAME…` with the name escaped.
    func path(_ name: String, _ rest: String = "") -> String { "/endpoints/" + PulkServerClient.escape(name) + rest }

    public func endpoints() async throws -> [Endpoint] { try await client.send("GET", "/endpoints", as: List.self).endpoints }
    public func endpoint(name: String) async throws -> (endpoint: Endpoint, events: [EndpointEvent]) {
        let d = try await client.send("GET", path(name), as: Detail.self)
        return (d.endpoint, d.events)
    }
    public func create(name: String, description: String, settings: EndpointSettings) async throws -> Endpoint {
        try await client.send("POST", "/endpoints", json: Create(name: name, description: description, settings: settings), as: One.self).endpoint
    }
    public func updateSettings(endpoint: String, _ change: SettingsChange) async throws -> Endpoint {
        try await client.send("PATCH", path(endpoint, "/settings"), json: change, as: One.self).endpoint
    }
    public func delete(name: String) async throws { _ = try await client.send("DELETE", path(name), as: Empty.self) }
    public func deploy(_ request: DeployRequest) async throws -> Deploying.Deployed {
        try await client.send("POST", path(request.endpoint, "/deploy"), json: request, as: Deploying.Deployed.self)
    }
    public func setTraffic(endpoint: String, live: [String: Int], mirrors: [String: Int]) async throws -> (endpoint: Endpoint, message: String) {
        let c = try await client.send("POST", path(endpoint, "/traffic"), json: Traffic(traffic: live, mirror: mirrors), as: Changed.self)
        return (c.endpoint, c.message)
    }
    public func rollback(endpoint: String) async throws -> (endpoint: Endpoint, restored: EndpointEvent) {
        let r = try await client.send("POST", path(endpoint, "/rollback"), json: Empty(), as: RolledBack.self)
        return (r.endpoint, r.restored)
    }
    public func removeDeployment(_ deployment: String, from endpoint: String) async throws -> Endpoint {
        try await client.send("DELETE", path(endpoint, "/deployments/" + PulkServerClient.escape(deployment)), as: One.self).endpoint
    }
    struct FeedbackBody: Codable { var feedback: [Feedback] }
    struct FeedbackAdded: Codable { var added: Int; var received: Int }
    public func addFeedback(endpoint: String, _ feedback: [Feedback]) async throws -> Int {
        try await client.send("POST", path(endpoint, "/feedback"), json: FeedbackBody(feedback: feedback), as: FeedbackAdded.self).added
    }
    public func servingLog(endpoint: String, limit: Int) async throws -> [ServingLogEntry] {
        try await client.send("GET", path(endpoint, "/logs"), query: [("limit", String(limit))], as: Log.self).entries
    }
    public func servingLog(endpoint: String, from: Int64, to: Int64, after: ServingLogPosition?, limit: Int) async throws -> [ServingLogEntry] {
        var query = [("limit", String(min(limit, 10_000))), ("since", String(from)), ("until", String(to))]
        if let after { query.append(("page_token", after.token)) }
        return try await client.send("GET", path(endpoint, "/logs"), query: query, as: Log.self).entries
    }
    struct NewToken: Codable { var token: EndpointToken; var secret: String }
    struct TokenName: Codable { var name: String }
    public func createScoringToken(endpoint: String, name: String) async throws -> (token: EndpointToken, secret: String) {
        let made = try await client.send("POST", path(endpoint, "/tokens"), json: TokenName(name: name), as: NewToken.self)
        return (made.token, made.secret)
    }
    public func revokeScoringToken(endpoint: String, id: String) async throws -> Endpoint {
        try await client.send("DELETE", path(endpoint, "/tokens/\(PulkServerClient.escape(id))"), as: One.self).endpoint
    }
}
