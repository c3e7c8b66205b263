import Foundation
import PulkJSON

/// Reads JSON Lines: one JSON object per line, blank lines ignored.
///
/// Columns are the union of keys in first-seen order. Nested objects are flattened with dots
/// (`{"a": {"b": 1}}` gives column `a.b`); arrays are rejected unless `arraysAsText` keeps them as
/// JSON text. `null` and absent keys are missing. A column's type is the narrowest that holds all its
/// values: numbers give int64 or float64, booleans bool, strings are typed like CSV fields (dates,
/// datetimes, otherwise text); mixed kinds give string.
public struct JSONLReader: Sendable {
    public var arraysAsText: Bool
    public var types: [String: TypeOverride]
    public var skipBadRows: Bool

    public init(arraysAsText: Bool = false, types: [String: TypeOverride] = [:], skipBadRows: Bool = false) {
        self.arraysAsText = arraysAsText
        self.types = types
        self.skipBadRows = skipBadRows
    }

    /// Reads the file at `path` (gzip is decompressed).
    public func read(path: String) throws(FrameError) -> (Frame, ReadReport) {
        let file = try FileSource(path: path)
        var bytes = try file.bytes(at: 0, count: file.size)
        if Gzip.isGzip(bytes) { bytes = try Gzip.decompress(file) }
        return try read(bytes: bytes, name: path)
    }

    /// Reads JSONL text held in memory.
    public func read(bytes: [UInt8], name: String = "<input>") throws(FrameError) -> (Frame, ReadReport) {
        guard !bytes.isEmpty else { throw .emptyFile(name) }
        var names: [String] = []
        var index: [String: Int] = [:]
        var cells: [[String: Cell]] = []
        var skipped: [SkippedRow] = []
        var line = 0
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
            line += 1
            defer { start = end + 1 }
            let slice = bytes[start..<end]
            if slice.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do throws(FrameError) {
                let row = try parseLine(slice, location: SourceLocation(file: name, line: line))
                for key in row.keys.sorted(by: { (row[$0]!.order) < (row[$1]!.order) }) where index[key] == nil {
                    index[key] = names.count
                    names.append(key)
                }
                cells.append(row.mapValues(\.cell))
            } catch {
                guard skipBadRows else { throw error }
                skipped.append(SkippedRow(line: line, reason: error.description))
            }
        }
        guard !cells.isEmpty else { throw skipped.isEmpty ? .emptyFile(name) : .noDataRows(name) }
        for key in types.keys where index[key] == nil { throw .unknownColumn(key, available: names) }
        var columns: [Column] = []
        for n in names {
            columns.append(try CellColumnBuilder.build(name: n, cells: cells.map { $0[n] ?? .missing },
                                                       forced: types[n], file: name))
        }
        return (try Frame(columns: columns), ReadReport(delimiter: 10, hasHeader: false, bytesRead: bytes.count,
                                                         skippedRows: skipped))
    }

    private func parseLine(_ data: ArraySlice<UInt8>, location: SourceLocation) throws(FrameError) -> [String: (cell: Cell, order: Int)] {
        // The one JSON reader of Pulk (the server's and scoring's): the same strings, numbers and limits.
        let parsed: Result<Any, JSON.SyntaxError> = data.withUnsafeBytes { raw in Result { () throws(JSON.SyntaxError) in try JSON.parse(raw) } }
        let value: JSONValue
        switch parsed {
        case .success(let v): value = JSONValue(v)
        case .failure(let e):
            throw .invalidJSON(location, reason: "cannot parse '\(String(decoding: data.prefix(60), as: UTF8.self))': \(e.why) at byte \(e.offset)")
        }
        guard case .object(let dict) = value else { throw .invalidJSON(location, reason: "the line is not an object") }
        var out: [String: (cell: Cell, order: Int)] = [:]
        var order = 0
        // JSON objects are unordered once decoded: keys are taken in sorted order for determinism.
        func flatten(_ d: [String: JSONValue], prefix: String) throws(FrameError) {
            for key in d.keys.sorted() {
                let full = prefix.isEmpty ? key : prefix + "." + key
                switch d[key]! {
                case .object(let nested): try flatten(nested, prefix: full); continue
                case .array:
                    guard arraysAsText else { throw .nestedValue(location, key: full) }
                    out[full] = (.text(d[key]!.jsonText), order)
                case .null: out[full] = (.missing, order)
                case .bool(let b): out[full] = (.bool(b), order)
                case .int(let i): out[full] = (.int(i), order)
                case .double(let x): out[full] = (.double(x), order)
                case .string(let s): out[full] = (.text(s), order)
                }
                order += 1
            }
        }
        try flatten(dict, prefix: "")
        return out
    }
}

