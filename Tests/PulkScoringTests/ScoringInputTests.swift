import Foundation
import PulkFrame
import PulkLearn
import PulkModels
import PulkScoring
import Testing

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The penguins model every test scores with (a small GBDT, trained once).
let penguins: any Model = {
    let (frame, _) = try! CSVReader().read(path: repoRoot.appendingPathComponent("examples/penguins.csv").path)
    let estimator = try! Catalog.estimator(named: "gbdt").init(["num_iterations": "10"])
    return try! estimator.fit(frame, target: "species", seed: 1)
}()

let schema = InputSchema(penguins.schema)

func decode(_ json: String, _ s: InputSchema = schema) throws(ScoringError) -> Frame { try s.frame(json: Array(json.utf8)) }

func refusal(_ json: String, _ s: InputSchema = schema) -> ScoringError? {
    do { _ = try decode(json, s); return nil } catch { return error }
}

let row = #"{"island": "Biscoe", "bill_length_mm": 45.2, "bill_depth_mm": 14.8, "flipper_length_mm": 212, "body_mass_g": 5200, "sex": "female", "year": 2008}"#
let values = #"["Biscoe", 45.2, 14.8, 212, 5200, "female", 2008]"#
let names = #"["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"]"#

@Suite("Scoring requests")
struct ScoringInputTests {
    /// Every accepted shape of the same two rows gives the same frame and the same predictions.
    @Test("Pulk's, MLflow's and CSV shapes of one input agree", arguments: [
        "{\"records\": [\(row), \(row)]}",
        "[\(row), \(row)]",
        "{\"columns\": \(names), \"data\": [\(values), \(values)]}",
        "{\"dataframe_split\": {\"columns\": \(names), \"data\": [\(values), \(values)], \"index\": [0, 1]}}",
        "{\"dataframe_records\": [\(row), \(row)]}",
        "{\"instances\": [\(row), \(row)]}",
        "{\"inputs\": [\(values), \(values)]}",
        "{\"inputs\": {\"island\": [\"Biscoe\", \"Biscoe\"], \"bill_length_mm\": [45.2, 45.2], \"bill_depth_mm\": [14.8, 14.8], \"flipper_length_mm\": [212, 212], \"body_mass_g\": [5200, 5200], \"sex\": [\"female\", \"female\"], \"year\": [2008, 2008]}}",
        "{\"dataframe_split\": {\"data\": [\(values), \(values)], \"columns\": \(names)}, \"params\": {\"x\": 1}}",
        // Keys in another order, extra columns ignored, numbers sent as text.
        #"{"records": [{"year": 2008, "sex": "female", "extra": [1, 2], "body_mass_g": "5200", "flipper_length_mm": 212, "bill_depth_mm": 14.8, "bill_length_mm": 45.2, "island": "Biscoe"}, "#
            + row + "]}",
    ])
    func shapesAgree(json: String) throws {
        let frame = try decode(json)
        #expect(frame.rowCount == 2)
        #expect(frame.names == penguins.schema.features.map(\.name))
        let reference = try penguins.predict(try decode("{\"records\": [\(row)]}"))
        let got = try penguins.predict(frame)
        guard case .classification(_, let p, let probabilities) = got, case .classification(_, let q, let expected) = reference else {
            Issue.record("not a classification")
            return
        }
        #expect(p == [q[0], q[0]])
        #expect(probabilities[1] == expected[0])
    }

