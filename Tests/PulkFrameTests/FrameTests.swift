import Testing
@testable import PulkFrame

@Suite("Frame operations")
struct FrameTests {
    let frame = try! Frame(columns: [
        Column(name: "a", storage: .int64([1, 2, 3, 4])),
        Column(name: "b", storage: .string(codes: [0, 1, 0, 1], dictionary: ["x", "y"]), validity: Bitmap([true, true, false, true])),
    ])

    @Test func selectTakeFilterHeadSlice() throws {
        #expect(try frame.select(["b"]).names == ["b"])
        #expect(strings(frame.take([3, 0]).columns[0]) == ["4", "1"])
        #expect(strings(try frame.filter([true, false, true, false]).columns[1]) == ["x", ""])
        #expect(frame.filter { $0 % 2 == 1 }.rowCount == 2)
        #expect(frame.head(2).rowCount == 2)
        #expect(frame.head(10).rowCount == 4)
        #expect(strings(frame.slice(1..<3).columns[0]) == ["2", "3"])
        #expect(frame.slice(3..<10).rowCount == 1)
    }

    @Test func errors() {
        #expect(throws: FrameError.self) { try frame.select(["nope"]) }
        #expect(throws: FrameError.self) { try frame.filter([true]) }
        #expect(throws: FrameError.self) {
            try Frame(columns: [Column(name: "a", storage: .int64([1])), Column(name: "a", storage: .int64([2]))])
        }
        #expect(throws: FrameError.self) {
            try Frame(columns: [Column(name: "a", storage: .int64([1])), Column(name: "b", storage: .int64([1, 2]))])
        }
        do { _ = try frame.column("c") } catch {
            #expect(error.description == "no column named 'c'. Available columns: 'a', 'b'.")
        }
    }

    @Test func missingAndDoubles() {
        #expect(frame.columns[1].missingCount == 1)
        #expect(frame.columns[0].doubles() == [1, 2, 3, 4])
        #expect(frame.columns[1].doubles() == nil)
        #expect(frame.memoryBytes > 0)
    }

    @Test func bitmap() {
        var b = Bitmap(count: 130, value: true)
        #expect(b.nonzeroCount == 130)
        b[129] = false
        b.append(true)
        #expect(b.count == 131 && b.nonzeroCount == 130 && !b[129] && b[130])
        var c = Bitmap(count: 3, value: false)
        c.append(contentsOf: b)
        #expect(c.count == 134 && c.nonzeroCount == 130)
    }
}
