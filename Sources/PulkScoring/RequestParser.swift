#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPulkJSON
import PulkJSON
import PulkFrame

/// Reads the JSON shapes of a scoring request straight into columns of `Scalar`s, without building
/// a dictionary per row or boxing a value per cell:
///
/// - Pulk's own: `{"records": [{…}, …]}`, `{"columns": [...], "data": [[...], …]}`, or a bare array of records;
/// - MLflow's scoring protocol: `{"dataframe_split": {"columns", "data", "index"}}`, `{"dataframe_records": [...]}`,
///   `{"instances": …}` and `{"inputs": …}` (records, lists of values in schema order, one value per row when the
///   model has one feature, or a dictionary of columns); `params` is accepted and ignored.
struct RequestParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// Whether positional rows may take the all-numbers fast path (`numericRows`): set when every
    /// feature of the model is a number, so no cell's text is needed.
    var numbersOnly = false
    /// Whether `numericRows` reads runs of numbers with the vector reader (`pulk_json_number_run`);
    /// on CPUs that have it unless a test asks for the plain loop.
    var vectorNumbers = RequestParser.cpuReadsVectors
    /// How many arrays and objects `skipValue` is inside (bounded by `maxNesting`).
    var depth = 0
    /// Column names the body is expected to list (the model's features, in order): a `columns` array
    /// that spells them exactly comes back as this very array, with no string made per name (a
    /// serving log's million bodies name the same columns).
    var expectedNames: [String]?

    /// Whether this CPU has what `pulk_json_number_run` needs (SSE4.1 on x86-64).
    static let cpuReadsVectors = pulk_json_fast() != 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, numbersOnly: Bool = false) {
        self.bytes = bytes
        self.numbersOnly = numbersOnly
    }

    static let shapes = "send {\"records\": [{…}]}, {\"columns\": […], \"data\": [[…]]}, or MLflow's dataframe_split, dataframe_records, instances or inputs"

    // MARK: the top level

    mutating func table() throws(ScoringError) -> RawTable {
        skipSpace()
        guard i < bytes.count else { throw .body("The request body is empty; " + Self.shapes) }
        if bytes[i] == UInt8(ascii: "[") {
            let t = try rowsValue()
            try end()
            return t
        }
        guard bytes[i] == UInt8(ascii: "{") else { throw .body("The request body must be a JSON object; " + Self.shapes) }
        var result: RawTable?
        var columns: [String]?
        var data: RawTable?
        try object { (p, key) throws(ScoringError) in
            switch key {
            case "dataframe_split": result = try p.split()
            case "records", "dataframe_records":
                p.skipSpace()
                guard p.peek == UInt8(ascii: "[") else { throw .body("'\(key)' must be an array of objects, one per row") }
                result = try p.records()
            case "instances", "inputs": result = try p.instances(key)
            case "columns": columns = try p.names()
            case "data": data = try p.positional()
            case "index", "params": try p.skipValue()
            default: throw .body("Unknown field '\(key)' in the request; " + Self.shapes)
            }
        }
        try end()
        if let data {
            guard result == nil else { throw .body("The request has both 'data' and another input field; send one") }
            var t = data
            t.names = columns
            return try Self.named(t)
        }
        guard let result else { throw .body("The request has no input rows; " + Self.shapes) }
        return result
    }

    /// Positional rows with names attached: the count must match.
    static func named(_ t: RawTable) throws(ScoringError) -> RawTable {
        guard let names = t.names else { throw .body("'data' needs 'columns' naming its values") }
        if t.rows > 0, names.count != t.columnCount || !t.ragged.isEmpty {
            let bad = t.ragged.first.map { "row \($0.0) has \($0.1) values" } ?? "rows have \(t.columnCount) values"
            throw .body("'columns' names \(names.count) columns but \(bad)")
        }
        var out = t
        if t.rows == 0 { out.columns = names.map { _ in [] } }
        return out
    }

    mutating func split() throws(ScoringError) -> RawTable {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw .body("'dataframe_split' must be an object with 'columns' and 'data'") }
        var columns: [String]?
        var data: RawTable?
        try object { (p, key) throws(ScoringError) in
            switch key {
            case "columns": columns = try p.names()
            case "data": data = try p.positional()
            default: try p.skipValue()
            }
        }
        guard var t = data else { throw .body("'dataframe_split' has no 'data'") }
        t.names = columns
        return try Self.named(t)
    }

    /// `instances` / `inputs`: records, lists in schema order, single values, or a dictionary of columns.
    mutating func instances(_ key: String) throws(ScoringError) -> RawTable {
        skipSpace()
        if peek == UInt8(ascii: "{") { return try columnDictionary() }
        guard peek == UInt8(ascii: "[") else { throw .body("'\(key)' must be an array of rows or an object of columns") }
        return try rowsValue()
    }

    /// An array of records, of positional rows, or of single values (one column).
    mutating func rowsValue() throws(ScoringError) -> RawTable {
        let save = i
        i += 1
        skipSpace()
        let first = peek
        i = save
        if first == UInt8(ascii: "{") { return try records() }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "]") { return try positional() }
        // An array of scalars: one value per row of a one-feature model.
        var column: [Scalar] = []
        try array { (p) throws(ScoringError) in column.append(try p.scalar()) }
        return RawTable(names: nil, columns: [column], rows: column.count)
    }

    // MARK: shapes

    /// `[{"a": 1, "b": "x"}, …]`: a key missing from a record is a missing value of that row.
    mutating func records() throws(ScoringError) -> RawTable {
        var names: [String] = []
        var index: [String: Int] = [:]
        var columns: [[Scalar]] = []
        var rows = 0
        // Keys usually come in the same order in every record: try the column at the same position first.
        var order: [Int] = []
        try array { (p) throws(ScoringError) in
            p.skipSpace()
            guard p.peek == UInt8(ascii: "{") else { throw .body("Row \(rows) of the records is not an object") }
            var position = 0
            try p.objectRaw { (p, start, length, escaped) throws(ScoringError) in
                var column = -1
                if !escaped, position < order.count, p.equals(start, length, names[order[position]]) {
                    column = order[position]
                } else {
                    let key = p.text(start, length, escaped)
                    if let k = index[key] { column = k } else {
                        column = names.count
                        names.append(key)
                        index[key] = column
                        columns.append([Scalar](repeating: .null, count: rows))
                    }
                    if position < order.count { order[position] = column } else { order.append(column) }
                }
                let value = try p.scalar()
                if columns[column].count == rows { columns[column].append(value) } else { columns[column][rows] = value }
                position += 1
            }
            rows += 1
            for c in columns.indices where columns[c].count < rows { columns[c].append(.null) }
        }
        return RawTable(names: names, columns: columns, rows: rows)
    }

    /// `[[1, "x"], …]`: columns by position.
    mutating func positional() throws(ScoringError) -> RawTable {
        skipSpace()
        guard peek == UInt8(ascii: "[") else { throw .body("'data' must be an array of rows, each an array of values") }
        if numbersOnly, let (values, width, rows) = numericRows() {
            return RawTable(names: nil, columns: [], rows: rows, numbers: values, width: width)
        }
        var columns: [[Scalar]] = []
        var rows = 0
        var ragged: [(Int, Int)] = []
        var firstRow = 0
        try array { (p) throws(ScoringError) in
            p.skipSpace()
            guard p.peek == UInt8(ascii: "[") else { throw .body("Row \(rows) is not an array of values") }
            if rows == 1 {
                let estimate = p.expectedRows(firstRowBytes: p.i - firstRow, at: p.i)
                for c in columns.indices { columns[c].reserveCapacity(estimate) }
            }
            if rows == 0 { firstRow = p.i }
            var k = 0
            try p.array { (p) throws(ScoringError) in
                let v = try p.scalar()
                if rows == 0 { columns.append([v]) } else if k < columns.count { columns[k].append(v) }
                k += 1
            }
            if rows > 0, k != columns.count {
                ragged.append((rows, k))
                for c in k..<max(k, columns.count) { columns[c].append(.null) }
            }
            rows += 1
        }
        return RawTable(names: nil, columns: columns, rows: rows, ragged: ragged)
    }

    /// The fast path of `positional` (positioned at its `[`): rows that hold only numbers of the common
    /// shape (`ValueParser.simpleNumber`), all as long as the first, read straight into one buffer
    /// row by row. Nil, with the parser back where it was, at the first thing that is not (an empty
    /// row or array, null, text, a ragged row, invalid JSON): `positional` then reads the rows and
    /// reports what is wrong.
    ///
    /// This is the hot loop of a request of many rows, so it keeps its position in a local and
    /// writes through a pointer into room made once from the first row's length (an array's append
    /// checks uniqueness and capacity per number). Where the CPU has SSE4.1, runs of numbers of the
    /// common shape are read by `pulk_json_number_run` (C: no number waits for the previous one's
    /// end); each value it leaves (an exponent, 16 or more digits, anything else) is read here.
    mutating func numericRows() -> (values: [Double], width: Int, rows: Int)? {
        let p = bytes.baseAddress!, n = bytes.count
        var j = i &+ 1
        var room = 64, count = 0
        var out = UnsafeMutablePointer<Double>.allocate(capacity: room)
        defer { out.deallocate() }
        var width = 0, rows = 0
        let vector = vectorNumbers
        while true {
            Self.skipSpace(p, &j, n)
            guard j < n, p[j] == UInt8(ascii: "[") else { return nil }
            let rowStart = j
            j &+= 1
            var k = 0
            while true {
                if vector {
                    // A run of common numbers up to the row's end, the room's end or a value the
                    // run leaves to `simpleNumber` (an exponent, many digits, something else).
                    var written = 0, next = 0
                    let status = pulk_json_number_run(p, n, j, out + count, room &- count, &written, &next)
                    count &+= written
                    k &+= written
                    j = next
                    if status == PULK_RUN_END { break }
                    if status == PULK_RUN_FULL {
                        room *= 2
                        out = Self.moved(out, count: count, capacity: room)
                        continue
                    }
                }
                Self.skipSpace(p, &j, n)
                let d = ValueParser.simpleNumber(p, &j, count: n)
                guard !d.isNaN else { return nil }
                if count == room {
                    // The first row is read before its length is known; later rows only when the
                    // estimate fell short.
                    room *= 2
                    out = Self.moved(out, count: count, capacity: room)
                }
                out[count] = d
                count &+= 1
                k &+= 1
                Self.skipSpace(p, &j, n)
                guard j < n else { return nil }
                if p[j] == UInt8(ascii: ",") { j &+= 1; continue }
                guard p[j] == UInt8(ascii: "]") else { return nil }
                j &+= 1
                break
            }
            if rows == 0 {
                width = k
                let estimate = expectedRows(firstRowBytes: j - rowStart, at: j) * k
                if estimate > room {
                    room = estimate
                    out = Self.moved(out, count: count, capacity: room)
                }
            } else if k != width { return nil }
            rows &+= 1
            Self.skipSpace(p, &j, n)
            guard j < n else { return nil }
            if p[j] == UInt8(ascii: ",") { j &+= 1; continue }
            guard p[j] == UInt8(ascii: "]") else { return nil }
            i = j &+ 1
            return (Array(UnsafeBufferPointer(start: out, count: count)), width, rows)
        }
    }

    /// `numericRows`' buffer regrown: its first `count` values moved to room for `capacity`, the
    /// old room freed.
    static func moved(_ out: UnsafeMutablePointer<Double>, count: Int, capacity: Int) -> UnsafeMutablePointer<Double> {
        let grown = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
        grown.moveInitialize(from: out, count: count)
        out.deallocate()
        return grown
    }

    /// How many rows to make room for, the first row (`firstRowBytes` long) read and `position` just
    /// past it: as many as the rest of the body holds if they are as long (so columns do not regrow),
    /// at most 2^20.
    func expectedRows(firstRowBytes: Int, at position: Int) -> Int {
        min((bytes.count - position) / max(firstRowBytes, 1) + 1, 1 << 20)
    }

    /// `{"a": [1, 2], "b": ["x", "y"]}`: every column the same length.
    mutating func columnDictionary() throws(ScoringError) -> RawTable {
        var names: [String] = []
        var columns: [[Scalar]] = []
        try object { (p, key) throws(ScoringError) in
            p.skipSpace()
            var column: [Scalar] = []
            if p.peek == UInt8(ascii: "[") {
                try p.array { (p) throws(ScoringError) in column.append(try p.scalar()) }
            } else {
                column = [try p.scalar()]
            }
            names.append(key)
            columns.append(column)
        }
        let rows = columns.first?.count ?? 0
        if let bad = columns.indices.first(where: { columns[$0].count != rows }) {
            throw .body("Column '\(names[bad])' has \(columns[bad].count) values but '\(names[0])' has \(rows); every column needs one value per row")
        }
        return RawTable(names: names, columns: columns, rows: rows)
    }

    mutating func names() throws(ScoringError) -> [String] {
        skipSpace()
        guard peek == UInt8(ascii: "[") else { throw .body("'columns' must be an array of column names") }
        var out: [String] = []
        // While the names match `expectedNames` byte for byte, only count them.
        var matched = 0
        let expected = expectedNames ?? []
        try array { (p) throws(ScoringError) in
            let s = try p.scalar()
            guard s.kind == .string else { throw .body("'columns' must hold names as strings") }
            if out.isEmpty, matched < expected.count, !s.escaped,
               expected[matched].utf8.elementsEqual(UnsafeBufferPointer(rebasing: p.bytes[Int(s.start)..<Int(s.start + s.length)])) {
                matched += 1
                return
            }
            if out.isEmpty && matched > 0 { out = Array(expected[..<matched]) }
            out.append(p.text(Int(s.start), Int(s.length), s.escaped))
        }
        if out.isEmpty && matched > 0 { return matched == expected.count ? expected : Array(expected[..<matched]) }
        return out
    }

    // MARK: tokens

    var peek: UInt8 { i < bytes.count ? bytes[i] : 0 }

    func fail(_ why: String) -> ScoringError { .body("The request body is not valid JSON at byte \(i): \(why)") }

    mutating func skipSpace() {
        guard let p = bytes.baseAddress else { return }
        Self.skipSpace(p, &i, bytes.count)
    }

    /// Moves `j` past JSON's whitespace in `p[j..<n]` (for loops that keep their position and the
    /// body's bounds in locals).
    @inline(__always) static func skipSpace(_ p: UnsafePointer<UInt8>, _ j: inout Int, _ n: Int) {
        while j < n, p[j] == 0x20 || p[j] == 0x0A || p[j] == 0x0D || p[j] == 0x09 { j &+= 1 }
    }

    mutating func end() throws(ScoringError) {
        skipSpace()
        guard i == bytes.count else { throw fail("text after the value") }
    }

    mutating func expect(_ c: UInt8) throws(ScoringError) {
        skipSpace()
        guard peek == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    /// Calls `element` for each element of an array (positioned at its `[`).
    mutating func array(_ element: (inout RequestParser) throws(ScoringError) -> Void) throws(ScoringError) {
        try expect(UInt8(ascii: "["))
        skipSpace()
        if peek == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipSpace()
            guard i < bytes.count else { throw fail("an unterminated array") }
            try element(&self)
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "]") { i += 1; return }
            throw fail("expected ',' or ']' in an array")
        }
    }

    /// Calls `member` with each key's byte range (positioned after the colon).
    mutating func objectRaw(_ member: (inout RequestParser, Int, Int, Bool) throws(ScoringError) -> Void) throws(ScoringError) {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
            let (start, length, escaped) = try string()
            try expect(UInt8(ascii: ":"))
            try member(&self, start, length, escaped)
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "}") { i += 1; return }
            throw fail("expected ',' or '}' in an object")
        }
    }

    mutating func object(_ member: (inout RequestParser, String) throws(ScoringError) -> Void) throws(ScoringError) {
        try objectRaw { (p, start, length, escaped) throws(ScoringError) in try member(&p, p.text(start, length, escaped)) }
    }

    /// A string's contents range (positioned at its opening quote; ends after the closing one),
    /// checked by the one JSON string reader (`JSON.scanString`), so its text decodes later without fail.
    mutating func string() throws(ScoringError) -> (Int, Int, Bool) {
        i += 1
        let start = i
        do {
            let escaped = try JSON.scanString(bytes.baseAddress!, &i, bytes.count)
            return (start, i - 1 - start, escaped)
        } catch {
            throw .body("The request body is not valid JSON at byte \(error.offset): \(error.why)")
        }
    }

    /// One cell: a number, string, boolean or null (arrays and objects are kept as `nested`).
    mutating func scalar() throws(ScoringError) -> Scalar {
        skipSpace()
        guard i < bytes.count else { throw fail("expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            let (start, length, escaped) = try string()
            return Scalar(kind: .string, escaped: escaped, start: Int32(start), length: Int32(length))
        case UInt8(ascii: "t"): try word("true"); return Scalar(kind: .bool, flag: true)
        case UInt8(ascii: "f"): try word("false"); return Scalar(kind: .bool, flag: false)
        case UInt8(ascii: "n"): try word("null"); return .null
        case UInt8(ascii: "N"): try word("NaN"); return .null
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let start = i
            try skipValue()
            return Scalar(kind: .nested, start: Int32(start), length: Int32(i - start))
        default:
            let start = i
            let d = ValueParser.simpleNumber(bytes.baseAddress!, &i, count: bytes.count)
            if !d.isNaN { return Scalar(kind: .number, start: Int32(start), length: Int32(i - start), number: d) }
            while i < bytes.count {
                let c = bytes[i]
                guard (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                    || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { break }
                i += 1
            }
            guard i > start, let d = ValueParser.double(bytes.baseAddress! + start, i - start), d.isFinite else {
                i = start
                throw fail("expected a value")
            }
            return Scalar(kind: .number, start: Int32(start), length: Int32(i - start), number: d)
        }
    }

    mutating func word(_ w: StaticString) throws(ScoringError) {
        let n = w.utf8CodeUnitCount
        guard i + n <= bytes.count, memcmp(bytes.baseAddress! + i, w.utf8Start, n) == 0 else { throw fail("expected a value") }
        i += n
    }

    /// How deep arrays and objects may nest inside a cell (the skip below recurses once per level).
    static let maxNesting = 64

    mutating func skipValue() throws(ScoringError) {
        skipSpace()
        if depth >= Self.maxNesting, peek == UInt8(ascii: "[") || peek == UInt8(ascii: "{") {
            throw .body("The request body nests arrays and objects more than \(Self.maxNesting) levels deep at byte \(i); send rows of plain values")
        }
        depth += 1
        defer { depth -= 1 }
        switch peek {
        case UInt8(ascii: "["): try array { (p) throws(ScoringError) in try p.skipValue() }
        case UInt8(ascii: "{"): try objectRaw { (p, _, _, _) throws(ScoringError) in try p.skipValue() }
        default: _ = try scalar()
        }
    }

    // MARK: text

    func equals(_ start: Int, _ length: Int, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { u in u.count == length && memcmp(bytes.baseAddress! + start, u.baseAddress!, length) == 0 }
    }

    /// The text of a string's contents (checked by `string()`), escapes decoded.
    func text(_ start: Int, _ length: Int, _ escaped: Bool) -> String {
        JSON.decodeString(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]), escaped: escaped)
    }
}
