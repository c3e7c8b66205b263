import Foundation
@testable import PulkFrame
import PulkTestSupport
import Testing

/// Parquet: the encodings on their own (tables of edge cases), Pulk's writer read back by Pulk, and
/// parity both ways with pyarrow and pandas (their files read by Pulk; Pulk's files read by them).
struct ParquetTests {
    // MARK: Encodings

    @Test(arguments: [0, 1, 2, 3, 14, 15, 63, 64, 65, 1000, 65_535, 65_536, 200_000])
    func snappyRoundTrips(length: Int) throws {
        var g = SystemRandomNumberGenerator()
        let patterns: [[UInt8]] = [
            (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) },        // incompressible
            [UInt8](repeating: 7, count: length),                                    // one long run
            (0..<length).map { UInt8(($0 / 5) % 13) },                               // short repeats
            (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) },  // structured
        ]
        for input in patterns {
            let compressed = input.withUnsafeBytes { Snappy.compress($0) }
            var back = [UInt8](repeating: 0, count: input.count)
            try compressed.withUnsafeBytes { c in try back.withUnsafeMutableBytes { try Snappy.decompress(c, into: $0) } }
            #expect(back == input)
            if length >= 1000, input.allSatisfy({ $0 == 7 }) { #expect(compressed.count < length / 10) }
        }
    }

    @Test func snappyRefusesDamagedInput() {
        let cases: [[UInt8]] = [
            [5, 0x08, 1, 2],          // a literal longer than the page
            [4, 0x01, 0x05],          // a copy before any output
            [0x80],                   // an unfinished length
            [3, 0x08, 1, 2, 3, 4],    // more bytes than announced
        ]
        for bytes in cases {
            var out = [UInt8](repeating: 0, count: Int(bytes[0] & 0x7f))
            #expect(throws: ParquetFault.self) {
                try bytes.withUnsafeBytes { b in try out.withUnsafeMutableBytes { try Snappy.decompress(b, into: $0) } }
            }
        }
    }

    static let hybridCases: [[Int32]] = {
        var cases: [[Int32]] = [[], [0], [1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]]
        let mixed: [Int32] = Array(repeating: 5, count: 300) + (0..<40).map { Int32($0) } + Array(repeating: 2, count: 7)
        cases.append(mixed)
        cases.append((0..<1000).map { Int32($0 % 17) })
        cases.append((0..<100).map { Int32($0 * 977 % 65_536) })
        return cases
    }()

    @Test(arguments: hybridCases)
    func hybridRoundTrips(values: [Int32]) throws {
        let width = max(1, Int32.bitWidth - (values.max() ?? 0).leadingZeroBitCount)
        var bytes: [UInt8] = []
        values.withUnsafeBufferPointer { Hybrid.encode($0, width: width, into: &bytes) }
        var back = [Int32](repeating: -1, count: values.count)
        try bytes.withUnsafeBytes { b in
            var c = ByteCursor(b)
            try back.withUnsafeMutableBufferPointer { try Hybrid.decode(&c, width: width, count: values.count, into: $0.baseAddress!) }
        }
        #expect(back == values)
    }

    static let deltaCases: [[Int64]] = {
        var cases: [[Int64]] = [[], [42], [1, 2, 3], [Int64.max, Int64.min, 0, -1, 1, Int64.max]]
        cases.append((0..<1000).map { Int64($0 * $0) - 5000 })
        var g = SystemRandomNumberGenerator()
        cases.append((0..<300).map { _ in Int64.random(in: -1_000_000...1_000_000, using: &g) })
        return cases
    }()

    @Test(arguments: deltaCases)
    func deltaBinaryPackedRoundTrips(values: [Int64]) throws {
        var bytes: [UInt8] = []
        values.withUnsafeBufferPointer { DeltaBinaryPacked.encode($0, into: &bytes) }
        bytes += [0xAB] // what follows the encoding must be left alone
        var back = [Int64](repeating: 0, count: max(values.count, 1))
        var position = 0
        let n = try bytes.withUnsafeBytes { b in
            var c = ByteCursor(b)
            let n = try back.withUnsafeMutableBufferPointer { try DeltaBinaryPacked.decode(&c, capacity: values.count, into: $0.baseAddress!) }
            position = c.position
            return n
        }
        #expect(n == values.count)
        #expect(Array(back.prefix(n)) == values)
        #expect(position == bytes.count - 1)
    }

    // MARK: Pulk's writer, read back by Pulk

    static func sampleFrame(rows: Int) throws -> Frame {
        var validity = Bitmap(count: rows, value: true)
        for i in stride(from: 3, to: rows, by: 7) { validity[i] = false }
        return try Frame(columns: [
            Column(name: "x", storage: .float64(ColumnBuffer((0..<rows).map { Double($0) * 0.25 - 3 })), validity: validity),
            Column(name: "n", storage: .int64(ColumnBuffer((0..<rows).map { Int64($0) * 1_000_003 - 7 }))),
            Column(name: "flag", storage: .bool(ColumnBuffer((0..<rows).map { $0 % 3 == 0 })), validity: validity),
            Column(name: "city", storage: .string(codes: ColumnBuffer((0..<rows).map { Int32($0 % 4) }), dictionary: ["Oslo", "Zürich", "", "a,b"]),
                   validity: validity),
            Column(name: "day", storage: .date(ColumnBuffer((0..<rows).map { Int32($0) - 365 }))),
            Column(name: "at", storage: .datetime(ColumnBuffer((0..<rows).map { Int64($0) * 1_234_567_891 - 10 })), validity: validity),
        ])
    }

    @Test(arguments: ParquetWriter.Compression.allCases)
    func writerRoundTrips(compression: ParquetWriter.Compression) throws {
        for rows in [0, 1, 9, 1000] {
            let frame = try Self.sampleFrame(rows: rows)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-\(UUID().uuidString).parquet").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try ParquetWriter(compression: compression, rowGroupSize: 300, pageSize: 64).write(frame, to: path)
            #expect(ParquetReader.isParquet(path: path))
            let back = try ParquetReader().read(path: path)
            #expect(back.schema == frame.schema)
            #expect(back.rowCount == rows)
            for (a, b) in zip(back.columns, frame.columns) {
                for r in 0..<rows { #expect(a.value(at: r) == b.value(at: r), "\(a.name) row \(r)") }
            }
            let projected = try ParquetReader(columns: ["city", "x"]).read(path: path)
            #expect(projected.names == ["city", "x"])
        }
    }

    @Test func refusesWhatIsNotParquet() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-pq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try ParquetWriter().bytes(Self.sampleFrame(rows: 50))
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "too short"),
            ("csv", Array("a,b\n1,2\n".utf8), "too short"),
            ("no magic", Array(repeating: 1, count: 40), "does not end with `PAR1`"),
            ("cut short", Array(good.prefix(good.count / 2)), "does not end with `PAR1`"),
            ("footer length too big", Array(good.prefix(good.count - 8)) + [0xff, 0xff, 0xff, 0x0f] + Array("PAR1".utf8), "footer length"),
            ("damaged footer", Array(good.prefix(good.count - 30)) + Array(repeating: 0xee, count: 22) + Array(good.suffix(8)), ""),
            ("damaged pages", Array(good.prefix(4)) + Array(repeating: 0x5a, count: 300) + Array(good.dropFirst(304)), ""),
        ]
        for (name, bytes, message) in cases {
            let path = dir.appendingPathComponent(name).path
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                _ = try ParquetReader().read(path: path)
                Issue.record("\(name): read without an error")
            } catch {
                guard case .parquet(let file, let reason) = error else { Issue.record("\(name): \(error)"); continue }
                #expect(file == path)
                if !message.isEmpty { #expect(reason.contains(message), "\(name): \(reason)") }
            }
        }
    }

    // MARK: Parity with pyarrow and pandas

    static var python: String? { ProcessInfo.processInfo.environment["PULK_PYTHON"] }

    /// Pulk's text for a value, in the oracle's canonical form.
    static func canonical(_ v: Value) -> String? {
        switch v {
        case .missing: return nil
        case .double(let d): return d.isNaN ? "nan" : formatDouble(d)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .date(let d): return CivilDate.format(days: d)
        case .datetime(let t): return String(t)
        }
    }

    static func matches(_ v: Value, _ expected: String?) -> Bool {
        if case .double(let d) = v, !d.isNaN, let expected {
            if expected == "inf" { return d == .infinity }
            if expected == "-inf" { return d == -.infinity }
            guard let e = Double(expected) else { return false }
            return d == e && d.sign == e.sign
        }
        return canonical(v) == expected
    }

    @Test func readsWhatPyarrowAndPandasWrite() throws {
        guard Self.python != nil else {
            print("SKIPPED Parquet parity: PULK_PYTHON is not set (scripts/test sets it)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-pq-oracle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try runOracle("parquet_oracle.py", arguments: ["write", dir.path]) as! [String: Any]
        let files = manifest["files"] as! [[String: Any]]
        #expect(files.count >= 15)
        for file in files {
            let name = file["name"] as! String
            let columns = file["columns"] as! [String: [String: Any]]
            var frame = try ParquetReader(threads: 2).read(path: file["path"] as! String)
            if let sortKeys = file["sorted_by"] as? [String] {
                let keys = try sortKeys.map { try frame.column($0) }
                let order = (0..<frame.rowCount).sorted { a, b in
                    for k in keys where k.value(at: a) != k.value(at: b) { return k.value(at: a).description < k.value(at: b).description }
                    return false
                }
                frame = frame.take(order)
            }
            #expect(Set(frame.names) == Set(columns.keys), "\(name): \(frame.names)")
            for (column, want) in columns {
                guard let got = try? frame.column(column) else { continue }
                #expect(got.type.rawValue == want["type"] as! String, "\(name).\(column): \(got.type)")
                let values = want["values"] as! [Any]
                #expect(got.count == values.count, "\(name).\(column)")
                for (r, v) in values.enumerated() where r < got.count {
                    let expected = v as? String
                    #expect(Self.matches(got.value(at: r), expected), "\(name).\(column) row \(r): Pulk \(got.value(at: r)), pyarrow \(expected ?? "null")")
                }
            }
        }
        // What Pulk refuses, it refuses by name.
        let refusals: [(String, [String]?, String)] = [
            ("nested.parquet", nil, "column 'tags' is a list"),
            ("binary.parquet", nil, "not UTF-8 text"),
            ("lz4.parquet", nil, "LZ4"),
        ]
        for (file, columns, message) in refusals {
            do {
                _ = try ParquetReader(columns: columns).read(path: dir.appendingPathComponent(file).path)
                Issue.record("\(file): read without an error")
            } catch {
                #expect(error.description.contains(message), "\(file): \(error)")
            }
        }
        // Leaving the nested column out reads the rest.
        let flat = try ParquetReader(columns: ["ok"]).read(path: dir.appendingPathComponent("nested.parquet").path)
        #expect(flat.rowCount == 2)
    }

    @Test func pyarrowAndPandasReadWhatPulkWrites() throws {
        guard Self.python != nil else {
            print("SKIPPED Parquet parity: PULK_PYTHON is not set (scripts/test sets it)")
            return
        }
        let frame = try Self.sampleFrame(rows: 500)
        for compression in ParquetWriter.Compression.allCases {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-\(UUID().uuidString).parquet").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try ParquetWriter(compression: compression, rowGroupSize: 200, pageSize: 50).write(frame, to: path)
            let read = try runOracle("parquet_oracle.py", arguments: ["read", path]) as! [String: Any]
            #expect(read["rows"] as? Int == 500)
            let columns = read["columns"] as! [String: [String: Any]]
            let types = ["x": ("double", "float64"), "n": ("int64", "int64"), "flag": ("bool", "object"),
                         "city": ("string", "str"), "day": ("date32[day]", "object"), "at": ("timestamp[us]", "datetime64[us]")]
            for column in frame.columns {
                let got = columns[column.name]!
                #expect(got["arrow_type"] as? String == types[column.name]!.0, "\(column.name): \(got["arrow_type"]!)")
                let dtype = got["pandas_dtype"] as! String
                #expect(dtype == types[column.name]!.1 || (column.name == "city" && dtype == "object")
                        || (column.name == "flag" && dtype == "bool"), "\(column.name): \(dtype)")
                let values = got["values"] as! [Any]
                for r in 0..<frame.rowCount {
                    let expected = values[r] as? String
                    #expect(Self.matches(column.value(at: r), expected), "\(compression) \(column.name) row \(r): Pulk \(column.value(at: r)), pyarrow \(expected ?? "null")")
                }
            }
        }
    }
}
