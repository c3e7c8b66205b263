#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The converted columns of one chunk of rows, and where the chunk lies in the file.
final class ChunkResult: @unchecked Sendable {
    let offset: Int
    let length: Int
    var rowCount: Int
    var columns: [ChunkColumn]
    /// Tokenized rows dropped because they failed a type or UTF-8 check (with `skipBadRows`).
    var droppedRows: [Int]

    init(offset: Int, length: Int, rowCount: Int, columns: [ChunkColumn], droppedRows: [Int]) {
        self.offset = offset
        self.length = length
        self.rowCount = rowCount
        self.columns = columns
        self.droppedRows = droppedRows
    }
}

/// A problem found in a chunk, located by absolute byte offset of its row.
struct ChunkProblem: Sendable {
    var offset: Int
    var error: FrameError
    var reason: String
}

/// Drives a parse: reads rounds of bytes, cuts them into chunks at row boundaries, parses chunks
/// in parallel, then merges the per-chunk columns into the frame's columns.
struct ChunkedParse {
    let source: any ByteSource
    let layout: CSVLayout
    let options: CSVOptions
    private(set) var extents: [ChunkExtent] = []
    private(set) var accumulators: [ColumnAccumulator]
    private(set) var skipped: [(offset: Int, reason: String)] = []

    init(source: any ByteSource, layout: CSVLayout, options: CSVOptions) {
        self.source = source
        self.layout = layout
        self.options = options
        accumulators = layout.names.indices.map {
            ColumnAccumulator(name: layout.names[$0], column: $0, forced: layout.forced[$0])
        }
    }

    /// The frame of every row absorbed.
    func frame() throws(FrameError) -> Frame {
        try Frame(columns: accumulators.map { $0.finish() })
    }

    mutating func run(progress: ProgressHandler?) throws(FrameError) {
        let roundBytes = options.chunkBytes * options.threads * 4
        var buffer: [UInt8] = []
        var bufferOffset = layout.dataStart // file offset of buffer[0]
        var readOffset = layout.dataStart
        while true {
            // Top the buffer up to a round's worth.
            // A round's worth (doubling while a row is longer than the buffer), never past the end of the input.
            let want = min(max(roundBytes, buffer.count), source.size - readOffset)
            var got = 0
            var failure: FrameError?
            let previous = buffer
            buffer = [UInt8](unsafeUninitializedCapacity: previous.count + want) { b, count in
                previous.withUnsafeBufferPointer { old in
                    if let base = old.baseAddress { b.baseAddress!.update(from: base, count: old.count) }
                }
                do { got = try source.read(at: readOffset, count: want, into: b.baseAddress! + previous.count) } catch {
                    failure = error as? FrameError ?? .io(source.name, reason: "\(error)")
                }
                count = previous.count + got
            }
            if let failure { throw failure }
            readOffset += got
            let atEOF = readOffset >= source.size
            if buffer.isEmpty { break }
            let pieces = cut(buffer, atEOF: atEOF)
            let consumed = pieces.last?.upperBound ?? 0
            if consumed == 0 {
                guard buffer.count <= options.maxLineBytes else {
                    let line = try source.lineNumbers(of: [bufferOffset])[bufferOffset] ?? 0
                    throw .fieldTooLarge(SourceLocation(file: source.name, line: line), bytes: buffer.count,
                                         limit: options.maxLineBytes)
                }
                continue // a row longer than the buffer: read more
            }
            try parse(buffer, pieces: pieces, baseOffset: bufferOffset)
            buffer.removeFirst(consumed)
            bufferOffset += consumed
            progress?(bufferOffset, source.size)
            if atEOF && buffer.isEmpty { break }
        }
        if extents.reduce(0, { $0 + $1.rowCount }) == 0 && skipped.isEmpty {
            if layout.hasHeader { throw .noDataRows(source.name) }
            throw .emptyFile(source.name)
        }
    }

    /// Ranges of whole rows of about `chunkBytes` each.
    private func cut(_ buffer: [UInt8], atEOF: Bool) -> [Range<Int>] {
        buffer.withUnsafeBufferPointer { all in
            let hasQuotes = all.count > 0 && memchr(all.baseAddress!, Int32(CSVTokenizer.quote), all.count) != nil
            var pieces: [Range<Int>] = []
            var pos = 0
            while pos < all.count {
                let end = min(pos + options.chunkBytes, all.count)
                if end == all.count && atEOF { pieces.append(pos..<end); break }
                let window = UnsafeBufferPointer(rebasing: all[pos..<end])
                if let b = CSVTokenizer.lastRowBoundary(window, delimiter: layout.delimiter, hasQuotes: hasQuotes) {
                    pieces.append(pos..<(pos + b))
                    pos += b
                    continue
                }
                // No row ends within a chunk's length: take the rest of the buffer if a row ends in it.
                let rest = UnsafeBufferPointer(rebasing: all[pos...])
                if atEOF { pieces.append(pos..<all.count); break }
                if let b = CSVTokenizer.lastRowBoundary(rest, delimiter: layout.delimiter, hasQuotes: hasQuotes) {
                    pieces.append(pos..<(pos + b))
                    pos += b
                    continue
                }
                break
            }
            return pieces
        }
    }

