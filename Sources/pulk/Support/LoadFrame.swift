import PulkApp
import PulkFrame

/// The data `ref` names (a registered dataset version, else a CSV/JSONL file), with a progress bar
/// while a file is read.
func loadData(_ ref: String, read: ReadOptions, workspace: WorkspaceOptions, json: Bool) throws -> LoadedData {
    try DataSources.load(ref, options: try read.addOptions(), workspace: try workspace.open(), progress: TerminalProgress(enabled: !json))
}

/// The frame `ref` names, with the label to show for it (`name:version` or the file name).
func loadFrame(_ ref: String, read: ReadOptions, workspace: WorkspaceOptions, json: Bool) throws -> (Frame, String) {
    let d = try loadData(ref, read: read, workspace: workspace, json: json)
    return (d.frame, d.label)
}
