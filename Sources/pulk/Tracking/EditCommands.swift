import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkTracking

// Listing, describing, tagging and deleting registered models, runs and experiments: the same calls
// (and the same refusals) as MLflow's REST API, on the workspace or on a server.

/// `NAME` or `NAME:VERSION`.
struct ModelRef {
    var name: String
    var version: String?
    init(_ text: String) throws {
        if let colon = text.lastIndex(of: ":"), let v = Int(text[text.index(after: colon)...]), v > 0, colon != text.startIndex {
            name = String(text[..<colon])
            version = String(v)
        } else {
            name = text
        }
        guard !name.isEmpty else { throw ValidationError("Expected NAME or NAME:VERSION, not '\(text)'.") }
    }
    var text: String { version.map { "\(name) version \($0)" } ?? name }
}

/// `KEY=VALUE`.
func tagArgument(_ text: String) throws -> Tag {
    guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { throw ValidationError("Expected KEY=VALUE, not '\(text)'.") }
    return Tag(String(text[..<eq]), String(text[text.index(after: eq)...]))
}

struct ModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Registered models with their latest version, aliases and description.")
    @Option(help: "MLflow's filter grammar, e.g. \"name LIKE 'pen%'\" or \"tags.team = 'risk'\".") var filter: String?
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    struct Listed: Encodable {
        var name: String, latestVersion: Int64?, aliases: [String: Int64], description: String, tags: [String: String], lastUpdatedTime: Int64
    }

    func run() async throws {
        let client = try await common.workbench(tracking: tracking).trackingClient()
        let models = try await client.registeredModels(filter: filter)
        let listed = models.map { m in
            Listed(name: m.name, latestVersion: m.latestVersions.map(\.version).max(), aliases: m.aliases, description: m.description,
                   tags: Dictionary(m.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }), lastUpdatedTime: m.lastUpdatedTime)
        }
        if common.json { print(Output.json(listed)); return }
        if listed.isEmpty { print("No registered models in \(client.location)" + (filter == nil ? "; `pulk models register RUN --name NAME` adds one" : " match the filter")); return }
        print(Output.table(["NAME", "LATEST", "ALIASES", "UPDATED", "DESCRIPTION"], listed.map { m in
            [m.name, m.latestVersion.map(String.init) ?? "–", m.aliases.sorted { $0.key < $1.key }.map { "@\($0.key)→\($0.value)" }.joined(separator: " "),
             RunText.time(m.lastUpdatedTime), String(m.description.prefix(60))]
        }))
    }
}

struct ModelsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a registered model with all its versions (NAME), or one version (NAME:VERSION).",
        discussion: "Aliases naming a deleted version go with it; the alias history is kept.")
    @Argument(help: "NAME or NAME:VERSION.") var model: String
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let ref = try ModelRef(model)
        let client = try await common.workbench(tracking: tracking).trackingClient()
        if let version = ref.version { try await client.deleteModelVersion(name: ref.name, version: version) }
        else { try await client.deleteRegisteredModel(name: ref.name) }
        if common.json { print(Output.json(["deleted": ref.text])); return }
        print("Deleted \(ref.text)")
    }
}

struct ModelsDescribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Set the description of a registered model (NAME) or of one version (NAME:VERSION).")
    @Argument(help: "NAME or NAME:VERSION.") var model: String
    @Argument(help: "The new description (replaces the old one; \"\" clears it).") var description: String
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let ref = try ModelRef(model)
        let client = try await common.workbench(tracking: tracking).trackingClient()
        try await client.describeModel(name: ref.name, version: ref.version, description: description)
        if common.json { print(Output.json(["model": ref.text, "description": description])); return }
        print("Described \(ref.text)")
    }
}