    private mutating func parse(_ buffer: [UInt8], pieces: [Range<Int>], baseOffset: Int) throws(FrameError) {
        let slots = ResultSlots<(ChunkResult, [ChunkProblem])>(count: pieces.count)
        let layout = self.layout
        let options = self.options
        let names = layout.names
        // Kinds known from earlier rounds let numeric chunks take the one-pass fast path.
        let known: [InferredKind]? = extents.isEmpty ? nil : accumulators.map { acc in
            acc.forced == .unixSeconds ? .null : acc.kind
        }
        buffer.withUnsafeBufferPointer { all in
            let base = SharedPointer(UnsafeMutablePointer(mutating: all.baseAddress!))
            parallelFor(pieces.count, threads: options.threads) { i in
                let r = pieces[i]
                let bytes = UnsafeBufferPointer(start: base.base + r.lowerBound, count: r.count)
                slots[i] = Self.parseChunk(bytes, offset: baseOffset + r.lowerBound, layout: layout,
                                           options: options, names: names, sourceName: "", known: known)
            }
        }
        var parsed: [ChunkResult] = []
        for i in 0..<pieces.count {
            let (chunk, problems) = slots[i]!
            if let first = problems.min(by: { $0.offset < $1.offset }) {
                if !options.skipBadRows { throw try locate(first.error, offset: first.offset) }
                skipped.append(contentsOf: problems.map { ($0.offset, $0.reason) })
            }
            parsed.append(chunk)
        }
        try absorb(parsed)
        if let first = extents.first, first.length > 0, accumulators.first?.expectedRows == 0 {
            // Estimate the file's rows from the first round, so column storage is reserved once.
            let done = extents.reduce(0) { $0 + $1.length }
            let rows = extents.reduce(0) { $0 + $1.rowCount }
            let estimate = Int(Double(rows) * Double(source.size - layout.dataStart) / Double(max(done, 1)) * 1.05) + 16
            for a in accumulators { a.expectedRows = estimate }
        }
    }

    /// Appends parsed chunks' columns to the accumulators (columns in parallel) and drops their values.
    private mutating func absorb(_ chunks: [ChunkResult]) throws(FrameError) {
        // Each task appends to its own column's accumulator only.
        let shared = UncheckedSendable((parse: self, chunks: chunks))
        let previous = extents
        let errors = ResultSlots<FrameError>(count: accumulators.count)
        parallelFor(accumulators.count, threads: options.threads) { c in
            let me = shared.value.parse
            var seen = previous
            for chunk in shared.value.chunks {
                let extent = ChunkExtent(offset: chunk.offset, length: chunk.length, rowCount: chunk.rowCount,
                                         droppedRows: chunk.droppedRows)
                do {
                    try me.accumulators[c].absorb(chunk.columns[c], extent: extent, previous: seen) { e throws(FrameError) in
                        try me.reparseAsText(e, column: c)
                    }
                } catch {
                    errors[c] = error as? FrameError ?? .invalidArgument("\(error)")
                    return
                }
                seen.append(extent)
            }
        }
        if let e = errors.values.compactMap({ $0 }).first { throw e }
        extents += chunks.map {
            ChunkExtent(offset: $0.offset, length: $0.length, rowCount: $0.rowCount, droppedRows: $0.droppedRows)
        }
    }

    private func reparseAsText(_ e: ChunkExtent, column c: Int) throws(FrameError) -> ChunkColumn {
        let bytes = try source.bytes(at: e.offset, count: e.length)
        return bytes.withUnsafeBufferPointer { b -> ChunkColumn in
            let tokens = CSVTokenizer(delimiter: layout.delimiter, columns: layout.names.count).tokenize(b)
            let converter = ChunkConverter(bytes: b, chunk: tokens, missing: MissingMatcher(options.missingTokens))
            let column = converter.convert(column: c, forced: .string).0
            return e.droppedRows.isEmpty ? column : column.removing(rows: e.droppedRows)
        }
    }

    /// Replaces the placeholder location of `error` by the file name and the line of `offset`.
    private func locate(_ error: FrameError, offset: Int) throws(FrameError) -> FrameError {
        let line = try source.lineNumbers(of: [offset])[offset] ?? 0
        return error.relocated { SourceLocation(file: source.name, line: line, column: $0.column) }
    }

