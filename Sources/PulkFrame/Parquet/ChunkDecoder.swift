import Foundation

/// How one column's physical values become its Pulk values.
enum Conversion {
    case copy8                       // INT64 → int64, DOUBLE → float64, timestamps in µs → datetime
    case copy4                       // INT32 DATE → date
    case int32ToInt64(unsigned: Bool)
    case uint64ToDouble
    case floatToDouble
    case int64Scaled(multiply: Int64, divide: Int64) // timestamps and times in other units → µs
    case int32Scaled(multiply: Int64)                // TIME(MILLIS) in INT32 → µs
    case int96
    case decimal32(Double), decimal64(Int), decimalBytes(Int) // the unscaled value over 10^scale
    case float16
    case bool
    case string(validate: Bool)
    case uuid

    init(_ e: SchemaElement) throws {
        let t = e.type!
        switch (t, e.logical) {
        case (.boolean, _): self = .bool
        case (.int32, .date?): self = .copy4
        case (.int32, .decimal(let s, _)?): self = .decimal32(pow10(s))
        case (.int64, .decimal(let s, _)?): self = .decimal64(s)
        case (.fixedLenByteArray, .decimal(let s, _)?), (.byteArray, .decimal(let s, _)?):
            guard e.typeLength <= 64 else { throw ParquetFault("decimals of \(e.typeLength) bytes are longer than any decimal type (32 bytes)") }
            self = .decimalBytes(s)
        case (.int32, .time?): self = .int32Scaled(multiply: 1000)
        case (.int32, .integer(_, let signed)?): self = .int32ToInt64(unsigned: !signed)
        case (.int32, _): self = .int32ToInt64(unsigned: false)
        case (.int64, .integer(64, false)?): self = .uint64ToDouble
        case (.int64, .timestamp(let unit, _)?), (.int64, .time(let unit)?):
            switch unit {
            case .millis: self = .int64Scaled(multiply: 1000, divide: 1)
            case .micros: self = .copy8
            case .nanos: self = .int64Scaled(multiply: 1, divide: 1000)
            }
        case (.int64, _), (.double, _): self = .copy8
        case (.int96, _): self = .int96
        case (.float, _): self = .floatToDouble
        case (.fixedLenByteArray, .float16?): self = .float16
        case (.fixedLenByteArray, .uuid?): self = .uuid
        case (.byteArray, nil): self = .string(validate: true)
        case (.byteArray, _): self = .string(validate: false)
        case (.fixedLenByteArray, _): throw ParquetFault("raw FIXED_LEN_BYTE_ARRAY values have no Pulk column type")
        }
    }
}

private func pow10(_ s: Int) -> Double { Foundation.pow(10, Double(s)) }

/// Strings of one column chunk, coded in the order first seen (a dictionary page's order first).
struct LocalStrings {
    var values: [String] = []
    private var index: [String: Int32] = [:]
    private var indexed = 0

    mutating func code(_ s: String) -> Int32 {
        if indexed < values.count {
            for k in indexed..<values.count where index[values[k]] == nil { index[values[k]] = Int32(k) }
            indexed = values.count
        }
        if let k = index[s] { return k }
        let k = Int32(values.count)
        values.append(s)
        index[s] = k
        indexed = values.count
        return k
    }
}

extension ParquetFile {
    func decodeChunk(_ meta: ColumnChunkMeta, field: TopField, rows: Int, into out: UnsafeMutableRawPointer, group: Int) throws(FrameError) -> ChunkOutput {
        do {
            return try decodeChunkPages(meta, field: field, rows: rows, into: out)
        } catch let f as ParquetFault {
            throw .parquet(path, reason: "column '\(field.name)', row group \(group): \(f.reason)")
        } catch let e as FrameError {
            throw e
        } catch {
            throw .parquet(path, reason: "column '\(field.name)', row group \(group): \(error)")
        }
    }

