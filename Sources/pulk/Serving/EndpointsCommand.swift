import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkEndpoints

struct EndpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints",
        abstract: "Real-time endpoints: create, list, show, split traffic, roll back, read the serving log, delete.",
        discussion: "A running `pulk server` on the same store picks every change up within a second; requests in flight finish on the deployments they started on.",
        subcommands: [Create.self, List.self, Show.self, Update.self, Traffic.self, Rollback.self, Logs.self, Delete.self, Tokens.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an endpoint (then `pulk deploy NAME --model MODEL@ALIAS`).")
        @Argument(help: "The endpoint's name: lowercase letters, digits and '-'.") var name: String
        @Option(help: "What it is for.") var description = ""
        @OptionGroup var settings: EndpointSettingsOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let e = try await common.workbench(store: store).endpoints().create(name: name, description: description, settings: try settings.settings())
            if common.json { print(Output.json(EndpointView(e))) } else { print("Created endpoint \(e.name); deploy a model with `pulk deploy \(e.name) --model MODEL@ALIAS`") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List endpoints with their traffic split.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let all = try await common.workbench(store: store).endpoints().endpoints()
            if common.json { print(Output.json(all.map(EndpointView.init))); return }
            print(Output.table(["ENDPOINT", "DEPLOYMENTS"], all.map { e in
                [e.name, e.deployments.map { Self.describe($0) }.joined(separator: ", ")]
            }))
        }

        static func describe(_ d: Deployment) -> String {
            let share = d.mirror > 0 ? "mirror \(d.mirror)%" : "\(d.traffic)%"
            return "\(d.name)=\(d.model) v\(d.version)\(d.alias.map { " (@\($0))" } ?? "") \(share)"
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An endpoint's deployments, settings and history.")
        @Argument(help: "The endpoint's name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let (e, events) = try await common.workbench(store: store).endpoints().endpoint(name: name)
            if common.json {
                print(Output.json(EndpointDetail(endpoint: EndpointView(e), events: events.map(EventView.init))))
                return
            }
            print("\(e.name)\(e.description.isEmpty ? "" : ": \(e.description)")")
            print("  scoring: POST /endpoints/\(e.name)/score  (MLflow: /endpoints/\(e.name)/invocations)")
            print("  limits: \(e.settings.maxConcurrency) in flight, \(e.settings.maxRows) rows per request, unseen categories: \(e.settings.unseenCategories)")
            print("  serving log: \(Int(e.settings.logSample * 100))% of requests, newest \(e.settings.logRetention) kept")
            print("  scoring tokens: " + (e.settings.tokens.isEmpty ? "none (anyone who reaches it may score)"
                : e.settings.tokens.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")) + "\n")
            print(Output.table(["DEPLOYMENT", "MODEL", "VERSION", "FOLLOWS", "TRAFFIC", "MIRROR", "BATCH"], e.deployments.map { d in
                [d.name, d.model, d.version, d.alias.map { "@\($0)" } ?? "-", "\(d.traffic)%", "\(d.mirror)%",
                 d.maxBatch > 0 ? "\(d.maxBatch) rows / \(d.maxWaitMicros) µs" : "off"]
            }))
            print("\nHistory:")
            print(Output.table(["#", "TIME", "USER", "CHANGE", "DETAIL"], events.map { v in
                [String(v.sequence), Output.time(v.time), v.user, v.kind, v.message]
            }))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change an endpoint's settings (only the ones given).")
        @Argument(help: "The endpoint's name.") var name: String
        @Option(help: "Requests in flight at once; more are answered 429 with Retry-After.") var maxConcurrency: Int?
        @Option(help: "Rows per request; more are answered 400.") var maxRows: Int?
        @Option(help: "allow or reject categories never seen in training.") var unseenCategories: String?
        @Option(help: "Share of requests (0 to 1) whose input and output go to the serving log.") var logSample: Double?
        @Option(help: "Rows of the serving log kept (older ones are deleted).") var logRetention: Int?
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let change = SettingsChange(maxConcurrency: maxConcurrency, maxRows: maxRows, unseenCategories: unseenCategories, logSample: logSample,
                                        logRetention: logRetention)
            let updated = try await common.workbench(store: store).endpoints().updateSettings(endpoint: name, change)
            if common.json { print(Output.json(EndpointView(updated))) } else {
                print("\(name): \(updated.settings.maxConcurrency) in flight, \(updated.settings.maxRows) rows per request, unseen categories \(updated.settings.unseenCategories), "
                    + "serving log \(updated.settings.logSample) of requests, newest \(updated.settings.logRetention) kept")
            }
        }
    }

    struct Traffic: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the traffic split: `pulk endpoints traffic NAME blue=90 green=10` (live shares add up to 100).",
            discussion: "Deployments not named keep no live traffic; `--mirror green=20` copies 20% of requests to green, whose answers are only logged.")
        @Argument(help: "The endpoint's name.") var name: String
        @Argument(help: "DEPLOYMENT=PERCENT for every live deployment.") var shares: [String] = []
        @Option(help: "DEPLOYMENT=PERCENT mirrored (shadow) traffic.") var mirror: [String] = []
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        static func parse(_ items: [String]) throws -> [String: Int] {
            var out: [String: Int] = [:]
            for item in items {
                let parts = item.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let pct = Int(parts[1]) else { throw ValidationError("'\(item)' is not DEPLOYMENT=PERCENT") }
                out[String(parts[0])] = pct
            }
            return out
        }

        func run() async throws {
            let live = try Self.parse(shares), mirrors = try Self.parse(mirror)
            let (updated, message) = try await common.workbench(store: store).endpoints().setTraffic(endpoint: name, live: live, mirrors: mirrors)
            if common.json { print(Output.json(EndpointView(updated))) } else { print("\(name): \(message)") }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore the deployments and traffic before the last change.")
        @Argument(help: "The endpoint's name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let (updated, previous) = try await common.workbench(store: store).endpoints().rollback(endpoint: name)
            if common.json { print(Output.json(EndpointView(updated))) } else {
                print("\(name) rolled back to change #\(previous.sequence): " + updated.deployments.map(List.describe).joined(separator: ", "))
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest entries of the endpoint's serving log (sampled inputs and outputs).")
        @Argument(help: "The endpoint's name.") var name: String
        @Option(help: "How many entries.") var limit = 20
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let entries = try await common.workbench(store: store).endpoints().servingLog(endpoint: name, limit: limit)
            if common.json { print(Output.json(entries.map(LogView.init))); return }
            print(Output.table(["TIME", "REQUEST", "DEPLOYMENT", "VERSION", "STATUS", "ROWS", "µs", "INPUT"], entries.map { e in
                [Output.time(e.time), e.requestId, e.deployment + (e.shadow ? " (mirror)" : ""), e.version, String(e.status), String(e.rows),
                 String(e.latencyMicros), String(e.input.prefix(60))]
            }))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an endpoint, or one deployment of it (which must take no live traffic).")
        @Argument(help: "The endpoint's name.") var name: String
        @Option(help: "Remove only this deployment.") var deployment: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var common: WorkspaceOptions

        func run() async throws {
            let s = try await common.workbench(store: store).endpoints()
            guard let deployment else {
                try await s.delete(name: name)
                print("Deleted endpoint \(name)")
                return
            }
            _ = try await s.removeDeployment(deployment, from: name)
            print("Removed deployment \(deployment) from \(name)")
        }
    }
}

extension EndpointsCommand {
    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tokens", abstract: "Scoring tokens: once an endpoint has one, scoring it needs one (Authorization: Bearer TOKEN).",
            discussion: "Separate from the tracking server's users: give a token to the application that scores, not an account. `pulk endpoints show NAME` lists them.",
            subcommands: [Create.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a scoring token and print its secret (shown only now).")
            @Argument(help: "The endpoint's name.") var endpoint: String
            @Option(help: "Who uses it, e.g. checkout-service.") var name = "token"
            @OptionGroup var store: StoreOptions
            @OptionGroup var common: WorkspaceOptions

            func run() async throws {
                let (token, secret) = try await common.workbench(store: store).endpoints().createScoringToken(endpoint: endpoint, name: name)
                struct Created: Encodable { var token: EndpointToken; var secret: String }
                if common.json { print(Output.json(Created(token: token, secret: secret))); return }
                print(secret)
                Output.warn("Scoring token \(token.id) for \(endpoint); keep the secret above, it is not shown again. Requests send it as Authorization: Bearer SECRET.")
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a scoring token: requests that send it are refused from now on.")
            @Argument(help: "The endpoint's name.") var endpoint: String
            @Argument(help: "The token's id (ept-…).") var id: String
            @OptionGroup var store: StoreOptions
            @OptionGroup var common: WorkspaceOptions

            func run() async throws {
                let e = try await common.workbench(store: store).endpoints().revokeScoringToken(endpoint: endpoint, id: id)
                if common.json { print(Output.json(EndpointView(e))); return }
                print("Revoked \(id); \(endpoint) has \(e.settings.tokens.count) scoring token\(e.settings.tokens.count == 1 ? "" : "s") left")
            }
        }
    }
}

// MARK: JSON views

struct DeploymentView: Encodable {
    var name, model, reference, version: String
    var traffic, mirror, maxBatch, maxWaitMicros: Int
    init(_ d: Deployment) {
        (name, model, reference, version) = (d.name, d.model, d.reference, d.version)
        (traffic, mirror, maxBatch, maxWaitMicros) = (d.traffic, d.mirror, d.maxBatch, d.maxWaitMicros)
    }
}

struct EndpointView: Encodable {
    var name, description: String
    var settings: EndpointSettings
    var deployments: [DeploymentView]
    var generation: Int64
    init(_ e: Endpoint) {
        name = e.name
        description = e.description
        settings = e.settings
        deployments = e.deployments.map(DeploymentView.init)
        generation = e.generation
    }
}

struct EventView: Encodable {
    var sequence, time: Int64
    var user, kind, message: String
    var deployments: [DeploymentView]
    init(_ e: EndpointEvent) {
        (sequence, time, user, kind, message) = (e.sequence, e.time, e.user, e.kind, e.message)
        deployments = e.deployments.map(DeploymentView.init)
    }
}

struct EndpointDetail: Encodable {
    var endpoint: EndpointView
    var events: [EventView]
}

struct LogView: Encodable {
    var time, latencyMicros: Int64
    var requestId, deployment, model, version, input, output: String
    var status, rows: Int
    var shadow: Bool
    init(_ e: ServingLogEntry) {
        (time, latencyMicros, requestId, deployment, model, version) = (e.time, e.latencyMicros, e.requestId, e.deployment, e.model, e.version)
        (input, output, status, rows, shadow) = (e.input, e.output, e.status, e.rows, e.shadow)
    }
}
