/// Thrift's compact protocol, the encoding of Parquet's footer and page headers: just what those
/// structures use (structs, lists, i16/i32/i64 as zigzag varints, binary, bool and double), with
/// unknown fields skipped so files from newer writers still read.
struct ParquetFault: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

enum ThriftType: UInt8 {
    case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8,
         list = 9, set = 10, map = 11, structure = 12
}

struct ThriftReader {
    /// The bytes, read through the cursor the page decoders use.
    private var cursor: ByteCursor
    /// Nesting depth, bounded so a hostile footer cannot exhaust the stack.
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        cursor = ByteCursor(bytes)
        cursor.position = position
    }

    var position: Int {
        get { cursor.position }
        set { cursor.position = newValue }
    }

    private var remaining: Int { cursor.remaining }

    mutating func byte() throws -> UInt8 { try cursor.byte() }

    mutating func varint() throws -> UInt64 { try cursor.uleb() }

    mutating func i64() throws -> Int64 { try cursor.zigzag() }

    mutating func i32() throws -> Int32 {
        let v = try i64()
        guard let x = Int32(exactly: v) else { throw ParquetFault("a Thrift i32 is out of range (\(v))") }
        return x
    }

    /// A non-negative i32 as an Int (sizes, counts, offsets).
    mutating func count(_ what: String) throws -> Int {
        let v = try i64()
        guard v >= 0 else { throw ParquetFault("\(what) is negative (\(v))") }
        return Int(v)
    }

    mutating func double() throws -> Double {
        Double(bitPattern: try cursor.take(8).loadUnaligned(as: UInt64.self).littleEndian)
    }

    mutating func binary() throws -> UnsafeRawBufferPointer {
        let n = try varint()
        guard n <= UInt64(remaining) else { throw ParquetFault("a Thrift string runs past the end of its bytes") }
        return try cursor.take(Int(n))
    }

    mutating func string() throws -> String { String(decoding: try binary(), as: UTF8.self) }

    /// Calls `body` with each field's id and type until the struct's stop byte; `body` returns false
    /// for a field it does not read, which is then skipped.
    mutating func fields(_ body: (inout ThriftReader, Int16, ThriftType) throws -> Bool) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw ParquetFault("Thrift structures are nested more than 64 deep") }
        var last: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return }
            guard let type = ThriftType(rawValue: header & 0x0f) else { throw ParquetFault("unknown Thrift type \(header & 0x0f)") }
            let delta = Int16(header >> 4)
            let id: Int16
            if delta == 0 {
                let v = try i64()
                guard let x = Int16(exactly: v) else { throw ParquetFault("a Thrift field id is out of range") }
                id = x
            } else {
                id = last &+ delta
            }
            last = id
            if try !body(&self, id, type) { try skip(type) }
        }
    }

    /// A list's element type and count; the caller reads the elements.
    mutating func listHeader() throws -> (ThriftType, Int) {
        let h = try byte()
        guard let type = ThriftType(rawValue: h & 0x0f) else { throw ParquetFault("unknown Thrift list element type") }
        var n = Int(h >> 4)
        if n == 15 { n = Int(clamping: try varint()) }
        // Every element takes at least a byte (booleans in a list are a byte each).
        guard type != .stop, n <= remaining else {
            throw ParquetFault("a Thrift list claims \(n) elements, more than its bytes hold")
        }
        return (type, n)
    }

    mutating func list<T>(_ element: (inout ThriftReader) throws -> T) throws -> [T] {
        let (_, n) = try listHeader()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    mutating func skip(_ type: ThriftType) throws {
        switch type {
        case .stop, .boolTrue, .boolFalse: return
        case .byte: _ = try cursor.take(1)
        case .i16, .i32, .i64: _ = try varint()
        case .double: _ = try cursor.take(8)
        case .binary: _ = try binary()
        case .structure: try fields { _, _, _ in false }
        case .list, .set:
            let (t, n) = try listHeader()
            for _ in 0..<n {
                if t == .boolTrue || t == .boolFalse { _ = try cursor.take(1) } else { try skip(t) }
            }
        case .map:
            let n = Int(clamping: try varint())
            if n > 0 {
                let kv = try byte()
                guard let k = ThriftType(rawValue: kv >> 4), let v = ThriftType(rawValue: kv & 0x0f) else {
                    throw ParquetFault("unknown Thrift map types")
                }
                guard k != .stop, v != .stop, n <= remaining else { throw ParquetFault("a Thrift map claims more entries than its bytes hold") }
                for _ in 0..<n { try skip(k); try skip(v) }
            }
        }
        guard remaining >= 0 else { throw ParquetFault("a Thrift structure runs past the end of its bytes") }
    }
}

/// Writes the compact protocol: fields in increasing id order within each struct.
struct ThriftWriter {
    var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: ThriftType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ v: Int32) { fieldHeader(id, .i32); zigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64) { fieldHeader(id, .i64); zigzag(v) }
    mutating func bool(_ id: Int16, _ v: Bool) { fieldHeader(id, v ? .boolTrue : .boolFalse) }

    mutating func string(_ id: Int16, _ s: String) {
        fieldHeader(id, .binary)
        let u = Array(s.utf8)
        varint(UInt64(u.count))
        bytes += u
    }

    mutating func listHeader(_ id: Int16, _ type: ThriftType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 { bytes.append(UInt8(count) << 4 | type.rawValue) } else {
            bytes.append(0xf0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    /// A struct field (or, with `id` nil, a list element): `body` writes its fields.
    mutating func structure(_ id: Int16?, _ body: (inout ThriftWriter) -> Void) {
        if let id { fieldHeader(id, .structure) }
        lastField.append(0)
        body(&self)
        bytes.append(0)
        lastField.removeLast()
    }

    /// Starts a struct at the top level (a page header or the footer).
    static func message(_ body: (inout ThriftWriter) -> Void) -> [UInt8] {
        var w = ThriftWriter()
        body(&w)
        w.bytes.append(0)
        return w.bytes
    }
}
