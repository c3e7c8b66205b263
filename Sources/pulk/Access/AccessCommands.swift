import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PulkAccess
import PulkApp
import PulkStore
import PulkTracking

// Accounts: users, API tokens, grants and the audit trail, on the workspace's store (its owner acts
// as admin: that is how the first admin is made) or on a server with --server (as the signed-in user).

/// Where the accounts live: the workspace's store, a PostgreSQL store, or a server.
struct AccessOptions: ParsableArguments {
    @Option(help: "postgresql://USER@HOST:PORT/DATABASE of a server that keeps its store in PostgreSQL (default: the workspace's store).")
    var storeUri: String?
    @Option(help: "A pulk server (http://HOST:PORT) to manage through its API, as the signed-in user (pulk login, or PULK_TOKEN); default $PULK_SERVER.")
    var server: String?

    func workbench(_ common: WorkspaceOptions) throws -> Workbench {
        var store = StoreOptions()
        store.storeUri = storeUri
        store.server = server
        return try common.workbench(store: store)
    }

    func service(_ common: WorkspaceOptions) async throws -> any AccessService {
        try await workbench(common).access(owner: RunRecorder.user(ProcessInfo.processInfo.environment))
    }
}

func roleArgument(_ text: String) throws -> Role {
    guard let r = Role(rawValue: text) else { throw ValidationError("Unknown role '\(text)': use reader, contributor, deployer or admin.") }
    return r
}

/// A password from stdin (`--password-stdin`: its first line) or typed twice without echo.
func readPassword(stdin: Bool, confirm: Bool = true) throws -> String {
    if stdin {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("--password-stdin read no password.") }
        return line
    }
    guard isatty(0) != 0 else { throw ValidationError("No terminal to type a password in: pass --password-stdin and pipe it.") }
    let first = String(cString: getpass("Password: "))
    if confirm {
        let second = String(cString: getpass("Again: "))
        guard first == second else { throw ValidationError("The two passwords differ.") }
    }
    return first
}

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage the users who may sign in to a pulk server.",
        discussion: "With no users a server is open to anyone who can reach it. The first user, added here on the workspace (or --store-uri) the server uses, turns sign-in on; make it an admin. Roles: reader (reads everything), contributor (also logs runs and registers models), deployer (also moves aliases and manages endpoints), admin (everything, including users and the audit trail).",
        subcommands: [UsersList.self, UsersAdd.self, UsersSet.self, UsersRemove.self])
}

struct UsersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Users and their roles.")
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.service(common)
        let users = try await service.users()
        if common.json { print(Output.json(users)); return }
        if users.isEmpty { print("No users in \(service.location): a server on it is open to anyone; `pulk users add NAME --role admin` adds the first"); return }
        print(Output.table(["NAME", "ROLE", "CREATED", "UPDATED"], users.map { [$0.name, $0.role.rawValue, Output.time($0.creationTime), Output.time($0.lastUpdatedTime)] }))
    }
}

struct UsersAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user (asks for the password twice).")
    @Argument(help: "The user name: 1 to 64 letters, digits and . _ - @.") var name: String
    @Option(help: "reader, contributor, deployer or admin (default: reader).", transform: roleArgument) var role: Role = .reader
    @Flag(help: "Read the password from the first line of stdin instead of asking.") var passwordStdin = false
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let password = try readPassword(stdin: passwordStdin)
        let service = try await access.service(common)
        let user = try await service.createUser(name: name, password: password, role: role)
        if common.json { print(Output.json(user)); return }
        print("Added \(user.name) (\(user.role.rawValue)) to \(service.location)")
    }
}

struct UsersSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a user's role or password.")
    @Argument(help: "The user.") var name: String
    @Option(help: "The new role.", transform: roleArgument) var role: Role?
    @Flag(help: "Set a new password (asked for, or read with --password-stdin); it signs the user out of the web UI.") var password = false
    @Flag(help: "Read the new password from the first line of stdin.") var passwordStdin = false
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        guard role != nil || password || passwordStdin else { throw ValidationError("Say what to change: --role ROLE and/or --password.") }
        let secret = password || passwordStdin ? try readPassword(stdin: passwordStdin) : nil
        let service = try await access.service(common)
        let user = try await service.updateUser(name: name, role: role, password: secret)
        if common.json { print(Output.json(user)); return }
        print("Updated \(user.name) (\(user.role.rawValue))" + (secret != nil ? "; new password set" : ""))
    }
}

