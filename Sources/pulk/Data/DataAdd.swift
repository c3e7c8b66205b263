import ArgumentParser
import Foundation
import PulkApp
import PulkFrame
import PulkWorkspace

struct DataAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a CSV or JSONL file (optionally .gz), a Parquet file or folder, or a SQL query's result, as a new immutable dataset version.",
        discussion: """
            Identical content added again under the same name returns the existing version. With --sql and --from, the query runs \
            read-only in PostgreSQL (postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE) or SQLite (sqlite:FILE) and its rows are \
            snapshotted; the query and the source (never its password) are recorded with the version.
            """)

    @Argument(help: "The file to add (or a folder of Parquet part files).") var file: String?
    @Option(help: "A SELECT whose rows to snapshot (with --from) instead of a file.") var sql: String?
    @Option(help: "Where --sql runs: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE or sqlite:FILE.") var from: String?
    @Option(help: "The dataset name.") var name: String
    @Option(help: "A description of this version.") var description: String?
    @Option(help: "NAME[:VERSION] this version was derived from (recorded as lineage).") var derivedFrom: String?
    @OptionGroup var read: ReadOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func validate() throws {
        switch (file, sql, from) {
        case (nil, nil, _): throw ValidationError("Name a file to add, or a query with --sql and --from.")
        case (_?, _?, _): throw ValidationError("Give a file or --sql, not both.")
        case (nil, _?, nil): throw ValidationError("--sql needs --from: postgresql://USER@HOST/DATABASE or sqlite:FILE.")
        case (_?, nil, _?): throw ValidationError("--from goes with --sql; a file needs neither.")
        default: break
        }
    }

    func run() async throws {
        let parent = try derivedFrom.map { try DatasetRef(parsing: $0) }
        let catalog = try await common.workbench(remote: remote).datasets()
        let progress = TerminalProgress(enabled: !common.json)
        let added: DatasetStore.Added
        if let sql, let from {
            added = try await SQLSources.add(query: sql, from: from, name: name, description: description, derivedFrom: parent,
                                             catalog: catalog, progress: progress)
        } else {
            added = try await catalog.add(file: file!, name: name, read: read.settings, description: description, derivedFrom: parent, progress: progress)
        }
        if common.json {
            print(Output.json(AddResult(version: added.version, created: added.created, skippedRows: added.skippedRows)))
            return
        }
        let v = added.version
        if added.created {
            print("Added \(v.reference): \(v.rowCount) rows × \(v.columnCount) columns, \(Output.bytes(v.sizeBytes)), sha256 \(v.contentSHA256.prefix(12))")
        } else {
            print("Unchanged: identical content is already \(v.reference) (sha256 \(v.contentSHA256.prefix(12)))")
            if let description, description != (v.description ?? "") {
                Output.warn("The description was not applied: \(v.reference) keeps " + (v.description.map { "its own (\"\($0)\")" } ?? "none")
                    + "; versions are immutable, so a new description needs new content")
            }
        }
        for s in added.skippedRows.prefix(50) { Output.warn("skipped line \(s.line): \(s.reason)") }
        if added.skippedRows.count > 50 { Output.warn("… and \(added.skippedRows.count - 50) more skipped rows") }
    }

    struct AddResult: Encodable {
        var version: DatasetVersion
        var created: Bool
        var skippedRows: [SkippedRow]
    }
}

struct DataList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List datasets with their latest version.")
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let all = try await common.workbench(remote: remote).datasets().list()
        if common.json { print(Output.json(all)); return }
        if all.isEmpty { print("No datasets yet. Add one with `pulk data add FILE --name NAME`."); return }
        print(Output.table(["NAME", "VERSIONS", "LATEST", "ROWS", "UPDATED", "DESCRIPTION"], all.map {
            [$0.name, "\($0.versionCount)", "\($0.latestVersion)", "\($0.latestRowCount)", Output.date($0.updatedAt), $0.description ?? ""]
        }))
    }
}

