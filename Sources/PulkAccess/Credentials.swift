public import Foundation
import Crypto
import _CryptoExtras
public import PulkStore

/// Passwords, API tokens and session secrets. Passwords are stored as PBKDF2-HMAC-SHA256 with a
/// random salt (`pbkdf2-sha256$ROUNDS$SALT$HASH`, base64); tokens and session cookies are 256-bit
/// random secrets of which only the SHA-256 is stored, so a leaked database holds no usable secret.
public enum Credentials {
    /// OWASP's figure for PBKDF2-HMAC-SHA256 (2023).
    public static let rounds = 600_000
    /// The shortest password accepted.
    public static let minimumPasswordLength = 8
    /// What every API token starts with (so secret scanners and people can tell one when they see it).
    public static let tokenPrefix = "pulk_"

    public static func checkPassword(_ password: String) throws(StoreError) {
        guard password.count >= minimumPasswordLength else {
            throw .invalid("A password needs at least \(minimumPasswordLength) characters")
        }
        guard password.utf8.count <= 1024 else { throw .invalid("A password is at most 1024 bytes") }
    }

    /// The stored form of a new password.
    public static func hashPassword(_ password: String, rounds: Int = rounds) throws(StoreError) -> String {
        try checkPassword(password)
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &generator) }
        let key = derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    static func derive(_ password: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        // Rounds come from our own stored hashes; the unchecked entry point lets tests use fewer.
        let key = try? KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.map { $0.withUnsafeBytes { Array($0) } } ?? []
    }

    /// Whether `password` matches a stored hash (compared in constant time).
    public static func verifyPassword(_ password: String, hash: String) -> Bool {
        let parts = hash.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), (1...10_000_000).contains(rounds),
              let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])), expected.count == 32 else { return false }
        return constantTimeEqual(derive(password, salt: Array(salt), rounds: rounds), Array(expected))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    /// A new random secret: 32 bytes, base64url without padding, after `prefix`.
    public static func newSecret(prefix: String = tokenPrefix) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    /// What the store keeps of a token or session secret: its SHA-256 in hex.
    /// SHA-256 of bytes as lowercase hex (what the audit trail keeps of a large body).
    public static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in SHA256.hash(data: bytes) { out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func secretHash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// What an `Authorization` header carries: HTTP Basic's user and secret (a password, or a token in
/// its place), or a Bearer token. One reading for the tracking server and the scoring endpoints.
public enum AuthorizationHeader: Equatable, Sendable {
    case basic(user: String, secret: String)
    case bearer(String)

    /// Throws UNAUTHENTICATED, naming what is wrong, for a header that is neither.
    public init(_ header: String) throws(StoreError) {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { throw StoreError(.unauthenticated, "The Authorization header must be 'Basic …' or 'Bearer …'") }
        let scheme = parts[0].lowercased(), value = parts[1].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "bearer": self = .bearer(value)
        case "basic":
            guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
                throw StoreError(.unauthenticated, "The Basic credentials are not base64 of USER:PASSWORD")
            }
            self = .basic(user: String(text[..<colon]), secret: String(text[text.index(after: colon)...]))
        default:
            throw StoreError(.unauthenticated, "Unsupported authorization scheme '\(scheme.prefix(20))': use Basic or Bearer")
        }
    }

    /// The secret sent: the Bearer token or the Basic password.
    public var secret: String {
        switch self {
        case .basic(_, let secret): return secret
        case .bearer(let token): return token
        }
    }
}

