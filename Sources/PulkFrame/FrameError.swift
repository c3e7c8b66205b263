/// Where in an input file a problem was found. Lines and columns count from 1.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// Column name when known.
    public var column: String?

    public init(file: String, line: Int, column: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        "\(file):\(line)" + (column.map { ", column '\($0)'" } ?? "")
    }
}

/// Everything that can go wrong reading, writing or handling frames. Each message says what was
/// wrong, where, and how to fix it.
public enum FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    case fileNotFound(String)
    case io(String, reason: String)
    case emptyFile(String)
    case noDataRows(String)
    case raggedRow(SourceLocation, expected: Int, found: Int)
    case unterminatedQuote(SourceLocation)
    case invalidUTF8(SourceLocation)
    case duplicateColumnName(file: String, name: String, positions: [Int])
    case fieldTooLarge(SourceLocation, bytes: Int, limit: Int)
    case tooManyColumns(String, count: Int, limit: Int)
    case badValue(SourceLocation, value: String, expected: DataType, hint: String)
    case unknownColumn(String, available: [String])
    case invalidArgument(String)
    case invalidJSON(SourceLocation, reason: String)
    case nestedValue(SourceLocation, key: String)
    case corruptFrameFile(String, reason: String)
    case gzip(String, reason: String)
    /// A Parquet file Pulk cannot read (damaged, or a feature it does not support); `reason` says which.
    case parquet(String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let f):
            return "\(f): no such file. Check the path (it is read relative to the current directory)."
        case .io(let f, let reason):
            return "\(f): could not be read or written: \(reason)."
        case .emptyFile(let f):
            return "\(f): the file is empty. Point at a file with a header line and at least one data row."
        case .noDataRows(let f):
            return "\(f): the file has a header but no data rows. Add rows, or check that this is the right file."
        case .raggedRow(let loc, let expected, let found):
            return "\(loc): expected \(expected) fields (as in the header), found \(found). "
                + "Quote values that contain the delimiter, fix the row, or pass --skip-bad-rows to skip such rows."
        case .unterminatedQuote(let loc):
            return "\(loc): a quoted field starts here but its closing quote is missing. "
                + "Close the quote, or double quotes inside quoted values (\"\")."
        case .invalidUTF8(let loc):
            return "\(loc): the text is not valid UTF-8. Re-encode the file as UTF-8 "
                + "(for example `iconv -f latin1 -t utf-8 in.csv > out.csv`), or pass --skip-bad-rows."
        case .duplicateColumnName(let f, let name, let positions):
            return "\(f): columns \(positions.map(String.init).joined(separator: " and ")) are both named '\(name)'. "
                + "Rename one in the header, or pass --rename-duplicates to call them '\(name)', '\(name)_2', …"
        case .fieldTooLarge(let loc, let bytes, let limit):
            return "\(loc): a field of \(bytes) bytes is larger than the \(limit)-byte limit. "
                + "This usually means a missing closing quote or wrong line endings; raise the limit with --max-line-size if the line is real."
        case .tooManyColumns(let f, let count, let limit):
            return "\(f): the first row has \(count) fields, more than the \(limit)-column limit. "
                + "Check the delimiter and line endings, or raise the limit with --max-columns if the table is really that wide."
        case .badValue(let loc, let value, let expected, let hint):
            let shown = value.count > 40 ? String(value.prefix(40)) + "…" : value
            return "\(loc): '\(shown)' is not a valid \(expected.rawValue). \(hint)"
        case .unknownColumn(let name, let available):
            let list = available.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
            return "no column named '\(name)'. Available columns: \(list)\(available.count > 20 ? ", …" : "")."
        case .invalidArgument(let m):
            return m
        case .invalidJSON(let loc, let reason):
            return "\(loc): not a JSON object: \(reason). Each line of a JSONL file must hold one JSON object."
        case .nestedValue(let loc, let key):
            return "\(loc): key '\(key)' holds an array. Arrays cannot become a column; "
                + "pass --json-arrays as-text to keep them as JSON text, or remove the key."
        case .corruptFrameFile(let f, let reason):
            return "\(f): not a valid Pulk frame file (\(reason)). Re-create it from the source data."
        case .gzip(let f, let reason):
            return "\(f): could not decompress gzip data: \(reason). Check that the file is a complete .gz file."
        case .parquet(let f, let reason):
            return "\(f): cannot read this Parquet file: \(reason)."
        }
    }
}

extension FrameError {
    /// The same error with its location (if it has one) passed through `move`: where a piece of a
    /// file was read on its own, its lines become the file's.
    public func relocated(_ move: (SourceLocation) -> SourceLocation) -> FrameError {
        switch self {
        case .raggedRow(let l, let e, let f): return .raggedRow(move(l), expected: e, found: f)
        case .unterminatedQuote(let l): return .unterminatedQuote(move(l))
        case .invalidUTF8(let l): return .invalidUTF8(move(l))
        case .badValue(let l, let v, let t, let h): return .badValue(move(l), value: v, expected: t, hint: h)
        case .fieldTooLarge(let l, let b, let lim): return .fieldTooLarge(move(l), bytes: b, limit: lim)
        case .invalidJSON(let l, let r): return .invalidJSON(move(l), reason: r)
        case .nestedValue(let l, let k): return .nestedValue(move(l), key: k)
        default: return self
        }
    }
}

extension FrameError {
    /// The same error naming `shown` wherever it names the file `file`: a server that parses an
    /// upload names the client's file in its answer, never the upload's place on the server.
    public func naming(_ file: String, as shown: String) -> FrameError {
        func name(_ f: String) -> String { f == file ? shown : f }
        switch self {
        case .fileNotFound(let f): return .fileNotFound(name(f))
        case .io(let f, let r): return .io(name(f), reason: r)
        case .emptyFile(let f): return .emptyFile(name(f))
        case .noDataRows(let f): return .noDataRows(name(f))
        case .duplicateColumnName(let f, let n, let p): return .duplicateColumnName(file: name(f), name: n, positions: p)
        case .tooManyColumns(let f, let c, let l): return .tooManyColumns(name(f), count: c, limit: l)
        case .corruptFrameFile(let f, let r): return .corruptFrameFile(name(f), reason: r)
        case .gzip(let f, let r): return .gzip(name(f), reason: r)
        case .parquet(let f, let r): return .parquet(name(f), reason: r)
        case .unknownColumn, .invalidArgument: return self
        default: return relocated { SourceLocation(file: name($0.file), line: $0.line, column: $0.column) }
        }
    }
}
