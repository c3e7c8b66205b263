/// Who may score an endpoint besides the holders of its own scoring tokens. On `pulk server` with
/// users, a scoring request needs either one of the endpoint's tokens or the credentials of a user
/// with USE on the endpoint; `pulk serve` has no accounts (its endpoint's tokens, if any, decide).
public protocol ScoringAccounts: Sendable {
    /// Whether scoring needs credentials now (the server has users), answered without waiting on
    /// the store; true when not yet known, so that the check happens.
    func required() -> Bool
    /// nil when the credentials sent may score the endpoint; else the refusal: 401 (none, or wrong)
    /// 403 (a user without USE on it) or 429 (too many wrong passwords), with a message saying how to fix it.
    func refusal(authorization: String?, endpoint: String) async -> ScoringRefusal?
}

/// Why a scoring request is refused by `ScoringAccounts`.
public struct ScoringRefusal: Sendable, Equatable {
    /// 401, 403 or 429.
    public var status: Int
    public var message: String
    /// Seconds to wait, for 429.
    public var retryAfter: Int?

    public init(status: Int, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }
}
