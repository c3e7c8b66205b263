import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkTracking

/// `pulk models`: the model registry from the terminal.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "Register trained runs as model versions; list, describe, tag, alias and delete them; trace versions back to their data.",
        subcommands: [ModelsList.self, ModelsRegister.self, ModelsAlias.self, ModelsShow.self, ModelsDescribe.self, ModelsTag.self, ModelsDelete.self])
}

struct VersionOutput: Encodable {
    var name: String
    var version: Int64
    var source: String
    var runId: String
    var stage: String
    var aliases: [String]
    var creationTime: Int64
    init(_ v: ModelVersion) {
        name = v.name
        version = v.version
        source = v.source
        runId = v.runId
        stage = v.currentStage.rawValue
        aliases = v.aliases
        creationTime = v.creationTime
    }
}

struct ModelsRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "Make a run's model a new version of a registered model (created when missing).")
    @Argument(help: "The run id (or a unique prefix).") var runId: String
    @Option(help: "The registered model's name.") var name: String
    @Option(help: "The model's path among the run's artifacts.") var path = "model"
    @Option(help: "The experiment to look in for a prefix (default: every experiment).") var experiment: String?
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let client = try await common.workbench(tracking: tracking).trackingClient()
        let (version, run) = try await Registering.register(runId: runId, name: name, path: path, experiment: experiment, client: client)
        if common.json { print(Output.json(VersionOutput(version))); return }
        print("Registered \(name) version \(version.version) from run \(run.info.runId) (\(version.source))")
    }
}

struct ModelsAlias: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alias", abstract: "Point NAME@ALIAS at a version; every move is kept in the alias history.")
    @Argument(help: "NAME@ALIAS, e.g. penguins@champion.") var target: String
    @Argument(help: "The version the alias should name.") var version: Int64
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    struct Moved: Encodable { var name: String; var alias: String; var fromVersion: Int64?; var toVersion: Int64 }

    func run() async throws {
        guard let at = target.lastIndex(of: "@"), at != target.startIndex, target.index(after: at) != target.endIndex else {
            throw ValidationError("Expected NAME@ALIAS (e.g. penguins@champion), not '\(target)'.")
        }
        let name = String(target[..<at]), alias = String(target[target.index(after: at)...])
        let client = try await common.workbench(tracking: tracking).trackingClient()
        guard let m = try await client.registeredModel(name: name) else {
            throw StoreError.notFound("No registered model named '\(name)'; `pulk models register RUN --name \(name)` creates it")
        }
        let before = m.aliases[alias]
        let versions = try await client.modelVersions(name: name).map(\.version)
        guard versions.contains(version) else {
            throw PulkFailure(message: "Model '\(name)' has no version \(version) (versions: \(versions.isEmpty ? "none" : versions.map(String.init).joined(separator: ", "))); "
                + "`pulk models register RUN --name \(name)` adds one")
        }
        try await client.setAlias(name: name, alias: alias, version: String(version), user: RunRecorder.user())
        if common.json { print(Output.json(Moved(name: name, alias: alias, fromVersion: before, toVersion: version))); return }
        print("\(name)@\(alias): " + (before.map { "version \($0) → " } ?? "") + "version \(version)")
    }
}

struct ModelsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A registered model: versions with their run's test metrics, aliases, alias history and lineage.")
    @Argument(help: "The registered model's name.") var name: String
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var common: WorkspaceOptions

    struct Shown: Encodable {
        var name: String
        var aliases: [String: Int64]
        var versions: [VersionOutput]
        var metrics: [String: [String: Double]]
        var aliasHistory: [Move]
        var lineage: [Lineage]
    }
    struct Move: Encodable { var alias: String; var fromVersion: Int64?; var toVersion: Int64?; var user: String; var time: Int64 }

    func run() async throws {
        let client = try await common.workbench(tracking: tracking).trackingClient()
        guard let model = try await client.registeredModel(name: name) else { throw StoreError.notFound("No registered model named '\(name)' in \(client.location)") }
        // MLflow's version search leaves out aliases; the model has them.
        let versions = try await client.modelVersions(name: name).map { v -> ModelVersion in
            var v = v
            if v.aliases.isEmpty { v.aliases = model.aliases.filter { $0.value == v.version }.map(\.key).sorted() }
            return v
        }
        let history = try await client.aliasHistory(name: name)
        var lineage: [Lineage] = [], metrics: [String: [String: Double]] = [:]
        for v in versions {
            let l = try await Lineage.of(v, client: client)
            lineage.append(l)
            if let runId = l.run?.runId, let run = try? await client.run(id: runId) {
                metrics[String(v.version)] = Dictionary(run.metrics.filter { $0.key.hasPrefix("test_") }.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            }
        }
        if common.json {
            print(Output.json(Shown(name: name, aliases: model.aliases, versions: versions.map(VersionOutput.init), metrics: metrics,
                                    aliasHistory: history.map { Move(alias: $0.alias, fromVersion: $0.fromVersion, toVersion: $0.toVersion, user: $0.user, time: $0.time) },
                                    lineage: lineage)))
            return
        }
        print("Model \(name): \(versions.count) version\(versions.count == 1 ? "" : "s")"
            + (model.aliases.isEmpty ? "" : "; aliases " + model.aliases.sorted { $0.key < $1.key }.map { "@\($0.key) → \($0.value)" }.joined(separator: ", ")))
        let keys = Array(Set(metrics.values.flatMap(\.keys))).sorted().prefix(3)
        print("")
        print(Output.table(["VERSION", "ALIASES", "RUN", "CREATED"] + keys.map { $0.uppercased() }, versions.map { v in
            [String(v.version), v.aliases.sorted().map { "@" + $0 }.joined(separator: " "), v.runId, RunText.time(v.creationTime)]
                + keys.map { k in metrics[String(v.version)]?[k].map(RunText.value) ?? "–" }
        }))
        if !history.isEmpty {
            print("\nAlias history:")
            print(Output.table(["TIME", "ALIAS", "FROM", "TO", "BY"], history.map {
                [RunText.time($0.time), "@" + $0.alias, $0.fromVersion.map(String.init) ?? "–", $0.toVersion.map(String.init) ?? "(deleted)", $0.user]
            }))
        }
        print("\nLineage:")
        for l in lineage {
            var line = "  version \(l.modelVersion.version)"
            if let r = l.run { line += " → run \(r.runId)" + (r.runName.isEmpty ? "" : " (\(r.runName))") }
            let data = l.datasets.filter { $0.context != "evaluation" }
            if data.isEmpty { line += " → (no dataset recorded)" }
            for d in data {
                if let w = d.workspaceVersion {
                    line += " → dataset \(w.reference) (sha256 \(w.contentSHA256)) → \(w.sourcePath)"
                } else {
                    line += " → dataset \(d.name) (digest \(d.digest)) → \(d.source)"
                }
            }
            print(line)
        }
    }
}
