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
        var out: [UInt8] = []
        try! write(frame) { out.append(contentsOf: $0) }
        return out
    }

    /// Streams the encoding of `frame` to `sink` piece by piece, so a large frame is never copied
    /// whole into one buffer.
    public static func write(_ frame: Frame, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withoutActuallyEscaping(sink) { sink in
            var pieces: [(length: Int, emit: () throws -> Void)] = []
            var entries: [ColumnEntry] = []
            var cursor = 0 // relative to the data section
            func add(_ length: Int, _ emit: @escaping () throws -> Void) -> Span {
                let span = Span(offset: cursor, length: length)
                pieces.append((length, emit))
                cursor += (length + 63) / 64 * 64
                return span
            }
            func add<T: BitwiseCopyable>(_ v: ColumnBuffer<T>) -> Span {
                add(v.count * MemoryLayout<T>.stride) { try v.withUnsafeBufferPointer { try sink(UnsafeRawBufferPointer($0)) } }
            }
            func add<T: BitwiseCopyable>(_ v: [T]) -> Span { add(ColumnBuffer(v)) }
            for c in frame.columns {
                var e = ColumnEntry(name: c.name, type: c.type, values: Span(offset: 0, length: 0))
                switch c.storage {
                case .float64(let v): e.values = add(v)
                case .int64(let v), .datetime(let v): e.values = add(v)
                case .bool(let v): e.values = add(v)
                case .date(let v): e.values = add(v)
                case .string(let codes, let dict):
                    e.values = add(codes)
                    var offsets: [Int64] = [0]
                    var bytes: [UInt8] = []
                    for s in dict { bytes.append(contentsOf: s.utf8); offsets.append(Int64(bytes.count)) }
                    e.dictionaryOffsets = add(offsets)
                    e.dictionaryBytes = add(bytes)
                    e.dictionaryCount = dict.count
                }
                if let v = c.validity { e.validity = add(v.words) }
                entries.append(e)
            }
            let json = try! JSONEncoder().encode(Header(rows: frame.rowCount, columns: entries))
            var head = magic
            withUnsafeBytes(of: version.littleEndian) { head.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(json.count).littleEndian) { head.append(contentsOf: $0) }
            head.append(contentsOf: json)
            head.append(contentsOf: repeatElement(0, count: (64 - head.count % 64) % 64))
            try head.withUnsafeBytes { try sink($0) }
            let zeros = [UInt8](repeating: 0, count: 64)
            for piece in pieces {
                try piece.emit()
                let pad = (64 - piece.length % 64) % 64
                if pad > 0 { try zeros.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<pad])) } }
            }
        }
    }

    /// Decodes a frame file held in memory.
    public static func decode(_ bytes: [UInt8], name: String = "<frame>") throws(FrameError) -> Frame {
        try read(MemorySource(name: name, data: bytes))
    }

    /// Reads a frame file from disk. The file is memory-mapped and columns are zero-copy views into it
    /// (frame files in a workspace are immutable); where mapping fails, buffers are read into memory.
    public static func read(path: String) throws(FrameError) -> Frame {
        let file = try FileSource(path: path)
        if let region = MappedRegion(path: path), region.length == file.size {
            return try decode(file, loader: MappedLoader(region: region, name: path))
        }
        return try decode(file, loader: CopyingLoader(source: file))
    }

    static func read(_ source: any ByteSource) throws(FrameError) -> Frame {
        try decode(source, loader: CopyingLoader(source: source))
    }

    /// Turns spans of the data section into column buffers.
    protocol Loader {
        func load<T: BitwiseCopyable>(_ span: Span, at dataStart: Int, count: Int) throws(FrameError) -> ColumnBuffer<T>
    }

    /// Zero-copy views into a mapping.
    struct MappedLoader: Loader {
        let region: MappedRegion
        let name: String
        func load<T: BitwiseCopyable>(_ span: Span, at dataStart: Int, count: Int) throws(FrameError) -> ColumnBuffer<T> {
            let start = dataStart + span.offset
            guard span.length == count * MemoryLayout<T>.stride, span.offset >= 0, start + span.length <= region.length,
                  start % MemoryLayout<T>.alignment == 0 else {
                throw .corruptFrameFile(name, reason: "a buffer is truncated or has the wrong size")
            }
            let base = (region.base + start).assumingMemoryBound(to: T.self)
            return ColumnBuffer(region: region, base: base, count: count)
        }
    }

    /// Buffers read into owned arrays.
    struct CopyingLoader: Loader {
        let source: any ByteSource
        func load<T: BitwiseCopyable>(_ span: Span, at dataStart: Int, count: Int) throws(FrameError) -> ColumnBuffer<T> {
            guard span.length == count * MemoryLayout<T>.stride, span.offset >= 0,
                  dataStart + span.offset + span.length <= source.size else {
                throw .corruptFrameFile(source.name, reason: "a buffer is truncated or has the wrong size")
            }
            var failure: FrameError?
            let out = [T](unsafeUninitializedCapacity: count) { buf, initialized in
                if let base = buf.baseAddress {
                    do throws(FrameError) {
                        let n = try source.read(at: dataStart + span.offset, count: span.length, into: UnsafeMutableRawPointer(base))
                        if n != span.length { failure = .corruptFrameFile(source.name, reason: "a buffer is truncated") }
                    } catch { failure = error }
                }
                initialized = count
            }
            if let failure { throw failure }
            return ColumnBuffer(out)
        }
    }

    static func decode(_ source: any ByteSource, loader: some Loader) throws(FrameError) -> Frame {
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
        let n = header.rows
        let name = source.name
        func column(_ e: ColumnEntry) throws(FrameError) -> Column {
            let storage: ColumnStorage
            switch e.type {
            case .float64: storage = .float64(try loader.load(e.values, at: dataStart, count: n))
            case .int64: storage = .int64(try loader.load(e.values, at: dataStart, count: n))
            case .datetime: storage = .datetime(try loader.load(e.values, at: dataStart, count: n))
            case .date: storage = .date(try loader.load(e.values, at: dataStart, count: n))
            case .bool:
                let raw: ColumnBuffer<UInt8> = try loader.load(e.values, at: dataStart, count: n)
                guard raw.withUnsafeBufferPointer({ $0.allSatisfy { $0 <= 1 } }) else {
                    throw .corruptFrameFile(name, reason: "bad boolean")
                }
                storage = .bool(raw.map { $0 == 1 })
            case .string:
                guard let offSpan = e.dictionaryOffsets, let byteSpan = e.dictionaryBytes, let k = e.dictionaryCount else {
                    throw .corruptFrameFile(name, reason: "a text column lacks its dictionary")
                }
                let codes: ColumnBuffer<Int32> = try loader.load(e.values, at: dataStart, count: n)
                let offsets: ColumnBuffer<Int64> = try loader.load(offSpan, at: dataStart, count: k + 1)
                let bytes: ColumnBuffer<UInt8> = try loader.load(byteSpan, at: dataStart, count: byteSpan.length)
                var dict: [String] = []
                dict.reserveCapacity(k)
                let intact: Bool = bytes.withUnsafeBufferPointer { b in
                    for i in 0..<k {
                        let a = Int(offsets[i]), z = Int(offsets[i + 1])
                        guard a >= 0, a <= z, z <= b.count,
                              let s = String(validating: UnsafeBufferPointer(rebasing: b[a..<z]), as: UTF8.self) else {
                            return false
                        }
                        dict.append(s)
                    }
                    return true
                }
                guard intact else { throw .corruptFrameFile(name, reason: "a dictionary entry is damaged") }
                guard codes.withUnsafeBufferPointer({ $0.allSatisfy { $0 >= 0 && Int($0) < max(k, 1) } }) else {
                    throw .corruptFrameFile(name, reason: "a text code points outside its dictionary")
                }
                storage = .string(codes: codes, dictionary: dict)
            }
            let validity = try e.validity.map { span throws(FrameError) in
                let words: ColumnBuffer<UInt64> = try loader.load(span, at: dataStart, count: (n + 63) / 64)
                return Bitmap(words: words.array, count: n)
            }
            return Column(name: e.name, storage: storage, validity: validity)
        }
        // Columns load in parallel (with copying loaders, copying and first-touching memory is the cost).
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