struct DataVersions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "versions", abstract: "List the versions of a dataset.")
    @Argument(help: "The dataset name.") var name: String
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let all = try await common.workbench(remote: remote).datasets().versions(of: name)
        if common.json { print(Output.json(all)); return }
        print(Output.table(["VERSION", "ROWS", "COLUMNS", "SIZE", "SHA256", "CREATED", "SOURCE"], all.map {
            ["\($0.version)", "\($0.rowCount)", "\($0.columnCount)", Output.bytes($0.sizeBytes), String($0.contentSHA256.prefix(12)),
             Output.date($0.createdAt), $0.sourcePath]
        }))
    }
}

struct DataShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a dataset version: schema, rows, hash, source and lineage.")
    @Argument(help: "NAME or NAME:VERSION (default: the latest version).") var ref: String
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let (v, parents, uses) = try await common.workbench(remote: remote).datasets().detail(try DatasetRef(parsing: ref))
        if common.json {
            print(Output.json(Shown(version: v, derivedFrom: parents, usedBy: uses)))
            return
        }
        let title: String = v.reference + (v.description.map { " — " + $0 } ?? "")
        let derived: String = parents.isEmpty ? "from nothing (original data)"
            : "from " + parents.joined(separator: ", ")
        let usedBy: String = uses.isEmpty ? "nothing" : uses.map { $0.kind + " " + $0.referrer }.joined(separator: ", ")
        var lines: [String] = []
        lines.append("Dataset     " + title)
        lines.append("Rows        \(v.rowCount)")
        lines.append("Columns     \(v.columnCount)")
        lines.append("Format      " + v.format + " (" + Self.describe(v.readOptions) + ")")
        lines.append("Size        " + Output.bytes(v.sizeBytes))
        lines.append("SHA-256     " + v.contentSHA256)
        lines.append("Created     " + Output.date(v.createdAt))
        lines.append("Source      " + v.sourcePath)
        lines.append("Derived     " + derived)
        lines.append("Used by     " + usedBy)
        lines.append("")
        lines.append(Output.table(["#", "COLUMN", "TYPE"], v.schema.fields.enumerated().map { ["\($0.offset + 1)", $0.element.name, $0.element.type.rawValue] }))
        print(lines.joined(separator: "\n"))
    }

    static func describe(_ options: [String: String]) -> String {
        options.sorted { $0.key < $1.key }.map { kv -> String in
            let value = kv.value == "\t" ? "tab" : kv.value
            return kv.key + "=" + value
        }.joined(separator: ", ")
    }

    struct Shown: Encodable {
        var version: DatasetVersion
        var derivedFrom: [String]
        var usedBy: [DatasetUse]
    }
}

struct DataExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a dataset version as CSV or Parquet, or its original file.")
    @Argument(help: "NAME or NAME:VERSION.") var ref: String
    @Option(help: "The file to write.") var out: String
    @Option(help: "csv or parquet (default: parquet for a .parquet/.parq/.pq file, else csv).") var format: String?
    @Option(help: "Parquet page compression: snappy, zstd, gzip or none.") var compression = "snappy"
    @Flag(help: "Copy the original file's bytes instead of writing from the parsed data.") var original = false
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let writer = try DataExports.writer(format: format, out: out, compression: compression)
        let catalog = try await common.workbench(remote: remote).datasets()
        let v = try await catalog.version(try DatasetRef(parsing: ref))
        var replaced = FileManager.default.fileExists(atPath: out)
        if original {
            replaced = try await catalog.original(v, to: out)
        } else {
            try writer.write(try await catalog.frame(v), to: out)
        }
        if common.json { print(Output.json(Exported(dataset: v.reference, out: out, replaced: replaced))); return }
        print("Wrote \(v.reference)\(original ? " (the original file)" : "") to \(out)\(replaced ? " (it replaced the file that was there)" : "")")
    }
}

struct Exported: Encodable {
    var dataset: String
    var out: String
    /// Whether a file was there and was replaced.
    var replaced: Bool
}

struct DataRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove a dataset version (or all versions); refused while anything uses it.")
    @Argument(help: "NAME:VERSION, or NAME for every version.") var ref: String
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let removed = try await common.workbench(remote: remote).datasets().remove(try DatasetRef(parsing: ref))
        if common.json { print(Output.json(["removed": removed.map(\.reference)])); return }
        print("Removed " + removed.map(\.reference).joined(separator: ", "))
    }
}
