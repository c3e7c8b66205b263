import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore

/// What protects a server that browsers can reach: only configured host names are served (a page
/// on another site that points its own name at 127.0.0.1 — DNS rebinding — gets 421), mutations
/// from another site are refused (an `Origin` that is not one of the served names, or
/// `Sec-Fetch-Site: cross-site`), the API's mutations refuse the content types an HTML form or a
/// plain cross-site `fetch` can send without a CORS preflight, and every HTML page carries a
/// Content-Security-Policy, framing and referrer rules; every answer carries `nosniff`.
struct BrowserGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Host names served (lowercased, without port); nil: any.
    var allowedHosts: Set<String>?

    static var htmlPolicy: String {
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    /// `Host` or `Origin`'s host name, lowercased, without its port (IPv6 literals keep their brackets off).
    static func hostName(_ authority: Substring) -> String {
        var a = authority
        if a.hasPrefix("[") {
            if let end = a.firstIndex(of: "]") { return String(a[a.index(after: a.startIndex)..<end]).lowercased() }
            return String(a).lowercased()
        }
        if let colon = a.lastIndex(of: ":") { a = a[..<colon] }
        return String(a).lowercased()
    }

    static var mutating: Set<HTTPRequest.Method> { [.post, .put, .patch, .delete] }
    /// What a form or a no-preflight request may send: refused on the JSON API's mutations.
    static var simpleTypes: Set<String> { ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"] }

    func refuse(_ status: Int, _ code: String, _ message: String) -> Response {
        var r = ErrorMiddleware<Context>.error(code, message, status: status)
        r.headers[.init("X-Content-Type-Options")!] = "nosniff"
        return r
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.head.authority.map { Self.hostName(Substring($0)) }
        if let allowedHosts, let host, !allowedHosts.contains(host) {
            return refuse(421, "PERMISSION_DENIED",
                          "This server does not answer to the host name '\(host)'; start it with --allowed-host \(host) if that name is meant to reach it")
        }
        if Self.mutating.contains(request.method) {
            if request.headers[.init("Sec-Fetch-Site")!]?.lowercased() == "cross-site" {
                return refuse(403, "PERMISSION_DENIED", "A change requested by a page of another site is refused")
            }
            if let origin = request.headers[.origin] {
                let originHost = URLComponents(string: origin)?.host.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
                let served = originHost.map { allowedHosts?.contains($0) ?? ($0 == host) } ?? false
                guard served else {
                    return refuse(403, "PERMISSION_DENIED", "A change requested from the origin '\(origin.prefix(100))' is refused; only this server's own pages may make changes")
                }
            }
            let path = request.uri.path
            if path.hasPrefix("/api/") || path.hasPrefix("/ajax-api/"), !path.hasPrefix("/api/2.0/mlflow-artifacts/"),
               let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
               Self.simpleTypes.contains(type) {
                return refuse(415, "BAD_REQUEST", "Send the request body as application/json (got \(type))")
            }
        }
        var response = try await next(request, context)
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            if response.headers[.init("Content-Security-Policy")!] == nil { response.headers[.init("Content-Security-Policy")!] = Self.htmlPolicy }
            response.headers[.init("X-Frame-Options")!] = "DENY"
            response.headers[.init("Referrer-Policy")!] = "same-origin"
        }
        return response
    }
}

extension ServerConfiguration {
    /// The host names a server bound to `host` answers to by default: loopback names when it
    /// listens on loopback (so a rebinding page cannot reach it), any otherwise (the names it is
    /// reached by are the operator's to list with `--allowed-host`).
    public static func defaultAllowedHosts(bindHost host: String) -> [String]? {
        let loopback = ["localhost", "127.0.0.1", "::1"]
        let h = host.lowercased()
        return loopback.contains(h) || h.hasPrefix("127.") || h.hasSuffix(".localhost") ? loopback + (loopback.contains(h) ? [] : [h]) : nil
    }
}
