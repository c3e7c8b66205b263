import Foundation
import PulkFrame
import PulkLearn
import PulkScoring
import Testing

@Suite("Many request bodies into one frame")
struct RequestFrameBuilderTests {
    /// The builder's frame equals the bodies read one by one and concatenated; bodies the schema
    /// refuses are skipped and counted, whatever their place.
    @Test(arguments: [
        // records, with missing values and a category seen only later
        ["{\"records\": [\(row)]}", #"{"records": [{"island": "Dream", "bill_length_mm": null, "bill_depth_mm": 17, "flipper_length_mm": 190, "body_mass_g": 3500, "sex": null, "year": 2009}]}"#],
        // columns + data, several rows, then a positional row
        ["{\"dataframe_split\": {\"columns\": \(names), \"data\": [\(values), \(values)]}}", "[\(values)]", "{\"records\": [\(row)]}"],
        // unreadable and refused bodies in between
        ["not json", "{not json either", "{\"records\": [\(row)]}", #"{"records": [{"island": "Biscoe"}]}"#, #"{"records": [{"island": "Biscoe", "bill_length_mm": "long", "bill_depth_mm": 1, "flipper_length_mm": 1, "body_mass_g": 1, "sex": "male", "year": 1}]}"#, "{\"records\": [\(row)]}"],
        // CSV bodies
        ["island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nTorgersen,39.1,18.7,181,3750,male,2007\n", "{\"records\": [\(row)]}"],
    ])
    func sameAsOneByOne(bodies: [String]) throws {
        var builder = RequestFrameBuilder(schema: schema)
        var frames: [Frame] = []
        var refused = 0
        for body in bodies {
            let bytes = Array(body.utf8)
            let one: Frame? = body.hasPrefix("{") || body.hasPrefix("[") ? try? schema.frame(json: bytes) : try? schema.frame(csv: bytes)
            if let one { frames.append(one) } else { refused += 1 }
            _ = bytes.withUnsafeBufferPointer { builder.append(body: $0) }
        }
        #expect(builder.unreadable == refused)
        // (a CSV body's integer feature is an int64 column, a JSON body's a float64 one: compared as numbers)
        func cells(_ c: Column) -> [String] {
            (0..<c.count).map { i in
                switch c.value(at: i) {
                case .int(let v): return formatDouble(Double(v))
                case let v: return v.description
                }
            }
        }
        let got = builder.frame()
        #expect(got.rowCount == frames.reduce(0) { $0 + $1.rowCount } && builder.rows == got.rowCount && builder.bodies == frames.count)
        #expect(got.names == schema.features.map(\.name))
        for (k, c) in got.columns.enumerated() {
            #expect(cells(c) == frames.flatMap { cells($0.columns[k]) }, "\(c.name)")
            #expect((0..<c.count).map { c.isValid($0) } == frames.flatMap { f in (0..<f.rowCount).map { f.columns[k].isValid($0) } }, "\(c.name): missing values")
        }
    }

    @Test("Plain-number bodies take the fast path and keep their order")
    func numbers() throws {
        let f = FeatureSchema(features: (0..<3).map { Feature(name: "x\($0)", type: .float64, categories: nil) })
        let s = InputSchema(f)
        var builder = RequestFrameBuilder(schema: s)
        for i in 0..<1000 {
            let body = #"{"dataframe_split": {"columns": ["x2", "x0", "x1"], "data": [[\#(i), \#(i * 10), \#(i * 100)], [1.5, 2.5, 3.5]]}}"#
            _ = Array(body.utf8).withUnsafeBytes { builder.append(json: $0) }
        }
        _ = Array(#"{"dataframe_split": {"columns": ["x0", "x1"], "data": [[1, 2]]}}"#.utf8).withUnsafeBytes { builder.append(json: $0) }
        let frame = builder.frame()
        #expect(frame.rowCount == 2000 && builder.unreadable == 1, "a body without x2 is refused")
        guard case .float64(let x0) = frame.columns[0].storage, case .float64(let x2) = frame.columns[2].storage else { Issue.record("numbers"); return }
        #expect(x0[0] == 0 && x0[2] == 10 && x0[1] == 2.5 && x2[2 * 999] == 999)
    }
}

@Suite("Joining requests into one batch")
struct BatchJoinTests {
    /// A CSV body's whole numbers make an int64 column, a JSON body's (or "212.5") a float64 one: a
    /// micro-batch joining them joined numbers; it once crashed the server.
    @Test func numericColumnsOfDifferentTypes() throws {
        let csv = try schema.frame(csv: Array("island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nTorgersen,39.1,18.7,181,3750,male,2007\n".utf8))
        let json = try decode("{\"records\": [\(row)]}")
        let decimals = try schema.frame(csv: Array("island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nDream,40,18,181.5,,female,2008\n".utf8))
        let joined = Batches.concatenate([csv, json, decimals])
        #expect(joined.rowCount == 3)
        let flipper = try #require(joined.columns.first { $0.name == "flipper_length_mm" })
        #expect(flipper.doubles() == [181, 212, 181.5])
        let mass = try #require(joined.columns.first { $0.name == "body_mass_g" })
        #expect(!mass.isValid(2) && mass.isValid(0))
        _ = try penguins.predict(joined)
    }
}