    private func decodeChunkPages(_ meta: ColumnChunkMeta, field: TopField, rows: Int, into out: UnsafeMutableRawPointer) throws -> ChunkOutput {
        guard meta.filePath == nil else { throw ParquetFault("the chunk is stored in another file (\(meta.filePath!)), which Pulk does not follow") }
        guard meta.type == field.element.type else { throw ParquetFault("the chunk's type \(meta.type.name) differs from the schema's") }
        let start = meta.start
        let length = meta.totalCompressedSize
        guard start >= 4, length >= 0, start <= source.size - 8, length <= source.size - 8 - start else { throw ParquetFault("the chunk's bytes lie outside the file") }
        let chunk = try source.bytes(at: start, count: length)
        let conversion = try Conversion(field.element)
        let width = field.target.valueWidth
        let optional = field.element.repetition == 1
        let typeLength = field.element.typeLength
        var strings = LocalStrings()
        var dictionary: [UInt8]? // converted dictionary values, `width` bytes each (codes for strings)
        var dictionaryCount = 0
        var validity: Bitmap?
        var done = 0
        var levels = [Int32]()
        try chunk.withUnsafeBytes { (chunkBytes: UnsafeRawBufferPointer) in
            var position = 0
            while done < rows {
                guard position < chunkBytes.count else { throw ParquetFault("the chunk ended after \(done) of its \(rows) rows") }
                var tr = ThriftReader(chunkBytes, at: position)
                let h = try PageHeader.read(&tr)
                position = tr.position
                guard h.compressedSize <= chunkBytes.count - position else { throw ParquetFault("a page runs past the end of its chunk") }
                let payload = UnsafeRawBufferPointer(rebasing: chunkBytes[position..<position + h.compressedSize])
                position += h.compressedSize
                guard h.uncompressedSize <= 1 << 28 else {
                    throw ParquetFault("a page claims \(h.uncompressedSize) bytes; Pulk reads pages of up to 256 MiB (writers use about 1 MiB)")
                }
                guard h.numValues <= 1 << 27 else { throw ParquetFault("a page claims \(h.numValues) values; Pulk reads pages of up to 2^27 values") }
                switch h.kind {
                case 2: // dictionary page
                    var page = [UInt8](repeating: 0, count: h.uncompressedSize)
                    try page.withUnsafeMutableBytes { try PageCodec.decompress(meta.codec, payload, into: $0) }
                    guard h.numValues <= (field.target == .bool ? 8 : 1) * h.uncompressedSize else {
                        throw ParquetFault("a dictionary page claims \(h.numValues) values in \(h.uncompressedSize) bytes")
                    }
                    var dict = [UInt8](repeating: 0, count: h.numValues * width)
                    try page.withUnsafeBytes { p in
                        var c = ByteCursor(p)
                        try dict.withUnsafeMutableBytes { d in
                            try decodePlain(&c, conversion: conversion, typeLength: typeLength, count: h.numValues, into: d.baseAddress!, strings: &strings)
                        }
                    }
                    dictionary = dict
                    dictionaryCount = h.numValues
                case 0, 3: // data page v1, v2
                    let n = h.numValues
                    guard n <= rows - done else { throw ParquetFault("its pages hold more values than the row group's \(rows) rows") }
                    if levels.count < n { levels = [Int32](repeating: 0, count: n) }
                    var page: [UInt8]
                    var nonNull = n
                    var valuesAt = 0
                    if h.kind == 0 {
                        page = [UInt8](repeating: 0, count: h.uncompressedSize)
                        try page.withUnsafeMutableBytes { try PageCodec.decompress(meta.codec, payload, into: $0) }
                        if optional {
                            try page.withUnsafeBytes { p in
                                var c = ByteCursor(p)
                                switch h.definitionEncoding {
                                case 3:
                                    let len = try c.uint32LE()
                                    var lc = ByteCursor(try c.take(len))
                                    try levels.withUnsafeMutableBufferPointer { try Hybrid.decode(&lc, width: 1, count: n, into: $0.baseAddress!) }
                                default:
                                    throw ParquetFault("definition levels use encoding \(h.definitionEncoding) (the deprecated BIT_PACKED), which Pulk does not read")
                                }
                                valuesAt = c.position
                            }
                        }
                    } else {
                        let levelBytes = h.repetitionLength + h.definitionLength
                        guard levelBytes <= payload.count else { throw ParquetFault("a v2 page's levels run past the page") }
                        if optional && h.definitionLength > 0 {
                            var lc = ByteCursor(UnsafeRawBufferPointer(rebasing: payload[h.repetitionLength..<levelBytes]))
                            try levels.withUnsafeMutableBufferPointer { try Hybrid.decode(&lc, width: 1, count: n, into: $0.baseAddress!) }
                        } else if optional {
                            for i in 0..<n { levels[i] = 1 }
                        }
                        let body = UnsafeRawBufferPointer(rebasing: payload[levelBytes...])
                        if h.isCompressed && meta.codec != 0 {
                            guard h.uncompressedSize >= levelBytes else { throw ParquetFault("a v2 page's sizes disagree") }
                            page = [UInt8](repeating: 0, count: h.uncompressedSize - levelBytes)
                            try page.withUnsafeMutableBytes { try PageCodec.decompress(meta.codec, body, into: $0) }
                        } else {
                            page = Array(body)
                        }
                    }
                    if optional {
                        nonNull = 0
                        for i in 0..<n where levels[i] != 0 { nonNull += 1 }
                    }
                    let dest = out + done * width
                    try page.withUnsafeBytes { p in
                        var c = ByteCursor(UnsafeRawBufferPointer(rebasing: p[valuesAt...]))
                        try decodeValues(&c, encoding: h.encoding, conversion: conversion, typeLength: typeLength, count: nonNull, into: dest,
                                         width: width, dictionary: dictionary, dictionaryCount: dictionaryCount, strings: &strings)
                    }
                    if nonNull < n {
                        // Spread the dense values to their rows, from the back, zeroing the missing ones.
                        var j = nonNull - 1
                        for i in stride(from: n - 1, through: 0, by: -1) {
                            if levels[i] != 0 {
                                if j != i { (dest + i * width).copyMemory(from: dest + j * width, byteCount: width) }
                                j -= 1
                            } else {
                                (dest + i * width).initializeMemory(as: UInt8.self, repeating: 0, count: width)
                            }
                        }
                        if validity == nil { validity = Bitmap(count: rows, value: true) }
                        for i in 0..<n where levels[i] == 0 { validity![done + i] = false }
                    }
                    done += n
                default:
                    continue // index pages and unknown kinds carry no rows
                }
            }
        }
        return ChunkOutput(validity: validity, dictionary: strings.values)
    }
}

