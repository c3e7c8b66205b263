import Foundation
import Testing
@testable import PulkFrame

@Suite("CSV reader: well-formed input")
struct CSVReaderTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var types: [DataType]
        var columns: [[String]]
        var names: [String]? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain", text: "a,b\n1,x\n2,y\n", types: [.int64, .string], columns: [["1", "2"], ["x", "y"]]),
        Case(name: "no trailing newline", text: "a,b\n1,x\n2,y", types: [.int64, .string], columns: [["1", "2"], ["x", "y"]]),
        Case(name: "CRLF", text: "a,b\r\n1,x\r\n2,y\r\n", types: [.int64, .string], columns: [["1", "2"], ["x", "y"]]),
        Case(name: "quoted delimiter", text: "a,b\n\"1,5\",x\n", types: [.string, .string], columns: [["1,5"], ["x"]]),
        Case(name: "doubled quotes", text: "a\n\"say \"\"hi\"\"\"\n", types: [.string], columns: [["say \"hi\""]]),
        Case(name: "embedded newline", text: "a,b\n\"line1\nline2\",2\n", types: [.string, .int64], columns: [["line1\nline2"], ["2"]]),
        Case(name: "embedded CRLF", text: "a,b\r\n\"x\r\ny\",2\r\n", types: [.string, .int64], columns: [["x\r\ny"], ["2"]]),
        Case(name: "UTF-8 BOM", text: "\u{FEFF}a,b\n1,é\n", types: [.int64, .string], columns: [["1"], ["é"]]),
        Case(name: "semicolon sniffed", text: "a;b\n1,5;x\n2,5;y\n", types: [.string, .string], columns: [["1,5", "2,5"], ["x", "y"]]),
        Case(name: "tab sniffed", text: "a\tb\n1\tx\n", types: [.int64, .string], columns: [["1"], ["x"]]),
        Case(name: "pipe sniffed", text: "a|b|c\n1|2|3\n", types: [.int64, .int64, .int64], columns: [["1"], ["2"], ["3"]]),
        Case(name: "int widens to float", text: "a\n1\n2.5\n", types: [.float64], columns: [["1", "2.5"]]),
        Case(name: "missing tokens", text: "a,b\nNA,x\n,N/A\nnull,None\n-,NaN\n3,y\n",
             types: [.int64, .string], columns: [["", "", "", "", "3"], ["x", "", "", "", "y"]]),
        Case(name: "quoted NA is text", text: "a\n\"NA\"\nb\n", types: [.string], columns: [["NA", "b"]]),
        Case(name: "quoted empty is empty text", text: "a,b\n\"\",1\nx,2\n", types: [.string, .int64], columns: [["", "x"], ["1", "2"]]),
        Case(name: "booleans", text: "a\ntrue\nFalse\nTRUE\n", types: [.bool], columns: [["true", "false", "true"]]),
        Case(name: "ISO dates", text: "d\n2024-01-31\n2024-02-29\n", types: [.date], columns: [["2024-01-31", "2024-02-29"]]),
        Case(name: "slash dates", text: "d\n2024/01/31\n1/2/2024\n12/31/1999\n", types: [.date], columns: [["2024-01-31", "2024-01-02", "1999-12-31"]]),
        Case(name: "invalid date is text", text: "d\n2024-02-30\n", types: [.string], columns: [["2024-02-30"]]),
        Case(name: "datetimes with zones", text: "t\n2024-01-01T10:00:00Z\n2024-01-01 12:30:00+02:00\n2024-01-01T10:00\n2024-01-01T10:00:00.250-0100\n",
             types: [.datetime], columns: [["2024-01-01T10:00:00Z", "2024-01-01T10:30:00Z", "2024-01-01T10:00:00Z", "2024-01-01T11:00:00.250000Z"]]),
        Case(name: "date widens to datetime", text: "t\n2024-01-01\n2024-01-02T06:00:00Z\n", types: [.datetime],
             columns: [["2024-01-01T00:00:00Z", "2024-01-02T06:00:00Z"]]),
        Case(name: "leading zeros kept as text across widening", text: "z\n1\n007\nabc\n", types: [.string], columns: [["1", "007", "abc"]]),
        Case(name: "all missing column", text: "a,b\n1,\n2,\n", types: [.int64, .float64], columns: [["1", "2"], ["", ""]]),
        Case(name: "blank lines skipped", text: "a\n1\n\n2\n\n", types: [.int64], columns: [["1", "2"]]),
        Case(name: "exponents and signs", text: "x\n1e3\n-2.5E-2\n+4\n.5\n", types: [.float64], columns: [["1000", "-0.025", "4", "0.5"]]),
        Case(name: "infinity", text: "x\ninf\n-Infinity\n1.5\n", types: [.float64], columns: [["inf", "-inf", "1.5"]]),
        Case(name: "int64 overflow is float", text: "x\n99999999999999999999\n", types: [.float64], columns: [["1e+20"]]),
        Case(name: "no header detected", text: "1,2\n3,4\n", types: [.int64, .int64], columns: [["1", "3"], ["2", "4"]],
             names: ["column_1", "column_2"]),
        Case(name: "empty header name", text: "a,,c\n1,2,3\n", types: [.int64, .int64, .int64], columns: [["1"], ["2"], ["3"]],
             names: ["a", "column_2", "c"]),
        Case(name: "trailing empty field", text: "a,b\n1,\n", types: [.int64, .float64], columns: [["1"], [""]]),
        Case(name: "spaces around numbers", text: "a\n 1 \n2\n", types: [.int64], columns: [["1", "2"]]),
    ]

    @Test(arguments: cases)
    func reads(_ c: Case) throws {
        let frame = try readCSV(c.text)
        #expect(frame.columns.map(\.type) == c.types)
        #expect(frame.columns.map(strings) == c.columns)
        if let names = c.names { #expect(frame.names == names) }
    }

    @Test func typeOverrides() throws {
        var o = CSVOptions()
        o.types = ["zip": .string, "n": .float64, "t": .unixSeconds]
        let f = try readCSV("zip,n,t\n01234,1,0\n99,2,1700000000.5\n", o)
        #expect(strings(try f.column("zip")) == ["01234", "99"])
        #expect(try f.column("n").type == .float64)
        #expect(strings(try f.column("t")) == ["1970-01-01T00:00:00Z", "2023-11-14T22:13:20.500000Z"])
    }

    @Test func headerOverrides() throws {
        var o = CSVOptions()
        o.header = false
        o.columnNames = ["x", "y"]
        let f = try readCSV("a,b\nc,d\n", o)
        #expect(f.names == ["x", "y"])
        #expect(f.rowCount == 2)
        o = CSVOptions()
        o.header = true
        #expect(try readCSV("1,2\n3,4\n", o).names == ["1", "2"])
    }

    @Test func customMissingTokens() throws {
        var o = CSVOptions()
        o.missingTokens = ["?"]
        let f = try readCSV("a,b\n?,NA\n1,x\n", o)
        #expect(strings(try f.column("a")) == ["", "1"])
        #expect(strings(try f.column("b")) == ["NA", "x"])
    }

    @Test func explicitDelimiter() throws {
        var o = CSVOptions()
        o.delimiter = UInt8(ascii: ";")
        let f = try readCSV("a,b;c\n1,2;3\n", o)
        #expect(f.names == ["a,b", "c"])
    }

    @Test func renameDuplicates() throws {
        var o = CSVOptions()
        o.renameDuplicates = true
        #expect(try readCSV("a,a,a\n1,2,3\n", o).names == ["a", "a_2", "a_3"])
    }

    /// Chunk boundaries must not change the result: read the same text with tiny chunks.
    @Test(arguments: [1024, 1500, 4096])
    func chunkingIsInvisible(chunk: Int) throws {
        var rng = SplitMix(seed: 7)
        var text = "id,name,score,when\n"
        for i in 0..<2000 {
            let quoted = Bool.random(using: &rng) ? "\"n,\(i)\nx\"\"y\"" : "n\(i)"
            text += "\(i),\(quoted),\(Double(Int.random(in: 0..<100000, using: &rng)) / 100),2024-01-\(i % 28 + 1 < 10 ? "0" : "")\(i % 28 + 1)\n"
        }
        let whole = try readCSV(text)
        var o = CSVOptions()
        o.chunkBytes = chunk
        o.threads = 2
        let chunked = try readCSV(text, o)
        #expect(difference(chunked, whole) == nil)
        #expect(whole.rowCount == 2000)
        #expect(whole.columns.map(\.type) == [.int64, .string, .float64, .date])
    }

    /// A column that is numeric in early chunks and text later is re-read as text everywhere.
    @Test func lateWideningToText() throws {
        var text = "code\n"
        for i in 0..<3000 { text += String(format: "%05d\n", i) }
        text += "X-1\n"
        var o = CSVOptions()
        o.chunkBytes = 1024
        let f = try readCSV(text, o)
        let c = try f.column("code")
        #expect(c.type == .string)
        #expect(c.value(at: 7) == .string("00007"))
        #expect(c.value(at: 3000) == .string("X-1"))
    }

    /// Numeric files take a one-pass fast path after the first round; it must agree with the general
    /// path (one big chunk) on every value, including missing values, late widening and errors.
    @Test(arguments: ["", "\"5\",1,2\n", "1.5,2,3\n", "7,x,1\n", "1,2,3,4\n"])
    func numericFastPathAgrees(tail: String) throws {
        var rng = SplitMix(seed: 3)
        var text = "a,b,c\n"
        for i in 0..<1500 {
            let a = Int.random(in: -1000...1000, using: &rng)
            let b = i % 97 == 0 ? "NA" : "\(Double(Int.random(in: -100000...100000, using: &rng)) / 1000)e\(i % 3)"
            text += "\(a),\(b),\(i % 50 == 0 ? "" : " \(i) ")\r\n"
        }
        text += tail
        var small = CSVOptions()
        small.chunkBytes = 1024
        small.threads = 2
        var whole = CSVOptions()
        whole.chunkBytes = 1 << 24
        let expected = Result { try readCSV(text, whole) }
        let got = Result { try readCSV(text, small) }
        switch (expected, got) {
        case (.success(let e), .success(let g)):
            #expect(difference(g, e) == nil)
            #expect(e.rowCount == 1500 + (tail.isEmpty ? 0 : 1))
        case (.failure(let e), .failure(let g)):
            #expect("\(e)" == "\(g)")
            #expect("\(g)".contains("t.csv:1502"))
        default:
            Issue.record("fast and general paths disagree: \(String(describing: try? expected.get().rowCount)) vs \(String(describing: try? got.get().rowCount))")
        }
    }

    @Test func gzipInput() throws {
        let dir = temporaryDirectory()
        let path = dir.appendingPathComponent("d.csv").path
        try "a,b\n1,x\n2,y\n".write(toFile: path, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-f", path]
        try gzip.run()
        gzip.waitUntilExit()
        let (f, _) = try CSVReader().read(path: path + ".gz")
        #expect(f.rowCount == 2)
        #expect(strings(try f.column("b")) == ["x", "y"])
    }

    @Test func progressIsReported() throws {
        let dir = temporaryDirectory()
        let path = dir.appendingPathComponent("p.csv").path
        try ("a\n" + String(repeating: "1\n", count: 10000)).write(toFile: path, atomically: true, encoding: .utf8)
        final class Box: @unchecked Sendable { var last = (0, 0) }
        let box = Box()
        var o = CSVOptions()
        o.chunkBytes = 1024
        o.threads = 1
        _ = try CSVReader(options: o).read(path: path) { done, total in box.last = (done, total) }
        #expect(box.last.0 == box.last.1)
        #expect(box.last.1 > 0)
    }
}