struct UsersRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a user; their tokens stop working, the audit trail keeps their name.")
    @Argument(help: "The user.") var name: String
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.service(common)
        try await service.deleteUser(name: name)
        if common.json { print(Output.json(["removed": name])); return }
        print("Removed \(name); their tokens are revoked")
    }
}

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "API tokens: for scripts, CI and MLflow clients (PULK_TOKEN, MLFLOW_TRACKING_TOKEN).",
        discussion: "A token acts as its user. Its secret is shown once, when it is created; the server keeps only its SHA-256. MLflow clients send it as MLFLOW_TRACKING_TOKEN, or as MLFLOW_TRACKING_PASSWORD with the user's name in MLFLOW_TRACKING_USERNAME.",
        subcommands: [TokensList.self, TokensCreate.self, TokensRevoke.self])
}

struct TokensList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Tokens (yours on a server; an admin sees everyone's).")
    @Option(help: "Only this user's tokens.") var user: String?
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.service(common)
        let tokens = try await service.tokens(user: user)
        if common.json { print(Output.json(tokens)); return }
        if tokens.isEmpty { print("No tokens in \(service.location)"); return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        print(Output.table(["ID", "USER", "NAME", "CREATED", "EXPIRES", "STATE"], tokens.map { t in
            [t.id, t.user, t.name, Output.time(t.creationTime), t.expiresTime.map(Output.time) ?? "never",
             t.revokedTime != nil ? "revoked" : t.isActive(at: now) ? "active" : "expired"]
        }))
    }
}

struct TokensCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token and print its secret (shown only now).")
    @Option(help: "Whose token (default on a server: yours; required on a workspace).") var user: String?
    @Option(help: "What it is for, e.g. ci or laptop.") var name = "token"
    @Option(help: "Days until it expires (1 to 3650; default: never).") var expiresDays: Int?
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.service(common)
        let (token, secret) = try await service.createToken(user: user, name: name, expiresInDays: expiresDays)
        struct Created: Encodable { var token: APIToken; var secret: String }
        if common.json { print(Output.json(Created(token: token, secret: secret))); return }
        print(secret)
        Output.warn("Token \(token.id) for \(token.user)\(token.expiresTime.map { ", expires \(Output.time($0))" } ?? ""). Keep the secret above: it is not shown again. "
            + "Use it as PULK_TOKEN (pulk) or MLFLOW_TRACKING_TOKEN (MLflow clients).")
    }
}

struct TokensRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token; it stops working within seconds.")
    @Argument(help: "The token's id (tok-…, from `pulk tokens list`).") var id: String
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let token = try await access.service(common).revokeToken(id: id)
        if common.json { print(Output.json(token)); return }
        print("Revoked \(token.id) (\(token.name), of \(token.user))")
    }
}

struct GrantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grants", abstract: "Permissions of one user on one experiment, registered model or endpoint.",
        discussion: "A grant replaces the user's role on that resource: READ < USE < EDIT < MANAGE, or NO_PERMISSIONS. Without one, the role decides (reader: READ; contributor and deployer: EDIT; admin: everything). Whoever creates an experiment, registered model or endpoint gets MANAGE on it.",
        subcommands: [GrantsList.self, GrantsSet.self, GrantsRemove.self])
}

func kindArgument(_ text: String) throws -> ResourceKind {
    let t = text.replacingOccurrences(of: "-", with: "_")
    guard let k = ResourceKind(rawValue: t == "model" ? "registered_model" : t) else {
        throw ValidationError("Unknown kind '\(text)': use experiment, model or endpoint.")
    }
    return k
}

