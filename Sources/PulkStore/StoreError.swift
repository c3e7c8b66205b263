/// What can go wrong in the tracking store, with MLflow's error codes (the server maps them to
/// HTTP statuses) and a message that says what to fix.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidParameterValue = "INVALID_PARAMETER_VALUE"
        case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
        case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"
        case invalidState = "INVALID_STATE"
        case badRequest = "BAD_REQUEST"
        case internalError = "INTERNAL_ERROR"
        /// No credentials, or credentials the server does not accept (401).
        case unauthenticated = "UNAUTHENTICATED"
        /// An authenticated user without the permission the request needs (403).
        case permissionDenied = "PERMISSION_DENIED"
        /// Too many attempts; the message says when to retry (429).
        case requestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"

        /// The HTTP status MLflow answers with.
        public var httpStatus: Int {
            switch self {
            case .invalidParameterValue, .invalidState, .badRequest: return 400
            case .resourceAlreadyExists: return 400
            case .resourceDoesNotExist: return 404
            case .internalError: return 500
            case .unauthenticated: return 401
            case .permissionDenied: return 403
            case .requestLimitExceeded: return 429
            }
        }
    }

    public var code: Code
    public var message: String
    /// For REQUEST_LIMIT_EXCEEDED: the seconds to wait (the Retry-After header).
    public var retryAfter: Int?
    public var description: String { message }

    public init(_ code: Code, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public static func invalid(_ message: String) -> StoreError { StoreError(.invalidParameterValue, message) }
    public static func notFound(_ message: String) -> StoreError { StoreError(.resourceDoesNotExist, message) }
    public static func exists(_ message: String) -> StoreError { StoreError(.resourceAlreadyExists, message) }
    public static func denied(_ message: String) -> StoreError { StoreError(.permissionDenied, message) }
    package static func database(_ error: any Error) -> StoreError { StoreError(.internalError, "database error: \(error)") }
}
