import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PulkAccess
import PulkStore

extension AccessRoutes {
    /// `/login` (a form; a session cookie: HttpOnly, SameSite=Strict, Secure behind TLS), `/logout`,
    /// and `/ui/audit` (admins: the trail, newest last, with the chain's check).
    func registerLogin(_ router: Router<BasicRequestContext>) {
        let r = self
        router.get("/login") { request, _ in
            let next = WebUI.query(request)["next"]?.first ?? "/"
            return try await r.loginPage(next: next, message: nil, status: .ok)
        }
        router.post("/login") { request, _ in
            let buffer = try await request.body.collect(upTo: 64 << 10)
            let form = MLflowRouteBuilder.formDecoded(String(buffer: buffer))
            let user = form["user"]?.first ?? "", password = form["password"]?.first ?? "", next = form["next"]?.first ?? "/"
            guard try await r.authenticator.enabled(), !r.settings.noAuth else { return Self.redirect(Self.safe(next)) }
            let header = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            let id: Identity?
            do { id = user.isEmpty ? nil : try await r.authenticator.identity(authorization: header, session: nil) } catch {
                if let e = error as? StoreError, e.code == .requestLimitExceeded { return try await r.loginPage(next: next, message: e.message, status: .tooManyRequests) }
                id = nil
            }
            guard let id, id.method == .password else {
                return try await r.loginPage(next: next, message: "Wrong user name or password.", status: .unauthorized)
            }
            let secret = Credentials.newSecret(prefix: "")
            let hours = r.settings.sessionHours
            try await r.admin.store.createSession(secretHash: Credentials.secretHash(secret), user: id.user,
                                                  expiresTime: Int64(Date().timeIntervalSince1970 * 1000) + Int64(hours) * 3_600_000)
            var response = Self.redirect(Self.safe(next))
            response.headers[.setCookie] = "\(AccessMiddleware<BasicRequestContext>.sessionCookie)=\(secret); Path=/; Max-Age=\(hours * 3600); HttpOnly; SameSite=Strict"
                + (r.settings.secureCookies ? "; Secure" : "")
            return response
        }
        router.post("/logout") { request, _ in
            if let secret = request.cookies[AccessMiddleware<BasicRequestContext>.sessionCookie]?.value {
                try? await r.admin.store.deleteSession(secretHash: Credentials.secretHash(secret))
                r.authenticator.invalidate()
            }
            var response = Self.redirect("/login")
            response.headers[.setCookie] = "\(AccessMiddleware<BasicRequestContext>.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
            return response
        }
        router.get("/ui/webhooks") { _, _ in
            do { return try await r.webhooksPage() } catch let e as StoreError {
                let html = HTML.page("Webhooks", section: nil, body: "<p class=\"error\" role=\"alert\">\(HTML.esc(e.message))</p>")
                return Response(status: .init(code: e.code.httpStatus), headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
            }
        }
        router.get("/ui/audit") { request, _ in
            do { return try await r.auditPage(request) } catch let e as StoreError {
                let html = HTML.page("Audit trail", section: nil, body: "<p class=\"error\" role=\"alert\">\(HTML.esc(e.message))</p>")
                return Response(status: .init(code: e.code.httpStatus), headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
            }
        }
    }

    /// Only paths on this server: `/x`, never `//host` or `https://…`.
    static func safe(_ next: String) -> String {
        next.hasPrefix("/") && !next.hasPrefix("//") && !next.hasPrefix("/\\") ? next : "/"
    }

    static func redirect(_ location: String) -> Response { Response(status: .seeOther, headers: [.location: location]) }

    func loginPage(next: String, message: String?, status: HTTPResponse.Status) async throws -> Response {
        let enabled = try await authenticator.enabled()
        let open = settings.noAuth || !enabled
        let body: String
        if open {
            body = "<p class=\"banner\">This server is open: it has no users\(settings.noAuth ? " checked (--no-auth)" : ""), so no sign-in is needed. "
                + "<code>pulk users add NAME --role admin</code> on its machine turns accounts on.</p><p><a href=\"/\">Go to the experiments</a></p>"
        } else {
            body = (message.map { "<p class=\"error\" role=\"alert\">\(HTML.esc($0))</p>" } ?? "")
                + "<form method=\"post\" action=\"/login\" class=\"bar\" aria-label=\"Sign in\">"
                + "<input type=\"hidden\" name=\"next\" value=\"\(HTML.esc(Self.safe(next)))\">"
                + "<label>User<input type=\"text\" name=\"user\" autocomplete=\"username\" required autofocus></label>"
                + "<label>Password<input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>"
                + "<button type=\"submit\">Sign in</button></form>"
                + "<p class=\"muted\">Scripts and MLflow clients sign in with MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or a token "
                + "(<code>pulk tokens create</code>) in MLFLOW_TRACKING_TOKEN or PULK_TOKEN.</p>"
        }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: HTML.page("Sign in", section: nil, body: body))))
    }

    /// The registry's webhooks (admins): where each sends which events, and whether it is on.
    func webhooksPage() async throws -> Response {
        let by = try await caller(false)
        guard by.role == .admin else { throw StoreError.denied("Webhooks are for admins; '\(by.user)' is a \(by.role.rawValue)") }
        let hooks = try await webhooks.allWebhooks()
        var body = "<p class=\"muted\">Each registry change below is POSTed to the webhooks that subscribe to it, signed with their secret "
            + "as MLflow signs it. Manage them with <code>pulk webhooks</code>, the API (<code>/api/2.0/mlflow/webhooks</code>) or "
            + "<code>MlflowClient().create_webhook</code>.</p>"
        let rows = hooks.map { h -> [String] in
            [HTML.esc(h.name), h.status == .active ? "active" : "<span class=\"muted\">disabled</span>",
             "<span class=\"mono\">\(HTML.esc(String(h.url.prefix(200))))</span>", HTML.esc(h.events.map(\.description).joined(separator: ", ")),
             HTML.esc(h.description), h.secret.isEmpty ? "no" : "yes", HTML.time(h.lastUpdatedTime), "<span class=\"mono\">\(h.id)</span>"]
        }
        body += rows.isEmpty ? "<p class=\"muted\">No webhooks yet: <code>pulk webhooks create NAME --url URL --event model_version.created</code>.</p>"
            : HTML.table(["Name", "Status", "URL", "Events", "Description", "Signed", "Updated (UTC)", "Id"], rows)
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: HTML.page("Webhooks", section: nil, body: body))))
    }

    func auditPage(_ request: Request) async throws -> Response {
        let by = try await caller(false)
        let q = WebUI.query(request)
        let actor = q["actor"]?.first.flatMap { $0.isEmpty ? nil : $0 }, resource = q["resource"]?.first.flatMap { $0.isEmpty ? nil : $0 }
        let after = try Self.integer(q["after"]?.first, "after", default: 0, range: 0...Int64.max)
        let pageSize = 100
        let entries = try await admin.auditEntries(after: after, limit: pageSize, actor: actor, resource: resource, by: by)
        let check = try await admin.verifyAudit(by: by)
        var body = check.intact
            ? "<p class=\"muted\">The chain of \(check.entries) entries is intact (head <span class=\"mono\">\(check.head.prefix(16))…</span>).</p>"
            : "<p class=\"error\" role=\"alert\">The audit trail was tampered with: \(HTML.esc(check.problem ?? "")).</p>"
        body += "<form class=\"bar\" method=\"get\" action=\"/ui/audit\" aria-label=\"Filter the audit trail\">"
            + "<label>Actor<input type=\"text\" name=\"actor\" value=\"\(HTML.esc(actor ?? ""))\" style=\"width:200px\"></label>"
            + "<label>Resource<input type=\"text\" name=\"resource\" value=\"\(HTML.esc(resource ?? ""))\" style=\"width:260px\"></label>"
            + "<button type=\"submit\">Filter</button></form>"
        let rows = entries.map { e -> [String] in
            let change = [("before", e.before), ("after", e.after)].filter { !$0.1.isEmpty }
                .map { "<details><summary>\($0.0)</summary><pre>\(HTML.esc(String($0.1.prefix(20_000))))</pre></details>" }.joined()
            return [String(e.sequence), HTML.time(e.time), HTML.esc(e.actor), HTML.esc(e.action), HTML.esc(e.resourceKind),
                    "<span class=\"mono\">\(HTML.esc(String(e.resource.prefix(120))))</span>", change]
        }
        body += rows.isEmpty ? "<p class=\"muted\">No entries.</p>" : HTML.table(["#", "Time (UTC)", "Actor", "Action", "Kind", "Resource", "Change"], rows, numeric: [0])
        if entries.count == pageSize, let last = entries.last {
            body += "<p><a href=\"\(HTML.href("/ui/audit", [("actor", actor ?? ""), ("resource", resource ?? ""), ("after", String(last.sequence))]))\">Later entries →</a></p>"
        }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: HTML.page("Audit trail", section: nil, body: body))))
    }
}
