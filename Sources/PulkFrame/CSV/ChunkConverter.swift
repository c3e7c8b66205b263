/// The type a chunk's column was inferred as. Ordered so `join` can widen: int64 ⊂ float64,
/// date ⊂ datetime, and anything mixed becomes string.
enum InferredKind: Int, Comparable, Sendable {
    case null, bool, int64, float64, date, datetime, string

    static func < (a: InferredKind, b: InferredKind) -> Bool { a.rawValue < b.rawValue }

    /// The narrowest kind that holds values of both.
    func join(_ other: InferredKind) -> InferredKind {
        if self == other || other == .null { return self }
        if self == .null { return other }
        let pair = (min(self, other), max(self, other))
        if pair == (.int64, .float64) { return .float64 }
        if pair == (.date, .datetime) { return .datetime }
        return .string
    }

    var dataType: DataType {
        switch self {
        case .null, .float64: return .float64
        case .bool: return .bool
        case .int64: return .int64
        case .date: return .date
        case .datetime: return .datetime
        case .string: return .string
        }
    }

    init(_ override: TypeOverride) {
        switch override {
        case .string: self = .string
        case .float64, .unixSeconds: self = .float64
        case .int64: self = .int64
        case .bool: self = .bool
        case .date: self = .date
        case .datetime: self = .datetime
        }
    }
}

/// Typed values of one column of one chunk; missing rows are listed in `missing`.
enum ChunkValues {
    case null
    case bool([Bool])
    case int64([Int64])
    case float64([Double])
    case date([Int32])
    case datetime([Int64])
    case string(codes: [Int32], dictionary: [String])

    var kind: InferredKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int64: return .int64
        case .float64: return .float64
        case .date: return .date
        case .datetime: return .datetime
        case .string: return .string
        }
    }
}

struct ChunkColumn {
    var values: ChunkValues
    var missing: [Int32]
}

/// A field that failed a forced type, or was not UTF-8.
struct FieldFailure {
    var row: Int
    var text: String
    var invalidUTF8: Bool
}

/// Matches the unquoted texts that mean "missing".
struct MissingMatcher: Sendable {
    let tokens: [[UInt8]]
    let maxLength: Int
    let matchesEmpty: Bool

    init(_ tokens: [String]) {
        self.tokens = tokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
        maxLength = self.tokens.map(\.count).max() ?? 0
        matchesEmpty = tokens.contains("")
    }

    @inline(__always) func matches(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if n == 0 { return matchesEmpty }
        if n > maxLength { return false }
        outer: for t in tokens where t.count == n {
            for k in 0..<n where t[k] != p[k] { continue outer }
            return true
        }
        return false
    }
}

/// Converts tokenized fields of one column into typed values (stage 2 of parsing).
struct ChunkConverter {
    let bytes: UnsafeBufferPointer<UInt8>
    let chunk: TokenizedChunk
    let missing: MissingMatcher

    /// Converts column `c`, inferring its kind unless `forced`. Failures only happen with a forced kind
    /// (or invalid UTF-8 in text), and are returned rather than thrown so the caller can skip rows.
    func convert(column c: Int, forced: TypeOverride?) -> (ChunkColumn, [FieldFailure]) {
        if let forced {
            return convert(column: c, as: InferredKind(forced), unixSeconds: forced == .unixSeconds, stopAtFirstFailure: false)
        }
        var kind = firstKind(column: c)
        while true {
            // Convert as the current kind; at the first value it rejects, widen and retry.
            let (result, failures) = convert(column: c, as: kind, unixSeconds: false, stopAtFirstFailure: kind != .string)
            guard kind != .string, let first = failures.first else { return (result, failures) }
            kind = kind.join(classify(row: first.row, column: c))
        }
    }

    /// The kind of the column's first non-missing value.
    private func firstKind(column c: Int) -> InferredKind {
        for r in 0..<chunk.rowCount {
            let k = classify(row: r, column: c)
            if k != .null { return k }
        }
        return .null
    }

    /// The narrowest kind that reads one field.
    func classify(row r: Int, column c: Int) -> InferredKind {
        withField(row: r, column: c) { p, n, quoted in
            if !quoted, missing.matches(p, n) { return .null }
            let (q, m) = trimmed(p, n)
            if m == 0 { return .string }
            if ValueParser.int64(q, m) != nil { return .int64 }
            if ValueParser.double(q, m) != nil { return .float64 }
            if ValueParser.bool(q, m) != nil { return .bool }
            if ValueParser.date(q, m) != nil { return .date }
            if ValueParser.datetime(q, m) != nil { return .datetime }
            return .string
        }
    }

