import ArgumentParser
import PulkApp
import PulkFrame
import PulkWorkspace

/// How to read CSV and JSONL files: shared by `data add` and `data profile FILE`.
struct ReadOptions: ParsableArguments {
    @Option(help: "File format: csv, jsonl or parquet (default: Parquet by its magic bytes, else from the extension).")
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

    /// The same settings the native API takes.
    var settings: ReadSettings {
        var r = ReadSettings()
        r.format = format
        r.delimiter = delimiter
        r.header = header
        r.types = types
        r.missing = missingTokens
        r.skipBadRows = skipBadRows
        r.renameDuplicates = renameDuplicates
        r.maxLineSize = maxLineSize
        r.maxColumns = maxColumns
        r.jsonArrays = jsonArrays
        return r
    }

    func addOptions() throws -> DatasetStore.AddOptions {
        do { return try settings.addOptions() } catch { throw ValidationError(error.message) }
    }
}
