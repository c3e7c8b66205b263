import Testing
@testable import PulkFrame

@Suite("Value parsers")
struct ValueParserTests {
    @Test func doublesRoundTripShortestText() {
        var rng = SplitMix(seed: 11)
        for _ in 0..<20000 {
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random(using: &rng) ? 1 : -1)
            #expect(ValueParser.parse("\(d)", ValueParser.double) == d)
            let small = Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 1000
            #expect(ValueParser.parse(formatDouble(small), ValueParser.double) == small)
        }
    }

    @Test(arguments: [
        ("0", 0.0), ("-0.0", -0.0), ("1e308", 1e308), ("4.9e-324", Double.leastNonzeroMagnitude), ("0.1", 0.1), ("123456789012345678901234567890", 1.2345678901234568e29),
        ("1.7976931348623157e308", 1.7976931348623157e308), ("9007199254740993", 9007199254740992), ("0.000001", 1e-6),
    ])
    func doubles(text: String, value: Double) {
        #expect(ValueParser.parse(text, ValueParser.double) == value)
    }

    @Test(arguments: ["", "-", "+", ".", "1e", "1e+", "1.2.3", "abc", "1,5", "0x10", "nan", "--1", "1 2"])
    func notDoubles(text: String) {
        #expect(ValueParser.parse(text, ValueParser.double) == nil)
    }

    /// The one-pass JSON number reader answers exactly what `double` does, or nil; it stops at the
    /// number's end whatever follows, and reads the last bytes of a buffer as well as the middle.
    @Test func simpleNumbersAgreeWithDouble() {
        var rng = SplitMix(seed: 5)
        var texts = ["0", "-0", "7", "-1.234567", "0.000001", "12345678", "123456789", "1234567890123456789", "12345678901234567890",
                     "9007199254740993", "1e22", "1e23", "1e-22", "1.5E+3", "2e-0", "-0.0", "00012", "1.", ".5", "+1", "1e", "1e+",
                     "1.2.3", "1e00001", "3.14159265358979", "99999999.99999999", "0.12345678", "-", "1-2", "1ee2", "10000000000000000000"]
        for _ in 0..<5000 {
            let digits = Int.random(in: 1...22, using: &rng)
            var t = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
            if Bool.random(using: &rng) { t.insert(".", at: t.index(t.startIndex, offsetBy: Int.random(in: 1...digits, using: &rng))) }
            if Int.random(in: 0..<4, using: &rng) == 0 { t += "e" + (Bool.random(using: &rng) ? "-" : "") + String(Int.random(in: 0...30, using: &rng)) }
            texts.append(Bool.random(using: &rng) ? "-" + t : t)
        }
        for t in texts {
            for tail in ["", ",", "]", " 5", "}"] {
                let bytes = Array((t + tail).utf8)
                var end = 0
                let got = bytes.withUnsafeBufferPointer { ValueParser.simpleNumber($0.baseAddress!, &end, count: $0.count) }
                guard !got.isNaN else { #expect(end == 0, "\(t)\(tail)"); continue }
                let whole = ValueParser.parse(t, ValueParser.double)
                #expect(end == t.utf8.count, "\(t)\(tail)")
                #expect(whole.map { $0.bitPattern } == got.bitPattern, "\(t)\(tail): \(got) vs \(String(describing: whole))")
            }
        }
        // Shapes it leaves to `double` (or refuses): all answered NaN, none misread, none consumed.
        for t in ["1.", ".5", "+1", "1e", "1e+", "1.2.3", "1e00001", "12345678901234567890", "1ee2", "1-2", "-", "1e23", ""] {
            let bytes = Array(t.utf8) + [0]
            var end = 0
            #expect(bytes.withUnsafeBufferPointer { ValueParser.simpleNumber($0.baseAddress!, &end, count: $0.count - 1) }.isNaN, "\(t)")
            #expect(end == 0, "\(t)")
        }
    }

    @Test(arguments: [("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min), ("+5", 5), ("-0", 0)])
    func ints(text: String, value: Int64) {
        #expect(ValueParser.parse(text, ValueParser.int64) == value)
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "1.0", "", "1e3", "12a"])
    func notInts(text: String) {
        #expect(ValueParser.parse(text, ValueParser.int64) == nil)
    }

    @Test(arguments: [("1970-01-01", 0 as Int32), ("2000-02-29", 11016), ("1969-12-31", -1), ("0001-01-01", -719162), ("2/29/2000", 11016)])
    func dates(text: String, days: Int32) {
        #expect(ValueParser.parse(text, ValueParser.date) == days)
        #expect(CivilDate.format(days: days) == (text.contains("/") ? "2000-02-29" : text))
    }

    @Test(arguments: ["2001-02-29", "2024-13-01", "2024-00-10", "24-01-01", "2024-1-1", "13/1/2024", "2024-01-01x"])
    func notDates(text: String) {
        #expect(ValueParser.parse(text, ValueParser.date) == nil)
    }

    @Test func weekdays() {
        #expect(CivilDate.weekday(days: 0) == 3) // 1970-01-01 was a Thursday
        #expect(CivilDate.weekday(days: -1) == 2)
    }
}
