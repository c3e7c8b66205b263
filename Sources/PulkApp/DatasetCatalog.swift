public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
public import PulkFrame
public import PulkWorkspace
import PulkJSON

/// Datasets and their versions as every front end sees them: the workspace's own (`LocalDatasets`),
/// or a `pulk server`'s through its native API (`RemoteDatasets`).
public protocol DatasetCatalog: Sendable {
    /// For messages: the workspace folder or the server's address.
    var location: String { get }
    /// Every dataset with its latest version, by name.
    func list() async throws -> [DatasetSummary]
    /// Every version of the dataset, oldest first.
    func versions(of name: String) async throws -> [DatasetVersion]
    /// `NAME` (the latest) or `NAME:VERSION`.
    func version(_ ref: DatasetRef) async throws -> DatasetVersion
    /// The version with what it was derived from (references) and what uses it.
    func detail(_ ref: DatasetRef) async throws -> (version: DatasetVersion, derivedFrom: [String], usedBy: [DatasetUse])
    /// The version's data.
    func frame(_ version: DatasetVersion) async throws -> Frame
    /// Registers a file as a new version (identical content returns the existing version).
    func add(file: String, name: String, read: ReadSettings, description: String?, derivedFrom: DatasetRef?,
             progress: any ProgressSink) async throws -> DatasetStore.Added
    /// Removes `NAME:VERSION`, or every version of `NAME`; refused while a run, model or derived
    /// version uses one. Returns what was removed.
    func remove(_ ref: DatasetRef) async throws -> [DatasetVersion]
    /// Writes the bytes of the file the version was added from (as stored, before parsing) to `path`,
    /// replacing it; returns whether a file was there.
    func original(_ version: DatasetVersion, to path: String) async throws -> Bool
}

/// Writes `bytes` to `path` through a temporary file renamed into place; whether a file was there.
func writeReplacing(_ path: String, _ write: (URL) throws -> Void) throws -> Bool {
    let target = URL(fileURLWithPath: path)
    let existed = FileManager.default.fileExists(atPath: path)
    let temp = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).pulk-\(UUID().uuidString)")
    do {
        try write(temp)
        // rename(2) replaces the target in one step: a reader sees the old file or the new one.
        guard rename(temp.path, target.path) == 0 else { throw AppError.invalid(String(cString: strerror(errno))) }
    } catch {
        try? FileManager.default.removeItem(at: temp)
        throw AppError.invalid("\(path): cannot write: \(error.localizedDescription)")
    }
    return existed
}

/// The workspace's datasets; the runs that read them are found by `readers` (over the tracking store
/// the workspace's runs are in), asked when showing or removing a version.
public struct LocalDatasets: DatasetCatalog {
    public let store: DatasetStore
    public let location: String
    /// Opened on first need: showing or removing a version.
    let readers: @Sendable () async throws -> DatasetReaders

    public init(_ workspace: Workspace, readers: @escaping @Sendable () async throws -> DatasetReaders) {
        store = workspace.datasets
        location = "workspace \(workspace.root.path)"
        self.readers = readers
    }

    /// A server's datasets (`location` names it in messages).
    public init(store: DatasetStore, location: String, readers: @escaping @Sendable () async throws -> DatasetReaders) {
        self.store = store
        self.location = location
        self.readers = readers
    }

    public func list() async throws -> [DatasetSummary] { try store.list() }
    public func versions(of name: String) async throws -> [DatasetVersion] { try store.versions(of: name) }
    public func version(_ ref: DatasetRef) async throws -> DatasetVersion { try store.version(ref) }
    public func detail(_ ref: DatasetRef) async throws -> (version: DatasetVersion, derivedFrom: [String], usedBy: [DatasetUse]) {
        let v = try store.version(ref)
        let uses = try await readers().uses(of: [v], recorded: [try store.uses(of: v)])
        return (v, try store.parents(of: v).map(\.reference), uses[0])
    }
    public func frame(_ version: DatasetVersion) async throws -> Frame { try store.loadFrame(version) }
    public func add(file: String, name: String, read: ReadSettings, description: String?, derivedFrom: DatasetRef?,
                    progress: any ProgressSink) async throws -> DatasetStore.Added {
        var options = try read.addOptions()
        options.description = description
        options.derivedFrom = derivedFrom
        defer { progress.finish("reading") }
        return try store.add(file: file, name: name, options: options, progress: { progress.update("reading", done: $0, total: $1) })
    }
    public func remove(_ ref: DatasetRef) async throws -> [DatasetVersion] {
        try await readers().refuseRemoval(of: ref.version == nil ? try store.versions(of: ref.name) : [try store.version(ref)], datasets: store)
        return try store.remove(ref)
    }
    public func original(_ version: DatasetVersion, to path: String) async throws -> Bool {
        let source = try store.originalURL(version)
        return try writeReplacing(path) { try FileManager.default.copyItem(at: source, to: $0) }
    }
}

/// A `pulk server`'s datasets: versions are read as the server stores them (its binary columnar copy,
/// so a frame is the same column for column) and files are uploaded whole for the server to parse.
public struct RemoteDatasets: DatasetCatalog {
    public let client: PulkServerClient
    public var location: String { client.base.absoluteString }

    public init(client: PulkServerClient) { self.client = client }

    static func path(_ name: String) -> String { "/datasets/" + PulkServerClient.escape(name) }

