public import Foundation
public import PulkFrame
import GRDB

/// Registers, lists, loads and removes dataset versions of a workspace.
public struct DatasetStore: Sendable {
    let workspace: Workspace

    /// How to read a file being added.
    public struct AddOptions: Sendable {
        public var format: DataFormat?
        public var csv: CSVOptions
        public var jsonl: JSONLReader
        public var description: String?
        /// The version this one was derived from (recorded as lineage; the parent can't be removed while this exists).
        public var derivedFrom: DatasetRef?
        /// Recorded as the version's source instead of the file's path (an upload names the client's file).
        /// Only a label: nothing is ever read from it.
        public var sourcePath: String?
        /// Where the data came from besides a file (a SQL snapshot's `sql` and `sql_source`, never a
        /// password), kept with the version's read options as its lineage.
        public var origin: [String: String] = [:]

        public init(format: DataFormat? = nil, csv: CSVOptions = CSVOptions(), jsonl: JSONLReader = JSONLReader(),
                    description: String? = nil, derivedFrom: DatasetRef? = nil) {
            self.format = format
            self.csv = csv
            self.jsonl = jsonl
            self.description = description
            self.derivedFrom = derivedFrom
        }
    }

    /// The outcome of `add`.
    public struct Added: Sendable {
        public var version: DatasetVersion
        /// False when identical content was already registered under this name.
        public var created: Bool
        public var skippedRows: [SkippedRow]

        package init(version: DatasetVersion, created: Bool, skippedRows: [SkippedRow]) {
            self.version = version
            self.created = created
            self.skippedRows = skippedRows
        }
    }