struct GrantsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Grants (yours on a server; an admin sees everyone's).")
    @Option(help: "Only this user's grants.") var user: String?
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let grants = try await access.service(common).grants(user: user)
        if common.json { print(Output.json(grants)); return }
        if grants.isEmpty { print("No grants: roles decide everything"); return }
        print(Output.table(["USER", "KIND", "RESOURCE", "PERMISSION"], grants.map { [$0.user, $0.kind.rawValue, $0.resource, $0.permission.rawValue] }))
    }
}

struct GrantsSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Give a user a permission on one resource.")
    @Argument(help: "The user.") var user: String
    @Argument(help: "experiment, model or endpoint.", transform: kindArgument) var kind: ResourceKind
    @Argument(help: "The experiment's id, the registered model's or the endpoint's name.") var resource: String
    @Argument(help: "READ, USE, EDIT, MANAGE or NO_PERMISSIONS.") var permission: String
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        guard let p = Permission(name: permission) else { throw ValidationError("Unknown permission '\(permission)': use READ, USE, EDIT, MANAGE or NO_PERMISSIONS.") }
        try await access.service(common).setGrant(Grant(user: user, kind: kind, resource: resource, permission: p))
        if common.json { print(Output.json(Grant(user: user, kind: kind, resource: resource, permission: p))); return }
        print("\(user) has \(p.rawValue) on \(kind.rawValue) \(resource)")
    }
}

struct GrantsRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a grant; the user's role decides again.")
    @Argument(help: "The user.") var user: String
    @Argument(help: "experiment, model or endpoint.", transform: kindArgument) var kind: ResourceKind
    @Argument(help: "The experiment's id, the registered model's or the endpoint's name.") var resource: String
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        try await access.service(common).deleteGrant(user: user, kind: kind, resource: resource)
        if common.json { print(Output.json(["removed": "\(user) \(kind.rawValue) \(resource)"])); return }
        print("Removed \(user)'s grant on \(kind.rawValue) \(resource)")
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail: every change, who made it, when, and the state before and after (admins).",
        discussion: "Entries are only ever appended; each carries the SHA-256 of the one before, so a changed or removed entry breaks the chain, which --verify finds. Keep the head hash --verify prints somewhere else to also detect entries cut off the end.")
    @Option(help: "Only changes by this user.") var actor: String?
    @Option(help: "Only changes to this resource (an experiment or run id, a model or endpoint name, a user).") var resource: String?
    @Option(help: "Entries after this sequence number.") var after: Int64 = 0
    @Option(help: "At most this many entries (1 to 10000).") var limit = 100
    @Flag(help: "Check the whole chain instead of listing.") var verify = false
    @Flag(help: "Show each change's state before and after.") var changes = false
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.service(common)
        if verify {
            let v = try await service.verifyAudit()
            if common.json { print(Output.json(v)) } else if v.intact {
                print("The audit trail of \(service.location) is intact: \(v.entries) entries, head \(v.head)")
            } else {
                print("The audit trail of \(service.location) is broken at entry \(v.firstBroken ?? 0): \(v.problem ?? ""); \(v.entries) entries before it are intact")
            }
            if !v.intact { throw ExitCode(1) }
            return
        }
        let entries = try await service.audit(after: after, limit: limit, actor: actor, resource: resource)
        if common.json { print(Output.json(entries)); return }
        if entries.isEmpty { print("No audit entries" + (after > 0 || actor != nil || resource != nil ? " match" : " yet")); return }
        if changes {
            for e in entries {
                print("#\(e.sequence) \(Output.time(e.time)) \(e.actor) \(e.action) \(e.resourceKind) \(e.resource)")
                if !e.before.isEmpty { print("  before: \(e.before)") }
                if !e.after.isEmpty { print("  after:  \(e.after)") }
            }
        } else {
            print(Output.table(["#", "TIME", "ACTOR", "ACTION", "KIND", "RESOURCE"], entries.map {
                [String($0.sequence), Output.time($0.time), $0.actor, $0.action, $0.resourceKind, String($0.resource.prefix(60))]
            }))
        }
        if entries.count == limit, let last = entries.last { Output.warn("More entries follow: --after \(last.sequence)") }
    }
}
