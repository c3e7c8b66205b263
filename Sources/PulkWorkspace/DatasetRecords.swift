public import Foundation
public import PulkFrame

/// One immutable, registered version of a dataset.
public struct DatasetVersion: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var version: Int
    /// SHA-256 of the original file's bytes.
    public var contentSHA256: String
    /// SHA-256 of the binary columnar copy.
    public var frameSHA256: String
    /// `csv` or `jsonl`.
    public var format: String
    /// The path the file was added from (as given, made absolute).
    public var sourcePath: String
    public var sizeBytes: Int
    public var rowCount: Int
    public var columnCount: Int
    public var schema: Schema
    /// How the file was read (delimiter, header, forced types, missing tokens).
    public var readOptions: [String: String]
    public var description: String?
    public var createdAt: Date

    /// `name:version`.
    public var reference: String { "\(name):\(version)" }

    package init(id: Int64, name: String, version: Int, contentSHA256: String, frameSHA256: String, format: String, sourcePath: String,
                 sizeBytes: Int, rowCount: Int, columnCount: Int, schema: Schema, readOptions: [String: String], description: String?, createdAt: Date) {
        self.id = id
        self.name = name
        self.version = version
        self.contentSHA256 = contentSHA256
        self.frameSHA256 = frameSHA256
        self.format = format
        self.sourcePath = sourcePath
        self.sizeBytes = sizeBytes
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.schema = schema
        self.readOptions = readOptions
        self.description = description
        self.createdAt = createdAt
    }
}

/// A dataset and its versions at a glance.
public struct DatasetSummary: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var versionCount: Int
    public var latestVersion: Int
    public var latestRowCount: Int
    public var createdAt: Date
    public var updatedAt: Date

    package init(name: String, description: String?, versionCount: Int, latestVersion: Int, latestRowCount: Int, createdAt: Date, updatedAt: Date) {
        self.name = name
        self.description = description
        self.versionCount = versionCount
        self.latestVersion = latestVersion
        self.latestRowCount = latestRowCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Something that uses a dataset version (another version derived from it, a run, a model).
public struct DatasetUse: Codable, Sendable, Equatable {
    public var kind: String
    public var referrer: String
    public var createdAt: Date

    package init(kind: String, referrer: String, createdAt: Date) {
        self.kind = kind
        self.referrer = referrer
        self.createdAt = createdAt
    }
}

/// `NAME` or `NAME:VERSION` as users type it.
public struct DatasetRef: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var version: Int?

    public init(name: String, version: Int? = nil) {
        self.name = name
        self.version = version
    }

    /// Parses `NAME` or `NAME:VERSION`.
    public init(parsing text: String) throws(WorkspaceError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { throw .invalidReference(text) }
        name = String(parts[0])
        if parts.count == 2 {
            guard let v = Int(parts[1]), v > 0 else { throw .invalidReference(text) }
            version = v
        }
    }

    public var description: String { version.map { "\(name):\($0)" } ?? name }
}

/// The file formats a dataset can be added from.
public enum DataFormat: String, Sendable, CaseIterable {
    case csv, jsonl, parquet

    /// The format implied by a file name (`.csv`, `.tsv`, `.txt`, `.jsonl`, `.ndjson`, each optionally
    /// `.gz`; `.parquet`, `.parq`, `.pq`).
    public init?(path: String) {
        var p = path.lowercased()
        if p.hasSuffix(".parquet") || p.hasSuffix(".parq") || p.hasSuffix(".pq") { self = .parquet; return }
        if p.hasSuffix(".gz") { p.removeLast(3) }
        if p.hasSuffix(".csv") || p.hasSuffix(".tsv") || p.hasSuffix(".txt") || p.hasSuffix(".psv") { self = .csv }
        else if p.hasSuffix(".jsonl") || p.hasSuffix(".ndjson") { self = .jsonl }
        else { return nil }
    }

    /// The format of the file (or folder of part files) at `path`: Parquet by its magic bytes whatever
    /// the name says, else the name's; nil when neither tells.
    public static func detect(path: String) -> DataFormat? {
        if ParquetReader.isParquet(path: path) { return .parquet }
        return DataFormat(path: path)
    }
}
