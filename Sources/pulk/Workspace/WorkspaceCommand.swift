import ArgumentParser
import Foundation
import PulkApp
import PulkWorkspace

/// `pulk workspace …`: inspect and upgrade the workspace.
struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Inspect or upgrade the workspace.",
        subcommands: [WorkspaceInfo.self, WorkspaceUpgrade.self])
}

struct WorkspaceInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info",
                                                    abstract: "Show where the workspace is and what it holds: datasets, runs, models, endpoints, size.")
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let info = try await WorkspaceSummary.of(try common.workbench())
        if common.json { print(Output.json(info)); return }
        print("""
            Workspace   \(info.path)
            Datasets    \(info.datasets) (\(info.versions) versions)
            Runs        \(info.runs)\(info.runsCapped ? "+" : "") in \(info.experiments) experiment\(info.experiments == 1 ? "" : "s")
            Models      \(info.registeredModels) registered
            Endpoints   \(info.endpoints)
            Size        \(Output.bytes(Int(info.sizeBytes)))
            Schema      \(info.schemaCurrent ? "current" : "needs upgrade")
            """)
    }
}

struct WorkspaceUpgrade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade", abstract: "Apply pending schema migrations (back up the folder, or the PostgreSQL database, first).",
        discussion: """
            A pulk that finds a workspace or store made by an earlier pulk refuses to open it and names this command. \
            It applies the missing migrations of the workspace and of its tracking store (or of the PostgreSQL store given \
            with --store-uri) in one transaction each, so a failed upgrade leaves the database as it was.
            """)
    @OptionGroup var common: WorkspaceOptions
    @Option(help: "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE: upgrade this tracking store (a server's --store-uri) too.")
    var storeUri: String?

    func run() async throws {
        let report = try await SchemaUpgrade.run(workspacePath: common.workspace ?? Workspace.defaultPath(), store: StoreLocation(uri: storeUri))
        if common.json { print(Output.json(report)); return }
        for part in report.parts {
            print(part.applied.isEmpty ? "\(part.name): up to date" : "\(part.name): applied \(part.applied.joined(separator: ", "))")
        }
    }
}
