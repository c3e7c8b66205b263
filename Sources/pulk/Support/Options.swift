import Foundation
import ArgumentParser
import PulkApp
import PulkScoring
import PulkStore
import PulkTracking
import PulkWorkspace

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "The workspace folder (default: $PULK_HOME, else ./pulk-workspace).")
    var workspace: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false

    /// Opens the workspace, creating it when absent.
    func open() throws -> Workspace {
        let ws = try Workspace.open(at: workspace ?? Workspace.defaultPath())
        if ws.created { Self.announce(ws) }
        return ws
    }

    /// Said once, when a command creates the workspace, so it is never a surprise.
    static func announce(_ ws: Workspace) {
        Output.warn("Created the workspace \(ws.root.path) (pass --workspace DIR or set PULK_HOME to keep it elsewhere)")
    }

    /// The process's workbench: this workspace, tracking where `tracking` says, endpoints in `store`,
    /// or everything on the `--server` given.
    func workbench(tracking: TrackingOptions? = nil, store: StoreOptions? = nil, remote: RemoteOptions? = nil) throws -> Workbench {
        let server = try PulkServerClient.url(flag: store?.server ?? tracking?.server ?? remote?.server)
        if server != nil, store?.storeUri != nil { throw ValidationError("--server and --store-uri name two stores; give one.") }
        return Workbench(workspacePath: workspace, tracking: try tracking?.target() ?? .workspace, store: StoreLocation(uri: store?.storeUri),
                         server: server, onCreate: { Self.announce($0) })
    }
}

/// The workspace folder alone, for commands that print no result (`pulk server`, `pulk serve`).
struct WorkspaceFolderOption: ParsableArguments {
    @Option(name: .long, help: "The workspace folder (default: $PULK_HOME, else ./pulk-workspace).")
    var workspace: String?

    var options: WorkspaceOptions {
        var o = WorkspaceOptions()
        o.workspace = workspace
        return o
    }
}

/// A failure the CLI itself explains: printed as `Error: …`, exit code 1. (Errors of the libraries
/// reach swift-argument-parser as they are: each describes itself.)
struct PulkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `--server` for the commands that take no other store option (data, predict, explain).
struct RemoteOptions: ParsableArguments {
    @Option(help: "A pulk server (http://HOST:PORT) whose datasets to use instead of the workspace's; default $PULK_SERVER.")
    var server: String?
}

/// Input columns written beside the predictions (`pulk predict`, `pulk score`).
struct KeepOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Input columns to copy before the predictions, comma-separated (e.g. an id).", valueName: "columns"))
    var keep: String?
    @Flag(help: "Copy every input column before the predictions.") var keepAll = false

    var kept: KeptColumns {
        get throws {
            if keepAll {
                if keep != nil { throw ValidationError("--keep and --keep-all exclude each other; use one.") }
                return .all
            }
            guard let keep else { return .none }
            let names = keep.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if names.isEmpty { throw ValidationError("--keep names no column; e.g. --keep id or --keep id,region.") }
            return .columns(names)
        }
    }
}
