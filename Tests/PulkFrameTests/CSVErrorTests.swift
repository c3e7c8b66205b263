import Foundation
import Testing
@testable import PulkFrame

@Suite("CSV reader: bad input gets precise errors")
struct CSVErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        /// Substrings the message must contain.
        var message: [String]
        var options: CSVOptions = CSVOptions()
        var description: String { name }
    }

    static var typed: CSVOptions {
        var o = CSVOptions()
        o.types = ["n": .int64]
        return o
    }

    static let cases: [Case] = [
        Case(name: "empty file", bytes: [], message: ["t.csv", "empty"]),
        Case(name: "only blank lines", bytes: Array("\n\n\r\n".utf8), message: ["empty"]),
        Case(name: "header only", bytes: Array("a,b,c\n".utf8), message: ["header but no data rows"]),
        // One line of 4 million fields: refused from a count of the first row, before any field is copied.
        Case(name: "millions of columns", bytes: Array(String(repeating: "1,", count: 4_000_000).utf8), message: ["4000001 fields", "100000-column limit", "--max-columns"]),
        Case(name: "columns over a given limit", bytes: Array("a,b,c\n1,2,3\n".utf8), message: ["3 fields", "2-column limit"],
             options: CSVOptions(maxColumns: 2)),
        Case(name: "ragged row", bytes: Array("a,b\n1,2\n3,4,5\n".utf8),
             message: ["t.csv:3", "expected 2 fields", "found 3", "--skip-bad-rows"]),
        Case(name: "short row", bytes: Array("a,b\n1,2\n3\n".utf8), message: ["t.csv:3", "found 1"]),
        Case(name: "unterminated quote", bytes: Array("a,b\n1,2\n\"3,4\n5,6\n".utf8), message: ["t.csv:3", "closing quote is missing"]),
        Case(name: "text after closing quote", bytes: Array("a,b\n\"1\"x,2\n".utf8), message: ["t.csv:2", "closing quote"]),
        Case(name: "invalid UTF-8", bytes: Array("a,b\n1,ok\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8),
             message: ["t.csv:3", "column 'b'", "not valid UTF-8", "iconv"]),
        Case(name: "invalid UTF-8 in header", bytes: [0xFF, 0x61] + Array(",b\n1,2\n".utf8), message: ["t.csv:1", "UTF-8"]),
        Case(name: "duplicate column names", bytes: Array("a,b,a\n1,2,3\n".utf8),
             message: ["columns 1 and 3", "'a'", "--rename-duplicates"]),
        Case(name: "forced type fails", bytes: Array("n\n1\n2\nx7\n".utf8), message: ["t.csv:4", "column 'n'", "'x7'", "int64", "--type"],
             options: typed),
        Case(name: "unknown forced column", bytes: Array("a\n1\n".utf8), message: ["no column named 'n'", "'a'"], options: typed),
        Case(name: "line too long", bytes: Array(("a\n" + String(repeating: "x", count: 5000)).utf8), message: ["t.csv:2", "5000"],
             options: CSVOptions(maxLineBytes: 1000, chunkBytes: 1024)),
    ]

    @Test(arguments: cases)
    func rejects(_ c: Case) {
        do {
            _ = try CSVReader(options: c.options).read(bytes: c.bytes, name: "t.csv")
            Issue.record("expected an error")
        } catch {
            for part in c.message { #expect(error.description.contains(part), "\(error.description) lacks \(part)") }
        }
    }

    @Test func missingFile() {
        #expect(throws: FrameError.fileNotFound("/no/such/file.csv")) { try CSVReader().read(path: "/no/such/file.csv") }
    }

    @Test func skipBadRowsReportsEachLine() throws {
        var o = CSVOptions()
        o.skipBadRows = true
        o.types = ["n": .int64]
        let text = "n,s\n1,a\n2,b,extra\nx7,d\n4,\u{00e9}\n\"5,c\n"
        let (f, report) = try CSVReader(options: o).read(string: text, name: "t.csv")
        #expect(strings(try f.column("n")) == ["1", "4"])
        #expect(report.skippedRows.map(\.line) == [3, 4, 6])
        #expect(report.skippedRows[0].reason.contains("expected 2 fields"))
    }

    @Test func skipBadRowsDropsTypeFailures() throws {
        var o = CSVOptions()
        o.skipBadRows = true
        o.types = ["n": .int64]
        let (f, report) = try CSVReader(options: o).read(string: "n,s\n1,a\nbad,b\n3,c\n", name: "t.csv")
        #expect(strings(try f.column("n")) == ["1", "3"])
        #expect(strings(try f.column("s")) == ["a", "c"])
        #expect(report.skippedRows == [SkippedRow(line: 3, reason: "'bad' is not a valid int64 in column 'n'")])
    }

    /// A 100 MB single line is refused with a clear error, not a crash or an out-of-memory.
    @Test func hundredMegabyteLine() throws {
        let dir = temporaryDirectory()
        let path = dir.appendingPathComponent("long.csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("a\n".utf8)))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        let megabyte = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: megabyte) }
        try handle.close()
        do {
            _ = try CSVReader().read(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("long.csv:2"))
            #expect(error.description.contains("--max-line-size"))
        }
        try FileManager.default.removeItem(at: dir)
    }
}

@Suite("Errors renamed for the file a user gave")
struct FrameErrorNamingTests {
    static let loc = SourceLocation(file: "/tmp/up/1", line: 3, column: "b")
    static let cases: [(FrameError, FrameError)] = [
        (.fileNotFound("/tmp/up/1"), .fileNotFound("me.csv")),
        (.io("/tmp/up/1", reason: "r"), .io("me.csv", reason: "r")),
        (.emptyFile("/tmp/up/1"), .emptyFile("me.csv")),
        (.noDataRows("/tmp/up/1"), .noDataRows("me.csv")),
        (.raggedRow(loc, expected: 2, found: 3), .raggedRow(SourceLocation(file: "me.csv", line: 3, column: "b"), expected: 2, found: 3)),
        (.unterminatedQuote(loc), .unterminatedQuote(SourceLocation(file: "me.csv", line: 3, column: "b"))),
        (.duplicateColumnName(file: "/tmp/up/1", name: "a", positions: [1, 2]), .duplicateColumnName(file: "me.csv", name: "a", positions: [1, 2])),
        (.tooManyColumns("/tmp/up/1", count: 9, limit: 8), .tooManyColumns("me.csv", count: 9, limit: 8)),
        (.gzip("/tmp/up/1", reason: "r"), .gzip("me.csv", reason: "r")),
        (.invalidJSON(loc, reason: "r"), .invalidJSON(SourceLocation(file: "me.csv", line: 3, column: "b"), reason: "r")),
        // Another file, or no file at all: unchanged.
        (.fileNotFound("/other"), .fileNotFound("/other")),
        (.unknownColumn("x", available: ["a"]), .unknownColumn("x", available: ["a"])),
    ]

    @Test("Every error that names the file names the one given instead", arguments: cases)
    func renamed(_ error: FrameError, _ expected: FrameError) {
        #expect(error.naming("/tmp/up/1", as: "me.csv") == expected)
        #expect(!expected.description.contains("/tmp/up/1"))
    }
}
