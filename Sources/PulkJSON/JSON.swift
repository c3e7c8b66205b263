package import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// JSON for the server's hot paths, over Swift values: objects are `[String: Any]`, arrays `[Any]`,
/// strings `String`, integers `Int64`, other numbers `Double`, `Bool`, and `NSNull`. Foundation's
/// JSONSerialization bridges every value to NSDictionary/NSNumber, which cost 80% of a large search
/// response and a quarter of a log-batch request (BENCHMARKS.md).
package enum JSON {
    package struct SyntaxError: Error, CustomStringConvertible {
        package var offset: Int
        package var why: String
        package var description: String { "invalid JSON at byte \(offset): \(why)" }
    }

    // MARK: parsing

    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(SyntaxError) -> Any {
        var p = Parser(bytes: bytes.bindMemory(to: UInt8.self))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw SyntaxError(offset: p.i, why: "text after the value") }
        return v
    }

    package static func parse(_ data: Data) throws(SyntaxError) -> Any {
        do { return try data.withUnsafeBytes { raw in try parse(raw) } } catch let e as SyntaxError { throw e } catch {
            throw SyntaxError(offset: 0, why: "\(error)")
        }
    }

    /// The JSON object of `data`, or nil when it is not valid JSON or not an object.
    package static func object(_ data: Data) -> [String: Any]? { (try? parse(data)) as? [String: Any] }

    /// JSON text of a value as a string (object keys sorted).
    package static func text(_ value: Any) -> String { String(decoding: encode(value), as: UTF8.self) }

    package static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Any {
        do { return try bytes.withUnsafeBytes { raw in try parse(raw) } } catch let e as SyntaxError { throw e } catch {
            throw SyntaxError(offset: 0, why: "\(error)")
        }
    }

    package struct Parser {
        package let bytes: UnsafeBufferPointer<UInt8>
        package var i = 0

        package init(bytes: UnsafeBufferPointer<UInt8>, i: Int = 0) {
            self.bytes = bytes
            self.i = i
        }

        package mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        package func fail(_ why: String) -> SyntaxError { SyntaxError(offset: i, why: why) }

        package mutating func value(depth: Int) throws(SyntaxError) -> Any {
            guard depth < 512 else { throw fail("nested too deeply") }
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                var object: [String: Any] = [:]
                try self.object { p, key throws(SyntaxError) in object[key] = try p.value(depth: depth + 1) }
                return object
            case UInt8(ascii: "["):
                var array: [Any] = []
                try self.array { p throws(SyntaxError) in array.append(try p.value(depth: depth + 1)) }
                return array
            case UInt8(ascii: "\""): return try string()
            case UInt8(ascii: "t"): try literal("true"); return true
            case UInt8(ascii: "f"): try literal("false"); return false
            case UInt8(ascii: "n"): try literal("null"); return NSNull()
            default: return try number()
            }
        }

        package mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count, memcmp(bytes.baseAddress! + i, word.utf8Start, n) == 0 else { throw fail("unknown literal") }
            i += n
        }

        package mutating func number() throws(SyntaxError) -> Any {
            switch try numberScalar() {
            case .int(let v): return v
            case .double(let d): return d
            default: return NSNull()
            }
        }

        /// A number as an integer (no fraction or exponent, at most 18 digits) or a double.
        package mutating func numberScalar() throws(SyntaxError) -> JSON.Scalar {
            let start = i
            var integral = true
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            let digits = i
            while i < bytes.count {
                let c = bytes[i]
                if c >= 0x30 && c <= 0x39 { i += 1 } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                    || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { integral = false; i += 1 } else { break }
            }
            guard i > digits else { throw fail("expected a value") }
            if integral && i - digits <= 18 {
                var v: Int64 = 0
                for k in digits..<i { v = v &* 10 &+ Int64(bytes[k] &- 0x30) }
                return .int(bytes[start] == UInt8(ascii: "-") ? -v : v)
            }
            if integral && i - digits == 19 {
                // 19 digits: an integer when it fits Int64 (Int64.max and min included), else a double.
                let negative = bytes[start] == UInt8(ascii: "-")
                var v: Int64 = 0, overflow = false
                for k in digits..<i {
                    let (m, o1) = v.multipliedReportingOverflow(by: 10)
                    let d = Int64(bytes[k] &- 0x30)
                    let (a, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
                    v = a
                    if o1 || o2 { overflow = true; break }
                }
                if !overflow { return .int(v) }
            }
            // strtod on a NUL-terminated copy of the number's bytes, on the stack.
            let n = i - start
            let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
                for k in 0..<n { buffer[k] = CChar(bitPattern: bytes[start + k]) }
                buffer[n] = 0
                var end: UnsafeMutablePointer<CChar>?
                let d = strtod(buffer.baseAddress!, &end)
                return end.map { $0 - buffer.baseAddress! } == n ? d : nil
            }
            guard let parsed else { i = start; throw fail("malformed number") }
            return .double(parsed)
        }

        package mutating func string() throws(SyntaxError) -> String {
            i += 1  // opening quote
            let start = i
            guard let base = bytes.baseAddress else { throw fail("unterminated string") }
            let escaped = try JSON.scanString(base, &i, bytes.count)
            return JSON.decodeString(UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)]), escaped: escaped)
        }
    }

    // MARK: writing

    /// JSON text of a value; object keys sorted, so output is deterministic.
    package static func encode(_ value: Any) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    package static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let s as String: writeString(s, into: &out)
        case let o as [String: Any]:
            out.append(UInt8(ascii: "{"))
            var first = true
            for key in o.keys.sorted() {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(o[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let a as [[String: Any]]: writeArray(a, into: &out)
        case let a as [Any]: writeArray(a, into: &out)
        case let a as [String]: writeArray(a, into: &out)
        case let i as Int64: out.append(contentsOf: String(i).utf8)
        case let i as Int: out.append(contentsOf: String(i).utf8)
        case let b as Bool: out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case let d as Double:
            if d.isFinite { out.append(contentsOf: "\(d)".utf8) } else { out.append(contentsOf: "null".utf8) }
        case is NSNull: out.append(contentsOf: "null".utf8)
        case let raw as Raw: out.append(contentsOf: raw.bytes)
        default: writeString("\(value)", into: &out)
        }
    }

    /// Already-encoded JSON, embedded as it is.
    package struct Raw {
        package var bytes: [UInt8]
        package init(bytes: [UInt8]) { self.bytes = bytes }
    }

    package static func writeArray<T>(_ a: [T], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (k, v) in a.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            write(v, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    package static let hexDigits = Array("0123456789abcdef".utf8)

    package static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy their bytes at once.
        var s = s
        let plain: Bool = s.withUTF8 { bytes in
            for c in bytes where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain { out.append(UInt8(ascii: "\"")); return }
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSON {
    /// Writes one JSON object field by field (callers give keys in sorted order).
    package struct ObjectWriter {
        package var out: [UInt8] = [UInt8(ascii: "{")]
        package var first = true

        package mutating func key(_ k: String) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSON.writeString(k, into: &out)
            out.append(UInt8(ascii: ":"))
        }

        package mutating func string(_ k: String, _ v: String) { key(k); JSON.writeString(v, into: &out) }
        package mutating func int(_ k: String, _ v: Int64) { key(k); out.append(contentsOf: String(v).utf8) }
        /// MLflow's numbers: NaN and the infinities as strings.
        package mutating func number(_ k: String, _ v: Double) {
            key(k)
            if v.isNaN { out.append(contentsOf: "\"NaN\"".utf8) } else if v == .infinity { out.append(contentsOf: "\"Infinity\"".utf8) }
            else if v == -.infinity { out.append(contentsOf: "\"-Infinity\"".utf8) } else { out.append(contentsOf: "\(v)".utf8) }
        }

        /// A nested object, written into the same buffer (the buffer moves in and back out, never copied).
        package mutating func object(_ k: String, _ body: (inout ObjectWriter) -> Void) {
            key(k)
            var inner = ObjectWriter(continuing: &out)
            body(&inner)
            inner.end(into: &out)
        }

        package mutating func array<T>(_ k: String, _ items: [T], _ element: (T, inout ElementWriter) -> Void) {
            key(k)
            var w = ElementWriter(continuing: &out)
            for item in items { element(item, &w) }
            w.end(into: &out)
        }

        package init() {}

        package init(continuing buffer: inout [UInt8]) {
            out = []
            swap(&out, &buffer)
            out.append(UInt8(ascii: "{"))
        }

        package mutating func end(into buffer: inout [UInt8]) {
            out.append(UInt8(ascii: "}"))
            swap(&out, &buffer)
        }

        package mutating func finish() -> [UInt8] { out.append(UInt8(ascii: "}")); return out }
    }

    /// Writes the elements of one JSON array.
    package struct ElementWriter {
        package var out: [UInt8] = [UInt8(ascii: "[")]
        package var first = true

        package mutating func next() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }

        package mutating func object(_ body: (inout ObjectWriter) -> Void) {
            next()
            var o = ObjectWriter(continuing: &out)
            body(&o)
            o.end(into: &out)
        }

        package init() {}

        package init(continuing buffer: inout [UInt8]) {
            out = []
            swap(&out, &buffer)
            out.append(UInt8(ascii: "["))
        }

        package mutating func end(into buffer: inout [UInt8]) {
            out.append(UInt8(ascii: "]"))
            swap(&out, &buffer)
        }

        package mutating func pair(_ key: String, _ value: String) { object { o in o.string("key", key); o.string("value", value) } }

        package mutating func raw(_ bytes: [UInt8]) { next(); out.append(contentsOf: bytes) }

        package mutating func finish() -> [UInt8] { out.append(UInt8(ascii: "]")); return out }
    }
}

extension JSON.Parser {
    /// Calls `field` with each key of an object, positioned at its value.
    package mutating func object(_ field: (inout JSON.Parser, String) throws(JSON.SyntaxError) -> Void) throws(JSON.SyntaxError) {
        try rawObject { p, key throws(JSON.SyntaxError) in try field(&p, String(decoding: key, as: UTF8.self)) }
    }

    /// Calls `element` for each element of an array (null counts as an empty array).
    package mutating func array(_ element: (inout JSON.Parser) throws(JSON.SyntaxError) -> Void) throws(JSON.SyntaxError) {
        skipSpace()
        if i + 4 <= bytes.count, bytes[i] == UInt8(ascii: "n") { try literal("null"); return }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { throw fail("expected a list") }
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
        while true {
            try element(&self)
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated list") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; skipSpace(); continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return }
            throw fail("expected ',' or ']'")
        }
    }
}

extension JSON {
    /// A JSON value that is not an object or array.
    package enum Scalar {
        case null, bool(Bool), int(Int64), double(Double), string(String)

        /// The value as JSON writes it (strings quoted), for messages: `Invalid value "foo" for …`.
        package var json: String {
            switch self {
            case .string(let s): return String(decoding: JSON.encode(s), as: UTF8.self)
            case .null: return "null"
            default: return text ?? ""
            }
        }

        package var text: String? {
            switch self {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .bool(let b): return b ? "true" : "false"
            case .null: return nil
            }
        }

        package var int: Int64? {
            switch self {
            case .int(let i): return i
            case .double(let d): return Int64(exactly: d)
            case .string(let s): return Int64(s)
            default: return nil
            }
        }
    }
}

extension JSON.Parser {
    /// An int64 field (a JSON integer, or its decimal text as proto3 JSON allows); absent or null is
    /// 0. A fraction, a number out of Int64's range, or other text is refused, never stored as 0.
    package func integer(_ value: JSON.Scalar, _ name: String) throws(JSON.SyntaxError) -> Int64 {
        switch value {
        case .null: return 0
        case .int(let i): return i
        case .double(let d):
            guard let i = Int64(exactly: d) else { throw reject("Invalid value \(d) for parameter '\(name)' supplied: it must be an integer within int64's range") }
            return i
        case .string(let s):
            guard let i = Int64(s) else { throw reject("Invalid value \(JSON.Scalar.string(String(s.prefix(40))).json) for parameter '\(name)' supplied: it must be an integer within int64's range") }
            return i
        case .bool: throw reject("Invalid value for parameter '\(name)' supplied: it must be an integer, not a boolean")
        }
    }

    /// A protocol error found while decoding (offset -1: reported as INVALID_PARAMETER_VALUE, not as bad JSON).
    package func reject(_ message: String) -> JSON.SyntaxError { JSON.SyntaxError(offset: -1, why: message) }

    /// A string field: a JSON string, or nil for null; a number, boolean or container is refused as
    /// MLflow refuses it (INVALID_PARAMETER_VALUE, not a lookup of run "123").
    /// A scalar that must be a string (or null): anything else is refused with the field's name.
    package func text(_ value: JSON.Scalar, _ name: String) throws(JSON.SyntaxError) -> String? {
        switch value {
        case .string(let s): return s
        case .null: return nil
        case let other: throw reject("Invalid value \(other.json) for parameter '\(name)' supplied: expected a string")
        }
    }

    package mutating func stringField(_ name: String) throws(JSON.SyntaxError) -> String? {
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "{") {
            throw reject("Invalid value for parameter '\(name)' supplied: expected a string, not a \(bytes[i] == UInt8(ascii: "[") ? "list" : "object")")
        }
        switch try scalar() {
        case .string(let s): return s
        case .null: return nil
        case let other: throw reject("Invalid value \(other.json) for parameter '\(name)' supplied: expected a string")
        }
    }

    /// A list field: a JSON list (or null); anything else is refused with the field's name.
    package mutating func listField(_ name: String, _ element: (inout JSON.Parser) throws(JSON.SyntaxError) -> Void) throws(JSON.SyntaxError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "n") else {
            let shown = i < bytes.count && bytes[i] == UInt8(ascii: "{") ? "{…}" : ((try? scalar())?.json ?? "")
            throw reject("Invalid value \(shown) for parameter '\(name)' supplied: expected a list")
        }
        try array(element)
    }

    package mutating func scalar() throws(JSON.SyntaxError) -> JSON.Scalar {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"), UInt8(ascii: "["): _ = try value(depth: 1); return .null
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try numberScalar()
        }
    }
}

extension JSON {
    /// Whether a raw field name is this literal.
    @inline(__always)
    package static func same(_ field: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        field.count == literal.utf8CodeUnitCount && memcmp(field.baseAddress!, literal.utf8Start, field.count) == 0
    }
}

extension JSON.Parser {
    /// Like `object`, with each key as its raw bytes (keys with escapes are decoded first).
    package mutating func rawObject(_ field: (inout JSON.Parser, UnsafeBufferPointer<UInt8>) throws(JSON.SyntaxError) -> Void) throws(JSON.SyntaxError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw fail("expected an object") }
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            var end = i + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            guard end < bytes.count else { throw fail("unterminated string") }
            var escaped: [UInt8]?
            let keyStart = i + 1, keyEnd = end
            if bytes[end] == UInt8(ascii: "\"") { i = end + 1 } else { escaped = Array(try string().utf8) }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            if let escaped {
                let r: Result<Void, JSON.SyntaxError> = escaped.withUnsafeBufferPointer { k in Result { () throws(JSON.SyntaxError) in try field(&self, k) } }
                try r.get()
            } else {
                try field(&self, UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]))
            }
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw fail("expected ',' or '}'")
        }
    }
}

