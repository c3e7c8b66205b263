public import PulkFrame
public import PulkLearn

/// A checked request's rows: a frame, or (plain numbers for a `MatrixScoring` model) the features'
/// values column by column in schema order, `x[f * rows + i]`, NaN for missing.
public enum ScoringRows: Sendable {
    case frame(Frame)
    case matrix([Double], rows: Int)
    /// A recommender's own request (`{"user": …, "k": …}`).
    case query(RecommendationQuery)

    public var rowCount: Int {
        switch self {
        case .frame(let f): return f.rowCount
        case .matrix(_, let rows): return rows
        case .query(let q): return q.ids.count
        }
    }
}

/// A model's input contract, compiled once per deployment: its features by name, and the
/// categories each text feature saw in training. Turns a request body into the frame the model
/// scores, or into a list of everything wrong with it.
public struct InputSchema: Sendable {
    public let features: [Feature]
    public let policy: ScoringPolicy
    /// The features' names, in order (what a body's `columns` usually spells).
    let featureNames: [String]
    let known: [Set<String>?]
    /// Every feature is a number (no cell's text is ever needed).
    let numeric: Bool

    public init(_ schema: FeatureSchema, policy: ScoringPolicy = .init()) {
        features = schema.features
        featureNames = schema.features.map(\.name)
        self.policy = policy
        known = schema.features.map { f in f.categories.map(Set.init) }
        numeric = schema.allNumbers
    }

    /// The most problems one response lists (the rest are counted).
    static let maxProblems = 20

    // MARK: JSON

    /// Reads a JSON body of any accepted shape (see `RequestParser`) and checks it.
    public func frame(json body: UnsafeRawBufferPointer) throws(ScoringError) -> Frame {
        let bytes = body.bindMemory(to: UInt8.self)
        var parser = RequestParser(bytes, numbersOnly: numeric)
        parser.expectedNames = featureNames
        let table = try parser.table()
        return try frame(table, bytes)
    }

    /// Reads a JSON body like `frame(json:)`; with `matrix`, a body of plain numbers naming (or listing)
    /// every feature comes back as the features' values column by column in schema order (what a
    /// `MatrixScoring` model takes), with no frame built. Refusals are `frame(json:)`'s.
    public func rows(json body: UnsafeRawBufferPointer, matrix: Bool) throws(ScoringError) -> ScoringRows {
        let bytes = body.bindMemory(to: UInt8.self)
        var parser = RequestParser(bytes, numbersOnly: numeric)
        parser.expectedNames = featureNames
        let table = try parser.table()
        let source = try sources(table)
        if matrix, table.numbers != nil, let all = Self.complete(source) {
            return .matrix(table.numberColumns(all), rows: table.rows)
        }
        return .frame(try frame(table, source, bytes))
    }

    public func frame(json body: [UInt8]) throws(ScoringError) -> Frame {
        try body.withUnsafeBytes { raw in Result { () throws(ScoringError) in try frame(json: raw) } }.get()
    }

    func frame(_ table: RawTable, _ bytes: UnsafeBufferPointer<UInt8>) throws(ScoringError) -> Frame {
        try frame(table, try sources(table), bytes)
    }

