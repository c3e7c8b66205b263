public import PulkFrame

/// What can go wrong with a workspace, each message with the way out.
public enum WorkspaceError: Error, Sendable, CustomStringConvertible {
    case schemaOutOfDate(path: String, missing: [String])
    case schemaNewer(path: String)
    case notAWorkspace(String)
    case datasetNotFound(String)
    case versionNotFound(name: String, version: Int, available: [Int])
    case invalidName(String)
    case invalidReference(String)
    case inUse(String, by: [String])
    case unsupportedFormat(String)
    case frame(FrameError)
    case io(String, reason: String)
    case database(String)
    case corruptBlob(String)

    public var description: String {
        switch self {
        case .schemaOutOfDate(let path, let missing):
            return "the workspace at \(path) was made by an older pulk and needs upgrading (missing: "
                + missing.joined(separator: ", ") + "). Back it up, then run `pulk workspace upgrade`."
        case .schemaNewer(let path):
            return "the workspace at \(path) was made by a newer pulk. Upgrade pulk to use it."
        case .notAWorkspace(let path):
            return "\(path) exists but is not a Pulk workspace. Choose another folder with --workspace or $PULK_HOME."
        case .datasetNotFound(let name):
            return "no dataset named '\(name)'. List datasets with `pulk data list`, or add one with `pulk data add FILE --name \(name)`."
        case .versionNotFound(let name, let v, let available):
            return "dataset '\(name)' has no version \(v). Its versions are: "
                + available.map(String.init).joined(separator: ", ") + "."
        case .invalidName(let name):
            return "'\(name)' is not a valid dataset name: use 1–128 letters, digits, '-', '_' or '.', starting with a letter or digit."
        case .invalidReference(let ref):
            return "'\(ref)' is not a dataset reference. Write NAME or NAME:VERSION, for example `penguins:2`."
        case .inUse(let what, let users):
            return "\(what) is still referenced by " + users.joined(separator: ", ")
                + ". Remove those first; nothing was deleted."
        case .unsupportedFormat(let path):
            return "\(path): unknown file type. Pulk reads .csv, .tsv, .txt, .jsonl and .ndjson (optionally .gz) and Parquet (.parquet, or any file or folder of part files starting with PAR1); pass --format csv|jsonl|parquet."
        case .frame(let e): return e.description
        case .io(let path, let reason): return "\(path): \(reason)."
        case .database(let m): return "workspace database error: \(m)."
        case .corruptBlob(let hash):
            return "stored blob \(hash) is missing or damaged. The workspace folder was modified outside pulk; re-add the data."
        }
    }
}

extension WorkspaceError {
    /// The same error naming `shown` wherever it names the file `file` (see `FrameError.naming`).
    public func naming(_ file: String, as shown: String) -> WorkspaceError {
        switch self {
        case .frame(let e): return .frame(e.naming(file, as: shown))
        case .io(let f, let r): return .io(f == file ? shown : f, reason: r)
        case .unsupportedFormat(let f): return .unsupportedFormat(f == file ? shown : f)
        default: return self
        }
    }
}
