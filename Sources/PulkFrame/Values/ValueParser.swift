#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parsers for one field's bytes. Each returns nil when the text is not of its type; none allocates.
/// Accepted forms are documented in docs/csv.md.
public enum ValueParser {
    /// Optional sign and 1–19 decimal digits that fit in `Int64`.
    @inlinable public static func int64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n > 0 else { return nil }
        var i = 0
        var neg = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") { neg = p[0] == UInt8(ascii: "-"); i = 1 }
        guard i < n, n - i <= 19 else { return nil }
        var v: UInt64 = 0
        while i < n {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        if neg { return v <= UInt64(Int64.max) + 1 ? Int64(bitPattern: 0 &- v) : nil }
        return v <= UInt64(Int64.max) ? Int64(v) : nil
    }

    /// Exact powers of ten representable in a `Double` (10^0 … 10^22).
    @inlinable @inline(__always) static func exactPower(_ e: Int) -> Double {
        switch e {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// A decimal number: optional sign, digits with an optional `.`, optional exponent; also `inf`,
    /// `-inf`, `infinity` (any case). Correctly rounded: a fast exact path (Clinger) for up to 19
    /// significant digits with a small exponent, `strtod` otherwise.
    @inlinable public static func double(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n > 0 else { return nil }
        var i = 0
        var neg = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") { neg = p[0] == UInt8(ascii: "-"); i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exp10 = 0
        var sawDigit = false
        var truncated = false
        while i < n, p[i] &- 48 < 10 {
            sawDigit = true
            if mantissa == 0 && p[i] == 48 { i += 1; continue }
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); digits += 1 } else { exp10 += 1; truncated = true }
            i += 1
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, p[i] &- 48 < 10 {
                sawDigit = true
                if mantissa == 0 && p[i] == 48 { exp10 -= 1; i += 1; continue }
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); digits += 1; exp10 -= 1 } else { truncated = true }
                i += 1
            }
        }
        guard sawDigit else { return special(p, n, from: i, negative: neg) }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var eneg = false
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { eneg = p[i] == UInt8(ascii: "-"); i += 1 }
            guard i < n else { return nil }
            var e = 0
            while i < n, p[i] &- 48 < 10 {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 48) }
                i += 1
            }
            exp10 += eneg ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return neg ? -0.0 : 0.0 }
        if !truncated, case let v = exactDecimal(mantissa, exp10, negative: neg), !v.isNaN { return v }
        return slowDouble(p, n)
    }

    /// ±mantissa × 10^exp10 when a double holds the mantissa and the power of ten exactly, so that
    /// one multiplication or division rounds correctly (Clinger's fast path); NaN otherwise.
    @inlinable @inline(__always) static func exactDecimal(_ mantissa: UInt64, _ exp10: Int, negative: Bool) -> Double {
        guard mantissa < (1 << 53), exp10 >= -22, exp10 <= 22 else { return .nan }
        let m = Double(mantissa)
        let v = exp10 < 0 ? m / exactPower(-exp10) : m * exactPower(exp10)
        // The sign by arithmetic: a branch on it mispredicts on data of mixed signs.
        return Double(bitPattern: v.bitPattern | UInt64(negative ? 1 : 0) << 63)
    }

    /// The common shape of a number in JSON (`-?digits(.digits)?([eE][+-]?digits)?`, at most 19
    /// digits, a small exponent) read in one pass from `p[i...]` up to `count`, `i` moved past it.
    /// NaN for anything else (no number reads as NaN), `i` then unchanged: the caller falls back to
    /// `double`. Exact where it answers, and the same double `double` gives for the same text.
    /// The answer is a plain double in a register rather than an optional pair in memory (with the
    /// row loop writing into its own buffer, 12% less time per number in a 100-row request;
    /// BENCHMARKS.md). Never inlined: inlined into that loop (forced, or as the optimizer chose
    /// after a small change to the loop) it made the loop 20–40% slower.
    @inline(never) public static func simpleNumber(_ p: UnsafePointer<UInt8>, _ i: inout Int, count: Int) -> Double {
        var j = i
        guard j < count else { return .nan }
        let neg = p[j] == UInt8(ascii: "-")
        j &+= neg ? 1 : 0
        var mantissa: UInt64 = 0
        let first = j
        digitRun(p, &j, count, &mantissa)
        var digits = j &- first
        guard digits > 0 else { return .nan }
        var exp10 = 0
        if j < count, p[j] == UInt8(ascii: ".") {
            j &+= 1
            let f = j
            digitRun(p, &j, count, &mantissa)
            guard j > f else { return .nan }
            exp10 = f &- j
            digits &+= j &- f
        }
        if j < count, p[j] | 0x20 == UInt8(ascii: "e") {
            j &+= 1
            var eneg = false
            if j < count, p[j] == UInt8(ascii: "-") || p[j] == UInt8(ascii: "+") { eneg = p[j] == UInt8(ascii: "-"); j &+= 1 }
            let f = j
            var e = 0
            while j < count, p[j] &- 48 < 10, j &- f < 4 { e = e &* 10 &+ Int(p[j] &- 48); j &+= 1 }
            guard j > f else { return .nan }
            exp10 &+= eneg ? -e : e
        }
        // Another number character (a second point or sign, a fifth exponent digit): not this shape.
        if j < count {
            let c = p[j]
            if c &- 48 < 10 || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c | 0x20 == UInt8(ascii: "e") { return .nan }
        }
        guard digits <= 19 else { return .nan }
        let v = exactDecimal(mantissa, exp10, negative: neg)
        if !v.isNaN { i = j }
        return v
    }

    /// Appends the decimal digits at `p[i...]` to `value` (wrapping past 19 digits; callers count
    /// them) and moves `i` past them.
    @inlinable @inline(__always) static func digitRun(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ count: Int, _ value: inout UInt64) {
        while i < count, p[i] &- 48 < 10 { value = value &* 10 &+ UInt64(p[i] &- 48); i &+= 1 }
    }

    @usableFromInline static func special(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, negative: Bool) -> Double? {
        let rest = n - i
        guard rest == 3 || rest == 8 else { return nil }
        let word: [UInt8] = Array("infinity".utf8)
        for k in 0..<rest where p[i + k] | 0x20 != word[k] { return nil }
        return negative ? -.infinity : .infinity
    }

    @usableFromInline static func slowDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[k]) }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &end)
            return end == buf.baseAddress! + n ? v : nil
        }
    }

    /// `true`/`false` in lower, upper or title case.
    @inlinable public static func bool(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        if n == 4, p[0] | 0x20 == 116, p[1] | 0x20 == 114, p[2] | 0x20 == 117, p[3] | 0x20 == 101 { return true }
        if n == 5, p[0] | 0x20 == 102, p[1] | 0x20 == 97, p[2] | 0x20 == 108, p[3] | 0x20 == 115, p[4] | 0x20 == 101 {
            return false
        }
        return nil
    }

    @inlinable static func digits(_ p: UnsafePointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
        var v = 0
        for k in from..<(from + count) {
            let d = p[k] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    @inlinable static func validDays(_ y: Int, _ m: Int, _ d: Int) -> Int32? {
        guard m >= 1, m <= 12, d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) else { return nil }
        return Int32(CivilDate.days(year: y, month: m, day: d))
    }

    /// A calendar date: `YYYY-MM-DD`, `YYYY/MM/DD` or `M/D/YYYY` (month and day with 1 or 2 digits).
    /// Returns days since 1970-01-01.
    @inlinable public static func date(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        if n == 10, p[4] == p[7], p[4] == UInt8(ascii: "-") || p[4] == UInt8(ascii: "/"),
           let y = digits(p, 0, 4), let m = digits(p, 5, 2), let d = digits(p, 8, 2) {
            return validDays(y, m, d)
        }
        // M/D/YYYY
        guard n >= 8, n <= 10, p[n - 5] == UInt8(ascii: "/") else { return nil }
        guard let y = digits(p, n - 4, 4) else { return nil }
        var slash = -1
        for k in 1..<(n - 5) where p[k] == UInt8(ascii: "/") { slash = k; break }
        guard slash >= 1, slash <= 2, n - 5 - slash - 1 >= 1, n - 5 - slash - 1 <= 2,
              let m = digits(p, 0, slash), let d = digits(p, slash + 1, n - 5 - slash - 1) else { return nil }
        return validDays(y, m, d)
    }

    /// An ISO 8601 date and time: `YYYY-MM-DD[T| ]HH:MM[:SS[.f…]][Z|±HH:MM|±HHMM]`. Times with a zone
    /// are converted to UTC; times without one are taken as UTC. Returns microseconds since the epoch.
    @inlinable public static func datetime(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n >= 16, p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " "),
              let day = date(p, 10), p[13] == UInt8(ascii: ":"),
              let hh = digits(p, 11, 2), let mi = digits(p, 14, 2), hh < 24, mi < 60 else { return nil }
        var i = 16
        var ss = 0
        var micros = 0
        if i < n, p[i] == UInt8(ascii: ":") {
            guard i + 3 <= n, let s = digits(p, i + 1, 2), s < 61 else { return nil }
            ss = s
            i += 3
            if i < n, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",") {
                i += 1
                var scale = 100_000
                let start = i
                while i < n, p[i] &- 48 < 10 {
                    micros += Int(p[i] &- 48) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        var offset = 0
        if i < n {
            if p[i] | 0x20 == UInt8(ascii: "z"), i + 1 == n {
                i += 1
            } else if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                let sign = p[i] == UInt8(ascii: "-") ? -1 : 1
                let rest = n - i - 1
                guard let oh = digits(p, i + 1, 2) else { return nil }
                var om = 0
                if rest == 5, p[i + 3] == UInt8(ascii: ":"), let m = digits(p, i + 4, 2) { om = m }
                else if rest == 4, let m = digits(p, i + 3, 2) { om = m }
                else if rest != 2 { return nil }
                offset = sign * (oh * 3600 + om * 60)
                i = n
            } else { return nil }
        }
        guard i == n else { return nil }
        let secs = Int64(day) * 86_400 + Int64(hh * 3600 + mi * 60 + ss) - Int64(offset)
        return secs * 1_000_000 + Int64(micros)
    }
}

extension ValueParser {
    /// Parses a Swift string with one of the byte parsers above.
    public static func parse<T>(_ s: String, _ parser: (UnsafePointer<UInt8>, Int) -> T?) -> T? {
        var s = s
        return s.withUTF8 { b in b.baseAddress.flatMap { parser($0, b.count) } ?? (b.isEmpty ? nil : nil) }
    }
}
