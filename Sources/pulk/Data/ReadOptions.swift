import ArgumentParser
import PulkFrame
import PulkWorkspace

/// How to read CSV and JSONL files: shared by `data add` and `data profile FILE`.
struct ReadOptions: ParsableArguments {
    @Option(help: "File format: csv or jsonl (default: from the extension).")
    var format: String?

    @Option(help: "Field delimiter: ',', ';', 'tab', '|' (default: sniffed).")
    var delimiter: String?

    @Flag(inversion: .prefixedNo, help: "Whether the first row is a header (default: detected).")
    var header: Bool?

    @Option(name: .customLong("type"), parsing: .singleValue,
            help: "Force a column's type: COL=string|float|int|bool|date|datetime|unix-seconds. Repeatable.")
    var types: [String] = []

    @Option(name: .customLong("missing"), parsing: .singleValue,
            help: "A text meaning 'missing' (repeatable; replaces the defaults: empty, NA, N/A, NaN, null, None, -).")
    var missingTokens: [String] = []

    @Flag(help: "Skip malformed rows (ragged, bad quotes, invalid UTF-8, wrong type) and report each one.")
    var skipBadRows = false

    @Flag(help: "Rename repeated column names to name_2, name_3, … instead of failing.")
    var renameDuplicates = false

    @Option(help: "The longest accepted line in bytes (default 64 MiB).")
    var maxLineSize: Int = 64 << 20

    @Option(help: "The most columns a file may have (default 100,000).")
    var maxColumns: Int = CSVOptions.defaultMaxColumns

    @Option(help: "JSONL arrays: reject (default) or as-text (kept as JSON text).")
    var jsonArrays: String = "reject"

    func addOptions() throws -> DatasetStore.AddOptions {
        var o = DatasetStore.AddOptions()
        if let format {
            guard let f = DataFormat(rawValue: format.lowercased()) else {
                throw ValidationError("--format must be csv or jsonl, not '\(format)'.")
            }
            o.format = f
        }
        var csv = CSVOptions()
        if let delimiter {
            let map = ["tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"]
            let d = map[delimiter.lowercased()] ?? delimiter
            guard d.utf8.count == 1, let byte = d.utf8.first, byte != 34, byte != 10, byte != 13 else {
                throw ValidationError("--delimiter must be one character such as ',', ';', '|' or 'tab', not '\(delimiter)'.")
            }
            csv.delimiter = byte
        }
        csv.header = header
        var forced: [String: TypeOverride] = [:]
        for t in types {
            let parts = t.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let type = TypeOverride(name: parts[1]) else {
                throw ValidationError("--type expects COL=TYPE with TYPE one of string, float, int, bool, date, datetime, unix-seconds; got '\(t)'.")
            }
            forced[parts[0]] = type
        }
        csv.types = forced
        if !missingTokens.isEmpty { csv.missingTokens = missingTokens }
        csv.skipBadRows = skipBadRows
        csv.renameDuplicates = renameDuplicates
        guard maxLineSize > 0 else { throw ValidationError("--max-line-size must be positive.") }
        csv.maxLineBytes = maxLineSize
        guard maxColumns > 0 else { throw ValidationError("--max-columns must be positive.") }
        csv.maxColumns = maxColumns
        o.csv = csv
        guard jsonArrays == "reject" || jsonArrays == "as-text" else {
            throw ValidationError("--json-arrays must be reject or as-text.")
        }
        o.jsonl = JSONLReader(arraysAsText: jsonArrays == "as-text", types: forced, skipBadRows: skipBadRows)
        return o
    }
}
