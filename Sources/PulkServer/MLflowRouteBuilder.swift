import PulkJSON
import Foundation
import PulkAccess
import HTTPTypes
import Hummingbird
import PulkStore

/// Registers one MLflow endpoint under `/api/2.0/mlflow/` and `/ajax-api/2.0/mlflow/`: reads the JSON
/// body (POST, PATCH, DELETE; at most `bodyLimit` bytes) or the query string (GET), adds path
/// parameters (`{model_id}`) and the caller's user name, and answers the handler's object as JSON.
struct MLflowRouteBuilder {
    typealias Handler = @Sendable (WireInput) async throws(StoreError) -> [String: Any]
    let router: Router<BasicRequestContext>
    let bodyLimit: Int

    /// Names that may appear as `{name}` in an endpoint path.
    static let pathParameters = ["model_id", "tag_key", "name", "webhook_id"]

    func callAsFunction(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        let bodyLimit = self.bodyLimit
        on(method, path) { request, context in
            var i = try await Self.input(request, bodyLimit: bodyLimit)
            for name in Self.pathParameters { if let v = context.parameters.get(name) { i.query[name] = [v] } }
            return json(try await handler(i))
        }
    }

    /// Registers `respond` under both of MLflow's prefixes.
    func on(_ method: HTTPRequest.Method, _ path: String,
            _ respond: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        for prefix in ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"] { router.on(RouterPath(prefix + path), method: method, use: respond) }
    }

    typealias RawHandler = @Sendable (UnsafeRawBufferPointer, WireInput) throws(StoreError) -> Decoded
    typealias Decoded = @Sendable () async throws(StoreError) -> [String: Any]

    /// An endpoint that decodes its own body from the bytes (the hot logging endpoints): `decode` gets
    /// the body and the query, and returns the work to do.
    func raw(_ method: HTTPRequest.Method, _ path: String, _ decode: @escaping RawHandler) {
        let bodyLimit = self.bodyLimit
        on(method, path) { request, _ in
            let buffer = try await request.body.collect(upTo: bodyLimit)
            let query = Self.input(request, body: [:])
            let work = try buffer.readableBytesView.withUnsafeBytes { raw throws(StoreError) in try decode(raw, query) }
            return json(try await work())
        }
    }

    /// The request's query string and caller, with a body already read.
    static func input(_ request: Request, body: [String: Any]) -> WireInput {
        WireInput(json: body, query: formDecoded(request.uri.query ?? ""), user: actor(request.headers))
    }

    static func input(_ request: Request, bodyLimit: Int) async throws -> WireInput {
        var body: [String: Any] = [:]
        if request.method != .get {
            let buffer = try await request.body.collect(upTo: bodyLimit)
            if buffer.readableBytes > 0 {
                let parsed: Any
                do { parsed = try buffer.readableBytesView.withUnsafeBytes { raw throws(JSON.SyntaxError) in try JSON.parse(raw) } } catch {
                    throw StoreError(.badRequest, "The request body is not valid JSON (\(error)).")
                }
                guard let object = parsed as? [String: Any] else { throw StoreError(.badRequest, "The request body is not a JSON object.") }
                body = object
            }
        }
        return input(request, body: body)
    }

    /// A query string as HTML forms encode it (what `requests` sends): `+` is a space, then percent-decoding.
    static func formDecoded(_ query: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            out[decode(kv[0]), default: []].append(kv.count > 1 ? decode(kv[1]) : "")
        }
        return out
    }

    /// Who made a request, for histories: the signed-in user when the server has accounts; on an
    /// open server what the client says: the HTTP Basic user, else `X-Pulk-User` (a Pulk client's OS
    /// user; at most 256 printable characters), else "anonymous".
    static let claimedUser = HTTPField.Name("X-Pulk-User")!

    static func actor(_ headers: HTTPFields) -> String {
        // Signed in: the authenticated user, whatever the headers claim.
        if let id = RequestIdentity.current { return id.user }
        let basic = user(headers[.authorization])
        if !basic.isEmpty { return basic }
        if let claimed = headers[Self.claimedUser]?.trimmingCharacters(in: .whitespaces),
           !claimed.isEmpty, claimed.count <= 256, !claimed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return claimed
        }
        return "anonymous"
    }

    static func user(_ authorization: String?) -> String {
        guard let authorization, case .basic(let user, _)? = try? AuthorizationHeader(authorization) else { return "" }
        return user
    }
}