/// Decodes `count` non-null values of a data page in `encoding` into `dest`.
private func decodeValues(_ c: inout ByteCursor, encoding: Int32, conversion: Conversion, typeLength: Int, count: Int, into dest: UnsafeMutableRawPointer,
                          width: Int, dictionary: [UInt8]?, dictionaryCount: Int, strings: inout LocalStrings) throws {
    guard count > 0 else { return }
    switch ParquetEncoding(rawValue: encoding) {
    case .plain?:
        try decodePlain(&c, conversion: conversion, typeLength: typeLength, count: count, into: dest, strings: &strings)
    case .plainDictionary?, .rleDictionary?:
        guard let dictionary else { throw ParquetFault("a dictionary-encoded page comes before any dictionary page") }
        let bitWidth = Int(try c.byte())
        var indices = [Int32](repeating: 0, count: count)
        try indices.withUnsafeMutableBufferPointer { try Hybrid.decode(&c, width: bitWidth, count: count, into: $0.baseAddress!) }
        let limit = Int32(dictionaryCount)
        for i in indices where i < 0 || i >= limit { throw ParquetFault("a dictionary index (\(i)) is outside its dictionary of \(limit)") }
        dictionary.withUnsafeBytes { d in
            let src = d.baseAddress!
            switch width {
            case 8:
                let s = src.assumingMemoryBound(to: UInt64.self), o = dest.assumingMemoryBound(to: UInt64.self)
                for (k, i) in indices.enumerated() { o[k] = s[Int(i)] }
            case 4:
                let s = src.assumingMemoryBound(to: UInt32.self), o = dest.assumingMemoryBound(to: UInt32.self)
                for (k, i) in indices.enumerated() { o[k] = s[Int(i)] }
            default:
                let s = src.assumingMemoryBound(to: UInt8.self), o = dest.assumingMemoryBound(to: UInt8.self)
                for (k, i) in indices.enumerated() { o[k] = s[Int(i)] }
            }
        }
    case .rle?:
        guard case .bool = conversion else { throw ParquetFault("RLE encodes booleans only, not this column's values") }
        let len = try c.uint32LE()
        var bc = ByteCursor(try c.take(len))
        var bits = [Int32](repeating: 0, count: count)
        try bits.withUnsafeMutableBufferPointer { try Hybrid.decode(&bc, width: 1, count: count, into: $0.baseAddress!) }
        let o = dest.assumingMemoryBound(to: Bool.self)
        for k in 0..<count { o[k] = bits[k] != 0 }
    case .deltaBinaryPacked?:
        var values = [Int64](repeating: 0, count: count)
        let got = try values.withUnsafeMutableBufferPointer { try DeltaBinaryPacked.decode(&c, capacity: count, into: $0.baseAddress!) }
        guard got == count else { throw ParquetFault("a DELTA_BINARY_PACKED page holds \(got) values, not \(count)") }
        // As plain values of the physical width, then converted like plain ones.
        let physical: Int
        switch conversion {
        case .copy4, .int32ToInt64, .int32Scaled, .decimal32: physical = 4
        case .copy8, .uint64ToDouble, .int64Scaled, .decimal64: physical = 8
        default: throw ParquetFault("DELTA_BINARY_PACKED encodes integers only, not this column's values")
        }
        var plain = [UInt8](repeating: 0, count: count * physical)
        plain.withUnsafeMutableBytes { p in
            if physical == 4 {
                let o = p.baseAddress!.assumingMemoryBound(to: Int32.self)
                for k in 0..<count { o[k] = Int32(truncatingIfNeeded: values[k]) }
            } else {
                values.withUnsafeBytes { p.copyMemory(from: $0) }
            }
        }
        try plain.withUnsafeBytes { p in
            var pc = ByteCursor(p)
            try decodePlain(&pc, conversion: conversion, typeLength: typeLength, count: count, into: dest, strings: &strings)
        }
    case .deltaLengthByteArray?, .deltaByteArray?:
        // Rebuilt as PLAIN byte arrays (a length before each value), then read as those.
        let n = try DeltaBinaryPacked.count(c)
        guard n >= count, n <= count + 1 << 20 else { throw ParquetFault("a delta byte-array page holds \(n) values, not \(count)") }
        var prefixes = [Int64](repeating: 0, count: max(n, 1))
        if encoding == ParquetEncoding.deltaByteArray.rawValue {
            _ = try prefixes.withUnsafeMutableBufferPointer { try DeltaBinaryPacked.decode(&c, capacity: n, into: $0.baseAddress!) }
        } else {
            for k in 0..<prefixes.count { prefixes[k] = 0 }
        }
        let m = try DeltaBinaryPacked.count(c)
        guard m == n || encoding == ParquetEncoding.deltaLengthByteArray.rawValue else { throw ParquetFault("a DELTA_BYTE_ARRAY page's prefix and suffix counts differ") }
        guard m >= count, m <= count + 1 << 20 else { throw ParquetFault("a delta byte-array page holds \(m) values, not \(count)") }
        var lengths = [Int64](repeating: 0, count: max(m, 1))
        _ = try lengths.withUnsafeMutableBufferPointer { try DeltaBinaryPacked.decode(&c, capacity: m, into: $0.baseAddress!) }
        guard m >= count else { throw ParquetFault("a delta byte-array page holds \(m) values, not \(count)") }
        var plain: [UInt8] = []
        var previous: [UInt8] = []
        for k in 0..<count {
            let prefix = Int(prefixes[k]), length = Int(lengths[k])
            guard prefix >= 0, prefix <= previous.count, length >= 0 else { throw ParquetFault("a delta byte-array value is damaged") }
            let suffix = try c.take(length)
            var value = Array(previous[0..<prefix])
            value += suffix
            var l = UInt32(value.count).littleEndian
            withUnsafeBytes(of: &l) { plain += $0 }
            plain += value
            previous = value
        }
        try plain.withUnsafeBytes { p in
            var pc = ByteCursor(p)
            try decodePlain(&pc, conversion: conversion, typeLength: typeLength, count: count, into: dest, strings: &strings)
        }
    case .byteStreamSplit?:
        let physical: Int
        switch conversion {
        case .copy4, .int32ToInt64, .int32Scaled, .decimal32, .floatToDouble: physical = 4
        case .copy8, .uint64ToDouble, .int64Scaled, .decimal64: physical = 8
        case .float16, .uuid, .decimalBytes: physical = typeLength
        default: throw ParquetFault("BYTE_STREAM_SPLIT does not apply to this column's values")
        }
        guard physical > 0, physical <= 64 else { throw ParquetFault("BYTE_STREAM_SPLIT values of \(physical) bytes are not valid") }
        let streams = try c.take(count * physical)
        var plain = [UInt8](repeating: 0, count: count * physical)
        for k in 0..<physical { for i in 0..<count { plain[i * physical + k] = streams[k * count + i] } }
        try plain.withUnsafeBytes { p in
            var pc = ByteCursor(p)
            try decodePlain(&pc, conversion: conversion, typeLength: typeLength, count: count, into: dest, strings: &strings)
        }
    case .bitPacked?, nil:
        throw ParquetFault("values use encoding \(encoding), which Pulk does not read")
    }
}

