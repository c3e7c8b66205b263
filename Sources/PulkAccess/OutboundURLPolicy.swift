public import PulkStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which URLs the server may call on a user's behalf (webhooks, and alerts to come): https only and
/// public addresses only, unless the operator allows http or private targets. A host name is
/// resolved and every address it resolves to is checked (a name that resolves to loopback, a
/// private network, link-local or cloud metadata addresses is refused); the caller then connects to
/// one of the checked addresses, so a second, different DNS answer cannot redirect the request.
public struct OutboundURLPolicy: Sendable {
    public var allowHTTP: Bool
    public var allowPrivate: Bool

    public init(allowHTTP: Bool = false, allowPrivate: Bool = false) {
        self.allowHTTP = allowHTTP
        self.allowPrivate = allowPrivate
    }

    /// A checked URL: where to connect and what to send.
    public struct Target: Sendable, Equatable {
        public var secure: Bool
        public var host: String
        public var port: Int
        /// Path and query, at least "/".
        public var target: String
        /// The checked numeric addresses of `host`.
        public var addresses: [String]
    }

    /// Checks the URL's form only (scheme, host, port): what can be said without the network.
    public func checkForm(_ url: String) throws(StoreError) -> (secure: Bool, host: String, port: Int, target: String) {
        // MLflow's wording, which its clients' tests match.
        guard !url.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("Webhook URL cannot be empty or just whitespace: '\(url)'") }
        guard url.count <= 2048, let c = URLComponents(string: url), let scheme = c.scheme?.lowercased() else {
            throw .invalid("Invalid webhook URL '\(url.prefix(100))': it is not a URL (e.g. https://hooks.example.com/pulk)")
        }
        guard scheme == "https" || (scheme == "http" && allowHTTP) else {
            throw .invalid("Invalid webhook URL scheme: '\(scheme)'. Allowed schemes are: \(allowHTTP ? "http, https" : "https")"
                           + (scheme == "http" ? " (start the server with --allow-http-webhooks to allow http)" : ""))
        }
        guard let host = c.host, !host.isEmpty else { throw .invalid("The URL '\(url.prefix(100))' has no host name") }
        guard c.user == nil, c.password == nil else { throw .invalid("The URL must not carry a user name or password; use the webhook's secret") }
        let port = c.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw .invalid("The URL's port \(port) is out of range") }
        var target = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        if let q = c.percentEncodedQuery { target += "?" + q }
        return (scheme == "https", host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port, target)
    }

    /// Checks the URL and resolves its host, refusing non-public addresses unless allowed.
    public func check(_ url: String) throws(StoreError) -> Target {
        let form = try checkForm(url)
        let addresses = try Self.resolve(form.host)
        guard !addresses.isEmpty else { throw .invalid("The host '\(form.host)' does not resolve to any address") }
        if !allowPrivate, let bad = addresses.first(where: { !Self.isPublic($0) }) {
            throw .invalid("The host '\(form.host)' resolves to \(bad), which is not a public address; Pulk calls only public addresses unless the server is started with --allow-private-webhooks")
        }
        return Target(secure: form.secure, host: form.host, port: form.port, target: form.target, addresses: addresses)
    }

    /// What can be checked when a URL is saved: its form, and with private targets refused, where
    /// its name resolves now (with them allowed there is nothing to resolve for; as MLflow, a name
    /// that does not resolve yet is accepted). Deliveries check again with `checked`.
    public func checkedForSaving(_ url: String) async throws(StoreError) {
        if allowPrivate { _ = try checkForm(url) } else { _ = try await checked(url) }
    }

    /// `check` on a thread of its own (name resolution blocks).
    public func checked(_ url: String) async throws(StoreError) -> Target {
        let result: Result<Target, StoreError> = await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: Result { () throws(StoreError) -> Target in try self.check(url) }) }
        }
        return try result.get()
    }

    /// The numeric addresses of a host name (or the literal itself).
    static func resolve(_ host: String) throws(StoreError) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else {
            throw .invalid("The host '\(host.prefix(100))' cannot be resolved (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let a = p {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(a.pointee.ai_addr, a.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !out.contains(text) { out.append(text) }
            }
            p = a.pointee.ai_next
        }
        return out
    }

    /// Whether a numeric address is on the public internet (IPv6 forms that carry an IPv4 address —
    /// mapped, 6to4, NAT64 — are judged by that address).
    public static func isPublic(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return isPublicV4(b[0], b[1], b[2], b[3])
        }
        var v6 = in6_addr()
        let literal = address.split(separator: "%").first.map(String.init) ?? address
        guard inet_pton(AF_INET6, literal, &v6) == 1 else { return false }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return isPublicV4(b[12], b[13], b[14], b[15]) }  // ::ffff:a.b.c.d
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b, b[4..<12].allSatisfy({ $0 == 0 }) { return isPublicV4(b[12], b[13], b[14], b[15]) }  // NAT64
        if b[0] == 0x20, b[1] == 0x02 { return isPublicV4(b[2], b[3], b[4], b[5]) }  // 6to4
        if b.allSatisfy({ $0 == 0 }) || (b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1) { return false }  // :: and ::1
        if b[0] & 0xfe == 0xfc { return false }  // unique local fc00::/7
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return false }  // link-local fe80::/10
        if b[0] == 0xff { return false }  // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return false }  // documentation
        if b[0..<12].allSatisfy({ $0 == 0 }) { return false }  // IPv4-compatible (deprecated)
        return true
    }

    static func isPublicV4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Bool {
        switch (a, b) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false  // carrier-grade NAT
        case (169, 254): return false  // link-local, cloud metadata
        case (172, 16...31), (192, 168): return false
        case (198, 18...19): return false  // benchmarking
        case (192, 0) where c == 0 || c == 2: return false  // IETF, documentation
        case (198, 51) where c == 100, (203, 0) where c == 113: return false  // documentation
        default: return a < 224  // multicast, reserved, broadcast
        }
    }
}
