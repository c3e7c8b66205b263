/// Parquet's value and level encodings that are not plain little-endian copies: the RLE/bit-packed
/// hybrid (levels, dictionary indices, booleans), DELTA_BINARY_PACKED and the byte-array deltas.
struct ByteCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        end = bytes.count
        position = 0
    }

    var remaining: Int { end - position }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw ParquetFault("a page's values run past its end") }
        defer { position += 1 }
        return base[position]
    }

    mutating func uleb() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetFault("a varint in a page is longer than 10 bytes") }
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try uleb()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func uint32LE() throws -> Int {
        guard remaining >= 4 else { throw ParquetFault("a page's values run past its end") }
        defer { position += 4 }
        return Int(UnsafeRawPointer(base + position).loadUnaligned(as: UInt32.self).littleEndian)
    }

    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw ParquetFault("a page's values run past its end") }
        defer { position += n }
        return UnsafeRawBufferPointer(start: base + position, count: n)
    }

    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + position, count: remaining) }
}

/// Unpacks `count` values of `width` bits (least significant bit first) starting at bit 0 of `bytes`.
@inline(__always)
func unpackBits(_ bytes: UnsafePointer<UInt8>, available: Int, width: Int, count: Int, into out: UnsafeMutablePointer<Int32>) {
    if width == 0 { out.update(repeating: 0, count: count); return }
    let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
    var bit = 0
    for i in 0..<count {
        let byteIndex = bit >> 3
        var word: UInt64 = 0
        if byteIndex + 8 <= available {
            word = UnsafeRawPointer(bytes + byteIndex).loadUnaligned(as: UInt64.self).littleEndian
        } else {
            for k in 0..<min(8, max(0, available - byteIndex)) { word |= UInt64(bytes[byteIndex + k]) << UInt64(8 * k) }
        }
        out[i] = Int32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
        bit += width
    }
}

/// The RLE/bit-packed hybrid: runs of one repeated value and groups of eight bit-packed values.
enum Hybrid {
    /// Decodes `count` values of `width` bits from `cursor` into `out`.
    static func decode(_ cursor: inout ByteCursor, width: Int, count: Int, into out: UnsafeMutablePointer<Int32>) throws {
        guard width >= 0, width <= 32 else { throw ParquetFault("a bit width of \(width) is not valid") }
        let valueBytes = (width + 7) / 8
        var done = 0
        while done < count {
            let header = try cursor.uleb()
            if header & 1 == 0 {
                let run = Int(clamping: header >> 1)
                guard run > 0 else { throw ParquetFault("an RLE run is empty") }
                var v: UInt32 = 0
                for k in 0..<valueBytes { v |= UInt32(try cursor.byte()) << UInt32(8 * k) }
                let n = min(run, count - done)
                (out + done).update(repeating: Int32(bitPattern: v), count: n)
                done += n
            } else {
                let groups = Int(clamping: header >> 1)
                guard groups > 0, groups <= cursor.remaining else { throw ParquetFault("a bit-packed run is damaged") }
                let values = groups * 8
                let bytes = groups * width
                let available = min(bytes, cursor.remaining) // the last run may be cut short
                let n = min(values, count - done)
                unpackBits(cursor.base + cursor.position, available: available, width: width, count: n, into: out + done)
                cursor.position += available
                done += n
            }
        }
    }

    /// Encodes `values` of `width` bits: RLE runs for eight or more repeats, bit-packed groups otherwise.
    static func encode(_ values: UnsafeBufferPointer<Int32>, width: Int, into out: inout [UInt8]) {
        let n = values.count
        var i = 0
        var pendingStart = 0 // values[pendingStart..<i] wait to be bit-packed
        func uleb(_ v: Int, _ out: inout [UInt8]) {
            var v = UInt64(v)
            while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        func flushPacked(_ end: Int, _ out: inout [UInt8]) {
            let count = end - pendingStart
            guard count > 0 else { return }
            let groups = (count + 7) / 8
            uleb(groups << 1 | 1, &out)
            var acc: UInt64 = 0, bits = 0
            for k in 0..<(groups * 8) {
                let v = pendingStart + k < end ? UInt64(UInt32(bitPattern: values[pendingStart + k])) : 0
                acc |= v << UInt64(bits)
                bits += width
                while bits >= 8 { out.append(UInt8(acc & 0xff)); acc >>= 8; bits -= 8 }
            }
            if bits > 0 { out.append(UInt8(acc & 0xff)) }
        }
        while i < n {
            var run = 1
            while i + run < n && values[i + run] == values[i] { run += 1 }
            // Fill the pending group up to a multiple of eight before an RLE run can start.
            let pad = (8 - (i - pendingStart) % 8) % 8
            if run >= pad + 8 {
                let rleStart = i + pad
                flushPacked(rleStart, &out)
                let rleCount = run - pad
                uleb(rleCount << 1, &out)
                var v = UInt32(bitPattern: values[i])
                for _ in 0..<((width + 7) / 8) { out.append(UInt8(v & 0xff)); v >>= 8 }
                i += run
                pendingStart = i
            } else {
                i += run
            }
        }
        flushPacked(n, &out)
    }
}

/// DELTA_BINARY_PACKED: blocks of miniblocks of bit-packed deltas from a running value.
enum DeltaBinaryPacked {
    /// The number of values the header at `cursor` announces (the cursor does not move).
    static func count(_ cursor: ByteCursor) throws -> Int {
        var c = cursor
        _ = try c.uleb(); _ = try c.uleb()
        return Int(clamping: try c.uleb())
    }

