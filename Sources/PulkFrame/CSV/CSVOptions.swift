/// A type forced on a column instead of inferring it (`--type col=TYPE`).
public enum TypeOverride: String, Sendable, CaseIterable {
    case string, float64, int64, bool, date, datetime
    /// Numbers of seconds since the Unix epoch, read as `datetime`.
    case unixSeconds = "unix-seconds"

    /// Parses the names users type: `string`/`str`/`text`/`category`, `float`/`float64`/`double`,
    /// `int`/`int64`/`integer`, `bool`/`boolean`, `date`, `datetime`/`timestamp`, `unix`/`unix-seconds`.
    public init?(name: String) {
        switch name.lowercased() {
        case "string", "str", "text", "category", "categorical": self = .string
        case "float", "float64", "double", "number": self = .float64
        case "int", "int64", "integer": self = .int64
        case "bool", "boolean": self = .bool
        case "date": self = .date
        case "datetime", "timestamp": self = .datetime
        case "unix", "unix-seconds", "epoch": self = .unixSeconds
        default: return nil
        }
    }

    /// The column type this override produces.
    public var dataType: DataType {
        switch self {
        case .string: return .string
        case .float64: return .float64
        case .int64: return .int64
        case .bool: return .bool
        case .date: return .date
        case .datetime, .unixSeconds: return .datetime
        }
    }
}

/// How to read a CSV file. Every default is what a data scientist would expect from pandas or pyarrow.
public struct CSVOptions: Sendable {
    /// The field delimiter; `nil` sniffs among comma, semicolon, tab and pipe.
    public var delimiter: UInt8?
    /// Whether the first row names the columns; `nil` detects it (see docs/csv.md).
    public var header: Bool?
    /// Column names to use when the file has no header.
    public var columnNames: [String]?
    /// Types forced per column name instead of inferred.
    public var types: [String: TypeOverride]
    /// Unquoted field texts that mean "missing". A quoted field is always a value.
    public var missingTokens: [String]
    /// Skip rows that are ragged, badly quoted, not UTF-8 or fail a forced type, and report them,
    /// instead of failing.
    public var skipBadRows: Bool
    /// Rename repeated column names to `name_2`, `name_3`, … instead of failing.
    public var renameDuplicates: Bool
    /// The longest accepted line (a guard against a missing closing quote swallowing the file).
    public var maxLineBytes: Int
    /// The most columns a file may have (each column holds buffers of its own, so a one-line file of
    /// millions of fields would otherwise cost memory far beyond its size).
    public var maxColumns: Int
    /// Worker threads for parsing.
    public var threads: Int
    /// Target size of a parse chunk.
    public var chunkBytes: Int

    /// The default column limit: wider than any table pandas or Excel handles comfortably.
    public static let defaultMaxColumns = 100_000

    /// The default missing tokens: empty, `NA`, `N/A`, `NaN`, `null`, `None`, `-`.
    public static let defaultMissingTokens = ["", "NA", "N/A", "NaN", "null", "None", "-"]

    public init(delimiter: UInt8? = nil, header: Bool? = nil, columnNames: [String]? = nil,
                types: [String: TypeOverride] = [:], missingTokens: [String] = CSVOptions.defaultMissingTokens,
                skipBadRows: Bool = false, renameDuplicates: Bool = false, maxLineBytes: Int = 64 << 20,
                maxColumns: Int = CSVOptions.defaultMaxColumns, threads: Int = defaultThreadCount(), chunkBytes: Int = 1 << 18) {
        self.delimiter = delimiter
        self.header = header
        self.columnNames = columnNames
        self.types = types
        self.missingTokens = missingTokens
        self.skipBadRows = skipBadRows
        self.renameDuplicates = renameDuplicates
        self.maxLineBytes = maxLineBytes
        self.maxColumns = max(1, maxColumns)
        self.threads = max(1, threads)
        self.chunkBytes = max(1024, chunkBytes)
    }
}

/// A row the reader skipped because of `skipBadRows`.
public struct SkippedRow: Sendable, Hashable, Codable {
    /// 1-based line where the row starts.
    public var line: Int
    public var reason: String
}

/// What a read produced besides the frame.
public struct ReadReport: Sendable {
    public var delimiter: UInt8
    public var hasHeader: Bool
    public var bytesRead: Int
    public var skippedRows: [SkippedRow]
}

/// Progress of a long operation: units done and total (bytes for readers).
public typealias ProgressHandler = @Sendable (_ done: Int, _ total: Int) -> Void
