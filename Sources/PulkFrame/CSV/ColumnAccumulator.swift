/// Where a parsed chunk lies in the input, kept after its values are absorbed so a column that
/// later widens to text can re-read it.
struct ChunkExtent {
    var offset: Int
    var length: Int
    var rowCount: Int
    var droppedRows: [Int]
}

/// Collects one column across chunks, in file order, widening its type when a chunk needs it
/// (int64 → float64, date → datetime, anything mixed → string). Chunk values are appended as they
/// arrive, so the parse never holds two copies of the data.
final class ColumnAccumulator {
    let name: String
    let column: Int
    let forced: TypeOverride?
    private(set) var kind: InferredKind
    private(set) var count = 0
    private var missing: [Int] = []
    private var doubles: [Double] = []
    private var ints: [Int64] = []
    private var bools: [Bool] = []
    private var days: [Int32] = []
    private var codes: [Int32] = []
    private var dictionary: [String] = []
    private var index: [String: Int32] = [:]
    /// Capacity to reserve when storage is first used (an estimate of the file's row count).
    var expectedRows = 0

    init(name: String, column: Int, forced: TypeOverride?) {
        self.name = name
        self.column = column
        self.forced = forced
        kind = forced.map { $0 == .unixSeconds ? .datetime : InferredKind($0) } ?? .null
    }

    /// Appends a chunk's values. `reparse` re-reads an earlier or this chunk's column as text.
    func absorb(_ chunk: ChunkColumn, extent: ChunkExtent, previous: [ChunkExtent],
                reparse: (ChunkExtent) throws(FrameError) -> ChunkColumn) throws(FrameError) {
        let target = forced != nil ? kind : kind.join(chunk.values.kind)
        if target != kind {
            try widen(to: target, previous: previous, reparse: reparse)
        }
        var values = chunk.values
        if kind == .string, values.kind != .string, values.kind != .null {
            values = try reparse(extent).values
        }
        for m in chunk.missing { missing.append(count + Int(m)) }
        append(values, rows: extent.rowCount)
        count += extent.rowCount
    }

    private func reserve<T>(_ a: inout [T]) {
        if a.isEmpty, expectedRows > 0 { a.reserveCapacity(expectedRows) }
    }

    private func append(_ values: ChunkValues, rows: Int) {
        switch (kind, values) {
        case (_, .null):
            appendPlaceholders(rows)
        case (.float64, .float64(let v)): reserve(&doubles); doubles.append(contentsOf: v)
        case (.float64, .int64(let v)): reserve(&doubles); doubles.append(contentsOf: v.lazy.map { Double($0) })
        case (.int64, .int64(let v)), (.datetime, .datetime(let v)): reserve(&ints); ints.append(contentsOf: v)
        case (.datetime, .date(let v)): reserve(&ints); ints.append(contentsOf: v.lazy.map { Int64($0) * 86_400_000_000 })
        case (.bool, .bool(let v)): reserve(&bools); bools.append(contentsOf: v)
        case (.date, .date(let v)): reserve(&days); days.append(contentsOf: v)
        case (.string, .string(let local, let dict)):
            reserve(&codes)
            let remap = dict.map { s -> Int32 in
                if let k = index[s] { return k }
                let k = Int32(dictionary.count)
                index[s] = k
                dictionary.append(s)
                return k
            }
            codes.append(contentsOf: local.lazy.map { remap.isEmpty ? 0 : remap[Int($0)] })
        default:
            preconditionFailure("chunk of kind \(values.kind) appended to a \(kind) column")
        }
    }

    private func appendPlaceholders(_ rows: Int) {
        switch kind {
        case .null: break
        case .float64: doubles.append(contentsOf: repeatElement(.nan, count: rows))
        case .int64, .datetime: ints.append(contentsOf: repeatElement(0, count: rows))
        case .bool: bools.append(contentsOf: repeatElement(false, count: rows))
        case .date: days.append(contentsOf: repeatElement(0, count: rows))
        case .string: codes.append(contentsOf: repeatElement(0, count: rows))
        }
    }

    /// Converts what was collected so far to `target`.
    private func widen(to target: InferredKind, previous: [ChunkExtent],
                       reparse: (ChunkExtent) throws(FrameError) -> ChunkColumn) throws(FrameError) {
        let old = kind
        kind = target
        switch (old, target) {
        case (.null, _): appendPlaceholders(count)
        case (.int64, .float64): doubles = ints.map { Double($0) }; ints = []
        case (.date, .datetime): ints = days.map { Int64($0) * 86_400_000_000 }; days = []
        case (_, .string):
            doubles = []; ints = []; bools = []; days = []
            codes = []
            codes.reserveCapacity(max(count, expectedRows))
            for e in previous {
                let text = try reparse(e)
                append(text.values, rows: e.rowCount)
            }
        default: preconditionFailure("cannot widen \(old) to \(target)")
        }
    }

    /// The finished column.
    func finish() -> Column {
        var validity = Bitmap(count: count, value: true)
        for m in missing { validity[m] = false }
        switch kind {
        case .null:
            return Column(name: name, storage: .float64(.init(repeating: .nan, count: count)),
                          validity: Bitmap(count: count, value: false))
        case .float64:
            for m in missing { doubles[m] = .nan }
            return Column(name: name, storage: .float64(doubles), validity: validity)
        case .int64: return Column(name: name, storage: .int64(ints), validity: validity)
        case .datetime: return Column(name: name, storage: .datetime(ints), validity: validity)
        case .bool: return Column(name: name, storage: .bool(bools), validity: validity)
        case .date: return Column(name: name, storage: .date(days), validity: validity)
        case .string:
            for m in missing { codes[m] = 0 }
            return Column(name: name, storage: .string(codes: codes, dictionary: dictionary), validity: validity)
        }
    }
}
