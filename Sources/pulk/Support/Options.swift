import ArgumentParser
import PulkFrame
import PulkLearn
import PulkProfile
import PulkWorkspace

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "The workspace folder (default: $PULK_HOME, else ./pulk-workspace).")
    var workspace: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false

    /// Opens the workspace, creating it when absent.
    func open() throws -> Workspace {
        try explain { try Workspace.open(at: workspace ?? Workspace.defaultPath()) }
    }
}

/// Runs `body`, turning Pulk's typed errors into one clear message and exit code 1.
func explain<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as WorkspaceError {
        throw PulkFailure(message: e.description)
    } catch let e as FrameError {
        throw PulkFailure(message: e.description)
    } catch let e as ProfileError {
        throw PulkFailure(message: e.description)
    } catch let e as LearnError {
        throw PulkFailure(message: e.description)
    }
}

/// A failure already explained to the user: printed as `error: …`, exit code 1.
struct PulkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