struct ModelsTag: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Set tags on a registered model (NAME) or on one version (NAME:VERSION).")
    @Argument(help: "NAME or NAME:VERSION.") var model: String
    @Argument(help: "KEY=VALUE (one or more).") var tags: [String]
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let ref = try ModelRef(model)
        let parsed = try tags.map(tagArgument)
        guard !parsed.isEmpty else { throw ValidationError("Give at least one KEY=VALUE.") }
        let client = try await common.workbench(tracking: tracking).trackingClient()
        for t in parsed { try await client.tagModel(name: ref.name, version: ref.version, t) }
        if common.json { print(Output.json(["model": ref.text, "tags": parsed.map { "\($0.key)=\($0.value)" }.joined(separator: ",")])); return }
        print("Tagged \(ref.text): " + parsed.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }
}

struct RunsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete runs (marked deleted, as MLflow does; restorable through the API).")
    @Argument(help: "Run ids or unique prefixes (6+ characters).") var runIds: [String]
    @Option(help: "The experiment to look in for prefixes (default: every experiment).") var experiment: String?
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        guard !runIds.isEmpty else { throw ValidationError("Give at least one run id.") }
        let client = try await common.workbench(tracking: tracking).trackingClient()
        var deleted: [String] = []
        for id in runIds {
            let run = try await findRun(client, id, experiment: experiment)
            try await client.deleteRun(id: run.info.runId)
            deleted.append(run.info.runId)
        }
        if common.json { print(Output.json(["deleted": deleted])); return }
        for id in deleted { print("Deleted run \(id)") }
    }
}

struct RunsTag: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Set tags on a run; `--description TEXT` sets its description (MLflow's mlflow.note.content).")
    @Argument(help: "A run id or a unique prefix (6+ characters).") var runId: String
    @Argument(help: "KEY=VALUE (zero or more).") var tags: [String] = []
    @Option(help: "The run's description.") var description: String?
    @Option(help: "The experiment to look in for a prefix (default: every experiment).") var experiment: String?
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        var parsed = try tags.map(tagArgument)
        if let description { parsed.append(Tag("mlflow.note.content", description)) }
        guard !parsed.isEmpty else { throw ValidationError("Give KEY=VALUE tags or --description TEXT.") }
        let client = try await common.workbench(tracking: tracking).trackingClient()
        let run = try await findRun(client, runId, experiment: experiment)
        try await client.logBatch(runId: run.info.runId, metrics: [], params: [], tags: parsed)
        if common.json { print(Output.json(["run": run.info.runId, "tags": parsed.map { "\($0.key)=\($0.value)" }.joined(separator: ",")])); return }
        print("Tagged run \(run.info.runId): " + parsed.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }
}

/// `pulk experiments`: list and delete experiments.
struct ExperimentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "experiments", abstract: "List and delete experiments.",
                                                    subcommands: [ExperimentsList.self, ExperimentsDelete.self])
}

struct ExperimentsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Active experiments, most recently updated first.")
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    struct Listed: Encodable { var experimentId: String, name: String, lastUpdateTime: Int64, artifactLocation: String }

    func run() async throws {
        let client = try await common.workbench(tracking: tracking).trackingClient()
        let listed = try await client.experiments().map {
            Listed(experimentId: $0.experimentId, name: $0.name, lastUpdateTime: $0.lastUpdateTime, artifactLocation: $0.artifactLocation)
        }
        if common.json { print(Output.json(listed)); return }
        print(Output.table(["ID", "NAME", "UPDATED"], listed.map { [$0.experimentId, $0.name, RunText.time($0.lastUpdateTime)] }))
    }
}

struct ExperimentsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an experiment and its runs (marked deleted, as MLflow does).")
    @Argument(help: "The experiment's name.") var name: String
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let client = try await common.workbench(tracking: tracking).trackingClient()
        guard let e = try await client.experiment(named: name) else { throw StoreError.notFound("No experiment named '\(name)' in \(client.location)") }
        try await client.deleteExperiment(id: e.experimentId)
        if common.json { print(Output.json(["deleted": e.experimentId])); return }
        print("Deleted experiment \(name) (id \(e.experimentId)) and its runs")
    }
}
