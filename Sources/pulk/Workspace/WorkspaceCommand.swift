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

struct WorkspaceUpgrade: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upgrade", abstract: "Apply pending schema migrations (back up the folder first).")
    @OptionGroup var common: WorkspaceOptions

    func run() throws {
        let path = common.workspace ?? Workspace.defaultPath()
        let ws = try Workspace.open(at: path, upgrade: true)
        print(common.json ? Output.json(["path": ws.root.path, "status": "current"]) : "Workspace \(ws.root.path) is up to date.")
    }
}