/// A decoded JSON value.
indirect enum JSONValue {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    /// From `JSON.parse`'s Swift values (Bool, Int64, Double, String, arrays, objects, NSNull).
    init(_ value: Any) {
        switch value {
        case let b as Bool: self = .bool(b)
        case let i as Int64: self = .int(i)
        case let d as Double: self = .double(d)
        case let s as String: self = .string(s)
        case let a as [Any]: self = .array(a.map(JSONValue.init))
        case let o as [String: Any]: self = .object(o.mapValues(JSONValue.init))
        default: self = .null
        }
    }

    /// Compact JSON text with sorted keys.
    var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatDouble(d)
        case .string(let s):
            let data = (try? JSONEncoder().encode(s)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .array(let a): return "[" + a.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { JSONValue.string($0).jsonText + ":" + o[$0]!.jsonText }.joined(separator: ",") + "}"
        }
    }
}

/// One JSON value on its way into a column.
enum Cell {
    case missing, bool(Bool), int(Int64), double(Double), text(String)

}

/// Builds a column from cells, choosing the narrowest type that holds them all.
enum CellColumnBuilder {
    static func build(name: String, cells: [Cell], forced: TypeOverride?, file: String) throws(FrameError) -> Column {
        var kind = InferredKind.null
        for c in cells { kind = kind.join(kindOf(c)) }
        if let forced { kind = InferredKind(forced) }
        let n = cells.count
        var valid = Bitmap(count: n, value: true)
        func fail(_ i: Int, _ c: Cell) -> FrameError {
            .badValue(SourceLocation(file: file, line: i + 1, column: name), value: "\(c)", expected: kind.dataType,
                      hint: "Fix the value or pass a different --type for '\(name)'.")
        }
        switch kind {
        case .null:
            return Column(name: name, storage: .float64(.init(repeating: .nan, count: n)), validity: Bitmap(count: n, value: false))
        case .bool, .int64, .float64, .date, .datetime:
            var d = [Double](repeating: .nan, count: n), ints = [Int64](repeating: 0, count: n)
            var bools = [Bool](repeating: false, count: n), days = [Int32](repeating: 0, count: n)
            for (i, c) in cells.enumerated() {
                switch (c, kind) {
                case (.missing, _): valid[i] = false
                case (.bool(let b), .bool): bools[i] = b
                case (.int(let v), .int64): ints[i] = v
                case (.int(let v), .float64): d[i] = Double(v)
                case (.double(let v), .float64): d[i] = v
                case (.int(let v), .datetime) where forced == .unixSeconds: ints[i] = v * 1_000_000
                case (.double(let v), .datetime) where forced == .unixSeconds: ints[i] = Int64((v * 1e6).rounded())
                case (.text(let s), _):
                    switch kind {
                    case .date: guard let v = ValueParser.parse(s, ValueParser.date) else { throw fail(i, c) }; days[i] = v
                    case .datetime:
                        guard let v = ValueParser.parse(s, ValueParser.datetime)
                                ?? ValueParser.parse(s, ValueParser.date).map({ Int64($0) * 86_400_000_000 }) else { throw fail(i, c) }
                        ints[i] = v
                    case .int64: guard let v = ValueParser.parse(s, ValueParser.int64) else { throw fail(i, c) }; ints[i] = v
                    case .float64: guard let v = ValueParser.parse(s, ValueParser.double) else { throw fail(i, c) }; d[i] = v
                    case .bool: guard let v = ValueParser.parse(s, ValueParser.bool) else { throw fail(i, c) }; bools[i] = v
                    default: throw fail(i, c)
                    }
                default: throw fail(i, c)
                }
            }
            let storage: ColumnStorage
            switch kind {
            case .bool: storage = .bool(bools)
            case .int64: storage = .int64(ints)
            case .float64: storage = .float64(d)
            case .date: storage = .date(days)
            default: storage = .datetime(ints)
            }
            return Column(name: name, storage: storage, validity: valid)
        case .string:
            var dict: [String: Int32] = [:]
            var names: [String] = []
            var codes = [Int32](repeating: 0, count: n)
            for (i, c) in cells.enumerated() {
                let s: String
                switch c {
                case .missing: valid[i] = false; continue
                case .bool(let b): s = b ? "true" : "false"
                case .int(let v): s = String(v)
                case .double(let v): s = formatDouble(v)
                case .text(let t): s = t
                }
                if let k = dict[s] { codes[i] = k } else {
                    dict[s] = Int32(names.count); codes[i] = Int32(names.count); names.append(s)
                }
            }
            return Column(name: name, storage: .string(codes: codes, dictionary: names), validity: valid)
        }
    }

    static func kindOf(_ c: Cell) -> InferredKind {
        switch c {
        case .missing: return .null
        case .bool: return .bool
        case .int: return .int64
        case .double: return .float64
        case .text(let s):
            if ValueParser.parse(s, ValueParser.date) != nil { return .date }
            if ValueParser.parse(s, ValueParser.datetime) != nil { return .datetime }
            return .string
        }
    }
}
