import CPulkJSON
import PulkFrame
import PulkLearn
@testable import PulkScoring
import Testing

/// The vector reader of rows of numbers (`pulk_json_number_run`, C) must read exactly what the
/// plain loop over `ValueParser.simpleNumber` reads, stop where it should, and never read past the
/// body.
@Suite struct NumberRowsTests {
    /// What one run answers: its status, the numbers written, where it stopped.
    struct Run: Equatable, CustomStringConvertible {
        var status: Int32
        var values: [UInt64]
        var next: Int
        var description: String { "status \(status), \(values.map { Double(bitPattern: $0) }), next \(next)" }
    }

    /// Runs the reader on `text` from `from`, with room for `room` numbers. The text is copied into
    /// an allocation of exactly its length, so a read past its end would leave it.
    static func run(_ text: String, from: Int = 0, room: Int = 64) -> Run {
        let bytes = Array(text.utf8)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer { p.deallocate() }
        p.initialize(from: bytes, count: bytes.count)
        let out = UnsafeMutablePointer<Double>.allocate(capacity: max(room, 1))
        defer { out.deallocate() }
        var count = 0, next = 0
        let status = pulk_json_number_run(p, bytes.count, from, out, room, &count, &next)
        return Run(status: status, values: (0..<count).map { out[$0].bitPattern }, next: next)
    }

    static func bits(_ values: Double...) -> [UInt64] { values.map(\.bitPattern) }

    #if arch(x86_64)
    @Test func everyX86CPUThatRunsTheTestsHasTheVectorReader() {
        #expect(RequestParser.cpuReadsVectors)
    }
    #endif

