import CZlib
import CZstd

/// The page compressions of Parquet that Pulk reads and writes: Snappy (by hand: the format is a
/// page long), Gzip (zlib) and Zstd (libzstd).
enum PageCodec {
    /// Decompresses `input` into `output`, which holds exactly the page's uncompressed size.
    static func decompress(_ codec: Int32, _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        switch ParquetCodec(rawValue: codec) {
        case .uncompressed?:
            guard input.count == output.count else { throw ParquetFault("an uncompressed page's sizes disagree") }
            if !input.isEmpty { output.baseAddress!.copyMemory(from: input.baseAddress!, byteCount: input.count) }
        case .snappy?: try Snappy.decompress(input, into: output)
        case .gzip?: try inflate(input, into: output)
        case .zstd?:
            let n = ZSTD_decompress(output.baseAddress, output.count, input.baseAddress, input.count)
            if ZSTD_isError(n) != 0 { throw ParquetFault("Zstd: \(String(cString: ZSTD_getErrorName(n)))") }
            guard n == output.count else { throw ParquetFault("a Zstd page decompressed to \(n) bytes, not the \(output.count) its header says") }
        case .lzo?, .brotli?, .lz4?, .lz4Raw?:
            throw ParquetFault("pages are compressed with \(name(codec)), which Pulk does not read; rewrite the file with Snappy, Gzip, Zstd or no compression (pyarrow: `pq.write_table(table, path, compression='snappy')`)")
        case nil: throw ParquetFault("unknown compression codec \(codec)")
        }
    }

    static func name(_ codec: Int32) -> String {
        switch ParquetCodec(rawValue: codec) {
        case .uncompressed?: return "none"
        case .snappy?: return "Snappy"
        case .gzip?: return "Gzip"
        case .lzo?: return "LZO"
        case .brotli?: return "Brotli"
        case .lz4?: return "LZ4 (Hadoop framing)"
        case .zstd?: return "Zstd"
        case .lz4Raw?: return "LZ4"
        case nil: return "codec \(codec)"
        }
    }

    static func compress(_ codec: ParquetCodec, _ input: UnsafeRawBufferPointer) -> [UInt8] {
        switch codec {
        case .snappy: return Snappy.compress(input)
        case .gzip: return deflate(input)
        case .zstd:
            let bound = ZSTD_compressBound(input.count)
            return [UInt8](unsafeUninitializedCapacity: bound) { out, n in
                let r = ZSTD_compress(out.baseAddress, bound, input.baseAddress, input.count, 3)
                precondition(ZSTD_isError(r) == 0, "ZSTD_compress failed")
                n = r
            }
        default: return Array(input)
        }
    }

    private static func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        var s = z_stream()
        // 15 + 32: a zlib or gzip header, detected.
        guard inflateInit2_(&s, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetFault("zlib could not start")
        }
        defer { inflateEnd(&s) }
        s.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        s.avail_in = UInt32(input.count)
        s.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        s.avail_out = UInt32(output.count)
        let status = CZlib.inflate(&s, Z_FINISH)
        guard status == Z_STREAM_END, s.avail_out == 0 else {
            throw ParquetFault("a Gzip page did not decompress to its header's size (zlib status \(status))")
        }
    }

    private static func deflate(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var s = z_stream()
        // 15 + 16: gzip framing, as Parquet's GZIP codec is read by every implementation.
        precondition(deflateInit2_(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&s) }
        let bound = Int(deflateBound(&s, UInt(input.count))) + 32
        return [UInt8](unsafeUninitializedCapacity: bound) { out, n in
            s.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            s.avail_in = UInt32(input.count)
            s.next_out = out.baseAddress
            s.avail_out = UInt32(bound)
            let status = CZlib.deflate(&s, Z_FINISH)
            precondition(status == Z_STREAM_END, "deflate did not finish")
            n = bound - Int(s.avail_out)
        }
    }
}

