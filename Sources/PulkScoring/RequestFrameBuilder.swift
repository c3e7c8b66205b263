public import PulkFrame
import PulkLearn

/// Many request bodies read into one frame, one after another (a serving log's window): each body
/// is read and checked as `InputSchema.frame(json:)` / `frame(csv:)` read it, and its rows appended
/// to growing columns, with no frame per body. A body the schema would refuse is skipped and counted.
public struct RequestFrameBuilder {
    public let schema: InputSchema
    public private(set) var rows = 0
    /// Bodies appended.
    public private(set) var bodies = 0
    /// Bodies skipped: unreadable, or refused by the schema (a missing column, a wrong type).
    public private(set) var unreadable = 0
    var numbers: [[Double]]
    var flags: [[Bool]]
    var days: [[Int32]]
    var micros: [[Int64]]
    var codes: [[Int32]]
    var texts: [TextUnion]
    /// Per feature: the rows' validity, once one was missing (nil: none so far).
    var valid: [[Bool]?]

    public init(schema: InputSchema) {
        self.schema = schema
        let n = schema.features.count
        numbers = Array(repeating: [], count: n)
        flags = Array(repeating: [], count: n)
        days = Array(repeating: [], count: n)
        micros = Array(repeating: [], count: n)
        codes = Array(repeating: [], count: n)
        texts = Array(repeating: TextUnion(), count: n)
        valid = Array(repeating: nil, count: n)
    }

    /// Appends a body as a serving log keeps it: JSON when it starts with `{` or `[` (after spaces),
    /// else CSV; false (and counted) when it cannot be read.
    @discardableResult
    public mutating func append(body: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return append(json: UnsafeRawBufferPointer(body)) }
        return append(csv: Array(body))
    }

    /// Appends a JSON body of any shape `frame(json:)` accepts; false (and counted) when it cannot be read.
    @discardableResult
    public mutating func append(json body: UnsafeRawBufferPointer) -> Bool {
        let bytes = body.bindMemory(to: UInt8.self)
        var parser = RequestParser(bytes, numbersOnly: schema.numeric)
        parser.expectedNames = schema.featureNames
        do {
            let table = try parser.table()
            let source = try schema.sources(table)
            // Plain numbers naming every feature: copied straight from the parsed cells.
            if let cells = table.numbers, let all = InputSchema.complete(source) {
                let width = table.width
                for (j, k) in all.enumerated() {
                    var at = k
                    for _ in 0..<table.rows { numbers[j].append(cells[at]); at &+= width }
                    if valid[j] != nil { valid[j]!.append(contentsOf: repeatElement(true, count: table.rows)) }
                }
                rows += table.rows
                bodies += 1
                return true
            }
            append(try schema.frame(table, source, bytes))
            bodies += 1
            return true
        } catch {
            unreadable += 1
            return false
        }
    }

    /// Appends a CSV body; false (and counted) when it cannot be read.
    @discardableResult
    public mutating func append(csv body: [UInt8]) -> Bool {
        do { append(try schema.frame(csv: body)) } catch {
            unreadable += 1
            return false
        }
        bodies += 1
        return true
    }

    /// Appends a checked frame of the schema's features (in its order, as `InputSchema` makes them).
    mutating func append(_ frame: Frame) {
        for (j, c) in frame.columns.enumerated() {
            switch c.storage {
            case .float64(let v): numbers[j].append(contentsOf: v.array)
            case .int64(let v): numbers[j].append(contentsOf: v.array.map(Double.init))
            case .bool(let v): flags[j].append(contentsOf: v.array)
            case .date(let v): days[j].append(contentsOf: v.array)
            case .datetime(let v): micros[j].append(contentsOf: v.array)
            case .string(let c, let d): texts[j].append(codes: c, dictionary: d, into: &codes[j])
            }
            if let validity = c.validity {
                if valid[j] == nil { valid[j] = Array(repeating: true, count: rows) }
                valid[j]!.append(contentsOf: (0..<c.count).map { validity[$0] })
            } else if valid[j] != nil {
                valid[j]!.append(contentsOf: repeatElement(true, count: c.count))
            }
        }
        rows += frame.rowCount
    }

    /// The rows appended so far, as one frame of the schema's features.
    public func frame() -> Frame {
        let columns = schema.features.enumerated().map { j, f -> Column in
            let storage: ColumnStorage
            switch f.type {
            case .float64, .int64: storage = .float64(numbers[j])
            case .bool: storage = .bool(flags[j])
            case .date: storage = .date(days[j])
            case .datetime: storage = .datetime(micros[j])
            case .string: storage = .string(codes: codes[j], dictionary: texts[j].dictionary)
            }
            return Column(name: f.name, storage: storage, validity: valid[j].flatMap { $0.allSatisfy { $0 } ? nil : Bitmap($0) })
        }
        return (try? Frame(columns: columns)) ?? (try! Frame(columns: []))
    }
}
