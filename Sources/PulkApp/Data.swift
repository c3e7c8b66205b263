public import Foundation
public import PulkFrame
public import PulkStore
public import PulkTracking
public import PulkWorkspace
import PulkSQLSources

/// Data a flow read, with what a run input needs to name it.
public struct LoadedData: Sendable {
    public var frame: Frame
    /// `name:version`, or the file's name.
    public var label: String
    /// The registered version, when the reference named one.
    public var version: DatasetVersion?
    /// The file read, when the reference named a file.
    public var path: String?

    public init(frame: Frame, label: String, version: DatasetVersion?, path: String?) {
        self.frame = frame
        self.label = label
        self.version = version
        self.path = path
    }

    /// The run input that records this data (a workspace version by name and hash, a file by URI and digest).
    public func input(context: String) -> DatasetInput {
        if let version { return DatasetInputs.workspace(version, frame: frame, context: context) }
        return DatasetInputs.file(path: path ?? label, frame: frame, context: context)
    }
}

/// Reading the data a command names: a registered dataset version (`NAME` or `NAME:VERSION`), else a
/// CSV, JSONL or Parquet file (or a folder of Parquet part files).
public enum DataSources {
    /// The data `reference` names. A registered dataset wins over a file of the same name; a name that
    /// is neither fails with the dataset store's message.
    public static func load(_ reference: String, options: DatasetStore.AddOptions = DatasetStore.AddOptions(), catalog: any DatasetCatalog,
                            progress: any ProgressSink = NoProgress()) async throws -> LoadedData {
        if let v = try await registeredVersion(reference, in: catalog) {
            return LoadedData(frame: try await catalog.frame(v), label: v.reference, version: v, path: nil)
        }
        return LoadedData(frame: try readFile(reference, options: options, progress: progress),
                          label: URL(fileURLWithPath: reference).lastPathComponent, version: nil, path: reference)
    }

    /// A CSV, JSONL or Parquet file as a frame (the format from `options`, else the content's magic
    /// bytes, else the extension, else CSV).
    public static func readFile(_ path: String, options: DatasetStore.AddOptions, progress: any ProgressSink = NoProgress()) throws -> Frame {
        let format = options.format ?? DataFormat.detect(path: path) ?? .csv
        defer { progress.finish("reading") }
        switch format {
        case .csv: return try CSVReader(options: options.csv).read(path: path, progress: { progress.update("reading", done: $0, total: $1) }).0
        case .jsonl: return try options.jsonl.read(path: path).0
        case .parquet: return try ParquetReader().read(path: path)
        }
    }

    /// The registered version `reference` (`NAME` or `NAME:VERSION`) names; never a file.
    public static func registered(_ reference: String, in catalog: any DatasetCatalog) async throws -> DatasetVersion {
        let ref: PulkWorkspace.DatasetRef
        do { ref = try PulkWorkspace.DatasetRef(parsing: reference) } catch {
            throw AppError.invalid("'\(reference.prefix(200))' is not a dataset reference: name a registered dataset as NAME or NAME:VERSION (`pulk data list` shows them).")
        }
        return try await catalog.version(ref)
    }

    /// The registered version `reference` (`NAME` or `NAME:VERSION`) names, or nil when it names a file.
    public static func registeredVersion(_ reference: String, in catalog: any DatasetCatalog) async throws -> DatasetVersion? {
        guard let ref = try? PulkWorkspace.DatasetRef(parsing: reference) else { return nil }
        if let v = try? await catalog.version(ref) { return v }
        if FileManager.default.fileExists(atPath: reference) { return nil }
        return try await catalog.version(ref)
    }
}

/// Writing a frame out as a file: CSV, or Parquet with a chosen compression.
public enum DataExports {
    public enum Writer: Sendable {
        case csv
        case parquet(ParquetWriter)

        public func write(_ frame: Frame, to path: String) throws(FrameError) {
            switch self {
            case .csv: try CSVWriter().write(frame, to: path)
            case .parquet(let w): try w.write(frame, to: path)
            }
        }
    }

    /// The writer `format` names (nil: Parquet for a `.parquet`, `.parq` or `.pq` name, else CSV).
    public static func writer(format: String?, out: String, compression: String = "snappy", flag: String = "--format") throws(AppError) -> Writer {
        let chosen = format?.lowercased() ?? (DataFormat(path: out) == .parquet ? "parquet" : "csv")
        switch chosen {
        case "csv": return .csv
        case "parquet":
            guard let c = ParquetWriter.Compression(rawValue: compression.lowercased()) else {
                throw .invalid("--compression must be snappy, zstd, gzip or none, not '\(compression)'.")
            }
            return .parquet(ParquetWriter(compression: c))
        default: throw .invalid("\(flag) must be csv or parquet, not '\(format ?? "")'.")
        }
    }
}

/// Datasets snapshotted from SQL: a query's rows from PostgreSQL or SQLite, streamed into columns and
/// registered as an immutable version (kept as a Parquet file), with the query and the source (never
/// its password) recorded as the version's lineage. The same rows again give the same version.
public enum SQLSources {
    public static func add(query: String, from: String, name: String, description: String?, derivedFrom: PulkWorkspace.DatasetRef?,
                           catalog: any DatasetCatalog, progress: any ProgressSink = NoProgress()) async throws -> DatasetStore.Added {
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw AppError.invalid("--sql needs a query, as in --sql \"SELECT * FROM orders\".") }
        let source = try SQLSnapshot.Source(parsing: from)
        let frame = try await SQLSnapshot.frame(query: query, from: source) { rows in progress.update("reading rows", done: rows, total: 0) }
        progress.finish("reading rows")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-sql-\(UUID().uuidString).parquet").path
        try ParquetWriter().write(frame, to: file)
        defer { try? FileManager.default.removeItem(atPath: file) }
        var read = ReadSettings()
        read.format = "parquet"
        read.sql = query
        read.sqlSource = source.description
        return try await catalog.add(file: file, name: name, read: read, description: description, derivedFrom: derivedFrom, progress: progress)
    }
}