    /// Which raw column feeds each feature (nil: the input lacks it), after the checks that refuse
    /// the whole table (too many rows, positional rows of the wrong length).
    func sources(_ table: RawTable) throws(ScoringError) -> [Int?] {
        guard table.rows <= policy.maxRows else {
            throw tooMany(table.rows)
        }
        // Rows with no names and no values (`{"records": []}`): nothing to score, and no columns to
        // check; say so instead of listing every column as missing.
        guard table.rows > 0 || !(table.names ?? []).isEmpty else {
            throw ScoringError.body("The request has no rows: send at least one record, e.g. {\"records\": [{…}]}")
        }
        let source: [Int?]
        if let names = table.names, names.count == features.count, zip(names, features).allSatisfy({ $0 == $1.name }) {
            source = Array(features.indices)
        } else if let names = table.names {
            var index: [String: Int] = [:]
            for (k, n) in names.enumerated() where index[n] == nil { index[n] = k }
            source = features.map { index[$0.name] }
        } else {
            // Positional rows (or single values): in the schema's order, all of them.
            if table.columnCount != features.count && table.rows > 0 {
                let expected = features.map(\.name).joined(separator: ", ")
                let detail = table.ragged.first.map { "row \($0.0) has \($0.1) values" } ?? "rows have \(table.columnCount) values"
                throw ScoringError(kind: .schema, problems: [.init(message: "Rows without column names must list the model's \(features.count) features in order (\(expected)); \(detail). Send records or columns + data to name them")])
            }
            if let (row, count) = table.ragged.first {
                throw ScoringError(kind: .schema, problems: [.init(row: row, message: "Row \(row) has \(count) values; the model expects \(features.count)")])
            }
            source = features.indices.map { $0 < table.columnCount ? $0 : nil }
        }
        return source
    }

    /// Every feature's source, when none is missing.
    static func complete(_ source: [Int?]) -> [Int]? {
        var all: [Int] = []
        all.reserveCapacity(source.count)
        for s in source {
            guard let s else { return nil }
            all.append(s)
        }
        return all
    }

    func frame(_ table: RawTable, _ source: [Int?], _ bytes: UnsafeBufferPointer<UInt8>) throws(ScoringError) -> Frame {
        var problems = Problems()
        var columns: [Column] = []
        columns.reserveCapacity(features.count)
        for (k, f) in features.enumerated() {
            guard let s = source[k] else {
                problems.add(Self.missing(f))
                continue
            }
            if table.numbers != nil {
                // The fast path's plain numbers (only taken when every feature is a number).
                columns.append(Column(name: f.name, storage: .float64(table.numberColumn(s)), validity: nil))
            } else if let c = convert(table.columns[s], f, known[k], bytes, &problems) { columns.append(c) }
        }
        try problems.check()
        return try Self.assemble(columns)
    }

    /// The problem of a feature the input lacks.
    static func missing(_ f: Feature) -> ScoringError.Problem {
        .init(column: f.name, message: "Missing column '\(f.name)' (\(f.type.rawValue)); the model was trained with it")
    }

    func tooMany(_ rows: Int) -> ScoringError {
        ScoringError(kind: .tooManyRows, problems: [.init(message: "The request has \(rows) rows; this endpoint takes at most \(policy.maxRows) per request. Split it, or use `pulk score` for batches")])
    }

    /// The checked columns as one frame.
    static func assemble(_ columns: [Column]) throws(ScoringError) -> Frame {
        do { return try Frame(columns: columns) } catch {
            throw ScoringError(kind: .schema, problems: [.init(message: "\(error)")])
        }
    }

