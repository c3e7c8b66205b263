public import Foundation
public import PulkTracking
import PulkStore

/// `pulk login` and `pulk logout`: a token for this machine, made on the server with the user's
/// password (or given by hand), checked, and saved in the user's credentials file (`SavedLogins`),
/// where every later command against that server finds it.
public struct SignIn: Sendable {
    public let server: URL
    public let logins: SavedLogins
    let environment: [String: String]

    public init(server: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.server = server
        self.environment = environment
        logins = SavedLogins(environment: environment)
    }

    struct WhoAmI: Decodable { var authentication: String; var user: String? }

    /// Signs in as `user` with `password`: makes a token named after this machine on the server
    /// (expiring after `expiresInDays`, if given), and saves it.
    public func login(user: String, password: String, expiresInDays: Int?) async throws -> SavedLogins.Login {
        let basic = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        let client = PulkServerClient(base: server, environment: environment, authorization: basic)
        try await requireAccounts(client)
        let host = ProcessInfo.processInfo.hostName
        let made = try await RemoteAccess(client: client).createToken(user: user, name: "pulk login on \(host)", expiresInDays: expiresInDays)
        let login = SavedLogins.Login(user: user, token: made.secret, tokenId: made.token.id)
        try logins.save(login, for: server)
        return login
    }

    /// Checks a token made elsewhere (`pulk tokens create`, the web UI) and saves it.
    public func login(token: String) async throws -> SavedLogins.Login {
        let client = PulkServerClient(base: server, environment: environment, authorization: "Bearer " + token)
        let who = try await requireAccounts(client)
        let login = SavedLogins.Login(user: who.user ?? "", token: token, tokenId: nil)
        try logins.save(login, for: server)
        return login
    }

    @discardableResult
    func requireAccounts(_ client: PulkServerClient) async throws -> WhoAmI {
        let who = try await client.send("GET", "/whoami", as: WhoAmI.self)
        guard who.authentication == "on" else {
            throw AppError.invalid("The server at \(server.absoluteString) is open (it has no users, or runs with --no-auth): no sign-in is needed")
        }
        return who
    }

    /// What `logout` did: whether the saved token was revoked on the server, and what was removed.
    public struct Logout: Sendable {
        public var removed: SavedLogins.Login?
        public var revoked: Bool
        /// Why revoking failed (the server unreachable, the token already revoked …).
        public var problem: String?
    }

    /// Forgets the saved sign-in for the server, revoking the token first when `pulk login` made it.
    public func logout() async throws -> Logout {
        guard let saved = logins.login(for: server) else { return Logout(removed: nil, revoked: false, problem: nil) }
        var revoked = false, problem: String?
        if let id = saved.tokenId {
            let client = PulkServerClient(base: server, environment: environment, authorization: "Bearer " + saved.token)
            do {
                _ = try await RemoteAccess(client: client).revokeToken(id: id)
                revoked = true
            } catch { problem = "\(error)" }
        }
        try logins.save(nil, for: server)
        return Logout(removed: saved, revoked: revoked, problem: problem)
    }
}