    @inline(__always) private func trimmed(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        var s = 0
        var e = n
        while s < e, p[s] == 32 { s += 1 }
        while e > s, p[e - 1] == 32 { e -= 1 }
        return (p + s, e - s)
    }

    /// Calls `body` with the field's text (unescaped when it held doubled quotes) and whether it was quoted.
    @inline(__always) func withField<R>(row r: Int, column c: Int,
                                        _ body: (UnsafePointer<UInt8>, Int, Bool) -> R) -> R {
        let i = r * chunk.columns + c
        let s = Int(chunk.starts[i])
        let rawEnd = chunk.ends[i]
        let e = Int(rawEnd & TokenizedChunk.offsetMask)
        let quoted = rawEnd & TokenizedChunk.quotedFlag != 0
        let base = bytes.baseAddress! + s
        if rawEnd & TokenizedChunk.escapedFlag == 0 { return body(base, e - s, quoted) }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var k = 0
        while k < e - s {
            out.append(base[k])
            k += base[k] == CSVTokenizer.quote ? 2 : 1
        }
        return out.withUnsafeBufferPointer { body($0.baseAddress ?? base, $0.count, quoted) }
    }

    /// The field's text as a String (lossy for invalid UTF-8), for messages.
    func text(row r: Int, column c: Int) -> String {
        withField(row: r, column: c) { p, n, _ in String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) }
    }

    private func convert(column c: Int, as kind: InferredKind, unixSeconds: Bool,
                         stopAtFirstFailure: Bool) -> (ChunkColumn, [FieldFailure]) {
        let rows = chunk.rowCount
        var missingRows: [Int32] = []
        var failures: [FieldFailure] = []

        func fill<T>(_ placeholder: T, _ parse: (UnsafePointer<UInt8>, Int) -> T?) -> [T] {
            var out = [T](repeating: placeholder, count: rows)
            out.withUnsafeMutableBufferPointer { o in
                for r in 0..<rows {
                    let ok: Bool = withField(row: r, column: c) { p, n, quoted in
                        if !quoted, missing.matches(p, n) { missingRows.append(Int32(r)); return true }
                        let (q, m) = trimmed(p, n)
                        guard let v = parse(q, m) else { return false }
                        o[r] = v
                        return true
                    }
                    if !ok {
                        failures.append(FieldFailure(row: r, text: text(row: r, column: c), invalidUTF8: false))
                        missingRows.append(Int32(r))
                        if stopAtFirstFailure { return }
                    }
                }
            }
            return out
        }
        let values: ChunkValues
        switch kind {
        case .null:
            for r in 0..<rows { missingRows.append(Int32(r)) }
            values = .null
        case .bool: values = .bool(fill(false, ValueParser.bool))
        case .int64: values = .int64(fill(0, ValueParser.int64))
        case .float64:
            if unixSeconds {
                values = .datetime(fill(0) { p, n in
                    ValueParser.double(p, n).flatMap { $0.isFinite && abs($0) < 9e12 ? Int64(($0 * 1e6).rounded()) : nil }
                })
            } else {
                values = .float64(fill(.nan, ValueParser.double))
            }
        case .date: values = .date(fill(0, ValueParser.date))
        case .datetime:
            values = .datetime(fill(0) { p, n in
                ValueParser.datetime(p, n) ?? ValueParser.date(p, n).map { Int64($0) * 86_400_000_000 }
            })
        case .string:
            var dict: [String: Int32] = [:]
            var names: [String] = []
            var codes = [Int32](repeating: 0, count: rows)
            for r in 0..<rows {
                let code: Int32? = withField(row: r, column: c) { p, n, quoted in
                    if !quoted, missing.matches(p, n) { return -1 }
                    guard let s = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) else {
                        return nil
                    }
                    if let k = dict[s] { return k }
                    let k = Int32(names.count)
                    dict[s] = k
                    names.append(s)
                    return k
                }
                switch code {
                case nil:
                    failures.append(FieldFailure(row: r, text: text(row: r, column: c), invalidUTF8: true))
                    missingRows.append(Int32(r))
                case .some(let k) where k < 0: missingRows.append(Int32(r))
                case .some(let k): codes[r] = k
                }
            }
            values = .string(codes: codes, dictionary: names)
        }
        return (ChunkColumn(values: values, missing: missingRows), failures)
    }
}