    func convert(_ cells: [Scalar], _ f: Feature, _ known: Set<String>?, _ bytes: UnsafeBufferPointer<UInt8>, _ problems: inout Problems) -> Column? {
        let n = cells.count
        var valid = [Bool](repeating: true, count: n)
        var anyMissing = false
        var bad = false
        func wrong(_ r: Int, _ what: String) {
            if !bad { problems.add(.init(column: f.name, row: r, message: "Column '\(f.name)' row \(r): \(what); the model expects \(Self.expectation(f.type))")) }
            bad = true
        }
        func describe(_ s: Scalar) -> String {
            switch s.kind {
            case .string: return "text \"" + String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(s.start)..<Int(s.start + min(s.length, 40))]), as: UTF8.self) + "\""
            case .bool: return s.flag ? "true" : "false"
            case .nested: return "a nested array or object"
            case .number: return "the number " + String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(s.start)..<Int(s.start + s.length)]), as: UTF8.self)
            case .null: return "null"
            }
        }
        func text(_ s: Scalar) -> String {
            RequestParser(bytes).text(Int(s.start), Int(s.length), s.escaped)
        }
        let storage: ColumnStorage
        switch f.type {
        case .float64, .int64:
            var values = [Double](repeating: .nan, count: n)
            for r in 0..<n {
                let s = cells[r]
                switch s.kind {
                case .number: values[r] = s.number
                case .null: valid[r] = false; anyMissing = true
                case .string:
                    // Numbers sent as text ("3.5") are read as numbers; empty text is missing.
                    if s.length == 0 { valid[r] = false; anyMissing = true }
                    else if !s.escaped, let d = ValueParser.double(bytes.baseAddress! + Int(s.start), Int(s.length)), d.isFinite { values[r] = d }
                    else { wrong(r, describe(s)) }
                case .bool, .nested: wrong(r, describe(s))
                }
            }
            storage = .float64(values)
        case .bool:
            var values = [Bool](repeating: false, count: n)
            for r in 0..<n {
                let s = cells[r]
                switch s.kind {
                case .bool: values[r] = s.flag
                case .null: valid[r] = false; anyMissing = true
                case .number where s.number == 0 || s.number == 1: values[r] = s.number == 1
                case .string where !s.escaped:
                    if let b = ValueParser.bool(bytes.baseAddress! + Int(s.start), Int(s.length)) { values[r] = b } else { wrong(r, describe(s)) }
                default: wrong(r, describe(s))
                }
            }
            storage = .bool(values)
        case .string:
            var codes = [Int32](repeating: 0, count: n)
            var dictionary: [String] = []
            var index: [String: Int32] = [:]
            var unseen: (Int, String)?
            var unseenCount = 0
            var unseenCodes: Set<Int32> = []
            for r in 0..<n {
                let s = cells[r]
                let value: String
                switch s.kind {
                case .string: value = text(s)
                case .number: value = String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(s.start)..<Int(s.start + s.length)]), as: UTF8.self)
                case .bool: value = s.flag ? "true" : "false"
                case .null: valid[r] = false; anyMissing = true; continue
                case .nested: wrong(r, describe(s)); continue
                }
                if let code = index[value] {
                    codes[r] = code
                    if unseen != nil, unseenCodes.contains(code) { unseenCount += 1 }
                    continue
                }
                if policy.unseenCategories == .reject, let known, !known.contains(value) {
                    if unseen == nil { unseen = (r, value) }
                    unseenCount += 1
                    unseenCodes.insert(Int32(dictionary.count))
                }
                let code = Int32(dictionary.count)
                dictionary.append(value)
                index[value] = code
                codes[r] = code
            }
            if let (r, value) = unseen, let known {
                let list = known.sorted().prefix(10).joined(separator: ", ") + (known.count > 10 ? ", …" : "")
                let more = unseenCount > 1 ? " (and \(unseenCount - 1) more rows with unseen values)" : ""
                problems.add(.init(column: f.name, row: r, message: "Column '\(f.name)' row \(r): category \"\(value)\" was not seen in training\(more); known: \(list)"))
                bad = true
            }
            storage = .string(codes: codes, dictionary: dictionary)
        case .date, .datetime:
            var days = [Int32](repeating: 0, count: n)
            var micros = [Int64](repeating: 0, count: n)
            for r in 0..<n {
                let s = cells[r]
                switch s.kind {
                case .null: valid[r] = false; anyMissing = true
                case .string where !s.escaped:
                    let p = bytes.baseAddress! + Int(s.start), len = Int(s.length)
                    if f.type == .date, let d = ValueParser.date(p, len) { days[r] = d }
                    else if f.type == .datetime, let t = ValueParser.datetime(p, len) { micros[r] = t }
                    else if f.type == .datetime, let d = ValueParser.date(p, len) { micros[r] = Int64(d) * 86_400_000_000 }
                    else { wrong(r, describe(s)) }
                default: wrong(r, describe(s))
                }
            }
            storage = f.type == .date ? .date(days) : .datetime(micros)
        }
        if bad { return nil }
        return Column(name: f.name, storage: storage, validity: anyMissing ? Bitmap(valid) : nil)
    }

    static func expectation(_ type: DataType) -> String {
        switch type {
        case .float64, .int64: return "a number (or null)"
        case .bool: return "true or false"
        case .string: return "text (or null)"
        case .date: return "a date as \"YYYY-MM-DD\""
        case .datetime: return "a time as \"YYYY-MM-DDTHH:MM:SS\""
        }
    }

    // MARK: CSV

    /// Reads a CSV body (a header row naming the columns) and checks it against the schema.
    public func frame(csv body: [UInt8]) throws(ScoringError) -> Frame {
        let frame: Frame
        do { frame = try CSVReader().read(bytes: body, name: "the request body").0 } catch {
            throw .body("The CSV body could not be read: \(error)")
        }
        guard frame.rowCount <= policy.maxRows else { throw tooMany(frame.rowCount) }
        return try self.frame(conforming: frame, firstRow: 0)
    }

    /// A frame read from CSV (a request body, or a chunk of a file whose first row is `firstRow`)
    /// as the model's frame; problems name rows counted from `firstRow`.
    public func frame(conforming input: Frame, firstRow: Int) throws(ScoringError) -> Frame {
        var problems = Problems()
        var columns: [Column] = []
        for (k, f) in features.enumerated() {
            guard let c = input.columns.first(where: { $0.name == f.name }) else {
                problems.add(Self.missing(f))
                continue
            }
            if let c = conform(c, f, known[k], firstRow: firstRow, &problems) { columns.append(c) }
        }
        try problems.check()
        return try Self.assemble(columns)
    }

    /// A CSV column (typed by inference) as the feature's type.
    func conform(_ c: Column, _ f: Feature, _ known: Set<String>?, firstRow: Int, _ problems: inout Problems) -> Column? {
        func firstBad(_ what: (Value) -> Bool) -> Int? { (0..<c.count).first { c.isValid($0) && what(c.value(at: $0)) } }
        func problem(_ r: Int, _ what: String) -> ScoringError.Problem {
            .init(column: f.name, row: r + firstRow, message: "Column '\(f.name)' row \(r + firstRow): \(what)")
        }
        switch (f.type, c.type) {
        case (let a, let b) where a == b || (a.isNumeric && b.isNumeric):
            if f.type == .string, policy.unseenCategories == .reject, let known,
               let r = firstBad({ !known.contains($0.description) }) {
                let list = known.sorted().prefix(10).joined(separator: ", ")
                problems.add(problem(r, "category \"\(c.value(at: r))\" was not seen in training; known: \(list)"))
                return nil
            }
            return c
        case (.string, _):
            // Numbers or booleans where the model saw text: their text.
            let values = (0..<c.count).map { c.isValid($0) ? c.value(at: $0).description : "" }
            var dictionary: [String] = []
            var index: [String: Int32] = [:]
            let codes = values.map { v -> Int32 in
                if let k = index[v] { return k }
                index[v] = Int32(dictionary.count)
                dictionary.append(v)
                return Int32(dictionary.count - 1)
            }
            return conform(Column(name: c.name, storage: .string(codes: codes, dictionary: dictionary), validity: c.validity), f, known, firstRow: firstRow, &problems)
        default:
            // The first value that is not what the feature needs (a text column read where a number
            // was expected: the first text that is not a number).
            let r = (f.type.isNumeric ? firstBad { ValueParser.parse($0.description, ValueParser.double) == nil } : nil) ?? firstBad { _ in true } ?? 0
            problems.add(problem(r, "\"\(c.value(at: r))\" is \(c.type.rawValue); the model expects \(Self.expectation(f.type))"))
            return nil
        }
    }
}

/// Problems collected while checking a request: at most `InputSchema.maxProblems`, the rest counted.
struct Problems {
    var list: [ScoringError.Problem] = []
    var dropped = 0

    mutating func add(_ p: ScoringError.Problem) {
        if list.count < InputSchema.maxProblems { list.append(p) } else { dropped += 1 }
    }

    func check() throws(ScoringError) {
        guard !list.isEmpty else { return }
        var all = list
        if dropped > 0 { all.append(.init(message: "… and \(dropped) more problems")) }
        throw ScoringError(kind: .schema, problems: all)
    }
}