extension JSON {
    /// The top-level string (or integer) fields named in `keys` of a JSON object, every other value
    /// skipped without being built: how a large body (a log-batch of thousands of metrics) is asked
    /// for its run id. Empty when the body is not an object.
    package static func topLevelFields(_ bytes: UnsafeRawBufferPointer, keys: Set<String>) -> [String: String] {
        var found: [String: String] = [:]
        var p = Parser(bytes: bytes.bindMemory(to: UInt8.self))
        do {
            try p.rawObject { p, key throws(SyntaxError) in
                let name = String(decoding: key, as: UTF8.self)
                guard keys.contains(name) else { return try p.skipValue(depth: 0) }
                switch try p.scalar() {
                case .string(let v): found[name] = v
                case .int(let v): found[name] = String(v)
                default: break
                }
            }
        } catch {
            return found
        }
        return found
    }
}

extension JSON.Parser {
    /// Moves past one value (bounded as `value` is), building nothing.
    package mutating func skipValue(depth: Int) throws(JSON.SyntaxError) {
        guard depth < 512 else { throw fail("nested too deeply") }
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): try rawObject { p, _ throws(JSON.SyntaxError) in try p.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try array { p throws(JSON.SyntaxError) in try p.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            i += 1
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            guard i < bytes.count else { throw fail("unterminated string") }
            i += 1
        default:
            let start = i
            while i < bytes.count, !Self.ends(bytes[i]) { i += 1 }
            guard i > start else { throw fail("expected a value") }
        }
    }

    /// Whether a byte ends a number or literal.
    static func ends(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }
}
