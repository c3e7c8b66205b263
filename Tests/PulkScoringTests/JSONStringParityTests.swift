import PulkJSON
@testable import PulkScoring
import Testing

/// The server's JSON reader and the scoring request reader share one string reader: every string is
/// accepted by both with the same text, or refused by both.
@Suite("One JSON string reader for the server and scoring")
struct JSONStringParityTests {
    /// (bytes between the quotes, the text, or nil when it must be refused)
    static let cases: [([UInt8], String?)] = [
        (Array("plain".utf8), "plain"),
        (Array("".utf8), ""),
        (Array(#"a\"b\\c\/d"#.utf8), "a\"b\\c/d"),
        (Array(#"\b\f\n\r\t"#.utf8), "\u{8}\u{C}\n\r\t"),
        (Array(#"\u00e9\u20AC"#.utf8), "é€"),
        (Array(#"\ud83d\ude00"#.utf8), "😀"),
        (Array("é😀".utf8), "é😀"),
        (Array(#"\ud800"#.utf8), nil),             // a lone high surrogate
        (Array(#"\ud800x"#.utf8), nil),
        (Array(#"\ud800\u0041"#.utf8), nil),       // high surrogate, then no low one
        (Array(#"\udc00"#.utf8), nil),             // a lone low surrogate
        (Array(#"\u0000"#.utf8), nil),             // NUL
        (Array(#"\x"#.utf8), nil),                 // unknown escape
        (Array(#"\u12"#.utf8), nil),               // short escape
        (Array(#"\u12g4"#.utf8), nil),
        ([0x61, 0x0A, 0x62], nil),                 // a raw control character
        ([0xC0, 0x80], nil),                       // overlong
        ([0xED, 0xA0, 0x80], nil),                 // an encoded surrogate
        ([0xF4, 0x90, 0x80, 0x80], nil),           // above U+10FFFF
        ([0xE2, 0x82], nil),                       // cut short
        ([0xFF], nil),
        ([0x80], nil),                             // a lone continuation byte
    ]

    @Test("Accepted alike with the same text, or refused by both", arguments: cases.indices)
    func parity(_ k: Int) throws {
        let (content, expected) = Self.cases[k]
        let server: String? = try? JSON.parse([UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]) as? String
        let body = Array(#"{"columns": ["c"], "data": [[""#.utf8) + content + Array(#""]]}"#.utf8)
        let scoring: String? = body.withUnsafeBufferPointer { b in
            var p = RequestParser(b)
            guard let table = try? p.table(), let cell = table.columns.first?.first else { return nil }
            return p.text(Int(cell.start), Int(cell.length), cell.escaped)
        }
        #expect(server == expected, "server reader on \(content)")
        #expect(scoring == expected, "scoring reader on \(content)")
    }
}
