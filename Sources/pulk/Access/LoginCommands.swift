import ArgumentParser
import Foundation
import PulkApp
import PulkTracking

/// Where `pulk login` / `logout` sign in: `--server`, else `PULK_SERVER`.
func signIn(_ server: String?) throws -> SignIn {
    guard let url = try PulkServerClient.url(flag: server) else {
        throw ValidationError("Name the server: --server http://HOST:PORT (or set PULK_SERVER).")
    }
    return SignIn(server: url)
}

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to a pulk server once: later commands with --server (or PULK_SERVER) use the saved token.",
        discussion: """
            With a user name, asks for the password (or reads it with --password-stdin), makes an API token named \
            after this machine on the server and saves it in ~/.config/pulk/credentials.json (PULK_CONFIG_DIR or \
            XDG_CONFIG_HOME move it), readable by you only. With --token-stdin, saves a token made elsewhere \
            (`pulk tokens create`, the web UI) after checking it. PULK_TOKEN and MLFLOW_TRACKING_* in the \
            environment still win over the saved token.
            """)

    @Option(help: "The server (http://HOST:PORT); default $PULK_SERVER.") var server: String?
    @Option(help: "The user to sign in as; default your login name.") var user: String?
    @Flag(help: "Read the password from the first line of stdin instead of asking.") var passwordStdin = false
    @Flag(help: "Read an existing API token from the first line of stdin instead of a password.") var tokenStdin = false
    @Option(help: "Days until the token made for this machine expires (default: never).") var expiresInDays: Int?

    func validate() throws {
        if tokenStdin, passwordStdin || user != nil { throw ValidationError("--token-stdin signs in with a token: leave out --user and --password-stdin.") }
        if let d = expiresInDays, d <= 0 { throw ValidationError("--expires-in-days must be at least 1.") }
    }

    func run() async throws {
        let flow = try signIn(server)
        let login: SavedLogins.Login
        if tokenStdin {
            guard let line = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !line.isEmpty else {
                throw ValidationError("--token-stdin read no token.")
            }
            login = try await flow.login(token: line)
        } else {
            let name = user ?? RunRecorder.user(ProcessInfo.processInfo.environment)
            login = try await flow.login(user: name, password: try readPassword(stdin: passwordStdin, confirm: false), expiresInDays: expiresInDays)
        }
        print("Signed in to \(flow.server.absoluteString) as \(login.user); token\(login.tokenId.map { " \($0)" } ?? "") saved in \(flow.logins.file.path)")
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Forget the token saved for a pulk server, revoking it there when `pulk login` made it.")

    @Option(help: "The server (http://HOST:PORT); default $PULK_SERVER.") var server: String?

    func run() async throws {
        let flow = try signIn(server)
        let out = try await flow.logout()
        guard let removed = out.removed else {
            print("Not signed in to \(flow.server.absoluteString): nothing saved in \(flow.logins.file.path)")
            return
        }
        var line = "Signed out of \(flow.server.absoluteString) (\(removed.user))"
        if out.revoked { line += "; token \(removed.tokenId ?? "") revoked" }
        print(line)
        if let problem = out.problem {
            FileHandle.standardError.write(Data("warning: the token could not be revoked on the server (\(problem)); it stays valid until an admin revokes it (`pulk tokens revoke \(removed.tokenId ?? "")`)\n".utf8))
        }
    }
}
