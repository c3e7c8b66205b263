import Foundation

/// Writes a frame as a Parquet file that pyarrow, pandas, Spark and DuckDB read with the same values
/// and types: float64 → DOUBLE, int64 → INT64, bool → BOOLEAN, string → dictionary-encoded UTF-8
/// BYTE_ARRAY (pandas reads it as text), date → INT32 DATE, datetime → INT64 TIMESTAMP(MICROS) without
/// a zone (Pulk's datetimes carry none). Every column is OPTIONAL; data pages v1; row groups of
/// `rowGroupSize` rows encoded in parallel, one column chunk per task.
public struct ParquetWriter: Sendable {
    public enum Compression: String, Sendable, CaseIterable {
        case none, snappy, gzip, zstd

        var codec: ParquetCodec {
            switch self {
            case .none: return .uncompressed
            case .snappy: return .snappy
            case .gzip: return .gzip
            case .zstd: return .zstd
            }
        }
    }

    public var compression: Compression
    public var rowGroupSize: Int
    /// Values per data page (pages of about 1 MiB of doubles).
    public var pageSize: Int
    public var threads: Int

    public init(compression: Compression = .snappy, rowGroupSize: Int = 1 << 20, pageSize: Int = 1 << 17, threads: Int = defaultThreadCount()) {
        self.compression = compression
        self.rowGroupSize = max(1, rowGroupSize)
        self.pageSize = max(1, pageSize)
        self.threads = threads
    }

    /// The file's bytes.
    public func bytes(_ frame: Frame) -> [UInt8] {
        var out: [UInt8] = []
        encode(frame) { out += $0 }
        return out
    }

