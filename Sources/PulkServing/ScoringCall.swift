import Hummingbird
import HTTPTypes
import NIOCore
import PulkScoring

/// A scoring request as either transport hands it over (the router, or the pipeline's fast path).
struct ScoringCall: Sendable {
    /// The endpoint it names (or the default one of `pulk serve`).
    var endpoint: String
    /// MLflow's `/invocations` answer rather than Pulk's `/score` answer.
    var mlflow: Bool
    var contentType: String?
    /// The caller's `X-Request-ID`, if any.
    var requestId: String?
    /// The `Authorization` header, checked against the endpoint's scoring tokens when it has any.
    var authorization: String? = nil

    /// A body of CSV rows rather than JSON.
    var csv: Bool { contentType?.lowercased().hasPrefix("text/csv") == true }
}

/// A scoring answer: status, JSON body, and the headers that say who answered.
struct ScoringReply: Sendable {
    var status: Int
    var body: [UInt8]
    var requestId: String?
    var deployment: String?
    var version: String?
    /// Seconds, for 429 and 503.
    var retryAfter: String?
    /// A 401 that names the scheme to use.
    var authenticate = false

    static func error(_ status: Int, _ code: String, _ message: String) -> ScoringReply {
        ScoringReply(status: status, body: ScoringOutput.error(code: code, message: message))
    }

    /// The header fields of the answer (without its length, which each transport sets), in order.
    func forEachField(_ body: (HTTPField.Name, String) -> Void) {
        body(.contentType, "application/json")
        if let requestId { body(ServingRoutes.requestIdHeader, requestId) }
        if let deployment { body(ServingRoutes.deploymentHeader, deployment) }
        if let version { body(ServingRoutes.versionHeader, version) }
        if let retryAfter { body(.retryAfter, retryAfter) }
        if authenticate { body(.wwwAuthenticate, "Bearer realm=\"pulk-endpoint\"") }
    }

    /// The same as the router's header fields.
    var headerFields: HTTPFields {
        var headers = HTTPFields()
        forEachField { headers[$0] = $1 }
        return headers
    }

    /// The answer as the router's response.
    var response: Response {
        Response(status: .init(code: status), headers: headerFields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
