import PulkAccess
import PulkServing
import PulkStore
import PulkEndpoints

/// Scoring on `pulk server` once it has users: the endpoint's own tokens, or a user's credentials
/// with USE on the endpoint (contributors, deployers and admins have it by default; a reader needs
/// a grant). The server's session cookie is not taken: scoring is for programs.
struct EndpointAccess: ScoringAccounts {
    let authenticator: Authenticator
    let policy: AccessPolicy

    func required() -> Bool { authenticator.enabledNow() }

    func refusal(authorization: String?, endpoint: String) async -> ScoringRefusal? {
        do {
            guard try await authenticator.enabled() else { return nil }
            guard let id = try await authenticator.identity(authorization: authorization, session: nil) else {
                return ScoringRefusal(status: 401, message: "Endpoint '\(endpoint)' needs credentials: send Authorization: Bearer TOKEN with one of its scoring tokens "
                    + "(`pulk endpoints tokens create \(endpoint)`) or a Pulk token (PULK_TOKEN) of a user with USE on it")
            }
            guard policy.permission(id, .endpoint, endpoint) >= .use else {
                return ScoringRefusal(status: 403, message: "'\(id.user)' may not score endpoint '\(endpoint)': it needs USE "
                    + "(`pulk grants set \(id.user) endpoint \(endpoint) USE`, by an admin or the endpoint's manager)")
            }
            return nil
        } catch {
            return ScoringRefusal(status: error.code == .requestLimitExceeded ? 429 : 401, message: error.message, retryAfter: error.retryAfter)
        }
    }
}
