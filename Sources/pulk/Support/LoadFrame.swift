import Foundation
import PulkFrame
import PulkStore
import PulkTracking
import PulkWorkspace

/// Data loaded for a command, with what a run input needs to name it.
struct LoadedData {
    var frame: Frame
    /// `name:version`, or the file name.
    var label: String
    /// The registered version, when `ref` named one.
    var version: DatasetVersion?
    /// The file read, when `ref` named a file.
    var path: String?

    func input(context: String) -> DatasetInput {
        if let version { return DatasetInputs.workspace(version, frame: frame, context: context) }
        return DatasetInputs.file(path: path ?? label, frame: frame, context: context)
    }
}

/// The data `ref` names: a registered dataset version (`NAME` or `NAME:VERSION`), else a CSV/JSONL file.
func loadData(_ ref: String, read: ReadOptions, workspace: WorkspaceOptions, json: Bool) throws -> LoadedData {
    let ws = try workspace.open()
    if let v = try registeredVersion(ref, in: ws) {
        return try explain { LoadedData(frame: try ws.datasets.loadFrame(v), label: v.reference, version: v, path: nil) }
    }
    let options = try read.addOptions()
    let format = options.format ?? DataFormat(path: ref) ?? .csv
    let bar = ProgressBar(label: "reading", enabled: !json)
    defer { bar.finish() }
    let frame = try explain {
        switch format {
        case .csv: return try CSVReader(options: options.csv).read(path: ref, progress: { bar.update($0, $1) }).0
        case .jsonl: return try options.jsonl.read(path: ref).0
        }
    }
    return LoadedData(frame: frame, label: URL(fileURLWithPath: ref).lastPathComponent, version: nil, path: ref)
}

/// The registered version `ref` (`NAME` or `NAME:VERSION`) names, or nil when it names a file. A
/// registered dataset wins over a file of the same name; a name that is neither fails with the
/// dataset store's message.
func registeredVersion(_ ref: String, in ws: Workspace) throws -> DatasetVersion? {
    guard let datasetRef = try? PulkWorkspace.DatasetRef(parsing: ref) else { return nil }
    if let v = try? ws.datasets.version(datasetRef) { return v }
    if FileManager.default.fileExists(atPath: ref) { return nil }
    return try explain { try ws.datasets.version(datasetRef) }
}

/// The frame `ref` names, with the label to show for it (`name:version` or the file name).
func loadFrame(_ ref: String, read: ReadOptions, workspace: WorkspaceOptions, json: Bool) throws -> (Frame, String) {
    let d = try loadData(ref, read: read, workspace: workspace, json: json)
    return (d.frame, d.label)
}
