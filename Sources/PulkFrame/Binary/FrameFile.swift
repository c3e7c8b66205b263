import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pulk's binary columnar frame file: what a registered dataset version loads from, many times
/// faster than re-parsing its CSV. Layout (little-endian, documented in docs/formats.md):
///
/// ```
/// "PULKFRM\0"  u32 version (1)  u32 header length H  H bytes of JSON header  padding to 64
/// buffers, each starting at a multiple of 64 bytes, at the offsets the header lists
/// ```
/// The header lists, per column, its name, type, and buffers: `values`, optional `validity`
/// (64-bit words, bit set = present), and for strings `offsets` (Int64, count+1) and `bytes` of the
/// UTF-8 dictionary.
public enum FrameFile {
    public static let magic: [UInt8] = Array("PULKFRM\0".utf8)
    public static let version: UInt32 = 1

    struct Header: Codable {
        var rows: Int
        var columns: [ColumnEntry]
    }

    struct ColumnEntry: Codable {
        var name: String
        var type: DataType
        var values: Span
        var validity: Span?
        var dictionaryOffsets: Span?
        var dictionaryBytes: Span?
        var dictionaryCount: Int?
    }

    struct Span: Codable {
        var offset: Int
        var length: Int
    }

    /// The encoded bytes of `frame`.
    public static func encode(_ frame: Frame) -> [UInt8] {
        var buffers: [[UInt8]] = []
        var entries: [ColumnEntry] = []
        var cursor = 0 // relative to the data section
        func add(_ bytes: [UInt8]) -> Span {
            let span = Span(offset: cursor, length: bytes.count)
            buffers.append(bytes)
            cursor += (bytes.count + 63) / 64 * 64
            return span
        }
        func raw<T>(_ a: [T]) -> [UInt8] { a.withUnsafeBytes { Array($0) } }
        for c in frame.columns {
            var e = ColumnEntry(name: c.name, type: c.type, values: Span(offset: 0, length: 0))
            switch c.storage {
            case .float64(let v): e.values = add(raw(v))
            case .int64(let v), .datetime(let v): e.values = add(raw(v))
            case .bool(let v): e.values = add(raw(v))
            case .date(let v): e.values = add(raw(v))
            case .string(let codes, let dict):
                e.values = add(raw(codes))
                var offsets: [Int64] = [0]
                var bytes: [UInt8] = []
                for s in dict { bytes.append(contentsOf: s.utf8); offsets.append(Int64(bytes.count)) }
                e.dictionaryOffsets = add(raw(offsets))
                e.dictionaryBytes = add(bytes)
                e.dictionaryCount = dict.count
            }
            if let v = c.validity { e.validity = add(raw(v.words)) }
            entries.append(e)
        }
        let json = try! JSONEncoder().encode(Header(rows: frame.rowCount, columns: entries))
        var out = magic
        withUnsafeBytes(of: version.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        out.append(contentsOf: repeatElement(0, count: (64 - out.count % 64) % 64))
        out.reserveCapacity(out.count + cursor)
        for b in buffers {
            out.append(contentsOf: b)
            out.append(contentsOf: repeatElement(0, count: (64 - b.count % 64) % 64))
        }
        return out
    }

    /// Decodes a frame file held in memory.
    public static func decode(_ bytes: [UInt8], name: String = "<frame>") throws(FrameError) -> Frame {
        try read(MemorySource(name: name, data: bytes))
    }

    /// Reads a frame file from disk, copying each buffer straight into its column's storage.
    public static func read(path: String) throws(FrameError) -> Frame {
        try read(FileSource(path: path))
    }

    static func read(_ source: any ByteSource) throws(FrameError) -> Frame {
        let head = try source.bytes(at: 0, count: 16)
        guard head.count == 16, Array(head[0..<8]) == magic else {
            throw .corruptFrameFile(source.name, reason: "it does not start with the Pulk frame magic bytes")
        }
        let v = head[8..<12].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian
        guard v == version else {
            throw .corruptFrameFile(source.name, reason: "format version \(v) is not supported by this Pulk (reads version \(version))")
        }
        let h = Int(head[12..<16].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian)
        let json = try source.bytes(at: 16, count: h)
        guard json.count == h, let header = try? JSONDecoder().decode(Header.self, from: Data(json)) else {
            throw .corruptFrameFile(source.name, reason: "the header is unreadable")
        }
        let dataStart = (16 + h + 63) / 64 * 64
        func load<T>(_ span: Span, _ type: T.Type, count: Int) throws(FrameError) -> [T] {
            guard span.length == count * MemoryLayout<T>.stride, span.offset >= 0,
                  dataStart + span.offset + span.length <= source.size else {
                throw .corruptFrameFile(source.name, reason: "a buffer is truncated or has the wrong size")
            }
            var failure: FrameError?
            let out = [T](unsafeUninitializedCapacity: count) { buf, initialized in
                do throws(FrameError) {
                    let n = try source.read(at: dataStart + span.offset, count: span.length,
                                            into: UnsafeMutableRawPointer(buf.baseAddress ?? UnsafeMutablePointer<T>.allocate(capacity: 0)))
                    if n != span.length { failure = .corruptFrameFile(source.name, reason: "a buffer is truncated") }
                } catch { failure = error }
                initialized = count
            }
            if let failure { throw failure }
            return out
        }
        let n = header.rows
        func column(_ e: ColumnEntry) throws(FrameError) -> Column {
            let storage: ColumnStorage
            switch e.type {
            case .float64: storage = .float64(try load(e.values, Double.self, count: n))
            case .int64: storage = .int64(try load(e.values, Int64.self, count: n))
            case .datetime: storage = .datetime(try load(e.values, Int64.self, count: n))
            case .date: storage = .date(try load(e.values, Int32.self, count: n))
            case .bool:
                let raw = try load(e.values, UInt8.self, count: n)
                guard raw.allSatisfy({ $0 <= 1 }) else { throw .corruptFrameFile(source.name, reason: "bad boolean") }
                storage = .bool(raw.map { $0 == 1 })
            case .string:
                guard let offSpan = e.dictionaryOffsets, let byteSpan = e.dictionaryBytes, let k = e.dictionaryCount else {
                    throw .corruptFrameFile(source.name, reason: "a text column lacks its dictionary")
                }
                let codes = try load(e.values, Int32.self, count: n)
                let offsets = try load(offSpan, Int64.self, count: k + 1)
                let bytes = try load(byteSpan, UInt8.self, count: byteSpan.length)
                var dict: [String] = []
                dict.reserveCapacity(k)
                for i in 0..<k {
                    let a = Int(offsets[i]), b = Int(offsets[i + 1])
                    guard a >= 0, a <= b, b <= bytes.count,
                          let s = String(validating: bytes[a..<b], as: UTF8.self) else {
                        throw .corruptFrameFile(source.name, reason: "a dictionary entry is damaged")
                    }
                    dict.append(s)
                }
                guard codes.allSatisfy({ $0 >= 0 && Int($0) < max(k, 1) }) else {
                    throw .corruptFrameFile(source.name, reason: "a text code points outside its dictionary")
                }
                storage = .string(codes: codes, dictionary: dict)
            }
            let validity = try e.validity.map { span throws(FrameError) in
                Bitmap(words: try load(span, UInt64.self, count: (n + 63) / 64), count: n)
            }
            return Column(name: e.name, storage: storage, validity: validity)
        }
        // Columns load in parallel: copying and first-touching memory is the whole cost.
        let slots = ResultSlots<Result<Column, FrameError>>(count: header.columns.count)
        let entries = header.columns
        let load = UncheckedSendable(column)
        parallelFor(entries.count) { i in slots[i] = Result { () throws(FrameError) in try load.value(entries[i]) } }
        var columns: [Column] = []
        for r in slots.values { columns.append(try r!.get()) }
        do { return try Frame(columns: columns) } catch {
            throw .corruptFrameFile(source.name, reason: error.description)
        }
    }
}
