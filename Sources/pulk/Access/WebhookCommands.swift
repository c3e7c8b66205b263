import ArgumentParser
import Foundation
import PulkApp
import PulkStore

// Registry webhooks (MLflow 3's), on the workspace's store or a server (admins). The server that
// uses the store delivers them.

struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Registry webhooks: HTTP calls made when models, versions, tags and aliases change.",
        discussion: """
            Events: \((WebhookEvent.all + WebhookEvent.pulk).map(\.description).joined(separator: ", ")). Each delivery is a signed POST as MLflow's \
            (X-MLflow-Signature: v1,BASE64(HMAC-SHA256(secret, "ID.TIMESTAMP.BODY"))), retried on 429 and 5xx. The server calls \
            only https URLs of public addresses unless started with --allow-http-webhooks or --allow-private-webhooks.
            """,
        subcommands: [WebhooksList.self, WebhooksCreate.self, WebhooksUpdate.self, WebhooksDelete.self, WebhooksTest.self])
}

func webhookEvents(_ texts: [String]) throws -> [WebhookEvent] {
    do { return try texts.map { t throws(StoreError) in try WebhookEvent(t) } } catch { throw AppError.invalid(error.message) }
}

/// A secret from stdin (its first line), never from the command line (where `ps` would show it).
func readSecret(_ stdin: Bool) throws -> String? {
    guard stdin else { return nil }
    guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw AppError.invalid("--secret-stdin read no secret.") }
    return line
}

func printWebhooks(_ hooks: [Webhook], json: Bool) {
    if json {
        print(Output.json(hooks.map { h in
            ["id": h.id, "name": h.name, "url": h.url, "events": h.events.map(\.description).joined(separator: ","), "status": h.status.rawValue,
             "description": h.description]
        }))
        return
    }
    print(Output.table(["ID", "NAME", "STATUS", "URL", "EVENTS"], hooks.map { h in
        [h.id, h.name, h.status.rawValue, String(h.url.prefix(60)), h.events.map(\.description).joined(separator: ",")]
    }))
}

struct WebhooksList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every webhook, newest first.")
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.webhooks(common)
        let hooks = try await service.list()
        if hooks.isEmpty, !common.json { print("No webhooks in \(service.location) yet: `pulk webhooks create NAME --url URL --event model_version.created`"); return }
        printWebhooks(hooks, json: common.json)
    }
}

struct WebhooksCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Add a webhook.")
    @Argument(help: "Its name: letters, digits, dots, underscores and hyphens.") var name: String
    @Option(help: "The URL to POST each event to.") var url: String
    @Option(name: .customLong("event"), help: "An event to send (repeat for more), e.g. model_version.created.") var events: [String] = []
    @Option(help: "What it is for.") var description = ""
    @Flag(help: "Read a signing secret from stdin (its first line).") var secretStdin = false
    @Flag(help: "Create it disabled (no deliveries until enabled).") var disabled = false
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func validate() throws {
        guard !events.isEmpty else { throw ValidationError("Name at least one --event: \((WebhookEvent.all + WebhookEvent.pulk).map(\.description).joined(separator: ", ")).") }
    }

    func run() async throws {
        let parsed = try webhookEvents(events)
        let secret = try readSecret(secretStdin) ?? ""
        let service = try await access.webhooks(common)
        let hook = try await service.create(name: name, url: url, events: parsed, description: description, secret: secret,
                                            status: disabled ? .disabled : .active)
        if common.json { printWebhooks([hook], json: true); return }
        print("Created webhook '\(hook.name)' (\(hook.id)) in \(service.location): \(hook.events.map(\.description).joined(separator: ", ")) → \(hook.url)"
              + (secret.isEmpty ? "; deliveries are unsigned (--secret-stdin signs them)" : "; deliveries are signed"))
    }
}

struct WebhooksUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a webhook; what is not given stays.")
    @Argument(help: "The webhook's id (pulk webhooks list).") var id: String
    @Option(help: "A new name.") var name: String?
    @Option(help: "A new URL.") var url: String?
    @Option(name: .customLong("event"), help: "The events to send instead (repeat for more).") var events: [String] = []
    @Option(help: "A new description.") var description: String?
    @Flag(help: "Read a new signing secret from stdin.") var secretStdin = false
    @Flag(help: "Deliver again.") var enable = false
    @Flag(help: "Stop delivering (the webhook is kept).") var disable = false
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func validate() throws {
        guard !(enable && disable) else { throw ValidationError("Pass --enable or --disable, not both.") }
    }

    func run() async throws {
        let change = WebhookChange(name: name, description: description, url: url, events: events.isEmpty ? nil : try webhookEvents(events),
                                   secret: try readSecret(secretStdin), status: enable ? .active : disable ? .disabled : nil)
        let service = try await access.webhooks(common)
        let hook = try await service.update(id: id, change)
        if common.json { printWebhooks([hook], json: true); return }
        print("Updated webhook '\(hook.name)' (\(hook.id)): \(hook.status.rawValue), \(hook.events.map(\.description).joined(separator: ", ")) → \(hook.url)")
    }
}

struct WebhooksDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a webhook.")
    @Argument(help: "The webhook's id (pulk webhooks list).") var id: String
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.webhooks(common)
        try await service.delete(id: id)
        if common.json { print(Output.json(["deleted": id])); return }
        print("Deleted webhook \(id) from \(service.location)")
    }
}

struct WebhooksTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Send MLflow's example payload of an event now and show the answer (needs --server).")
    @Argument(help: "The webhook's id (pulk webhooks list).") var id: String
    @Option(help: "The event to send (default: the webhook's first).") var event: String?
    @OptionGroup var access: AccessOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let service = try await access.webhooks(common)
        let result = try await service.test(id: id, event: try event.map { try webhookEvents([$0])[0] })
        if common.json { print(Output.json(result)); return }
        if result.success { print("Delivered: HTTP \(result.responseStatus ?? 0)" + (result.responseBody.map { ", answer: \($0.prefix(200))" } ?? "")) } else {
            print("Not delivered: " + (result.errorMessage ?? "HTTP \(result.responseStatus ?? 0) \(result.responseBody?.prefix(200) ?? "")"))
            throw ExitCode(1)
        }
    }
}

extension AccessOptions {
    func webhooks(_ common: WorkspaceOptions) async throws -> any WebhookService { try await workbench(common).webhooks() }
}
