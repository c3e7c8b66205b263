import Foundation
import PulkFrame
import PulkWorkspace

/// The frame `ref` names: a registered dataset version (`NAME` or `NAME:VERSION`), else a CSV/JSONL
/// file; with the label to show for it (`name:version` or the file name).
func loadFrame(_ ref: String, read: ReadOptions, workspace: WorkspaceOptions, json: Bool) throws -> (Frame, String) {
    let ws = try workspace.open()
    let isFile = FileManager.default.fileExists(atPath: ref)
    if let datasetRef = try? DatasetRef(parsing: ref), (try? ws.datasets.version(datasetRef)) != nil || !isFile {
        return try explain {
            let v = try ws.datasets.version(datasetRef)
            return (try ws.datasets.loadFrame(v), v.reference)
        }
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
    return (frame, URL(fileURLWithPath: ref).lastPathComponent)
}
