extension JSON {
    /// Moves `i` past a string's contents and its closing quote (`i` starts after the opening quote)
    /// and checks everything JSON and UTF-8 require of it, so decoding it later cannot fail: control
    /// characters escaped, escapes known, `\u` surrogates paired, no NUL (stored names are C strings in
    /// places, where a NUL would silently cut "a\u0000b" to "a"), valid UTF-8. Returns whether the
    /// string holds escapes. One reader for every string Pulk takes: the server's and scoring's.
    @inline(__always)
    package static func scanString(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) throws(SyntaxError) -> Bool {
        var escaped = false
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") { i += 1; return escaped }
            if c == UInt8(ascii: "\\") { escaped = true; try checkEscape(p, &i, n); continue }
            if c < 0x20 { throw SyntaxError(offset: i, why: "a control character inside a string (escape it)") }
            if c < 0x80 { i += 1; continue }
            try checkUTF8(p, &i, n)
        }
        throw SyntaxError(offset: i, why: "unterminated string")
    }

    /// The text of a string's contents that `scanString` accepted, escapes decoded.
    package static func decodeString(_ raw: UnsafeBufferPointer<UInt8>, escaped: Bool) -> String {
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            let c = raw[k]
            guard c == UInt8(ascii: "\\") else { out.append(c); k += 1; continue }
            let e = raw[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(raw.baseAddress! + k)
                k += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(raw.baseAddress! + k + 2) - 0xDC00)
                    k += 6
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e)  // " \ /
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Checks the escape at `p[i]` (a backslash) and moves past it.
    static func checkEscape(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) throws(SyntaxError) {
        guard i + 1 < n else { throw SyntaxError(offset: i, why: "unterminated string") }
        switch p[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 2
        case UInt8(ascii: "u"):
            i += 2
            let scalar = try checkedHex4(p, &i, n)
            if scalar >= 0xD800 && scalar < 0xDC00 {
                guard i + 1 < n, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else { throw SyntaxError(offset: i, why: "lone surrogate") }
                i += 2
                let low = try checkedHex4(p, &i, n)
                guard low >= 0xDC00 && low < 0xE000 else { throw SyntaxError(offset: i, why: "bad surrogate pair") }
            } else if scalar >= 0xDC00 && scalar < 0xE000 {
                throw SyntaxError(offset: i, why: "lone surrogate")
            } else if scalar == 0 {
                throw SyntaxError(offset: i, why: "a NUL character (\\u0000) inside a string")
            }
        default:
            throw SyntaxError(offset: i + 1, why: "invalid escape")
        }
    }

    static func checkedHex4(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) throws(SyntaxError) -> UInt32 {
        guard i + 4 <= n else { throw SyntaxError(offset: i, why: "short \\u escape") }
        for k in 0..<4 where hexDigit(p[i + k]) == nil { throw SyntaxError(offset: i + k, why: "bad hex digit in \\u escape") }
        defer { i += 4 }
        return hex4(p + i)
    }

    @inline(__always) static func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    /// Four hex digits already checked.
    static func hex4(_ p: UnsafePointer<UInt8>) -> UInt32 {
        (0..<4).reduce(0) { $0 << 4 | (hexDigit(p[$1]) ?? 0) }
    }

    /// Checks the UTF-8 sequence starting at `p[i]` (a byte ≥ 0x80) and moves past it (RFC 3629:
    /// no overlong forms, no surrogates, nothing above U+10FFFF).
    static func checkUTF8(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) throws(SyntaxError) {
        let c = p[i]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw SyntaxError(offset: i, why: "a string that is not valid UTF-8")
        }
        guard i + length <= n, p[i + 1] >= low, p[i + 1] <= high else { throw SyntaxError(offset: i, why: "a string that is not valid UTF-8") }
        for k in 2..<max(length, 2) where p[i + k] & 0xC0 != 0x80 { throw SyntaxError(offset: i, why: "a string that is not valid UTF-8") }
        i += length
    }

    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case ..<0x80: out.append(UInt8(v))
        case ..<0x800: out.append(contentsOf: [UInt8(0xC0 | v >> 6), UInt8(0x80 | v & 0x3F)])
        case ..<0x10000: out.append(contentsOf: [UInt8(0xE0 | v >> 12), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)])
        default: out.append(contentsOf: [UInt8(0xF0 | v >> 18), UInt8(0x80 | v >> 12 & 0x3F), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)])
        }
    }
}
