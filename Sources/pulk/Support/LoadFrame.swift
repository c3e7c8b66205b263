import PulkApp
import PulkFrame

/// The data `ref` names (a registered dataset version, the workspace's or the server's, else a
/// CSV/JSONL file), with a progress bar while a file is read.
func loadData(_ ref: String, read: ReadOptions, workspace: WorkspaceOptions, remote: RemoteOptions) async throws -> LoadedData {
    try await DataSources.load(ref, options: try read.addOptions(), catalog: try await workspace.workbench(remote: remote).datasets(),
                               progress: TerminalProgress(enabled: !workspace.json))
}

/// The frame `ref` names, with the label to show for it (`name:version` or the file name).
func loadFrame(_ ref: String, read: ReadOptions, workspace: WorkspaceOptions, remote: RemoteOptions) async throws -> (Frame, String) {
    let d = try await loadData(ref, read: read, workspace: workspace, remote: remote)
    return (d.frame, d.label)
}