/// Decodes `count` PLAIN values and converts them into `dest` (strings as codes into `strings`).
func decodePlain(_ c: inout ByteCursor, conversion: Conversion, typeLength: Int, count: Int, into dest: UnsafeMutableRawPointer,
                 strings: inout LocalStrings) throws {
    guard count > 0 else { return }
    switch conversion {
    case .copy8:
        let src = try c.take(count * 8)
        dest.copyMemory(from: src.baseAddress!, byteCount: count * 8)
    case .copy4:
        let src = try c.take(count * 4)
        dest.copyMemory(from: src.baseAddress!, byteCount: count * 4)
    case .int32ToInt64(let unsigned):
        let src = try c.take(count * 4).baseAddress!
        let o = dest.assumingMemoryBound(to: Int64.self)
        if unsigned {
            for k in 0..<count { o[k] = Int64(src.loadUnaligned(fromByteOffset: k * 4, as: UInt32.self)) }
        } else {
            for k in 0..<count { o[k] = Int64(src.loadUnaligned(fromByteOffset: k * 4, as: Int32.self)) }
        }
    case .uint64ToDouble:
        let src = try c.take(count * 8).baseAddress!
        let o = dest.assumingMemoryBound(to: Double.self)
        for k in 0..<count { o[k] = Double(src.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)) }
    case .floatToDouble:
        let src = try c.take(count * 4).baseAddress!
        let o = dest.assumingMemoryBound(to: Double.self)
        for k in 0..<count { o[k] = Double(src.loadUnaligned(fromByteOffset: k * 4, as: Float.self)) }
    case .int64Scaled(let multiply, let divide):
        let src = try c.take(count * 8).baseAddress!
        let o = dest.assumingMemoryBound(to: Int64.self)
        for k in 0..<count {
            let v = src.loadUnaligned(fromByteOffset: k * 8, as: Int64.self)
            if divide > 1 {
                let (q, r) = v.quotientAndRemainder(dividingBy: divide)
                o[k] = r < 0 ? q - 1 : q // floor, as pandas truncates nanoseconds towards the past
            } else {
                o[k] = v.multipliedReportingOverflow(by: multiply).partialValue
            }
        }
    case .int32Scaled(let multiply):
        let src = try c.take(count * 4).baseAddress!
        let o = dest.assumingMemoryBound(to: Int64.self)
        for k in 0..<count { o[k] = Int64(src.loadUnaligned(fromByteOffset: k * 4, as: Int32.self)) * multiply }
    case .int96:
        let src = try c.take(count * 12).baseAddress!
        let o = dest.assumingMemoryBound(to: Int64.self)
        for k in 0..<count {
            let nanos = src.loadUnaligned(fromByteOffset: k * 12, as: Int64.self)
            let julian = Int64(src.loadUnaligned(fromByteOffset: k * 12 + 8, as: Int32.self))
            o[k] = (julian &- 2_440_588) &* 86_400_000_000 &+ nanos / 1000
        }
    case .decimal32(let scale):
        let src = try c.take(count * 4).baseAddress!
        let o = dest.assumingMemoryBound(to: Double.self)
        for k in 0..<count { o[k] = Double(src.loadUnaligned(fromByteOffset: k * 4, as: Int32.self)) / scale }
    case .decimal64(let scale):
        let src = try c.take(count * 8).baseAddress!
        let o = dest.assumingMemoryBound(to: Double.self)
        for k in 0..<count {
            var v = src.loadUnaligned(fromByteOffset: k * 8, as: Int64.self).bigEndian
            o[k] = withUnsafeBytes(of: &v) { decimalValue($0, scale: scale) }
        }
    case .decimalBytes(let scale):
        let o = dest.assumingMemoryBound(to: Double.self)
        for k in 0..<count {
            let bytes = typeLength > 0 ? try c.take(typeLength) : try c.take(try c.uint32LE())
            guard bytes.count <= 64 else { throw ParquetFault("a decimal of \(bytes.count) bytes is longer than any decimal type (32 bytes)") }
            o[k] = decimalValue(bytes, scale: scale)
        }
    case .float16:
        guard typeLength == 2 else { throw ParquetFault("a FLOAT16 column's values are \(typeLength) bytes, not 2") }
        let src = try c.take(count * 2).baseAddress!
        let o = dest.assumingMemoryBound(to: Double.self)
        for k in 0..<count { o[k] = halfToDouble(src.loadUnaligned(fromByteOffset: k * 2, as: UInt16.self)) }
    case .bool:
        let src = try c.take((count + 7) / 8).baseAddress!.assumingMemoryBound(to: UInt8.self)
        let o = dest.assumingMemoryBound(to: Bool.self)
        for k in 0..<count { o[k] = src[k >> 3] & (1 << UInt8(k & 7)) != 0 }
    case .string(let validate):
        let o = dest.assumingMemoryBound(to: Int32.self)
        for k in 0..<count {
            let bytes = try c.take(try c.uint32LE())
            let s: String
            if validate {
                guard let v = String(validating: bytes, as: UTF8.self) else {
                    throw ParquetFault("it holds binary values that are not UTF-8 text, which Pulk has no column type for; leave the column out")
                }
                s = v
            } else {
                s = String(decoding: bytes, as: UTF8.self)
            }
            o[k] = strings.code(s)
        }
    case .uuid:
        guard typeLength == 16 else { throw ParquetFault("a UUID column's values are \(typeLength) bytes, not 16") }
        let o = dest.assumingMemoryBound(to: Int32.self)
        for k in 0..<count {
            let b = try c.take(16)
            let hex = b.map { String(format: "%02x", $0) }.joined()
            let s = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)].joined(separator: "-")
            o[k] = strings.code(s)
        }
    }
}

