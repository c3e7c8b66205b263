import Foundation
import Testing
@testable import PulkFrame

@Suite("Round trips: CSV writer ↔ reader, binary frame files")
struct RoundTripTests {
    /// A random frame with every type, missing values, and awkward text.
    static func randomFrame(rows: Int, seed: UInt64) -> Frame {
        var rng = SplitMix(seed: seed)
        func valid() -> Bitmap { Bitmap((0..<rows).map { _ in Double.random(in: 0..<1, using: &rng) > 0.15 }) }
        let words = ["a", "b,c", "say \"hi\"", "line\nbreak", "NA", "", " padded ", "é☃", "null", "123", "-"]
        let doubles = (0..<rows).map { _ in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return Double.random(in: -1e6..<1e6, using: &rng)
            case 1: return Double(Int.random(in: -100..<100, using: &rng)) / 8
            case 2: return Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
            default: return Double.random(in: 0..<1, using: &rng) * 1e-12
            }
        }
        let columns = [
            Column(name: "f", storage: .float64(doubles), validity: valid()),
            Column(name: "i", storage: .int64((0..<rows).map { _ in Int64.random(in: Int64.min...Int64.max, using: &rng) }), validity: valid()),
            Column(name: "b", storage: .bool((0..<rows).map { _ in Bool.random(using: &rng) }), validity: valid()),
            Column(name: "s", storage: .string(codes: (0..<rows).map { _ in Int32.random(in: 0..<Int32(words.count), using: &rng) },
                                               dictionary: words), validity: valid()),
            Column(name: "d", storage: .date((0..<rows).map { _ in Int32.random(in: -40000..<40000, using: &rng) }), validity: valid()),
            Column(name: "t", storage: .datetime((0..<rows).map { _ in Int64.random(in: -2_000_000_000_000_000..<4_000_000_000_000_000, using: &rng) }),
                   validity: valid()),
        ]
        return try! Frame(columns: columns.map { c in
            // Missing slots hold the placeholder the reader produces.
            var c = c
            if case .float64(let b) = c.storage { var v = b.array; for i in 0..<v.count where !c.isValid(i) { v[i] = .nan }; c.storage = .float64(v) }
            return c
        })
    }

    /// Compares values (text columns by value, since dictionaries may be ordered differently).
    static func sameValues(_ a: Frame, _ b: Frame) -> Bool {
        guard a.names == b.names, a.rowCount == b.rowCount, a.columns.map(\.type) == b.columns.map(\.type) else { return false }
        for (x, y) in zip(a.columns, b.columns) {
            for r in 0..<a.rowCount {
                let u = x.value(at: r), v = y.value(at: r)
                if case .double(let p) = u, case .double(let q) = v, p.bitPattern == q.bitPattern || p == q { continue }
                if u != v { return false }
            }
        }
        return true
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func csvRoundTrip(seed: UInt64) throws {
        let frame = Self.randomFrame(rows: 300, seed: seed)
        let bytes = CSVWriter().bytes(frame)
        var o = CSVOptions()
        o.types = ["f": .float64, "i": .int64, "b": .bool, "s": .string, "d": .date, "t": .datetime]
        o.chunkBytes = 2048
        let back = try CSVReader(options: o).read(bytes: bytes, name: "rt.csv").0
        #expect(Self.sameValues(frame, back))
    }

    @Test func csvRoundTripInfersSameTypes() throws {
        let frame = try Frame(columns: [
            Column(name: "x", storage: .float64([1.5, 2, -0.25])),
            Column(name: "n", storage: .int64([1, -2, 3])),
            Column(name: "d", storage: .date([0, 19000, -1])),
            Column(name: "s", storage: .string(codes: [0, 1, 0], dictionary: ["007", "x"])),
        ])
        let back = try CSVReader().read(bytes: CSVWriter().bytes(frame)).0
        #expect(back.columns.map(\.type) == [.float64, .int64, .date, .string])
        #expect(Self.sameValues(frame, back))
    }

    @Test(arguments: [1 as UInt64, 9])
    func frameFileRoundTrip(seed: UInt64) throws {
        let frame = Self.randomFrame(rows: 1000, seed: seed)
        let back = try FrameFile.decode(FrameFile.encode(frame))
        #expect(back.names == frame.names)
        #expect(Self.sameValues(frame, back))
        #expect(back.columns.map(\.validity) == frame.columns.map(\.validity))
    }

    @Test func frameFileOnDisk() throws {
        let dir = temporaryDirectory()
        let path = dir.appendingPathComponent("f.pulkframe").path
        let frame = Self.randomFrame(rows: 50, seed: 4)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(FrameFile.encode(frame))))
        let back = try FrameFile.read(path: path)
        #expect(Self.sameValues(back, frame))
        // Columns are zero-copy views into the mapped file.
        if case .float64(let v) = back.columns[0].storage { #expect(v.isMapped) } else { Issue.record("float column expected") }
        // A truncated file is refused through the mapped path too.
        let bytes = FrameFile.encode(frame)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes.prefix(bytes.count - 100))))
        #expect(throws: FrameError.self) { try FrameFile.read(path: path) }
    }

    @Test func emptyFrameFile() throws {
        let frame = try Frame(columns: [Column(name: "a", storage: .int64([]))])
        let back = try FrameFile.decode(FrameFile.encode(frame))
        #expect(back.rowCount == 0 && back.names == ["a"])
    }

    @Test(arguments: [
        ("garbage", Array("hello world, not a frame".utf8)),
        ("truncated", Array(FrameFile.encode(try! Frame(columns: [Column(name: "a", storage: .int64([1, 2, 3]))])).prefix(80))),
    ])
    func corruptFrameFiles(name: String, bytes: [UInt8]) {
        #expect(throws: FrameError.self) { try FrameFile.decode(bytes, name: name) }
    }

    /// The binary layout is pinned: the header of a known frame must not change without a new version.
    @Test func frameFileGolden() throws {
        let frame = try Frame(columns: [
            Column(name: "x", storage: .float64([1.5, .nan]), validity: Bitmap([true, false])),
            Column(name: "s", storage: .string(codes: [0, 1], dictionary: ["a", "bc"])),
        ])
        let bytes = FrameFile.encode(frame)
        #expect(Array(bytes[0..<8]) == Array("PULKFRM\0".utf8))
        #expect(bytes[8..<12].elementsEqual([1, 0, 0, 0]))
        let h = Int(bytes[12]) | Int(bytes[13]) << 8
        let header = String(decoding: bytes[16..<(16 + h)], as: UTF8.self)
        let golden = #"{"columns":[{"name":"x","type":"float64","validity":{"length":8,"offset":64},"values":{"length":16,"offset":0}},{"dictionaryBytes":{"length":3,"offset":256},"dictionaryCount":2,"dictionaryOffsets":{"length":24,"offset":192},"name":"s","type":"string","values":{"length":8,"offset":128}}],"rows":2}"#
        let canonical = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(header.utf8)), options: [.sortedKeys])
        #expect(String(decoding: canonical, as: UTF8.self) == golden)
        #expect(bytes.count == (16 + h + 63) / 64 * 64 + 320)
    }
}