/// The Snappy block format (github.com/google/snappy, format_description.txt): a varint length,
/// then literals and back-references.
enum Snappy {
    static func uncompressedLength(_ input: UnsafeRawBufferPointer) throws -> Int {
        var r = ThriftReader(input)
        return Int(clamping: try r.varint())
    }

    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        guard let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw ParquetFault("an empty Snappy page") }
        let end = input.count
        var ip = 0
        var length = 0, shift = 0
        while true {
            guard ip < end, shift <= 28 else { throw ParquetFault("a Snappy page's length is damaged") }
            let b = src[ip]; ip += 1
            length |= Int(b & 0x7f) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard length == output.count else { throw ParquetFault("a Snappy page holds \(length) bytes, not the \(output.count) its header says") }
        guard length > 0 else { return }
        let dst = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var op = 0
        while ip < end {
            let tag = src[ip]; ip += 1
            switch tag & 3 {
            case 0:
                var len = Int(tag >> 2)
                if len >= 60 {
                    let extra = len - 59
                    guard ip + extra <= end else { throw ParquetFault("a Snappy literal runs past the page") }
                    len = 0
                    for k in 0..<extra { len |= Int(src[ip + k]) << (8 * k) }
                    ip += extra
                }
                len += 1
                guard ip + len <= end, op + len <= length else { throw ParquetFault("a Snappy literal runs past the page") }
                (dst + op).update(from: src + ip, count: len)
                ip += len; op += len
            default:
                let len: Int, offset: Int
                switch tag & 3 {
                case 1:
                    guard ip < end else { throw ParquetFault("a Snappy copy runs past the page") }
                    len = Int((tag >> 2) & 7) + 4
                    offset = Int(tag >> 5) << 8 | Int(src[ip]); ip += 1
                case 2:
                    guard ip + 2 <= end else { throw ParquetFault("a Snappy copy runs past the page") }
                    len = Int(tag >> 2) + 1
                    offset = Int(src[ip]) | Int(src[ip + 1]) << 8; ip += 2
                default:
                    guard ip + 4 <= end else { throw ParquetFault("a Snappy copy runs past the page") }
                    len = Int(tag >> 2) + 1
                    offset = Int(src[ip]) | Int(src[ip + 1]) << 8 | Int(src[ip + 2]) << 16 | Int(src[ip + 3]) << 24; ip += 4
                }
                guard offset > 0, offset <= op, op + len <= length else { throw ParquetFault("a Snappy copy points outside the page") }
                if offset >= len {
                    (dst + op).update(from: dst + op - offset, count: len)
                } else {
                    for k in 0..<len { dst[op + k] = dst[op - offset + k] }
                }
                op += len
            }
        }
        guard op == length else { throw ParquetFault("a Snappy page ended after \(op) of its \(length) bytes") }
    }

    /// Compresses in 64 KiB blocks with a 4-byte hash table, skipping ahead faster through bytes
    /// that do not match (as Snappy's own compressor does), so incompressible pages cost little.
    static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] { compress(segments: [input]) }

    /// The concatenation of `segments` compressed as one Snappy block stream (each segment in its own
    /// 64 KiB blocks), without first copying them together.
    static func compress(segments: [UnsafeRawBufferPointer]) -> [UInt8] {
        let n = segments.reduce(0) { $0 + $1.count }
        let bound = 32 + n + n / 6 + 8 * segments.count
        return [UInt8](unsafeUninitializedCapacity: bound) { out, written in
            let dst = out.baseAddress!
            var op = 0
            var v = UInt64(n)
            while v >= 0x80 { dst[op] = UInt8(v & 0x7f) | 0x80; op += 1; v >>= 7 }
            dst[op] = UInt8(v); op += 1
            let table = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << 14)
            defer { table.deallocate() }
            for input in segments {
                guard input.count > 0, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { continue }
                var blockStart = 0
                while blockStart < input.count {
                    let blockEnd = min(input.count, blockStart + 65536)
                    op = compressBlock(src, blockStart, blockEnd, dst, op, table)
                    blockStart = blockEnd
                }
            }
            written = op
        }
    }

    @inline(__always) private static func load32(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
        UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
    }

    @inline(__always) private static func hash(_ v: UInt32) -> Int { Int((v &* 0x1e35a7bd) >> 18) }

    private static func emitLiteral(_ src: UnsafePointer<UInt8>, _ from: Int, _ count: Int, _ dst: UnsafeMutablePointer<UInt8>, _ op: Int) -> Int {
        var op = op
        let n = count - 1
        if n < 60 {
            dst[op] = UInt8(n << 2); op += 1
        } else {
            var bytes = 0, m = n
            while m > 0 { bytes += 1; m >>= 8 }
            dst[op] = UInt8((59 + bytes) << 2); op += 1
            for k in 0..<bytes { dst[op + k] = UInt8((n >> (8 * k)) & 0xff) }
            op += bytes
        }
        (dst + op).update(from: src + from, count: count)
        return op + count
    }

    private static func emitCopy(_ offset: Int, _ length: Int, _ dst: UnsafeMutablePointer<UInt8>, _ op: Int) -> Int {
        var op = op, len = length
        while len >= 68 {
            dst[op] = UInt8((63 << 2) | 2); dst[op + 1] = UInt8(offset & 0xff); dst[op + 2] = UInt8(offset >> 8)
            op += 3; len -= 64
        }
        if len > 64 {
            dst[op] = UInt8((59 << 2) | 2); dst[op + 1] = UInt8(offset & 0xff); dst[op + 2] = UInt8(offset >> 8)
            op += 3; len -= 60
        }
        if len < 12 && offset < 2048 {
            dst[op] = UInt8(1 | ((len - 4) << 2) | ((offset >> 8) << 5)); dst[op + 1] = UInt8(offset & 0xff)
            op += 2
        } else {
            dst[op] = UInt8(2 | ((len - 1) << 2)); dst[op + 1] = UInt8(offset & 0xff); dst[op + 2] = UInt8(offset >> 8)
            op += 3
        }
        return op
    }

    private static func compressBlock(_ src: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ dst: UnsafeMutablePointer<UInt8>, _ op0: Int,
                                      _ table: UnsafeMutablePointer<UInt16>) -> Int {
        var op = op0
        var literalStart = start
        let length = end &- start
        if length < 15 {
            return emitLiteral(src, start, length, dst, op)
        }
        table.initialize(repeating: 0, count: 1 << 14)
        let limit = end &- 15
        var ip = start &+ 1
        var nextHash = hash(load32(src, ip))
        outer: while true {
            var skip = 32
            var candidate = 0
            // Find a 4-byte match, stepping further the longer none is found.
            while true {
                let h = nextHash
                let step = skip &>> 5
                skip &+= 1
                let next = ip &+ step
                if next > limit { break outer }
                candidate = start &+ Int(table[h])
                table[h] = UInt16(truncatingIfNeeded: ip &- start)
                nextHash = hash(load32(src, next))
                if load32(src, ip) == load32(src, candidate) && candidate < ip { break }
                ip = next
            }
            op = emitLiteral(src, literalStart, ip &- literalStart, dst, op)
            // Extend and emit copies while they keep matching.
            while true {
                let matched = 4 &+ matchLength(src, candidate &+ 4, ip &+ 4, end)
                op = emitCopy(ip &- candidate, matched, dst, op)
                ip &+= matched
                literalStart = ip
                if ip >= limit { break outer }
                table[hash(load32(src, ip &- 1))] = UInt16(truncatingIfNeeded: ip &- 1 &- start)
                let h = hash(load32(src, ip))
                candidate = start &+ Int(table[h])
                table[h] = UInt16(truncatingIfNeeded: ip &- start)
                if load32(src, ip) != load32(src, candidate) || candidate >= ip { break }
            }
            ip &+= 1
            nextHash = hash(load32(src, ip))
        }
        if literalStart < end { op = emitLiteral(src, literalStart, end &- literalStart, dst, op) }
        return op
    }

    /// How many bytes from `b` equal those from `a` (a < b), up to `end`: eight at a time.
    @inline(__always) private static func matchLength(_ p: UnsafePointer<UInt8>, _ a: Int, _ b: Int, _ end: Int) -> Int {
        var n = 0
        while b &+ n &+ 8 <= end {
            let left: UInt64 = UnsafeRawPointer(p + (a &+ n)).loadUnaligned(as: UInt64.self)
            let right: UInt64 = UnsafeRawPointer(p + (b &+ n)).loadUnaligned(as: UInt64.self)
            let x = left ^ right
            if x != 0 { return n &+ (x.littleEndian.trailingZeroBitCount &>> 3) }
            n &+= 8
        }
        while b &+ n < end && p[a &+ n] == p[b &+ n] { n &+= 1 }
        return n
    }
}