    /// Tokenizes and converts one chunk. Problems carry absolute row offsets; their locations are
    /// placeholders filled in by `locate`.
    static func parseChunk(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int, layout: CSVLayout, options: CSVOptions,
                           names: [String], sourceName: String, known: [InferredKind]? = nil) -> (ChunkResult, [ChunkProblem]) {
        if let known, NumericChunkParser.applies(to: known) {
            let fast = NumericChunkParser(delimiter: layout.delimiter, kinds: known,
                                          missing: MissingMatcher(options.missingTokens), maxRowBytes: options.maxLineBytes)
            if let (columns, rows) = fast.parse(bytes) {
                return (ChunkResult(offset: offset, length: bytes.count, rowCount: rows, columns: columns, droppedRows: []), [])
            }
        }
        var tokenizer = CSVTokenizer(delimiter: layout.delimiter, columns: names.count)
        tokenizer.maxRowBytes = options.maxLineBytes
        let tokens = tokenizer.tokenize(bytes)
        var problems: [ChunkProblem] = []
        let nowhere = SourceLocation(file: sourceName, line: 0)
        for bad in tokens.badRows {
            let error: FrameError
            let reason: String
            switch bad.problem {
            case .ragged(let found):
                error = .raggedRow(nowhere, expected: names.count, found: found)
                reason = "expected \(names.count) fields, found \(found)"
            case .unterminatedQuote:
                error = .unterminatedQuote(nowhere)
                reason = "unterminated quoted field"
            case .strayQuote:
                error = .badValue(nowhere, value: "\"…\"…", expected: .string,
                                  hint: "A closing quote must be followed by the delimiter or the end of the line; quote the whole value.")
                reason = "text after a closing quote"
            case .tooLong(let bytes):
                error = .fieldTooLarge(nowhere, bytes: bytes, limit: options.maxLineBytes)
                reason = "line of \(bytes) bytes is longer than the \(options.maxLineBytes)-byte limit"
            }
            problems.append(ChunkProblem(offset: offset + bad.offset, error: error, reason: reason))
        }
        let converter = ChunkConverter(bytes: bytes, chunk: tokens, missing: MissingMatcher(options.missingTokens))
        var columns: [ChunkColumn] = []
        var dropped = Set<Int>()
        for c in 0..<names.count {
            let (column, failures) = converter.convert(column: c, forced: layout.forced[c])
            columns.append(column)
            for f in failures {
                let loc = SourceLocation(file: sourceName, line: 0, column: names[c])
                let error: FrameError = f.invalidUTF8
                    ? .invalidUTF8(loc)
                    : .badValue(loc, value: f.text, expected: layout.forced[c]?.dataType ?? .string,
                                hint: "Fix the value, pass a different --type for '\(names[c])', or pass --skip-bad-rows.")
                let reason = f.invalidUTF8 ? "invalid UTF-8 in column '\(names[c])'"
                    : "'\(f.text)' is not a valid \(layout.forced[c]?.rawValue ?? "value") in column '\(names[c])'"
                if dropped.insert(f.row).inserted {
                    problems.append(ChunkProblem(offset: offset + Int(tokens.rowOffsets[f.row]), error: error, reason: reason))
                }
            }
        }
        let droppedRows = dropped.sorted()
        if !droppedRows.isEmpty, options.skipBadRows {
            columns = columns.map { $0.removing(rows: droppedRows) }
        }
        let result = ChunkResult(offset: offset, length: bytes.count, rowCount: tokens.rowCount - droppedRows.count,
                                 columns: columns, droppedRows: droppedRows)
        return (result, problems)
    }
}

extension ChunkColumn {
    /// The column without the given (sorted) rows.
    func removing(rows: [Int]) -> ChunkColumn {
        let drop = Set(rows)
        func keep<T>(_ v: [T]) -> [T] { v.enumerated().filter { !drop.contains($0.offset) }.map(\.element) }
        var shift = [Int32](repeating: 0, count: (missing.last.map { Int($0) } ?? 0) + 1)
        var removed: Int32 = 0
        var k = 0
        for i in 0..<shift.count {
            while k < rows.count, rows[k] < i { removed += 1; k += 1 }
            shift[i] = removed
        }
        let newMissing = missing.filter { !drop.contains(Int($0)) }.map { $0 - shift[Int($0)] }
        let newValues: ChunkValues
        switch values {
        case .null: newValues = .null
        case .bool(let v): newValues = .bool(keep(v))
        case .int64(let v): newValues = .int64(keep(v))
        case .float64(let v): newValues = .float64(keep(v))
        case .date(let v): newValues = .date(keep(v))
        case .datetime(let v): newValues = .datetime(keep(v))
        case .string(let c, let d): newValues = .string(codes: keep(c), dictionary: d)
        }
        return ChunkColumn(values: newValues, missing: newMissing)
    }
}
