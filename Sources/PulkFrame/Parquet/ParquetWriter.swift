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
        var out: [UInt8] = Array("PAR1".utf8)
        let groups = stride(from: 0, to: max(frame.rowCount, 1), by: rowGroupSize).map { $0..<min($0 + rowGroupSize, frame.rowCount) }
        let tasks = groups.indices.flatMap { g in frame.columns.indices.map { (g, $0) } }
        let chunks = ResultSlots<EncodedChunk>(count: tasks.count)
        let columns = frame.columns
        let writer = self
        parallelFor(tasks.count, threads: threads) { t in
            let (g, c) = tasks[t]
            chunks[t] = writer.encodeChunk(columns[c], rows: groups[g])
        }
        var rowGroups: [(columns: [(EncodedChunk, Int, Int?)], rows: Int, bytes: Int)] = []
        for (g, range) in groups.enumerated() {
            var cols: [(EncodedChunk, Int, Int?)] = []
            var total = 0
            for c in frame.columns.indices {
                let chunk = chunks[g * frame.columns.count + c]!
                let start = out.count
                out += chunk.bytes
                cols.append((chunk, start + chunk.dataPageOffset, chunk.hasDictionary ? start : nil))
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
                                w.i64(7, Int64(chunk.bytes.count))
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
        out += footer
        var length = UInt32(footer.count).littleEndian
        withUnsafeBytes(of: &length) { out += $0 }
        out += Array("PAR1".utf8)
        return out
    }

    /// Writes the file at `path` (replacing it; the caller says so when one was there).
    public func write(_ frame: Frame, to path: String) throws(FrameError) {
        let data = Data(bytes(frame))
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch { throw .io(path, reason: error.localizedDescription) }
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
        var bytes: [UInt8]
        var physical: ParquetPhysical
        var encodings: [ParquetEncoding]
        var dataPageOffset: Int
        var hasDictionary: Bool
        var uncompressedSize: Int
    }

    func encodeChunk(_ column: Column, rows: Range<Int>) -> EncodedChunk {
        var out: [UInt8] = []
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
            out += h; out += body
        }
        let dataStart = out.count
        var nonNullStart = 0
        for pageStart in stride(from: rows.lowerBound, to: rows.upperBound, by: pageSize) {
            let page = pageStart..<min(pageStart + pageSize, rows.upperBound)
            var body: [UInt8] = []
            // Definition levels: 1 where a value is present.
            var levels = [Int32](repeating: 1, count: page.count)
            var present = page.count
            if column.validity != nil {
                present = 0
                for (k, r) in page.enumerated() { if column.isValid(r) { present += 1 } else { levels[k] = 0 } }
            }
            var encodedLevels: [UInt8] = []
            levels.withUnsafeBufferPointer { Hybrid.encode($0, width: 1, into: &encodedLevels) }
            var l = UInt32(encodedLevels.count).littleEndian
            withUnsafeBytes(of: &l) { body += $0 }
            body += encodedLevels
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
            out += h; out += compressed
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
        return EncodedChunk(bytes: out, physical: physical, encodings: encodings, dataPageOffset: dataStart,
                            hasDictionary: dictionaryPage != nil, uncompressedSize: uncompressed)
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