    /// Decodes every value of the encoding at `cursor` (at most `capacity`), leaving the cursor after it.
    static func decode(_ cursor: inout ByteCursor, capacity: Int, into out: UnsafeMutablePointer<Int64>) throws -> Int {
        let blockSize = Int(clamping: try cursor.uleb())
        let miniblocks = Int(clamping: try cursor.uleb())
        let total = Int(clamping: try cursor.uleb())
        var value = try cursor.zigzag()
        guard blockSize > 0, miniblocks > 0, blockSize % miniblocks == 0, blockSize % 128 == 0, blockSize <= 1 << 20 else {
            throw ParquetFault("a DELTA_BINARY_PACKED header is damaged (block \(blockSize), miniblocks \(miniblocks))")
        }
        let perMini = blockSize / miniblocks
        guard perMini % 32 == 0 else { throw ParquetFault("a DELTA_BINARY_PACKED miniblock holds \(perMini) values, not a multiple of 32") }
        guard total <= capacity else { throw ParquetFault("a DELTA_BINARY_PACKED run holds \(total) values, more than its page's \(capacity)") }
        guard total > 0 else { return 0 }
        out[0] = value
        var done = 1
        var widths = [Int](repeating: 0, count: miniblocks)
        while done < total {
            let minDelta = try cursor.zigzag()
            for m in 0..<miniblocks { widths[m] = Int(try cursor.byte()) }
            for m in 0..<miniblocks where done < total {
                let w = widths[m]
                guard w <= 64 else { throw ParquetFault("a DELTA_BINARY_PACKED bit width of \(w) is not valid") }
                let bytes = perMini * w / 8
                guard bytes <= cursor.remaining else { throw ParquetFault("a DELTA_BINARY_PACKED miniblock runs past its page") }
                let p = cursor.base + cursor.position
                let take = min(perMini, total - done)
                let mask: UInt64 = w == 64 ? ~0 : (1 << UInt64(w)) - 1
                for i in 0..<take {
                    let delta = w == 0 ? 0 : bits(p, available: bytes, at: i * w, width: w, mask: mask)
                    value = value &+ minDelta &+ Int64(bitPattern: delta)
                    out[done + i] = value
                }
                done += take
                cursor.position += bytes
            }
        }
        return total
    }

    @inline(__always)
    static func bits(_ p: UnsafePointer<UInt8>, available: Int, at bit: Int, width: Int, mask: UInt64) -> UInt64 {
        let byte = bit >> 3, shift = bit & 7
        func load(_ at: Int) -> UInt64 {
            if at + 8 <= available { return UnsafeRawPointer(p + at).loadUnaligned(as: UInt64.self).littleEndian }
            var w: UInt64 = 0
            for k in 0..<8 where at + k < available { w |= UInt64(p[at + k]) << UInt64(8 * k) }
            return w
        }
        var v = load(byte) >> UInt64(shift)
        if shift + width > 64, byte + 8 < available { v |= UInt64(p[byte + 8]) << UInt64(64 - shift) }
        return v & mask
    }

    /// Encodes `values` with blocks of 128 values in 4 miniblocks of 32.
    static func encode(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) {
        func uleb(_ v: UInt64) {
            var v = v
            while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        func zigzag(_ v: Int64) { uleb(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
        uleb(128); uleb(4); uleb(UInt64(values.count))
        guard let first = values.first else { zigzag(0); return }
        zigzag(first)
        var i = 1
        var deltas = [Int64](repeating: 0, count: 128)
        while i < values.count {
            let n = min(128, values.count - i)
            var minDelta = Int64.max
            for k in 0..<n { deltas[k] = values[i + k] &- values[i + k - 1]; minDelta = min(minDelta, deltas[k]) }
            zigzag(minDelta)
            var widths = [Int](repeating: 0, count: 4)
            for m in 0..<4 where m * 32 < n {
                var maxBits = 0
                for k in (m * 32)..<min(n, m * 32 + 32) {
                    let d = UInt64(bitPattern: deltas[k] &- minDelta)
                    maxBits = max(maxBits, 64 - d.leadingZeroBitCount)
                }
                widths[m] = maxBits
            }
            for w in widths { out.append(UInt8(w)) }
            for m in 0..<4 where m * 32 < n {
                let w = widths[m]
                var acc: UInt64 = 0, bits = 0
                for k in (m * 32)..<(m * 32 + 32) {
                    let d = k < n ? UInt64(bitPattern: deltas[k] &- minDelta) : 0
                    if w == 0 { continue }
                    acc |= d << UInt64(bits)
                    let room = 64 - bits
                    if w >= room {
                        for _ in 0..<8 { out.append(UInt8(acc & 0xff)); acc >>= 8 }
                        acc = room < 64 && w > room ? d >> UInt64(room) : 0
                        bits = w - room
                    } else {
                        bits += w
                    }
                }
                while bits > 0 { out.append(UInt8(acc & 0xff)); acc >>= 8; bits -= 8 }
            }
            i += n
        }
    }
}
