/// The fast path for chunks whose columns are all numbers of an already known kind (the common
/// shape of large CSVs): fields are scanned and parsed in one pass while their bytes are in cache,
/// with no field-offset arrays. Anything unexpected (a quote, a value of another kind, a ragged or
/// over-long row) makes it give up, and the chunk is parsed by the general two-stage path instead,
/// so results are identical either way.
struct NumericChunkParser {
    let delimiter: UInt8
    /// `.float64` or `.int64` per column.
    let kinds: [InferredKind]
    let missing: MissingMatcher
    let maxRowBytes: Int

    /// Whether every column has a kind this parser handles.
    static func applies(to kinds: [InferredKind]) -> Bool {
        !kinds.isEmpty && kinds.allSatisfy { $0 == .float64 || $0 == .int64 }
    }

    /// The chunk's columns and row offsets, or nil to fall back to the general path.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (columns: [ChunkColumn], rows: Int)? {
        guard let p = bytes.baseAddress else { return ([], 0) }
        let n = bytes.count
        let columns = kinds.count
        let capacity = n / (2 * columns) + 2 // each field takes at least one byte and a separator
        let values = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * columns)
        defer { values.deallocate() }
        var missingRows = [[Int32]](repeating: [], count: columns)
        let delimiterMask = UInt64(delimiter) &* CSVTokenizer.ones
        let lf = CSVTokenizer.lf, cr = CSVTokenizer.cr, quote = CSVTokenizer.quote
        var row = 0
        var pos = 0
        let isFloat = kinds.map { $0 == .float64 }
        return isFloat.withUnsafeBufferPointer { isFloat -> (columns: [ChunkColumn], rows: Int)? in
            while pos < n {
                if p[pos] == lf { pos += 1; continue }
                if p[pos] == cr, pos + 1 < n, p[pos + 1] == lf { pos += 2; continue }
                guard row < capacity else { return nil }
                let rowStart = pos
                for c in 0..<columns {
                    let start = pos
                    if start < n, p[start] == quote { return nil }
                    pos = CSVTokenizer.scanToDelimiterOrNewline(p, start, n, delimiterMask)
                    var end = pos
                    let last = c == columns - 1
                    if last {
                        guard pos == n || p[pos] == lf else { return nil } // too many fields
                        if end > start, p[end - 1] == cr { end -= 1 }
                    } else {
                        guard pos < n, p[pos] == delimiter else { return nil } // too few fields
                    }
                    let len = end - start
                    let slot = values + (c * capacity + row)
                    if missing.matches(p + start, len) {
                        missingRows[c].append(Int32(row))
                        slot.pointee = isFloat[c] ? Double.nan.bitPattern : 0
                    } else if isFloat[c] {
                        guard let v = ValueParser.double(p + start, len) ?? trimmedDouble(p + start, len) else { return nil }
                        slot.pointee = v.bitPattern
                    } else {
                        guard let v = ValueParser.int64(p + start, len) ?? trimmedInt(p + start, len) else { return nil }
                        slot.pointee = UInt64(bitPattern: v)
                    }
                    pos += 1 // past the delimiter or newline
                }
                if min(pos, n) - rowStart > maxRowBytes { return nil }
                row += 1
            }
            var out: [ChunkColumn] = []
            out.reserveCapacity(columns)
            for c in 0..<columns {
                let base = values + c * capacity
                let column: ChunkValues
                if isFloat[c] {
                    column = .float64([Double](unsafeUninitializedCapacity: row) { b, k in
                        UnsafeMutableRawPointer(b.baseAddress!).copyMemory(from: base, byteCount: row * 8)
                        k = row
                    })
                } else {
                    column = .int64([Int64](unsafeUninitializedCapacity: row) { b, k in
                        UnsafeMutableRawPointer(b.baseAddress!).copyMemory(from: base, byteCount: row * 8)
                        k = row
                    })
                }
                out.append(ChunkColumn(values: column, missing: missingRows[c]))
            }
            return (out, row)
        }
    }

    private func trimmedDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        let (q, m) = trim(p, n)
        return m < n ? ValueParser.double(q, m) : nil
    }

    private func trimmedInt(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        let (q, m) = trim(p, n)
        return m < n ? ValueParser.int64(q, m) : nil
    }

    private func trim(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        var s = 0, e = n
        while s < e, p[s] == 32 { s += 1 }
        while e > s, p[e - 1] == 32 { e -= 1 }
        return (p + s, e - s)
    }
}