/// A decimal's value, its unscaled integer (big-endian two's complement, any length) over 10^scale,
/// rounded once to the nearest Double (as Python's `float(Decimal)` is): exactly by one division when
/// the integer and the power of ten are exact Doubles, else through its decimal digits.
func decimalValue(_ b: UnsafeRawBufferPointer, scale: Int) -> Double {
    guard let first = b.first else { return 0 }
    let negative = first & 0x80 != 0
    if b.count <= 8 {
        var v: Int64 = negative ? -1 : 0
        for x in b { v = (v << 8) | Int64(x) }
        if v.magnitude < 1 << 53, scale >= 0, scale <= 22 { return Double(v) / exactPowersOfTen[scale] }
    }
    // Magnitude as big-endian bytes, then its decimal digits by repeated division by 10.
    var magnitude = Array(b)
    if negative {
        for i in magnitude.indices { magnitude[i] = ~magnitude[i] }
        var i = magnitude.count - 1
        while i >= 0 { magnitude[i] &+= 1; if magnitude[i] != 0 { break }; i -= 1 }
    }
    var digits: [UInt8] = []
    var start = magnitude.firstIndex { $0 != 0 } ?? magnitude.count
    while start < magnitude.count {
        var remainder = 0
        for i in start..<magnitude.count {
            let cur = remainder << 8 | Int(magnitude[i])
            magnitude[i] = UInt8(cur / 10)
            remainder = cur % 10
        }
        digits.append(UInt8(ascii: "0") + UInt8(remainder))
        while start < magnitude.count && magnitude[start] == 0 { start += 1 }
    }
    if digits.isEmpty { digits = [UInt8(ascii: "0")] }
    let text = (negative ? "-" : "") + String(decoding: digits.reversed(), as: UTF8.self) + "e" + String(-scale)
    return Double(text) ?? .nan
}

private let exactPowersOfTen: [Double] = (0...22).map { Foundation.pow(10, Double($0)) }

private func halfToDouble(_ h: UInt16) -> Double {
    let sign = h & 0x8000 != 0 ? -1.0 : 1.0
    let exponent = Int((h >> 10) & 0x1f), fraction = Double(h & 0x3ff)
    if exponent == 0 { return sign * fraction * Foundation.pow(2, -24) }
    if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
    return sign * (1 + fraction / 1024) * Foundation.pow(2, Double(exponent - 15))
}