    @Test("A CSV body reads like JSON rows") func csv() throws {
        let body = names.dropFirst().dropLast().replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: " ", with: "")
            + "\nBiscoe,45.2,14.8,212,5200,female,2008\nDream,,17.9,195,3750,,2009\n"
        let frame = try schema.frame(csv: Array(body.utf8))
        #expect(frame.rowCount == 2)
        let json = try decode("{\"columns\": \(names), \"data\": [\(values), [\"Dream\", null, 17.9, 195, 3750, null, 2009]]}")
        #expect(try penguins.predict(frame) == (try penguins.predict(json)))
    }

    @Test("Nulls, missing keys and NaN are missing values") func missingValues() throws {
        let frame = try decode(#"{"records": [{"island": null, "bill_length_mm": NaN, "bill_depth_mm": 14.8, "flipper_length_mm": 212, "body_mass_g": 5200, "sex": "female", "year": 2008}, {"island": "Dream", "bill_length_mm": 40, "bill_depth_mm": 14.8, "flipper_length_mm": 212, "body_mass_g": 5200, "year": 2008}]}"#)
        #expect(try frame.column("island").isValid(0) == false)
        #expect(try frame.column("bill_length_mm").isValid(0) == false)
        #expect(try frame.column("sex").isValid(1) == false)
        #expect(try frame.column("sex").isValid(0))
        _ = try penguins.predict(frame)
    }

    @Test("Text with escapes and non-ASCII characters") func escapes() throws {
        let f = FeatureSchema(features: [Feature(name: "name \"q\"", type: .string, categories: nil)])
        let frame = try decode(#"{"records": [{"name \"q\"": "caf\u00e9 \ud83d\ude00\n"}, {"name \"q\"": "plain"}]}"#, InputSchema(f))
        #expect(try frame.column("name \"q\"").value(at: 0) == .string("café 😀\n"))
        #expect(try frame.column("name \"q\"").value(at: 1) == .string("plain"))
    }

    /// Every problem with a request is named, with its column and row.
    @Test("Bad rows get one problem each", arguments: [
        // missing column
        (#"{"records": [{"island": "Biscoe"}]}"#, ScoringError.Kind.schema, ["Missing column 'bill_length_mm'", "Missing column 'year'"]),
        // wrong types
        (#"{"records": [{"island": "Biscoe", "bill_length_mm": "long", "bill_depth_mm": true, "flipper_length_mm": [1], "body_mass_g": 1, "sex": "f", "year": 2008}]}"#,
         .schema, ["'bill_length_mm' row 0: text \"long\"", "'bill_depth_mm' row 0: true", "'flipper_length_mm' row 0: a nested array"]),
        // positional rows of the wrong width
        ("{\"inputs\": [[1, 2]]}", .schema, ["must list the model's 7 features in order"]),
        ("{\"columns\": \(names), \"data\": [\(values), [1]]}", .body, ["row 1 has 1 values"]),
        // not JSON, not a shape
        ("{\"records\": [", .body, ["not valid JSON at byte"]),
        ("", .body, ["empty"]),
        ("{\"rows\": []}", .body, ["Unknown field 'rows'"]),
        ("{}", .body, ["no input rows"]),
        ("{\"records\": []}", .body, ["The request has no rows"]),
        ("{\"dataframe_records\": []}", .body, ["The request has no rows"]),
        ("42", .body, ["must be a JSON object"]),
        ("{\"records\": [1, 2]}", .body, ["Row 0 of the records is not an object"]),
        ("{\"data\": [[1]]}", .body, ["'data' needs 'columns'"]),
        ("{\"records\": [\(row)]} x", .body, ["text after the value"]),
        (#"{"inputs": {"island": ["a", "b"], "year": [1]}}"#, .body, ["'year' has 1 values but 'island' has 2"]),
    ])
    func problems(json: String, kind: ScoringError.Kind, says: [String]) throws {
        let e = try #require(refusal(json))
        #expect(e.kind == kind)
        for s in says { #expect(e.problems.contains { $0.message.contains(s) }, "\(s) not in \(e.problems.map(\.message))") }
    }

    @Test("Unseen categories: scored by default, refused when the policy says so") func unseen() throws {
        let atlantis = row.replacingOccurrences(of: "Biscoe", with: "Atlantis")
        _ = try penguins.predict(try decode("[\(atlantis)]"))
        let strict = InputSchema(penguins.schema, policy: .init(unseenCategories: .reject))
        let e = try #require(refusal("[\(row), \(atlantis), \(atlantis)]", strict))
        #expect(e.kind == .schema && e.problems.count == 1)
        #expect(e.problems[0].column == "island" && e.problems[0].row == 1)
        #expect(e.problems[0].message.contains("\"Atlantis\" was not seen in training (and 1 more") && e.problems[0].message.contains("Biscoe, Dream, Torgersen"))
        #expect(try strict.frame(json: Array("[\(row)]".utf8)).rowCount == 1)
    }

    @Test("A chunk of a file names its problems by the file's rows") func chunkRows() throws {
        let f = FeatureSchema(features: [Feature(name: "x", type: .float64), Feature(name: "c", type: .string, categories: ["a", "b"])])
        let strict = InputSchema(f, policy: .init(unseenCategories: .reject))
        let chunk = try CSVReader().read(string: "x,c\n1,a\nlong,z\n").0
        do {
            _ = try strict.frame(conforming: chunk, firstRow: 1000)
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.row) == [1001, 1001])
            #expect(error.problems[0].message.hasPrefix("Column 'x' row 1001: \"long\" is string"), "\(error.problems[0].message)")
            #expect(error.problems[1].message.hasPrefix("Column 'c' row 1001: category \"z\""), "\(error.problems[1].message)")
        }
    }

    @Test("Too many rows is its own refusal") func tooManyRows() throws {
        let small = InputSchema(penguins.schema, policy: .init(maxRows: 2))
        let e = try #require(refusal("[\(row), \(row), \(row)]", small))
        #expect(e.kind == .tooManyRows && e.description.contains("at most 2"))
    }

    @Test("A flood of bad values lists twenty problems and counts the rest") func problemCap() throws {
        let features = (0..<30).map { Feature(name: "f\($0)", type: .float64, categories: nil) }
        let record = "{" + (0..<30).map { "\"f\($0)\": \"x\"" }.joined(separator: ",") + "}"
        let e = try #require(refusal("[\(record)]", InputSchema(FeatureSchema(features: features))))
        #expect(e.problems.count == 21 && e.problems.last!.message == "… and 10 more problems")
    }

    /// A model of numbers only reads rows of plain numbers on a fast path; it must give exactly the
    /// frame the general reader gives (records name every cell, so they never take it), and hand
    /// anything else back to the general reader, which says what is wrong.
    @Test("Rows of plain numbers: the fast path reads what the general reader reads", arguments: [
        [["1", "2.5", "-3"], ["0.000001", "1e5", "-0"]],
        [["0.1E-2", "12345678901234567890", "3.141592653589793238"]],    // 20 digits, more than 19
        [["1", "null", "3"], ["4", "5", "6"]],                            // a null on row 0
        [["1", "2", "3"], ["4", "5", "NaN"]],                             // NaN on the last row
        [["1", "2", "3"], ["\"4.5\"", "5", "6"]],                         // a number as text
        [["1e300", "2", "3"], ["1e-300", "5", "1.7976931348623157e308"]],
        [["2.305759", "1.322787", "2.514079"], ["-0.234039", "0.767173", "-0.316094"]],
        [["4", "5", "6."]],                                              // not JSON's shape; the general reader is lenient
        // Rows shorter than the first: more rows than its length predicts, so the buffer grows.
        [["-1.234567", "2.345678", "-3.456789"]] + (0..<60).map { ["\($0)", "-\($0 % 7)", "0.\($0)"] },
    ])
    func numericRows(cells: [[String]]) throws {
        let f = FeatureSchema(features: [Feature(name: "a", type: .float64), Feature(name: "b", type: .int64), Feature(name: "c", type: .float64)])
        let s = InputSchema(f)
        let data = "[" + cells.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ",\n ") + "]"
        let spaced = "[ " + cells.map { "[ " + $0.joined(separator: " ,\t") + " ]" }.joined(separator: " , ") + " ]"
        // Records name every cell, so the general reader reads them.
        let records = "[" + cells.map { r in "{" + zip(["a", "b", "c"], r).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}" }.joined(separator: ", ") + "]"
        let general = try decode(records, s)
        for body in ["{\"columns\": [\"a\", \"b\", \"c\"], \"data\": \(data)}", "{\"inputs\": \(spaced)}", "{\"dataframe_split\": {\"columns\": [\"c\", \"b\", \"a\"], \"data\": \(data)}}"] {
            let frame = try decode(body, s)
            #expect(frame.rowCount == general.rowCount)
            // The last body names the columns in reverse: a and c swap.
            let swap = body.contains("[\"c\", \"b\", \"a\"]")
            for name in ["a", "b", "c"] {
                let x = try frame.column(name), y = try general.column(swap ? ["a": "c", "b": "b", "c": "a"][name]! : name)
                for r in 0..<frame.rowCount {
                    #expect(x.isValid(r) == y.isValid(r))
                    if case .double(let u) = x.value(at: r), case .double(let v) = y.value(at: r) {
                        #expect(u.bitPattern == v.bitPattern, "\(name) row \(r): \(u) vs \(v)")
                    } else {
                        #expect(x.value(at: r) == y.value(at: r))
                    }
                }
            }
        }
    }

    @Test("Rows of numbers the fast path refuses get the general reader's message", arguments: [
        ("[[1, 2, 3], [4, 5]]", "row 1 has 2 values"),
        ("[[1, 2, 3], [4, 5, 6, 7]]", "row 1 has 4 values"),
        ("[[1, 2, 3], [4, 5, 1e400]]", "not valid JSON"),
        ("[[1, 2, 3], [4, 5, \"x\"]]", "Column 'c' row 1: text \"x\""),
        ("[[1, 2, 3], [4, 5, [6]]]", "a nested array"),
        ("[[1, 2, 3], [4, 5, 6]", "not valid JSON"),
        ("[[1, 2, 3], [4, 5, 6],]", "Row 2 is not an array of values"),
        ("[[1, 2, 3] [4, 5, 6]]", "not valid JSON"),
        ("[[1, 2, 3], [4, 5, 0x10]]", "not valid JSON"),
    ])
    func numericRowsRefused(data: String, says: String) throws {
        let f = FeatureSchema(features: [Feature(name: "a", type: .float64), Feature(name: "b", type: .int64), Feature(name: "c", type: .float64)])
        let e = try #require(refusal("{\"columns\": [\"a\", \"b\", \"c\"], \"data\": \(data)}", InputSchema(f)))
        #expect(e.problems.contains { $0.message.contains(says) }, "\(says) not in \(e.problems.map(\.message))")
    }

    /// With `matrix`, bodies of plain numbers come back as the features' values column by column in
    /// schema order (no frame): exactly the frame's values.
    @Test("Rows of plain numbers as the model's matrix: the frame's values, in schema order", arguments: [
        "{\"columns\": [\"a\", \"b\", \"c\"], \"data\": [[1, -0, 3], [4.5, 5, 2.5e-3], [-0.234039, 1e5, 7]]}",
        "{\"dataframe_split\": {\"columns\": [\"c\", \"x\", \"a\", \"b\"], \"data\": [[3, 0, 1, -0], [2.5e-3, 0, 4.5, 5], [7, 0, -0.234039, 1e5]]}}",
        "{\"inputs\": [[1, -0, 3], [4.5, 5, 2.5e-3], [-0.234039, 1e5, 7]]}",
    ])
    func matrix(body: String) throws {
        let f = FeatureSchema(features: [Feature(name: "a", type: .float64), Feature(name: "b", type: .int64), Feature(name: "c", type: .float64)])
        let s = InputSchema(f)
        let bytes = Array(body.utf8)
        let rows = try bytes.withUnsafeBytes { raw in try s.rows(json: raw, matrix: true) }
        guard case .matrix(let x, let n) = rows else { Issue.record("no matrix for \(body)"); return }
        let frame = try decode(body, s)
        #expect(n == 3 && rows.rowCount == 3 && x.count == 9)
        for (j, name) in ["a", "b", "c"].enumerated() {
            let c = try frame.column(name)
            for r in 0..<n {
                #expect(c.isValid(r) && x[j * n + r].bitPattern == c.doubles()?[r].bitPattern, "\(name) row \(r)")
            }
        }
        // Without `matrix`, the frame.
        guard case .frame = try bytes.withUnsafeBytes({ raw in try s.rows(json: raw, matrix: false) }) else { Issue.record("a matrix unasked"); return }
    }

    @Test("Bodies the matrix does not take: a frame, or the frame reader's refusal") func matrixFallsBack() throws {
        let f = FeatureSchema(features: [Feature(name: "a", type: .float64), Feature(name: "b", type: .float64)])
        let s = InputSchema(f)
        func read(_ body: String) throws(ScoringError) -> ScoringRows {
            try Array(body.utf8).withUnsafeBytes { raw in Result { () throws(ScoringError) in try s.rows(json: raw, matrix: true) } }.get()
        }
        // Records, text cells and missing values go to the frame reader.
        guard case .frame(let r) = try read(#"[{"a": 1, "b": 2}]"#), r.rowCount == 1 else { Issue.record("records"); return }
        guard case .frame = try read(#"{"columns": ["a", "b"], "data": [[1, "2"]]}"#) else { Issue.record("text"); return }
        guard case .frame(let m) = try read(#"{"columns": ["a", "b"], "data": [[1, null], [NaN, 2]]}"#), m.rowCount == 2 else { Issue.record("null"); return }
        // A missing column is refused as the frame reader refuses it.
        for body in [#"{"columns": ["a"], "data": [[1]]}"#, #"{"columns": ["a", "c"], "data": [[1, 2]]}"#] {
            #expect(throws: ScoringError.self) { _ = try read(body) }
            let e = try #require(refusal(body, s))
            do { _ = try read(body) } catch { #expect(error.description == e.description) }
        }
        // So are too many rows.
        let small = InputSchema(f, policy: ScoringPolicy(maxRows: 1))
        let two = Array(#"{"columns": ["a", "b"], "data": [[1, 2], [3, 4]]}"#.utf8)
        let e = two.withUnsafeBytes { raw in Result { () throws(ScoringError) in try small.rows(json: raw, matrix: true) } }
        guard case .failure(let error) = e else { Issue.record("two rows taken"); return }
        #expect(error.kind == .tooManyRows)
    }

    @Test("Dates and booleans") func datesAndBooleans() throws {
        let f = FeatureSchema(features: [Feature(name: "d", type: .date, categories: nil), Feature(name: "t", type: .datetime, categories: nil),
                                         Feature(name: "b", type: .bool, categories: nil)])
        let frame = try decode(#"[{"d": "2024-02-29", "t": "2024-02-29T12:00:00", "b": true}, {"d": null, "t": "2024-03-01", "b": 0}]"#, InputSchema(f))
        #expect(try frame.column("d").value(at: 0) == .date(19782))
        #expect(try frame.column("t").value(at: 1) == .datetime(19783 * 86_400_000_000))
        #expect(try frame.column("b").value(at: 1) == .bool(false))
        let e = try #require(refusal(#"[{"d": "yesterday", "t": 5, "b": "maybe"}]"#, InputSchema(f)))
        #expect(e.problems.count == 3)
    }
}

@Suite("Scoring responses")
struct ScoringOutputTests {
    @Test("Pulk's response carries labels, classes, probabilities and who answered") func pulkResponse() throws {
        let p = Predictions.classification(classes: ["0", "1"], predicted: [1, 0], probabilities: [[0.25, 0.75], [1, 0]])
        let body = ScoringOutput.pulk(p, origin: .init(endpoint: "e", deployment: "blue", model: "m", version: "3", requestId: "r\"1"))
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"predictions":[1,0],"classes":[0,1],"probabilities":[[0.25,0.75],[1,0]],"endpoint":"e","deployment":"blue","model":"m","version":"3","request_id":"r\"1"}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["request_id"] as? String == "r\"1")
    }

    @Test("MLflow's response is predictions only; text labels are strings; NaN is null") func mlflowResponse() {
        let c = Predictions.classification(classes: ["Adelie", "01", "-2.5"], predicted: [0, 1, 2], probabilities: [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        #expect(String(decoding: ScoringOutput.mlflow(c), as: UTF8.self) == #"{"predictions":["Adelie","01",-2.5]}"#)
        let shuffled = Predictions.classification(classes: ["Adelie", "01", "-2.5"], predicted: [2, 0, 0, 1, 2], probabilities: [])
        #expect(String(decoding: ScoringOutput.mlflow(shuffled), as: UTF8.self) == #"{"predictions":[-2.5,"Adelie","Adelie","01",-2.5]}"#)
        let none = Predictions.classification(classes: ["a", "b"], predicted: [], probabilities: [])
        #expect(String(decoding: ScoringOutput.mlflow(none), as: UTF8.self) == #"{"predictions":[]}"#)
        let r = Predictions.regression([1.5, .nan, 3, 1e300, -0.1])
        #expect(String(decoding: ScoringOutput.mlflow(r), as: UTF8.self) == #"{"predictions":[1.5,null,3,1e+300,-0.1]}"#)
    }

    @Test("Refusals list each problem") func errorBody() throws {
        let e = ScoringError(kind: .schema, problems: [.init(column: "a", row: 2, message: "bad"), .init(message: "worse")])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ScoringOutput.error(e))) as? [String: Any])
        #expect(object["error_code"] as? String == "INVALID_INPUT")
        let problems = try #require(object["problems"] as? [[String: Any]])
        #expect(problems.count == 2 && problems[0]["row"] as? Int == 2 && problems[0]["column"] as? String == "a" && problems[1]["column"] == nil)
    }
}

/// Hostile bodies (the security probe's): a value nested far deeper than any row needs is a clear
/// refusal, not a stack overflow.
@Suite("Scoring requests: hostile bodies")
struct HostileScoringBodyTests {
    @Test("Deep nesting is refused with the limit named", arguments: [65, 1_000, 200_000])
    func deepNesting(depth: Int) throws {
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        for body in [#"{"records": [{"island": \#(nested)}]}"#, #"{"columns": ["island"], "data": [[\#(nested)]]}"#,
                     #"{"records": [{"island": "Biscoe"}], "params": \#(nested)}"#] {
            let e = refusal(body)
            #expect(e?.problems.contains { $0.message.contains("more than 64 levels") } == true, "\(String(describing: e))")
        }
    }

    @Test("Nesting within the limit is still read as a nested cell") func shallowNesting() throws {
        let nested = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let e = refusal(#"{"records": [{"island": \#(nested)}]}"#)
        #expect(e?.problems.contains { $0.message.contains("levels") } != true)
    }
}

/// Seeded random damage to scoring bodies of every shape: each is read or refused with a
/// `ScoringError`, never a trap.
@Suite("Scoring requests: random input")
struct ScoringFuzzTests {
    @Test func damagedBodies() {
        let bodies = ["{\"records\": [\(row), \(row)]}", "{\"columns\": \(names), \"data\": [\(values), \(values)]}",
                      "{\"dataframe_split\": {\"columns\": \(names), \"data\": [\(values)], \"index\": [0]}}",
                      "{\"instances\": [\(values)]}", "[[1, 2.5, -3e2, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14]]"]
        let special: [UInt8] = Array("{}[]\",:\\u0123456789eE+-.tfnN ".utf8) + [0, 0x1F, 0xC3, 0xFF]
        var generator = SplitMix(seed: 2314)
        for _ in 0..<4000 {
            var bytes = Array(bodies[generator.next(bodies.count)].utf8)
            for _ in 0...generator.next(6) {
                let at = generator.next(bytes.count)
                let b = special[generator.next(special.count)]
                if generator.next(2) == 0 { bytes[at] = b } else { bytes.insert(b, at: at) }
            }
            for numeric in [schema, InputSchema(FeatureSchema(features: (0..<7).map { Feature(name: "f\($0)", type: .float64) }))] {
                do { _ = try numeric.frame(json: bytes) } catch { #expect(!error.problems.isEmpty) }
            }
        }
    }
}

/// A small seeded generator (SplitMix64) for the random-input tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(max(bound, 1)))
    }
}
