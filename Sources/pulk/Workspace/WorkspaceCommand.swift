import ArgumentParser
import Foundation
import PulkWorkspace

/// `pulk workspace …`: inspect and upgrade the workspace.
struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Inspect or upgrade the workspace.",
        subcommands: [WorkspaceInfo.self, WorkspaceUpgrade.self])
}

struct WorkspaceInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show where the workspace is and what it holds.")
    @OptionGroup var common: WorkspaceOptions

    func run() throws {
        let ws = try common.open()
        let datasets = try ws.datasets.list()
        let info = Info(path: ws.root.path, datasets: datasets.count, versions: datasets.reduce(0) { $0 + $1.versionCount },
                        schemaCurrent: try ws.pendingMigrations().isEmpty)
        if common.json { print(Output.json(info)); return }
        print("Workspace   \(info.path)\nDatasets    \(info.datasets) (\(info.versions) versions)\nSchema      \(info.schemaCurrent ? "current" : "needs upgrade")")
    }

    struct Info: Encodable {
        var path: String
        var datasets: Int
        var versions: Int
        var schemaCurrent: Bool
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