    // Each text has 17 spare bytes at the end (the reader leaves the last 17 to the caller).
    @Test("A run stops at the row's end, at the first value it leaves to the caller, or when the room is full", arguments: [
        ("1, 2.5, -3]" + pad, 64, Run(status: PULK_RUN_END, values: bits(1, 2.5, -3), next: 11)),
        ("-0.234039,4.154428 ,\t0.5\n]" + pad, 64, Run(status: PULK_RUN_END, values: bits(-0.234039, 4.154428, 0.5), next: 26)),
        ("-0, 0.0, 00012, 7.]" + pad, 64, Run(status: PULK_RUN_OTHER, values: bits(-0.0, 0, 12), next: 15)),  // "7." is not JSON's shape
        ("1, 1e5, 2]" + pad, 64, Run(status: PULK_RUN_OTHER, values: bits(1), next: 2)),                   // an exponent
        ("1, 2]" + pad, 1, Run(status: PULK_RUN_FULL, values: bits(1), next: 2)),
        ("1, 2]" + pad, 0, Run(status: PULK_RUN_FULL, values: [], next: 0)),
        ("]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),                                // an empty row
        ("1, ]" + pad, 64, Run(status: PULK_RUN_OTHER, values: bits(1), next: 2)),
        ("1, [2]]" + pad, 64, Run(status: PULK_RUN_OTHER, values: bits(1), next: 2)),                     // nested
        ("1, \"2\"]" + pad, 64, Run(status: PULK_RUN_OTHER, values: bits(1), next: 2)),
        ("1 2, 3]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        ("1.2.3, 3]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        ("+1, 3]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        ("-, 3]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        ("null, 3]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        // 15 digits are read here, 16 left to the caller.
        ("123456789012345, 1234567890.12345, 0.12345678901234]" + pad, 64,
         Run(status: PULK_RUN_END, values: bits(123456789012345, 1234567890.12345, 0.12345678901234), next: 52)),
        ("1234567890123456, 1]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        ("1.234567890123456, 1]" + pad, 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        // No closing bracket before the end.
        ("1, 2, 3" + pad, 64, Run(status: PULK_RUN_OTHER, values: bits(1, 2), next: 5)),
        // The last 17 bytes are the caller's.
        ("1, 2, 3]", 64, Run(status: PULK_RUN_OTHER, values: [], next: 0)),
        ("1, 2, 3, 4, 5, 6, 7, 8, 9]", 64, Run(status: PULK_RUN_OTHER, values: bits(1, 2, 3, 4), next: 11)),
    ])
    func run(text: String, room: Int, expected: Run) {
        #expect(Self.run(text, room: room) == expected)
    }

    static let pad = String(repeating: " ", count: 17)

    /// Bodies of rows the two readers read alike: random numbers of every shape (most of the
    /// common one), random whitespace, rows longer than a 64-byte block and than the first room,
    /// now and then a value neither reads; each body in an allocation of its own length.
    @Test func vectorAndPlainLoopReadTheSame() {
        var rng = SeededGenerator(seed: 17)
        func digits(_ k: Int) -> String { String((0..<k).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) }) }
        // Shapes both read (the vector reader leaves exponents and 16 digits to the plain one), and
        // with `wild` shapes neither reads too.
        func number(wild: Bool) -> String {
            let sign = Int.random(in: 0..<3, using: &rng) == 0 ? "-" : ""
            switch Int.random(in: 0..<(wild ? 24 : 20), using: &rng) {
            case 0: return sign + digits(Int.random(in: 1...4, using: &rng)) + "e" + (Bool.random(using: &rng) ? "-" : "") + digits(1)
            case 1: return sign + "1" + digits(Int.random(in: 13...15, using: &rng))
            case 2: return sign + "1" + digits(Int.random(in: 0...1, using: &rng)) + "." + digits(Int.random(in: 12...14, using: &rng))
            case 3: return sign + digits(Int.random(in: 1...3, using: &rng))
            case 20: return sign + digits(Int.random(in: 17...21, using: &rng))
            case 21: return sign + digits(Int.random(in: 1...8, using: &rng)) + "." + digits(Int.random(in: 10...14, using: &rng))
            case 22, 23: return ["1.", ".5", "+1", "null", "\"x\"", "1.2.3", "[1]", "-", "1 2", "", "0x1", "1e", "1e123"].randomElement(using: &rng)!
            default: return sign + digits(Int.random(in: 1...2, using: &rng)) + "." + digits(Int.random(in: 1...7, using: &rng))
            }
        }
        func space() -> String { ["", "", "", " ", " ", "\t", "\n ", "  "].randomElement(using: &rng)! }
        var compared = 0, read = 0
        for body in 0..<3000 {
            let width = [1, 3, 28, 90][body % 4]
            let rows = Int.random(in: 1...6, using: &rng)
            // Every fifth body holds values neither reads too (rarely, so that some are read).
            let wild = body % 5 == 4
            let text = "[" + space() + (0..<rows).map { _ in
                "[" + (0..<width).map { _ in space() + number(wild: wild && Int.random(in: 0..<50, using: &rng) == 0) + space() }.joined(separator: ",") + "]"
            }.joined(separator: "," + space()) + space() + "]" + (Bool.random(using: &rng) ? "}" : "")
            let bytes = Array(text.utf8)
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
            defer { p.deallocate() }
            p.initialize(from: bytes, count: bytes.count)
            let buffer = UnsafeBufferPointer(start: p, count: bytes.count)
            var plain = RequestParser(buffer, numbersOnly: true)
            plain.vectorNumbers = false
            var vector = RequestParser(buffer, numbersOnly: true)
            vector.vectorNumbers = RequestParser.cpuReadsVectors
            let a = plain.numericRows(), b = vector.numericRows()
            #expect(a?.values.map(\.bitPattern) == b?.values.map(\.bitPattern), "\(text)")
            #expect(a?.width == b?.width && a?.rows == b?.rows && plain.i == vector.i, "\(text)")
            compared += 1
            if a != nil { read += 1 }
        }
        // Both outcomes were met often.
        #expect(compared == 3000 && read > 2300 && read < 2900, "\(read) of \(compared) read")
    }
}

@Suite("Column names read against the expected ones")
struct ExpectedNamesTests {
    /// Whatever `columns` holds, the names read with the features expected equal those read without.
    @Test(arguments: [
        #"["a", "b", "c"]"#, #"["a", "b"]"#, #"["a", "b", "c", "d"]"#, #"["b", "a", "c"]"#, #"["a", "x", "c"]"#,
        #"["a\u0062", "b", "c"]"#, #"[]"#, #"["a", "b", "c", "a"]"#, #"["ab", "b", "c"]"#, #"["", "b"]"#,
    ])
    func sameNames(columns: String) throws {
        let body = Array(columns.utf8)
        func read(_ expected: [String]?) throws -> [String] {
            try body.withUnsafeBufferPointer { bytes in
                var p = RequestParser(bytes)
                p.expectedNames = expected
                return try Result { () throws(ScoringError) in try p.names() }.get()
            }
        }
        let plain = try read(nil)
        #expect(try read(["a", "b", "c"]) == plain)
        #expect(try read([]) == plain)
    }
}