    public func list() async throws -> [DatasetSummary] {
        try Self.objects(try await client.json("GET", "/datasets"), "datasets").map(Self.summary)
    }
    public func versions(of name: String) async throws -> [DatasetVersion] {
        try Self.objects(try await client.json("GET", Self.path(name)), "versions").map(Self.version)
    }
    public func version(_ ref: DatasetRef) async throws -> DatasetVersion {
        guard let n = ref.version else {
            guard let latest = try await versions(of: ref.name).last else { throw AppError.notFound("Dataset '\(ref.name)' has no versions on \(location)") }
            return latest
        }
        return try await detail(DatasetRef(name: ref.name, version: n)).version
    }
    public func detail(_ ref: DatasetRef) async throws -> (version: DatasetVersion, derivedFrom: [String], usedBy: [DatasetUse]) {
        let n: Int
        if let v = ref.version { n = v } else { n = try await version(ref).version }
        let o = try await client.json("GET", Self.path(ref.name) + "/versions/\(n)")
        return (try Self.version(o["version"] as? [String: Any] ?? [:]), o["derived_from"] as? [String] ?? [],
                try Self.objects(o, "used_by").map { DatasetUse(kind: Self.text($0["kind"]), referrer: Self.text($0["referrer"]), createdAt: try Self.date($0["created_at"])) })
    }
    public func frame(_ version: DatasetVersion) async throws -> Frame {
        let data = try await client.raw("GET", Self.path(version.name) + "/versions/\(version.version)/frame")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-frame-\(UUID().uuidString)")
        try data.write(to: file)
        // The frame is read (mapped) before the file goes; a mapping outlives the unlinked file.
        defer { try? FileManager.default.removeItem(at: file) }
        return try FrameFile.read(path: file.path)
    }
    public func add(file: String, name: String, read: ReadSettings, description: String?, derivedFrom: DatasetRef?,
                    progress: any ProgressSink) async throws -> DatasetStore.Added {
        _ = try read.addOptions()  // refused here, before the upload, when it cannot work
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else { throw WorkspaceError.frame(.fileNotFound(file)) }
        let bytes: Data
        if isFolder.boolValue {
            // A folder of Parquet part files goes up as one Parquet file of all its rows.
            let frame = try ParquetReader().read(path: file)
            bytes = Data(ParquetWriter().bytes(frame))
        } else {
            guard let b = FileManager.default.contents(atPath: file) else { throw WorkspaceError.frame(.io(file, reason: "it is not a readable file")) }
            bytes = b
        }
        var query = read.query
        query.append(("source_path", URL(fileURLWithPath: file).standardizedFileURL.path))
        if read.format == nil, let format = DataFormat.detect(path: file) { query.append(("format", format.rawValue)) }
        if let description { query.append(("description", description)) }
        if let derivedFrom { query.append(("derived_from", derivedFrom.description)) }
        progress.update("uploading", done: 0, total: bytes.count)
        defer { progress.finish("uploading") }
        let o = try await client.json("POST", Self.path(name) + "/versions", query: query, bytes: Array(bytes))
        let skipped = try JSONDecoder().decode([SkippedRow].self, from: Data(JSON.encode(o["skipped_rows"] ?? [Any]())))
        return DatasetStore.Added(version: try Self.version(o["version"] as? [String: Any] ?? [:]), created: o["created"] as? Bool ?? false,
                                  skippedRows: skipped)
    }

    public func remove(_ ref: DatasetRef) async throws -> [DatasetVersion] {
        let path = Self.path(ref.name) + (ref.version.map { "/versions/\($0)" } ?? "")
        return try Self.objects(try await client.json("DELETE", path), "removed").map(Self.version)
    }
    public func original(_ version: DatasetVersion, to path: String) async throws -> Bool {
        let data = try await client.raw("GET", Self.path(version.name) + "/versions/\(version.version)/original")
        return try writeReplacing(path) { try data.write(to: $0) }
    }

    // MARK: decoding the native API's JSON

    static func objects(_ o: [String: Any], _ key: String) throws -> [[String: Any]] { o[key] as? [[String: Any]] ?? [] }
    static func text(_ v: Any?) -> String { v as? String ?? "" }
    static func int(_ v: Any?) -> Int { (v as? Int64).map { Int($0) } ?? v as? Int ?? 0 }
    static func date(_ v: Any?) throws -> Date {
        guard let s = v as? String, let d = ISO8601DateFormatter().date(from: s) else { throw AppError.invalid("The server sent a date this pulk cannot read: \(v ?? "nothing")") }
        return d
    }
    static func summary(_ o: [String: Any]) throws -> DatasetSummary {
        DatasetSummary(name: text(o["name"]), description: o["description"] as? String, versionCount: int(o["version_count"]),
                       latestVersion: int(o["latest_version"]), latestRowCount: int(o["latest_row_count"]), createdAt: try date(o["created_at"]),
                       updatedAt: try date(o["updated_at"]))
    }
    static func version(_ o: [String: Any]) throws -> DatasetVersion {
        let schema = try JSONDecoder().decode(Schema.self, from: Data(JSON.encode(o["schema"] ?? [String: Any]())))
        return DatasetVersion(id: 0, name: text(o["name"]), version: int(o["version"]), contentSHA256: text(o["content_sha256"]),
                              frameSHA256: text(o["frame_sha256"]), format: text(o["format"]), sourcePath: text(o["source_path"]),
                              sizeBytes: int(o["size_bytes"]), rowCount: int(o["row_count"]), columnCount: int(o["column_count"]), schema: schema,
                              readOptions: o["read_options"] as? [String: String] ?? [:], description: o["description"] as? String,
                              createdAt: try date(o["created_at"]))
    }
}

extension PulkServerClient {
    /// The JSON object of an answer.
    func json(_ method: String, _ path: String, query: [(String, String)] = [], bytes: [UInt8]? = nil) async throws -> [String: Any] {
        let data = try await raw(method, path, query: query, bytes: bytes)
        guard let o = JSON.object(data) else {
            throw AppError.invalid("The server at \(base.absoluteString) answered \(method) \(path) with something other than a JSON object")
        }
        return o
    }
}