    /// Registers the file at `path` as a new version of `name`: keeps the original bytes, parses it,
    /// and stores a binary columnar copy. Adding content identical to an existing version of the same
    /// dataset returns that version.
    public func add(file path: String, name: String, options: AddOptions = AddOptions(),
                    progress: ProgressHandler? = nil) throws(WorkspaceError) -> Added {
        try Self.validate(name: name)
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let format = options.format ?? DataFormat.detect(path: path) else { throw .unsupportedFormat(path) }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder), isFolder.boolValue {
            // A folder of part files: kept as one Parquet file of all its rows (the version's original).
            guard format == .parquet else { throw .io(absolute, reason: "it is a folder; Pulk reads folders of Parquet part files only") }
            let frame: Frame
            do { frame = try ParquetReader().read(path: absolute) } catch { throw .frame(error) }
            let combined = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-parts-\(UUID().uuidString).parquet").path
            do { try ParquetWriter().write(frame, to: combined) } catch { throw .frame(error) }
            defer { try? FileManager.default.removeItem(atPath: combined) }
            var o = options
            o.format = .parquet
            o.sourcePath = options.sourcePath ?? absolute
            return try add(file: combined, name: name, options: o, progress: progress)
        }
        let (hash, size) = try BlobStore.hash(fileAt: absolute)
        if let existing = try find(name: name, contentSHA256: hash.hex) {
            return Added(version: existing, created: false, skippedRows: [])
        }
        let parent = try options.derivedFrom.map { ref throws(WorkspaceError) in try version(ref) }
        let frame: Frame
        let report: ReadReport
        do {
            switch format {
            case .csv: (frame, report) = try CSVReader(options: options.csv).read(path: absolute, progress: progress)
            case .jsonl: (frame, report) = try options.jsonl.read(path: absolute)
            case .parquet: (frame, report) = try ParquetReader().readReporting(path: absolute)
            }
        } catch { throw .frame(error) }
        let lock = try FileLock(path: workspace.root.appendingPathComponent("blobs.lock").path)
        defer { lock.unlock() }
        let (stored, _) = try workspace.blobs.put(fileAt: absolute)
        guard stored == hash else { throw .io(absolute, reason: "the file changed while it was being added; try again") }
        let frameKey = try workspace.blobs.put { sink in try FrameFile.write(frame, to: sink) }
        let schemaJSON = String(decoding: try! JSONEncoder().encode(frame.schema), as: UTF8.self)
        let readOptions = Self.describe(options, format: format, report: report)
        let optionsJSON = String(decoding: try! JSONEncoder.sorted.encode(readOptions), as: UTF8.self)
        let now = workspace.now().timeIntervalSince1970
        do {
            let id: Int64 = try workspace.database.write { db in
                try db.execute(sql: "INSERT OR IGNORE INTO catalog_datasets (name, description, created_at) VALUES (?, ?, ?)",
                               arguments: [name, options.description, now])
                let datasetID = try Int64.fetchOne(db, sql: "SELECT id FROM catalog_datasets WHERE name = ?", arguments: [name])!
                if let existing = try Int64.fetchOne(db, sql: """
                    SELECT id FROM catalog_dataset_versions WHERE dataset_id = ? AND content_sha256 = ?
                    """, arguments: [datasetID, hash.hex]) {
                    return -existing // another process registered it meanwhile
                }
                let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM catalog_dataset_versions WHERE dataset_id = ?",
                                             arguments: [datasetID]) ?? 0) + 1
                try db.execute(sql: """
                    INSERT INTO catalog_dataset_versions (dataset_id, version, content_sha256, frame_sha256, format, source_path,
                        size_bytes, row_count, column_count, schema_json, read_options_json, description, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [datasetID, next, hash.hex, frameKey.hex, format.rawValue, options.sourcePath ?? absolute, size,
                                     frame.rowCount, frame.columnCount, schemaJSON, optionsJSON, options.description, now])
                let id = db.lastInsertedRowID
                if let parent {
                    try db.execute(sql: """
                        INSERT INTO catalog_dataset_uses (dataset_version_id, kind, referrer, created_at) VALUES (?, ?, ?, ?)
                        """, arguments: [parent.id, "derived-dataset", "\(name):\(next)", now])
                }
                return id
            }
            let v = try fetchVersion(id: abs(id))!
            return Added(version: v, created: id > 0, skippedRows: report.skippedRows)
        } catch let e as WorkspaceError {
            throw e
        } catch {
            throw .database("\(error)")
        }
    }

    static func describe(_ options: AddOptions, format: DataFormat, report: ReadReport) -> [String: String] {
        var out = options.origin
        out["format"] = format.rawValue
        if format == .csv {
            out["delimiter"] = String(UnicodeScalar(report.delimiter))
            out["header"] = report.hasHeader ? "true" : "false"
            out["missing_tokens"] = options.csv.missingTokens.map { $0.isEmpty ? "\"\"" : $0 }.joined(separator: "|")
            if !options.csv.types.isEmpty {
                out["types"] = options.csv.types.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }
                    .joined(separator: ",")
            }
        }
        if !report.skippedRows.isEmpty { out["skipped_rows"] = String(report.skippedRows.count) }
        return out
    }

    static func validate(name: String) throws(WorkspaceError) {
        let ok = !name.isEmpty && name.utf8.count <= 128 && name.first!.isLetterOrDigitASCII
            && name.allSatisfy { $0.isLetterOrDigitASCII || $0 == "-" || $0 == "_" || $0 == "." }
        if !ok { throw .invalidName(name) }
    }

    /// Every dataset with its latest version.
    public func list() throws(WorkspaceError) -> [DatasetSummary] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.name, d.description, d.created_at, COUNT(v.id) AS n, MAX(v.version) AS latest,
                       MAX(v.created_at) AS updated,
                       (SELECT row_count FROM catalog_dataset_versions WHERE dataset_id = d.id ORDER BY version DESC LIMIT 1) AS rows
                FROM catalog_datasets d JOIN catalog_dataset_versions v ON v.dataset_id = d.id
                GROUP BY d.id ORDER BY d.name
                """).map { r in
                DatasetSummary(name: r["name"], description: r["description"], versionCount: r["n"],
                               latestVersion: r["latest"], latestRowCount: r["rows"],
                               createdAt: Date(timeIntervalSince1970: r["created_at"]),
                               updatedAt: Date(timeIntervalSince1970: r["updated"]))
            }
        }
    }

    /// All versions of `name`, oldest first.
    public func versions(of name: String) throws(WorkspaceError) -> [DatasetVersion] {
        let all = try read { db in try fetchVersions(db, where: "d.name = ?", [name]) }
        if all.isEmpty { throw .datasetNotFound(name) }
        return all
    }

    /// The version `ref` names (the latest when it names none).
    public func version(_ ref: DatasetRef) throws(WorkspaceError) -> DatasetVersion {
        let all = try versions(of: ref.name)
        guard let v = ref.version else { return all.last! }
        guard let found = all.first(where: { $0.version == v }) else {
            throw .versionNotFound(name: ref.name, version: v, available: all.map(\.version))
        }
        return found
    }

    /// Versions whose original content has this SHA-256 (or a prefix of it, at least 8 hex digits),
    /// as run inputs name the data they were trained on.
    public func versions(contentSHA256 prefix: String) throws(WorkspaceError) -> [DatasetVersion] {
        let hex = prefix.lowercased()
        guard hex.count >= 8, hex.count <= 64, hex.allSatisfy(\.isHexDigit) else { return [] }
        return try read { db in try fetchVersions(db, where: "v.content_sha256 LIKE ?", [hex + "%"]) }
    }

    /// What uses the version `ref` names.
    public func uses(of version: DatasetVersion) throws(WorkspaceError) -> [DatasetUse] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT kind, referrer, created_at FROM catalog_dataset_uses WHERE dataset_version_id = ? ORDER BY id
                """, arguments: [version.id]).map {
                DatasetUse(kind: $0["kind"], referrer: $0["referrer"], createdAt: Date(timeIntervalSince1970: $0["created_at"]))
            }
        }
    }

    /// The versions this one was derived from.
    public func parents(of version: DatasetVersion) throws(WorkspaceError) -> [DatasetVersion] {
        try read { db in
            try fetchVersions(db, where: "v.id IN (SELECT dataset_version_id FROM catalog_dataset_uses WHERE kind = 'derived-dataset' AND referrer = ?)",
                              [version.reference])
        }
    }

    /// Records that `referrer` (a run, a model, …) uses `version`; removal is refused while it does.
    public func addUse(of version: DatasetVersion, kind: String, referrer: String) throws(WorkspaceError) {
        let now = workspace.now().timeIntervalSince1970
        try write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO catalog_dataset_uses (dataset_version_id, kind, referrer, created_at) VALUES (?, ?, ?, ?)
                """, arguments: [version.id, kind, referrer, now])
        }
    }

    /// Forgets one recorded use (a `run` row whose run is gone, say).
    public func removeUse(of version: DatasetVersion, kind: String, referrer: String) throws(WorkspaceError) {
        try write { db in
            try db.execute(sql: "DELETE FROM catalog_dataset_uses WHERE dataset_version_id = ? AND kind = ? AND referrer = ?",
                           arguments: [version.id, kind, referrer])
        }
    }

    /// Loads the version's frame from its binary copy.
    public func loadFrame(_ version: DatasetVersion) throws(WorkspaceError) -> Frame {
        guard let key = BlobKey(hex: version.frameSHA256), workspace.blobs.contains(key) else {
            throw .corruptBlob(version.frameSHA256)
        }
        do { return try FrameFile.read(path: workspace.blobs.url(for: key).path) } catch {
            throw .corruptBlob(version.frameSHA256)
        }
    }

    /// The binary columnar copy of a version (what `loadFrame` maps), for sending it whole.
    public func frameURL(_ version: DatasetVersion) throws(WorkspaceError) -> URL {
        guard let key = BlobKey(hex: version.frameSHA256), workspace.blobs.contains(key) else {
            throw .corruptBlob(version.frameSHA256)
        }
        return workspace.blobs.url(for: key)
    }

    /// The path of the version's original file inside the workspace.
    public func originalURL(_ version: DatasetVersion) throws(WorkspaceError) -> URL {
        guard let key = BlobKey(hex: version.contentSHA256), workspace.blobs.contains(key) else {
            throw .corruptBlob(version.contentSHA256)
        }
        return workspace.blobs.url(for: key)
    }

    /// Removes one version, or every version of the dataset when `ref` names none. Refuses, deleting
    /// nothing, while any of them is used. Blobs no other version needs are deleted.
    @discardableResult
    public func remove(_ ref: DatasetRef) throws(WorkspaceError) -> [DatasetVersion] {
        let targets = ref.version == nil ? try versions(of: ref.name) : [try version(ref)]
        var users: [String] = []
        for v in targets {
            users += try uses(of: v).filter { u in !targets.contains { $0.reference == u.referrer } }
                .map { "\($0.kind) \($0.referrer)" }
        }
        if !users.isEmpty { throw .inUse("dataset \(ref)", by: users) }
        let lock = try FileLock(path: workspace.root.appendingPathComponent("blobs.lock").path)
        defer { lock.unlock() }
        let orphans: [String] = try write { db in
            for v in targets {
                try db.execute(sql: "DELETE FROM catalog_dataset_uses WHERE kind = 'derived-dataset' AND referrer = ?",
                               arguments: [v.reference])
                try db.execute(sql: "DELETE FROM catalog_dataset_uses WHERE dataset_version_id = ?", arguments: [v.id])
                try db.execute(sql: "DELETE FROM catalog_dataset_versions WHERE id = ?", arguments: [v.id])
            }
            try db.execute(sql: """
                DELETE FROM catalog_datasets WHERE name = ? AND NOT EXISTS
                    (SELECT 1 FROM catalog_dataset_versions v WHERE v.dataset_id = catalog_datasets.id)
                """, arguments: [ref.name])
            var orphans: [String] = []
            for hash in Set(targets.flatMap { [$0.contentSHA256, $0.frameSHA256] }) {
                let used = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM catalog_dataset_versions WHERE content_sha256 = ? OR frame_sha256 = ?
                    """, arguments: [hash, hash]) ?? 0
                if used == 0 { orphans.append(hash) }
            }
            return orphans
        }
        for h in orphans { if let k = BlobKey(hex: h) { workspace.blobs.remove(k) } }
        return targets
    }

    private func find(name: String, contentSHA256: String) throws(WorkspaceError) -> DatasetVersion? {
        try read { db in try fetchVersions(db, where: "d.name = ? AND v.content_sha256 = ?", [name, contentSHA256]).first }
    }

    private func fetchVersion(id: Int64) throws(WorkspaceError) -> DatasetVersion? {
        try read { db in try fetchVersions(db, where: "v.id = ?", [id]).first }
    }

    private func fetchVersions(_ db: Database, where clause: String, _ args: StatementArguments) throws -> [DatasetVersion] {
        try Row.fetchAll(db, sql: """
            SELECT v.*, d.name FROM catalog_dataset_versions v JOIN catalog_datasets d ON d.id = v.dataset_id
            WHERE \(clause) ORDER BY d.name, v.version
            """, arguments: args).map { r in
            let schemaJSON: String = r["schema_json"]
            let optionsJSON: String = r["read_options_json"]
            return DatasetVersion(
                id: r["id"], name: r["name"], version: r["version"], contentSHA256: r["content_sha256"],
                frameSHA256: r["frame_sha256"], format: r["format"], sourcePath: r["source_path"],
                sizeBytes: r["size_bytes"], rowCount: r["row_count"], columnCount: r["column_count"],
                schema: (try? JSONDecoder().decode(Schema.self, from: Data(schemaJSON.utf8))) ?? Schema([]),
                readOptions: (try? JSONDecoder().decode([String: String].self, from: Data(optionsJSON.utf8))) ?? [:],
                description: r["description"], createdAt: Date(timeIntervalSince1970: r["created_at"]))
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(WorkspaceError) -> T {
        do { return try workspace.database.read(body) } catch let e as WorkspaceError { throw e } catch {
            throw .database("\(error)")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(WorkspaceError) -> T {
        do { return try workspace.database.write(body) } catch let e as WorkspaceError { throw e } catch {
            throw .database("\(error)")
        }
    }
}

extension Character {
    var isLetterOrDigitASCII: Bool { isASCII && (isLetter || isNumber) }
}

extension JSONEncoder {
    /// An encoder with sorted keys, for stable stored JSON.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