    /// Writes the file at `path` atomically: streamed to a temporary file beside it, then renamed into
    /// place (replacing a file there; the caller says so).
    public func write(_ frame: Frame, to path: String) throws(FrameError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path, reason: String(cString: strerror(errno))) }
        var failure: String?
        encode(frame) { piece in
            guard failure == nil else { return }
            var offset = 0
            while offset < piece.count {
                let n = Foundation.write(fd, piece.baseAddress! + offset, piece.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = String(cString: strerror(errno)); return }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .io(path, reason: failure)
        }
    }

    /// Hands the file's bytes to `sink` in order.
    func encode(_ frame: Frame, sink: (UnsafeRawBufferPointer) -> Void) {
        var written = 0
        func emit(_ bytes: [UInt8]) { bytes.withUnsafeBytes { sink($0) }; written += bytes.count }
        emit(Array("PAR1".utf8))
        let groups = stride(from: 0, to: max(frame.rowCount, 1), by: rowGroupSize).map { $0..<min($0 + rowGroupSize, frame.rowCount) }
        let columns = frame.columns
        let writer = self
        var rowGroups: [(columns: [(EncodedChunk, Int, Int?)], rows: Int, bytes: Int)] = []
        // One row group at a time (its columns encoded in parallel), so memory holds one row group's pages.
        for range in groups {
            let chunks = ResultSlots<EncodedChunk>(count: columns.count)
            parallelFor(columns.count, threads: threads) { c in chunks[c] = writer.encodeChunk(columns[c], rows: range) }
            var cols: [(EncodedChunk, Int, Int?)] = []
            var total = 0
            for c in columns.indices {
                let chunk = chunks[c]!
                let start = written
                for piece in chunk.pieces { emit(piece) }
                cols.append((chunk.withoutBytes, start + chunk.dataPageOffset, chunk.hasDictionary ? start : nil))
                total += chunk.uncompressedSize
            }
            rowGroups.append((cols, range.count, total))
        }
        let footer = ThriftWriter.message { w in
            w.i32(1, 2)
            w.listHeader(2, .structure, count: frame.columns.count + 1)
            w.structure(nil) { w in
                w.string(4, "schema")
                w.i32(5, Int32(frame.columns.count))
            }
            for column in frame.columns {
                w.structure(nil) { w in writeSchemaElement(column, &w) }
            }
            w.i64(3, Int64(frame.rowCount))
            w.listHeader(4, .structure, count: rowGroups.count)
            for g in rowGroups {
                w.structure(nil) { w in
                    w.listHeader(1, .structure, count: g.columns.count)
                    for (c, (chunk, dataOffset, dictOffset)) in g.columns.enumerated() {
                        w.structure(nil) { w in
                            w.i64(2, Int64(dictOffset ?? dataOffset))
                            w.structure(3) { w in
                                w.i32(1, chunk.physical.rawValue)
                                w.listHeader(2, .i32, count: chunk.encodings.count)
                                for e in chunk.encodings { w.zigzag(Int64(e.rawValue)) }
                                w.listHeader(3, .binary, count: 1)
                                let name = Array(frame.columns[c].name.utf8)
                                w.varint(UInt64(name.count)); w.bytes += name
                                w.i32(4, compression.codec.rawValue)
                                w.i64(5, Int64(g.rows))
                                w.i64(6, Int64(chunk.uncompressedSize))
                                w.i64(7, Int64(chunk.compressedSize))
                                w.i64(9, Int64(dataOffset))
                                if let dictOffset { w.i64(11, Int64(dictOffset)) }
                            }
                        }
                    }
                    w.i64(2, Int64(g.bytes))
                    w.i64(3, Int64(g.rows))
                }
            }
            w.string(6, "pulk")
        }
        var length = UInt32(footer.count).littleEndian
        emit(footer + withUnsafeBytes(of: &length) { Array($0) } + Array("PAR1".utf8))
    }

    private func writeSchemaElement(_ column: Column, _ w: inout ThriftWriter) {
        let physical: ParquetPhysical
        switch column.type {
        case .float64: physical = .double
        case .int64: physical = .int64
        case .bool: physical = .boolean
        case .string: physical = .byteArray
        case .date: physical = .int32
        case .datetime: physical = .int64
        }
        w.i32(1, physical.rawValue)
        w.i32(3, 1) // OPTIONAL
        w.string(4, column.name)
        switch column.type {
        case .string:
            w.i32(6, 0) // UTF8
            w.structure(10) { w in w.structure(1) { _ in } }
        case .date:
            w.i32(6, 6) // DATE
            w.structure(10) { w in w.structure(6) { _ in } }
        case .datetime:
            w.structure(10) { w in
                w.structure(8) { w in
                    w.bool(1, false)
                    w.structure(2) { w in w.structure(2) { _ in } }
                }
            }
        default: break
        }
    }

    struct EncodedChunk: Sendable {
        /// The chunk's bytes: page headers and bodies, in order.
        var pieces: [[UInt8]]
        var physical: ParquetPhysical
        var encodings: [ParquetEncoding]
        var dataPageOffset: Int
        var hasDictionary: Bool
        var uncompressedSize: Int
        var compressedSize: Int

        var withoutBytes: EncodedChunk {
            var c = self
            c.pieces = []
            return c
        }
    }

    func encodeChunk(_ column: Column, rows: Range<Int>) -> EncodedChunk {
        var out: [[UInt8]] = []
        var size = 0
        var uncompressed = 0
        var dictionaryPage: [UInt8]? // plain-encoded dictionary values
        var localCodes: [Int32] = [] // per row of a string column: its code in the chunk's dictionary
        var localCount = 0
        if case .string(let codes, let dictionary) = column.storage {
            // The chunk's own dictionary: only the strings its rows use, in first-use order.
            var map = [Int32](repeating: -1, count: dictionary.count)
            var page: [UInt8] = []
            localCodes.reserveCapacity(rows.count)
            for r in rows {
                guard column.isValid(r) else { continue }
                let code = Int(codes[r])
                if map[code] < 0 {
                    map[code] = Int32(localCount); localCount += 1
                    let s = Array(dictionary[code].utf8)
                    var l = UInt32(s.count).littleEndian
                    withUnsafeBytes(of: &l) { page += $0 }
                    page += s
                }
                localCodes.append(map[code])
            }
            dictionaryPage = page
        }
        if let dictionaryPage {
            let header = pageHeader(kind: 2, uncompressed: dictionaryPage.count, compressed: 0, values: localCount, encoding: .plain)
            let (h, body) = compressPage(dictionaryPage, header: header)
            uncompressed += h.count + dictionaryPage.count
            out.append(h); out.append(body)
            size += h.count + body.count
        }
        let dataStart = size
        var nonNullStart = 0
        for pageStart in stride(from: rows.lowerBound, to: rows.upperBound, by: pageSize) {
            let page = pageStart..<min(pageStart + pageSize, rows.upperBound)
            var body: [UInt8] = []
            // Definition levels: 1 where a value is present (one RLE run when all are).
            var present = page.count
            var encodedLevels: [UInt8] = []
            if column.validity != nil {
                var levels = [Int32](repeating: 1, count: page.count)
                present = 0
                for (k, r) in page.enumerated() { if column.isValid(r) { present += 1 } else { levels[k] = 0 } }
                levels.withUnsafeBufferPointer { Hybrid.encode($0, width: 1, into: &encodedLevels) }
            } else {
                var run = UInt64(page.count) << 1
                while run >= 0x80 { encodedLevels.append(UInt8(run & 0x7f) | 0x80); run >>= 7 }
                encodedLevels.append(UInt8(run))
                encodedLevels.append(1)
            }
            var l = UInt32(encodedLevels.count).littleEndian
            withUnsafeBytes(of: &l) { body += $0 }
            body += encodedLevels
            if column.validity == nil, compression == .snappy, let (header, compressed) = snappyPlainPage(column, page, prefix: body) {
                // Numbers with no missing values: compressed straight from the column, with no copy of the page.
                uncompressed += header.count + body.count + page.count * column.type.valueWidth
                out.append(header); out.append(compressed)
                size += header.count + compressed.count
                nonNullStart += present
                continue
            }
            let encoding: ParquetEncoding
            switch column.storage {
            case .string:
                encoding = .rleDictionary
                let width = max(1, Int.bitWidth - (localCount - 1).leadingZeroBitCount)
                body.append(UInt8(localCount <= 1 ? 1 : width))
                localCodes[nonNullStart..<nonNullStart + present].withUnsafeBufferPointer {
                    Hybrid.encode($0, width: localCount <= 1 ? 1 : width, into: &body)
                }
            case .bool(let b):
                encoding = .plain
                var byte: UInt8 = 0, k = 0
                for r in page where column.isValid(r) {
                    if b[r] { byte |= 1 << UInt8(k & 7) }
                    k += 1
                    if k & 7 == 0 { body.append(byte); byte = 0 }
                }
                if k & 7 != 0 { body.append(byte) }
            case .float64(let v): encoding = .plain; appendPlain(v, page, column, &body)
            case .int64(let v): encoding = .plain; appendPlain(v, page, column, &body)
            case .date(let v): encoding = .plain; appendPlain(v, page, column, &body)
            case .datetime(let v): encoding = .plain; appendPlain(v, page, column, &body)
            }
            nonNullStart += present
            let header = pageHeader(kind: 0, uncompressed: body.count, compressed: 0, values: page.count, encoding: encoding)
            let (h, compressed) = compressPage(body, header: header)
            uncompressed += h.count + body.count
            out.append(h); out.append(compressed)
            size += h.count + compressed.count
        }
        let physical: ParquetPhysical
        switch column.type {
        case .float64: physical = .double
        case .int64, .datetime: physical = .int64
        case .bool: physical = .boolean
        case .string: physical = .byteArray
        case .date: physical = .int32
        }
        let encodings: [ParquetEncoding] = dictionaryPage != nil ? [.plain, .rle, .rleDictionary] : [.plain, .rle]
        return EncodedChunk(pieces: out, physical: physical, encodings: encodings, dataPageOffset: dataStart,
                            hasDictionary: dictionaryPage != nil, uncompressedSize: uncompressed, compressedSize: size)
    }

    /// A PLAIN page of a numeric column with no missing values, Snappy-compressed from `prefix` (its
    /// levels) and the column's own memory; nil for other columns.
    private func snappyPlainPage(_ column: Column, _ page: Range<Int>, prefix: [UInt8]) -> ([UInt8], [UInt8])? {
        func compress<T>(_ v: ColumnBuffer<T>) -> ([UInt8], [UInt8]) {
            let width = MemoryLayout<T>.stride
            let compressed = v.withUnsafeBufferPointer { b in
                prefix.withUnsafeBytes { p in
                    Snappy.compress(segments: [p, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[(page.lowerBound * width)..<(page.upperBound * width)])])
                }
            }
            let header = pageHeader(kind: 0, uncompressed: prefix.count + page.count * width, compressed: 0, values: page.count, encoding: .plain)
            return (header(compressed.count), compressed)
        }
        switch column.storage {
        case .float64(let v): return compress(v)
        case .int64(let v): return compress(v)
        case .date(let v): return compress(v)
        case .datetime(let v): return compress(v)
        case .bool, .string: return nil
        }
    }

    private func appendPlain<T: BitwiseCopyable>(_ values: ColumnBuffer<T>, _ page: Range<Int>, _ column: Column, _ body: inout [UInt8]) {
        values.withUnsafeBufferPointer { v in
            if column.validity == nil {
                body += UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(v)[(page.lowerBound * MemoryLayout<T>.stride)..<(page.upperBound * MemoryLayout<T>.stride)])
            } else {
                for r in page where column.isValid(r) { withUnsafeBytes(of: v[r]) { body += $0 } }
            }
        }
    }

    /// The header with the compressed size filled in, and the compressed body.
    private func compressPage(_ body: [UInt8], header: (Int) -> [UInt8]) -> ([UInt8], [UInt8]) {
        let compressed = compression == .none ? body : body.withUnsafeBytes { PageCodec.compress(compression.codec, $0) }
        return (header(compressed.count), compressed)
    }

    private func pageHeader(kind: Int32, uncompressed: Int, compressed: Int, values: Int, encoding: ParquetEncoding) -> (Int) -> [UInt8] {
        { compressed in
            ThriftWriter.message { w in
                w.i32(1, kind)
                w.i32(2, Int32(uncompressed))
                w.i32(3, Int32(compressed))
                if kind == 2 {
                    w.structure(7) { w in
                        w.i32(1, Int32(values))
                        w.i32(2, encoding.rawValue)
                    }
                } else {
                    w.structure(5) { w in
                        w.i32(1, Int32(values))
                        w.i32(2, encoding.rawValue)
                        w.i32(3, ParquetEncoding.rle.rawValue)
                        w.i32(4, ParquetEncoding.rle.rawValue)
                    }
                }
            }
        }
    }
}
