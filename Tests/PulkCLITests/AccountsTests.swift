import Foundation
import Testing

/// Accounts from the command line: the first admin made on the workspace, tokens for the CLI and
/// MLflow clients, the audit trail, and a server that will not listen openly off loopback.
@Suite("pulk users, tokens and audit: end to end")
struct AccountsTests {
    let cli = PulkCLI()
    static let python3 = ProcessInfo.processInfo.environment["PULK_PYTHON"]

    @Test func aServerOffLoopbackNeedsUsersOrNoAuth() throws {
        let r = try cli.run("server", "--host", "0.0.0.0", "--port", String(Int.random(in: 20_000..<32_000)), "--workspace", "open-ws")
        #expect(r.status != 0)
        #expect(r.stderr.contains("refusing to listen on 0.0.0.0 with no users") && r.stderr.contains("pulk users add NAME --role admin")
                && r.stderr.contains("--no-auth"), "\(r.stderr)")
    }

    @Test func accountsEndToEnd() throws {
        let live = LiveServer(cli: cli)
        let ws = ["--workspace", live.workspace]
        _ = try cli.ok(["users", "add", "ana", "--role", "admin", "--password-stdin"] + ws, input: "ana-password\n")
        _ = try cli.ok(["users", "add", "rex", "--password-stdin"] + ws, input: "rex-password\n")
        let short = try cli.finish(cli.start(["users", "add", "bo", "--password-stdin"] + ws, input: "short\n"))
        #expect(short.status != 0 && short.stderr.contains("at least 8 characters"), "\(short.stderr)")
        let listed = try PulkCLI.array(try cli.ok(["users", "list", "--json"] + ws))
        #expect(listed.map { $0["name"] as? String } == ["ana", "rex"] && listed.map { $0["role"] as? String } == ["admin", "reader"])
        let token = try cli.ok(["tokens", "create", "--user", "ana", "--name", "cli"] + ws).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("pulk_"))

        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }
        let banner = (try? String(contentsOf: live.log, encoding: .utf8)) ?? ""
        #expect(banner.contains("sign-in required (2 users)"), "\(banner)")

        // The CLI against the server: refused without a token, served with one.
        let refused = try cli.finish(cli.start(["models", "list", "--server", live.url], env: ["PULK_TOKEN": ""]))
        #expect(refused.status != 0 && refused.stderr.contains("PULK_TOKEN"), "\(refused.stderr)")
        _ = try cli.ok(["models", "list", "--server", live.url], env: ["PULK_TOKEN": token])
        let mine = try PulkCLI.array(try cli.ok(["tokens", "list", "--json", "--server", live.url], env: ["PULK_TOKEN": token]))
        #expect(mine.count == 1 && mine.first?["name"] as? String == "cli")
        let readerToken = try cli.ok(["tokens", "create", "--name", "laptop", "--server", live.url],
                                     env: ["MLFLOW_TRACKING_USERNAME": "rex", "MLFLOW_TRACKING_PASSWORD": "rex-password"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let denied = try cli.finish(cli.start(["users", "add", "eve", "--password-stdin", "--server", live.url], env: ["PULK_TOKEN": readerToken], input: "eve-password\n"))
        #expect(denied.status != 0 && denied.stderr.contains("Only an admin can add users"), "\(denied.stderr)")

        if let python = Self.python3 {
            let r = try PulkCLI.execute(python, [PulkCLI.repoRoot.appendingPathComponent("Tests/oracle/mlflow_auth_client.py").path, live.url,
                                                 "ana-password", token, "rex-password"])
            #expect(r.status == 0 && r.stdout.contains("\"ok\": true"), "\(r.stdout) \(r.stderr.suffix(2000))")
        }

        // The trail: the accounts made here, the experiment the client made, who did it; intact.
        let audit = try PulkCLI.array(try cli.ok(["audit", "--json", "--server", live.url], env: ["PULK_TOKEN": token]))
        let actions = audit.compactMap { $0["action"] as? String }
        #expect(actions.starts(with: ["users/create", "users/create", "tokens/create"]), "\(actions)")
        #expect(audit.contains { $0["action"] as? String == "tokens/create" && $0["actor"] as? String == "rex" })
        if Self.python3 != nil { #expect(audit.contains { $0["action"] as? String == "experiments/create" && $0["actor"] as? String == "ana" }) }
        let verified = try cli.ok(["audit", "--verify", "--server", live.url], env: ["PULK_TOKEN": token])
        #expect(verified.stdout.contains("is intact"), "\(verified.stdout)")
        let readerAudit = try cli.finish(cli.start(["audit", "--server", live.url], env: ["PULK_TOKEN": readerToken]))
        #expect(readerAudit.status != 0 && readerAudit.stderr.contains("Only an admin"), "\(readerAudit.stderr)")
    }

    /// `pulk login` saves a token the other commands use; scoring on a server with accounts takes a
    /// user's token with USE on the endpoint (or the endpoint's own); `pulk logout` revokes it.
    @Test func loginAndScoringWithAccounts() throws {
        let live = LiveServer(cli: cli)
        let ws = ["--workspace", live.workspace]
        try cli.registeredPenguins(live.workspace)
        _ = try cli.ok(["endpoints", "create", "penguins"] + ws)
        _ = try cli.ok(["deploy", "penguins", "--model", "penguins@champion"] + ws)
        _ = try cli.ok(["users", "add", "ana", "--role", "admin", "--password-stdin"] + ws, input: "ana-password\n")
        _ = try cli.ok(["users", "add", "rex", "--password-stdin"] + ws, input: "rex-password\n")
        let server = try live.start()
        defer { server.terminate(); server.waitUntilExit() }

        let rexConfig = cli.dir.appendingPathComponent("rex-config").path, anaConfig = cli.dir.appendingPathComponent("ana-config").path
        let noEnv = ["PULK_TOKEN": "", "MLFLOW_TRACKING_TOKEN": "", "MLFLOW_TRACKING_USERNAME": ""]
        let asRex = noEnv.merging(["PULK_CONFIG_DIR": rexConfig]) { $1 }, asAna = noEnv.merging(["PULK_CONFIG_DIR": anaConfig]) { $1 }
        let wrong = try cli.finish(cli.start(["login", "--server", live.url, "--user", "rex", "--password-stdin"], env: asRex, input: "nope-nope\n"))
        #expect(wrong.status != 0 && wrong.stderr.contains("not valid"), "\(wrong.stderr)")
        let signedIn = try cli.ok(["login", "--server", live.url, "--user", "rex", "--password-stdin"], env: asRex, input: "rex-password\n")
        #expect(signedIn.stdout.contains("Signed in to \(live.url)") && signedIn.stdout.contains("as rex"), "\(signedIn.stdout)")
        _ = try cli.ok(["login", "--server", live.url, "--user", "ana", "--password-stdin"], env: asAna, input: "ana-password\n")
        let file = rexConfig + "/credentials.json"
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        let rexToken = try #require(((saved["servers"] as? [String: Any])?[live.url] as? [String: Any])?["token"] as? String)

        // The saved token is what later commands send.
        _ = try cli.ok(["models", "list", "--server", live.url], env: asRex)
        let nobody = try cli.finish(cli.start(["models", "list", "--server", live.url], env: noEnv))
        #expect(nobody.status != 0 && nobody.stderr.contains("pulk login"), "\(nobody.stderr)")

        // Scoring: no credentials 401; a reader 403 until granted USE; then 200 on both routes.
        let body = "{\"records\": [\(ServingCLITests.row)]}"
        let score = live.url + "/endpoints/penguins/score", invocations = live.url + "/endpoints/penguins/invocations"
        #expect(try LiveServer.curl(score, method: "POST", json: body).hasSuffix(" 401"))
        let denied = try LiveServer.curl(score, method: "POST", json: body, headers: ["Authorization: Bearer \(rexToken)"])
        #expect(denied.hasSuffix(" 403") && denied.contains("USE"), "\(denied)")
        _ = try cli.ok(["grants", "set", "rex", "endpoint", "penguins", "USE", "--server", live.url], env: asAna)
        for url in [score, invocations] {
            let allowed = try LiveServer.curl(url, method: "POST", json: body, headers: ["Authorization: Bearer \(rexToken)"])
            #expect(allowed.hasSuffix(" 200"), "\(url): \(allowed)")
        }
        // The endpoint's own token still works, without any user.
        let endpointToken = try cli.ok(["endpoints", "tokens", "create", "penguins", "--server", live.url], env: asAna).stdout
            .split(separator: "\n").first { $0.hasPrefix("pulk_") }.map(String.init) ?? ""
        // The server's endpoint host picks the new token up within a second.
        var withToken = "", until = Date().addingTimeInterval(30)
        repeat {
            withToken = try LiveServer.curl(score, method: "POST", json: body, headers: ["Authorization: Bearer \(endpointToken)"])
        } while !withToken.hasSuffix(" 200") && Date() < until
        #expect(withToken.hasSuffix(" 200"), "\(withToken)")

        // Logout revokes the token pulk login made and forgets it.
        let out = try cli.ok(["logout", "--server", live.url], env: asRex)
        #expect(out.stdout.contains("revoked"), "\(out.stdout)")
        #expect(try LiveServer.curl(score, method: "POST", json: body, headers: ["Authorization: Bearer \(rexToken)"]).hasSuffix(" 401"))
        let after = try cli.finish(cli.start(["models", "list", "--server", live.url], env: asRex))
        #expect(after.status != 0)
    }
}
