public import Foundation

/// The tokens `pulk login` saved, one per server, in `credentials.json` under the user's config
/// folder (`$PULK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/pulk`, else `~/.config/pulk`), readable by
/// its owner only. A command given `--server URL` (or `PULK_SERVER`) and no credentials in its
/// environment sends the token saved for that server.
public struct SavedLogins: Sendable {
    /// One server's sign-in.
    public struct Login: Codable, Sendable, Equatable {
        public var user: String
        public var token: String
        /// The token's id on the server (to revoke it at `pulk logout`); nil for a token given by hand.
        public var tokenId: String?

        public init(user: String, token: String, tokenId: String?) {
            self.user = user
            self.token = token
            self.tokenId = tokenId
        }
    }

    public let file: URL

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let folder: URL
        if let dir = environment["PULK_CONFIG_DIR"], !dir.isEmpty {
            folder = URL(fileURLWithPath: dir)
        } else if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            folder = URL(fileURLWithPath: xdg).appendingPathComponent("pulk")
        } else {
            folder = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config/pulk")
        }
        file = folder.appendingPathComponent("credentials.json")
    }

    /// The key of a server: its scheme, host and port, lowercased, without a trailing slash.
    public static func key(_ server: URL) -> String {
        var c = URLComponents()
        c.scheme = server.scheme?.lowercased()
        c.host = server.host?.lowercased()
        c.port = server.port
        let path = server.path.hasSuffix("/") ? String(server.path.dropLast()) : server.path
        return (c.string ?? server.absoluteString) + path
    }

    /// Every saved sign-in by server key; empty when the file does not exist.
    public func all() throws -> [String: Login] {
        guard FileManager.default.fileExists(atPath: file.path) else { return [:] }
        let data = try Data(contentsOf: file)
        struct File: Decodable { var servers: [String: Login] }
        do { return try JSONDecoder().decode(File.self, from: data).servers } catch {
            throw SavedLoginsError(message: "\(file.path) is not a credentials file pulk can read (\(error)); delete it and run `pulk login` again")
        }
    }

    /// The sign-in saved for `server`, if any (an unreadable file counts as none).
    public func login(for server: URL) -> Login? { (try? all())?[Self.key(server)] }

    /// Saves (or replaces) the sign-in for `server`; the file is written whole, then moved into
    /// place, with mode 0600 in a 0700 folder.
    public func save(_ login: Login?, for server: URL) throws {
        var servers = try all()
        servers[Self.key(server)] = login
        let fm = FileManager.default
        try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        struct File: Encodable { var servers: [String: Login] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(File(servers: servers))
        let temp = file.deletingLastPathComponent().appendingPathComponent(".credentials.\(getpid()).tmp")
        guard fm.createFile(atPath: temp.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw SavedLoginsError(message: "cannot write \(temp.path); check the folder's permissions")
        }
        guard rename(temp.path, file.path) == 0 else {
            try? fm.removeItem(at: temp)
            throw SavedLoginsError(message: "cannot replace \(file.path): \(String(cString: strerror(errno)))")
        }
    }
}

public struct SavedLoginsError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
