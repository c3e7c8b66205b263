#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Field boundaries of a chunk of complete CSV rows, found in one pass (stage 1 of parsing).
///
/// `starts[r * columns + c]` and `ends[...]` are byte offsets into the chunk; the top bits of an end
/// flag a quoted field (`quotedFlag`) and one with doubled quotes inside (`escapedFlag`), whose text
/// the converter unescapes. Rows with the wrong field count are not stored but listed in `badRows`.
struct TokenizedChunk {
    static let quotedFlag: UInt32 = 1 << 31
    static let escapedFlag: UInt32 = 1 << 30
    static let offsetMask: UInt32 = (1 << 30) - 1

    var columns: Int
    var rowCount = 0
    var starts: [UInt32] = []
    var ends: [UInt32] = []
    /// Byte offset where each stored row starts.
    var rowOffsets: [UInt32] = []
    /// Rows rejected at tokenization: where they start and why.
    var badRows: [(offset: Int, problem: RowProblem)] = []
}

/// Why a row could not be tokenized.
enum RowProblem: Equatable {
    case ragged(found: Int)
    case unterminatedQuote
    case strayQuote
    case tooLong(bytes: Int)
}

/// Splits chunks into fields per RFC 4180: fields separated by the delimiter, rows by LF or CRLF,
/// quoted fields may hold delimiters, newlines and doubled quotes. A quote inside an unquoted field
/// is an ordinary character. Blank lines are skipped.
struct CSVTokenizer {
    let delimiter: UInt8
    let columns: Int
    /// Rows longer than this are reported as problems.
    var maxRowBytes = Int.max
    static let quote = UInt8(ascii: "\"")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    /// Tokenizes `bytes`, which holds whole rows (the last may lack its newline).
    func tokenize(_ bytes: UnsafeBufferPointer<UInt8>) -> TokenizedChunk {
        precondition(bytes.count < Int(TokenizedChunk.offsetMask), "chunk too large to tokenize")
        var out = TokenizedChunk(columns: columns)
        let estimatedRows = bytes.count / max(8, columns * 4) + 16
        out.starts.reserveCapacity(estimatedRows * columns)
        out.ends.reserveCapacity(estimatedRows * columns)
        out.rowOffsets.reserveCapacity(estimatedRows)
        guard let p = bytes.baseAddress else { return out }
        let n = bytes.count
        var rowStarts = [UInt32](repeating: 0, count: columns)
        var rowEnds = [UInt32](repeating: 0, count: columns)
        var pos = 0
        let delimiterMask = UInt64(delimiter) &* Self.ones
        rowStarts.withUnsafeMutableBufferPointer { rs in
            rowEnds.withUnsafeMutableBufferPointer { re in
                while pos < n {
                    // Skip blank lines.
                    if p[pos] == Self.lf { pos += 1; continue }
                    if p[pos] == Self.cr, pos + 1 < n, p[pos + 1] == Self.lf { pos += 2; continue }
                    let rowStart = pos
                    var field = 0
                    var problem: RowProblem?
                    rowLoop: while true {
                        var start = pos
                        var end: Int
                        var flags: UInt32 = 0
                        if pos < n, p[pos] == Self.quote {
                            // Quoted field.
                            pos += 1
                            start = pos
                            flags = TokenizedChunk.quotedFlag
                            var closed = false
                            while pos < n {
                                if p[pos] == Self.quote {
                                    if pos + 1 < n, p[pos + 1] == Self.quote {
                                        flags |= TokenizedChunk.escapedFlag
                                        pos += 2
                                        continue
                                    }
                                    closed = true
                                    break
                                }
                                pos += 1
                            }
                            guard closed else { problem = .unterminatedQuote; pos = n; break rowLoop }
                            end = pos
                            pos += 1
                            if pos < n, p[pos] != delimiter, p[pos] != Self.lf,
                               !(p[pos] == Self.cr && (pos + 1 == n || p[pos + 1] == Self.lf)) {
                                problem = .strayQuote
                            }
                            // On a stray quote, resynchronise at the end of this field.
                            while pos < n, p[pos] != delimiter, p[pos] != Self.lf { pos += 1 }
                        } else {
                            pos = Self.scanToDelimiterOrNewline(p, pos, n, delimiterMask)
                            end = pos
                            if end > start, p[end - 1] == Self.cr, pos == n || p[pos] == Self.lf { end -= 1 }
                        }
                        if field < columns {
                            rs[field] = UInt32(start)
                            re[field] = UInt32(end) | flags
                        }
                        field += 1
                        if pos < n, p[pos] == delimiter {
                            pos += 1
                            if pos == n { // delimiter at end of input: one more empty field
                                if field < columns { rs[field] = UInt32(pos); re[field] = UInt32(pos) }
                                field += 1
                                break rowLoop
                            }
                            continue
                        }
                        pos += 1 // past the newline (or beyond the end)
                        break rowLoop
                    }
                    if problem == nil, field != columns { problem = .ragged(found: field) }
                    if pos - rowStart > maxRowBytes { problem = .tooLong(bytes: min(pos, n) - rowStart) }
                    if let problem {
                        out.badRows.append((rowStart, problem))
                        continue
                    }
                    out.starts.append(contentsOf: rs)
                    out.ends.append(contentsOf: re)
                    out.rowOffsets.append(UInt32(rowStart))
                    out.rowCount += 1
                }
            }
        }
        return out
    }

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080
    static let newlineMask: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    /// The first offset at or after `pos` holding the delimiter or a newline (or `n`), eight bytes at a
    /// time: a byte equal to the target becomes zero after XOR, and the classic has-zero-byte test
    /// finds it (exact for the lowest such byte, which is the one we need).
    @inline(__always)
    static func scanToDelimiterOrNewline(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, _ delimiterMask: UInt64) -> Int {
        var pos = start
        let raw = UnsafeRawPointer(p)
        while pos + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: pos, as: UInt64.self)
            let a = w ^ delimiterMask, b = w ^ newlineMask
            let za = (a &- ones) & ~a & highs
            let zb = (b &- ones) & ~b & highs
            let z = za | zb
            if z != 0 { return pos + (z.trailingZeroBitCount >> 3) }
            pos += 8
        }
        let d = UInt8(truncatingIfNeeded: delimiterMask)
        while pos < n, p[pos] != d, p[pos] != lf { pos += 1 }
        return pos
    }

    /// The offset just past the last complete row in `bytes` when it is read from a row boundary,
    /// or nil when no row ends inside it. Quote-aware: a newline inside a quoted field is no boundary.
    static func lastRowBoundary(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, hasQuotes: Bool) -> Int? {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return nil }
        if !hasQuotes {
            guard let hit = lastByte(p, lf, bytes.count) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(p) + 1
        }
        var inQuotes = false
        var justClosed = false
        var atFieldStart = true
        var last: Int?
        for i in 0..<bytes.count {
            let b = p[i]
            if inQuotes {
                if b == quote { inQuotes = false; justClosed = true }
                continue
            }
            if b == quote {
                if atFieldStart || justClosed { inQuotes = true } // opening quote, or second half of ""
                justClosed = false
                atFieldStart = false
                continue
            }
            justClosed = false
            if b == lf { last = i + 1; atFieldStart = true } else { atFieldStart = b == delimiter }
        }
        return last
    }
}

/// The last occurrence of `byte` in `p[0..<n]` (glibc's vectorised `memrchr` where available).
func lastByte(_ p: UnsafePointer<UInt8>, _ byte: UInt8, _ n: Int) -> UnsafeRawPointer? {
    #if os(Linux)
    return glibcMemrchr(p, Int32(byte), n).map { UnsafeRawPointer($0) }
    #else
    var i = n - 1
    while i >= 0 { if p[i] == byte { return UnsafeRawPointer(p + i) }; i -= 1 }
    return nil
    #endif
}

#if os(Linux)
@_silgen_name("memrchr")
private func glibcMemrchr(_ s: UnsafeRawPointer, _ c: Int32, _ n: Int) -> UnsafeMutableRawPointer?
#endif
