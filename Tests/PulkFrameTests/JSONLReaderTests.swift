import Testing
@testable import PulkFrame

@Suite("JSONL reader")
struct JSONLReaderTests {
    func read(_ text: String, _ reader: JSONLReader = JSONLReader()) throws -> Frame {
        try reader.read(bytes: Array(text.utf8), name: "t.jsonl").0
    }

    @Test func typesAndUnionOfKeys() throws {
        let f = try read("""
            {"id": 1, "name": "a", "score": 1.5, "ok": true, "day": "2024-01-02"}

            {"id": 2, "score": 2, "ok": false, "day": "2024-01-03", "extra": null}
            """)
        #expect(f.names == ["day", "id", "name", "ok", "score", "extra"])
        #expect(f.columns.map(\.type) == [.date, .int64, .string, .bool, .float64, .float64])
        #expect(strings(try f.column("name")) == ["a", ""])
        #expect(try f.column("extra").missingCount == 2)
    }

    @Test func nestedObjectsFlatten() throws {
        let f = try read(#"{"a": {"b": 1, "c": {"d": "x"}}}"#)
        #expect(f.names == ["a.b", "a.c.d"])
    }

    @Test func arraysRejectedOrKept() throws {
        do {
            _ = try read(#"{"a": [1, 2]}"#)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("t.jsonl:1"))
            #expect("\(error)".contains("'a' holds an array"))
        }
        let f = try read(#"{"a": [1, {"b": 2}]}"#, JSONLReader(arraysAsText: true))
        #expect(strings(try f.column("a")) == [#"[1,{"b":2}]"#])
    }

    @Test func mixedKindsBecomeText() throws {
        #expect(strings(try read("{\"a\": 1}\n{\"a\": \"x\"}").columns[0]) == ["1", "x"])
    }

    @Test func badLines() throws {
        #expect(throws: FrameError.self) { try read("{\"a\": 1}\n{oops}\n") }
        #expect(throws: FrameError.self) { try read("[1,2]") }
        #expect(throws: FrameError.self) { try read("") }
        let (f, report) = try JSONLReader(skipBadRows: true).read(bytes: Array("{\"a\": 1}\n{oops}\n{\"a\": 2}".utf8), name: "t.jsonl")
        #expect(f.rowCount == 2)
        #expect(report.skippedRows.map(\.line) == [2])
    }

    /// Lines are read by Pulk's one JSON reader (the server's and scoring's): the same strings are
    /// refused everywhere, each with where and why.
    @Test("Strings the server refuses are refused here too, naming the line and the reason", arguments: [
        (#"{"a": "\ud800"}"#, "lone surrogate"),
        (#"{"a": "x\u0000y"}"#, "NUL"),
        (#"{"a": "\q"}"#, "invalid escape"),
    ])
    func sameStringsAsTheServer(line: String, reason: String) throws {
        #expect { try read("{\"a\": \"fine\"}\n" + line) } throws: { "\($0)".contains("t.jsonl:2") && "\($0)".contains(reason) }
        let (f, report) = try JSONLReader(skipBadRows: true).read(bytes: Array(("{\"a\": \"é😀\"}\n" + line).utf8), name: "t.jsonl")
        #expect(strings(try f.column("a")) == ["é😀"] && report.skippedRows.map(\.line) == [2])
    }
}
