/// Parquet's footer and page headers (parquet.thrift), the parts a flat table needs.
enum ParquetPhysical: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    var name: String {
        switch self {
        case .boolean: return "BOOLEAN"
        case .int32: return "INT32"
        case .int64: return "INT64"
        case .int96: return "INT96"
        case .float: return "FLOAT"
        case .double: return "DOUBLE"
        case .byteArray: return "BYTE_ARRAY"
        case .fixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

enum ParquetCodec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

enum ParquetEncoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6,
         deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

enum TimeUnit: Sendable { case millis, micros, nanos }

/// A column's logical type: the LogicalType union, or the older ConvertedType when that is all a writer set.
enum ParquetLogical: Equatable {
    case string, enumeration, json, bson, uuid, float16, unknown
    case decimal(scale: Int, precision: Int)
    case date
    case time(TimeUnit)
    case timestamp(TimeUnit, utc: Bool)
    case integer(bits: Int, signed: Bool)
    case map, list, interval
    case other(Int)
}

struct SchemaElement {
    var type: ParquetPhysical?
    var rawType: Int32?
    var typeLength: Int = 0
    /// 0 required, 1 optional, 2 repeated.
    var repetition: Int32 = 0
    var name = ""
    var numChildren: Int = 0
    var logical: ParquetLogical?

    static func read(_ r: inout ThriftReader) throws -> SchemaElement {
        var e = SchemaElement()
        var converted: Int32?, scale = 0, precision = 0
        var fromUnion: ParquetLogical?
        try r.fields { r, id, _ in
            switch id {
            case 1: let t = try r.i32(); e.rawType = t; e.type = ParquetPhysical(rawValue: t)
            case 2: e.typeLength = Int(try r.i32())
            case 3: e.repetition = try r.i32()
            case 4: e.name = try r.string()
            case 5: e.numChildren = Int(try r.i32())
            case 6: converted = try r.i32()
            case 7: scale = Int(try r.i32())
            case 8: precision = Int(try r.i32())
            case 10: fromUnion = try readLogical(&r)
            default: return false
            }
            return true
        }
        if let fromUnion { e.logical = fromUnion } else if let converted {
            e.logical = convertedLogical(converted, scale: scale, precision: precision)
        }
        if case .decimal(let s, let p) = e.logical, s == 0, p == 0 { e.logical = .decimal(scale: scale, precision: precision) }
        return e
    }

    private static func readLogical(_ r: inout ThriftReader) throws -> ParquetLogical? {
        var out: ParquetLogical?
        try r.fields { r, id, _ in
            switch id {
            case 1: out = .string
            case 2: out = .map
            case 3: out = .list
            case 4: out = .enumeration
            case 5:
                var scale = 0, precision = 0
                try r.fields { r, id, _ in
                    switch id {
                    case 1: scale = Int(try r.i32())
                    case 2: precision = Int(try r.i32())
                    default: return false
                    }
                    return true
                }
                out = .decimal(scale: scale, precision: precision)
                return true
            case 6: out = .date
            case 7, 8:
                var utc = false, unit = TimeUnit.micros
                try r.fields { r, fid, type in
                    switch fid {
                    case 1: utc = type == .boolTrue
                    case 2: unit = try readUnit(&r)
                    default: return false
                    }
                    return true
                }
                out = id == 7 ? .time(unit) : .timestamp(unit, utc: utc)
                return true
            case 10:
                var bits = 64, signed = true
                try r.fields { r, fid, type in
                    switch fid {
                    case 1: bits = Int(try r.byte())
                    case 2: signed = type == .boolTrue
                    default: return false
                    }
                    return true
                }
                out = .integer(bits: bits, signed: signed)
                return true
            case 11: out = .unknown
            case 12: out = .json
            case 13: out = .bson
            case 14: out = .uuid
            case 15: out = .float16
            default: out = .other(Int(id))
            }
            return false // the member's (empty) struct is skipped
        }
        return out
    }

    private static func readUnit(_ r: inout ThriftReader) throws -> TimeUnit {
        var unit = TimeUnit.micros
        try r.fields { _, id, _ in
            switch id {
            case 1: unit = .millis
            case 2: unit = .micros
            case 3: unit = .nanos
            default: break
            }
            return false
        }
        return unit
    }

    private static func convertedLogical(_ c: Int32, scale: Int, precision: Int) -> ParquetLogical? {
        switch c {
        case 0: return .string
        case 1, 2: return .map
        case 3: return .list
        case 4: return .enumeration
        case 5: return .decimal(scale: scale, precision: precision)
        case 6: return .date
        case 7: return .time(.millis)
        case 8: return .time(.micros)
        case 9: return .timestamp(.millis, utc: true)
        case 10: return .timestamp(.micros, utc: true)
        case 11: return .integer(bits: 8, signed: false)
        case 12: return .integer(bits: 16, signed: false)
        case 13: return .integer(bits: 32, signed: false)
        case 14: return .integer(bits: 64, signed: false)
        case 15: return .integer(bits: 8, signed: true)
        case 16: return .integer(bits: 16, signed: true)
        case 17: return .integer(bits: 32, signed: true)
        case 18: return .integer(bits: 64, signed: true)
        case 19: return .json
        case 20: return .bson
        case 21: return .interval
        default: return nil
        }
    }
}

struct ColumnChunkMeta {
    var type: ParquetPhysical = .int32
    var path: [String] = []
    var codec: Int32 = 0
    var numValues: Int = 0
    var totalCompressedSize: Int = 0
    var dataPageOffset: Int = 0
    var dictionaryPageOffset: Int?
    /// Set when the chunk lives in another file (never by the writers Pulk reads).
    var filePath: String?

    /// Where the chunk's first page starts: the dictionary page when there is one. Some old writers
    /// set the dictionary offset to 0 or past the data; only a plausible one counts.
    var start: Int {
        if let d = dictionaryPageOffset, d > 0, d < dataPageOffset { return d }
        return dataPageOffset
    }

    static func read(_ r: inout ThriftReader) throws -> ColumnChunkMeta {
        var c = ColumnChunkMeta()
        var sawMeta = false
        try r.fields { r, id, _ in
            switch id {
            case 1: c.filePath = try r.string()
            case 3:
                sawMeta = true
                try r.fields { r, id, _ in
                    switch id {
                    case 1:
                        let t = try r.i32()
                        guard let p = ParquetPhysical(rawValue: t) else { throw ParquetFault("unknown physical type \(t)") }
                        c.type = p
                    case 3: c.path = try r.list { r in try r.string() }
                    case 4: c.codec = try r.i32()
                    case 5: c.numValues = try r.count("a column chunk's value count")
                    case 7: c.totalCompressedSize = try r.count("a column chunk's size")
                    case 9: c.dataPageOffset = try r.count("a data page offset")
                    case 11: c.dictionaryPageOffset = try r.count("a dictionary page offset")
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard sawMeta else { throw ParquetFault("a column chunk has no metadata") }
        return c
    }
}

struct RowGroupMeta {
    var columns: [ColumnChunkMeta] = []
    var numRows: Int = 0

    static func read(_ r: inout ThriftReader) throws -> RowGroupMeta {
        var g = RowGroupMeta()
        try r.fields { r, id, _ in
            switch id {
            case 1: g.columns = try r.list { r in try ColumnChunkMeta.read(&r) }
            case 3: g.numRows = try r.count("a row group's row count")
            default: return false
            }
            return true
        }
        return g
    }
}

struct FileMetadata {
    var schema: [SchemaElement] = []
    var numRows: Int = 0
    var rowGroups: [RowGroupMeta] = []
    var keyValue: [String: String] = [:]
    var createdBy: String?

    static func read(_ bytes: UnsafeRawBufferPointer) throws -> FileMetadata {
        var r = ThriftReader(bytes)
        var m = FileMetadata()
        try r.fields { r, id, _ in
            switch id {
            case 2: m.schema = try r.list { r in try SchemaElement.read(&r) }
            case 3: m.numRows = try r.count("the file's row count")
            case 4: m.rowGroups = try r.list { r in try RowGroupMeta.read(&r) }
            case 5:
                let pairs: [(String, String?)] = try r.list { r in
                    var k = "", v: String?
                    try r.fields { r, id, _ in
                        switch id {
                        case 1: k = try r.string()
                        case 2: v = try r.string()
                        default: return false
                        }
                        return true
                    }
                    return (k, v)
                }
                for (k, v) in pairs { m.keyValue[k] = v ?? "" }
            case 6: m.createdBy = try r.string()
            default: return false
            }
            return true
        }
        return m
    }
}

struct PageHeader {
    enum Kind: Int32 { case data = 0, index = 1, dictionary = 2, dataV2 = 3 }
    var kind: Int32 = 0
    var uncompressedSize = 0
    var compressedSize = 0
    var numValues = 0
    var encoding: Int32 = 0
    var definitionEncoding: Int32 = 3
    // Data page v2
    var numNulls = 0
    var numRows = 0
    var definitionLength = 0
    var repetitionLength = 0
    var isCompressed = true

    static func read(_ r: inout ThriftReader) throws -> PageHeader {
        var h = PageHeader()
        try r.fields { r, id, _ in
            switch id {
            case 1: h.kind = try r.i32()
            case 2: h.uncompressedSize = try r.count("a page's size")
            case 3: h.compressedSize = try r.count("a page's compressed size")
            case 5:
                try r.fields { r, id, _ in
                    switch id {
                    case 1: h.numValues = try r.count("a page's value count")
                    case 2: h.encoding = try r.i32()
                    case 3: h.definitionEncoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case 7:
                try r.fields { r, id, _ in
                    switch id {
                    case 1: h.numValues = try r.count("a dictionary's value count")
                    case 2: h.encoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case 8:
                try r.fields { r, id, type in
                    switch id {
                    case 1: h.numValues = try r.count("a page's value count")
                    case 2: h.numNulls = try r.count("a page's null count")
                    case 3: h.numRows = try r.count("a page's row count")
                    case 4: h.encoding = try r.i32()
                    case 5: h.definitionLength = try r.count("a page's definition levels length")
                    case 6: h.repetitionLength = try r.count("a page's repetition levels length")
                    case 7: h.isCompressed = type == .boolTrue
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        return h
    }
}
