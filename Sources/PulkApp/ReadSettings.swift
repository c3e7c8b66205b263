public import PulkFrame
public import PulkWorkspace

/// How to read a CSV or JSONL file, as text the way every front end receives it (the CLI's flags,
/// the native API's query parameters of the same names), turned into the readers' options in one
/// place; messages name the CLI's flags.
public struct ReadSettings: Sendable, Equatable {
    /// csv, jsonl or parquet; nil: Parquet by its magic bytes, else from the file's extension.
    public var format: String?
    /// One character, or tab/comma/semicolon/pipe; nil: sniffed.
    public var delimiter: String?
    /// Whether the first row is a header; nil: detected.
    public var header: Bool?
    /// COL=string|float|int|bool|date|datetime|unix-seconds.
    public var types: [String] = []
    /// Texts meaning missing (replace the defaults when given).
    public var missing: [String] = []
    public var skipBadRows = false
    public var renameDuplicates = false
    public var maxLineSize = 64 << 20
    /// For a SQL snapshot: its query and its source without the password (recorded as lineage).
    public var sql: String?
    public var sqlSource: String?
    public var maxColumns = CSVOptions.defaultMaxColumns
    /// reject or as-text.
    public var jsonArrays = "reject"

    public init() {}

    /// The readers' options; a value that cannot work is refused with what would.
    public func addOptions() throws(AppError) -> DatasetStore.AddOptions {
        var o = DatasetStore.AddOptions()
        if let format {
            guard let f = DataFormat(rawValue: format.lowercased()) else { throw .invalid("--format must be csv, jsonl or parquet, not '\(format)'.") }
            o.format = f
        }
        var csv = CSVOptions()
        if let delimiter {
            let map = ["tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"]
            let d = map[delimiter.lowercased()] ?? delimiter
            guard d.utf8.count == 1, let byte = d.utf8.first, byte != 34, byte != 10, byte != 13 else {
                throw .invalid("--delimiter must be one character such as ',', ';', '|' or 'tab', not '\(delimiter)'.")
            }
            csv.delimiter = byte
        }
        csv.header = header
        var forced: [String: TypeOverride] = [:]
        for t in types {
            let parts = t.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let type = TypeOverride(name: parts[1]) else {
                throw .invalid("--type expects COL=TYPE with TYPE one of string, float, int, bool, date, datetime, unix-seconds; got '\(t)'.")
            }
            forced[parts[0]] = type
        }
        csv.types = forced
        if !missing.isEmpty { csv.missingTokens = missing }
        csv.skipBadRows = skipBadRows
        csv.renameDuplicates = renameDuplicates
        guard maxLineSize > 0 else { throw .invalid("--max-line-size must be positive.") }
        csv.maxLineBytes = maxLineSize
        guard maxColumns > 0 else { throw .invalid("--max-columns must be positive.") }
        csv.maxColumns = maxColumns
        o.csv = csv
        guard jsonArrays == "reject" || jsonArrays == "as-text" else { throw .invalid("--json-arrays must be reject or as-text.") }
        o.jsonl = JSONLReader(arraysAsText: jsonArrays == "as-text", types: forced, skipBadRows: skipBadRows)
        if let sql {
            o.origin["sql"] = sql
            if let sqlSource {
                o.origin["sql_source"] = sqlSource
                o.sourcePath = sqlSource + " (SQL snapshot)"
            }
        }
        return o
    }

    /// As query parameters (what `RemoteDatasets` sends; `init(query:)` reads them back).
    public var query: [(String, String)] {
        var q: [(String, String)] = []
        if let format { q.append(("format", format)) }
        if let delimiter { q.append(("delimiter", delimiter)) }
        if let header { q.append(("header", header ? "true" : "false")) }
        q += types.map { ("type", $0) } + missing.map { ("missing", $0) }
        if skipBadRows { q.append(("skip_bad_rows", "true")) }
        if renameDuplicates { q.append(("rename_duplicates", "true")) }
        q.append(("max_line_size", String(maxLineSize)))
        q.append(("max_columns", String(maxColumns)))
        q.append(("json_arrays", jsonArrays))
        if let sql { q.append(("sql", sql)) }
        if let sqlSource { q.append(("sql_source", sqlSource)) }
        return q
    }

    /// From query parameters (each name may repeat).
    public init(query: [String: [String]]) throws(AppError) {
        func flag(_ name: String) throws(AppError) -> Bool? {
            guard let v = query[name]?.last else { return nil }
            switch v.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw .invalid("\(name) must be true or false, not '\(v)'")
            }
        }
        func int(_ name: String) throws(AppError) -> Int? {
            guard let v = query[name]?.last else { return nil }
            guard let n = Int(v) else { throw .invalid("\(name) must be a whole number, not '\(v)'") }
            return n
        }
        format = query["format"]?.last
        delimiter = query["delimiter"]?.last
        header = try flag("header")
        types = query["type"] ?? []
        missing = query["missing"] ?? []
        skipBadRows = try flag("skip_bad_rows") ?? false
        renameDuplicates = try flag("rename_duplicates") ?? false
        maxLineSize = try int("max_line_size") ?? maxLineSize
        maxColumns = try int("max_columns") ?? maxColumns
        jsonArrays = query["json_arrays"]?.last ?? jsonArrays
        sql = query["sql"]?.last
        sqlSource = query["sql_source"]?.last
    }
}
