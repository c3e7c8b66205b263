import Foundation
import Testing
import PulkTestSupport
import PulkLearn
import PulkJSON
@testable import PulkServer
@testable import PulkStore

@Suite("JSON parser and writer")
struct JSONTests {
    /// How the access middleware reads a large body's run id: other values skipped, never built.
    @Test(arguments: [
        (#"{"metrics": [{"key": "a", "value": 1e3, "step": -2}], "run_id": "r1"}"#, "r1"),
        (#"{"run_uuid": "r2", "params": {"x": [true, null, "q\"}"]}}"#, "r2"),
        (#"{"nested": {"run_id": "inner"}, "tags": [], "run_id": "outer"}"#, "outer"),
        (#"{"run_id": 42}"#, "42"),
        (#"{"metrics": [[[[]]]], "run_id": "r3" }"#, "r3"),
        (#"[{"run_id": "not an object at the top"}]"#, nil),
        (#"{"metrics": [1, 2, "run_id": "broken"}"#, nil),
    ] as [(String, String?)])
    func topLevelFieldsSkipTheRest(text: String, runId: String?) {
        let found = Array(text.utf8).withUnsafeBytes { JSON.topLevelFields($0, keys: ["run_id", "run_uuid"]) }
        #expect((found["run_id"] ?? found["run_uuid"]) == runId, "\(found)")
    }

    static func parse(_ text: String) throws -> Any { try JSON.parse(Array(text.utf8)) }
    static func roundTrip(_ text: String) throws -> String { String(decoding: JSON.encode(try parse(text)), as: UTF8.self) }

    @Test(arguments: [
        ("{}", "{}"), ("[]", "[]"), ("  {\"b\": 1, \"a\": [true, false, null]}  ", "{\"a\":[true,false,null],\"b\":1}"),
        ("-12", "-12"), ("0", "0"), ("1.5e3", "1500.0"), ("-0.25", "-0.25"), ("123456789012345678", "123456789012345678"),
        ("1234567890123456789012", "1.2345678901234568e+21"),
        ("9223372036854775807", "9223372036854775807"), ("-9223372036854775808", "-9223372036854775808"),
        ("9223372036854775808", "9.223372036854776e+18"), ("1000000000000000000", "1000000000000000000"),
        ("\"a\\\"b\\\\c\\/d\\n\\t\"", "\"a\\\"b\\\\c/d\\n\\t\""), ("\"\\u00e9\\ud83d\\ude00\"", "\"é😀\""), ("\"\\u0001\"", "\"\\u0001\""),
        ("{\"k\": {\"nested\": [1, {\"x\": \"y\"}]}}", "{\"k\":{\"nested\":[1,{\"x\":\"y\"}]}}"),
    ])
    func roundTrips(input: String, output: String) throws {
        #expect(try Self.roundTrip(input) == output)
    }

    @Test(arguments: ["", "{", "[1,", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "\"open", "tru", "nul", "-", "1.2.3", "{} {}", "\"\\x\"",
                      "\"\\ud83d\"", "{1: 2}", String(repeating: "[", count: 600),
                      // NUL, even escaped, and raw control characters inside strings (the probe's name collisions).
                      "\"a\\u0000b\"", "{\"name\": \"a\\u0000c\"}", "\"tab\there\"", "\"line\nbreak\""])
    func refusesMalformed(text: String) {
        #expect(throws: JSON.SyntaxError.self) { _ = try Self.parse(text) }
    }

    /// Text that is not UTF-8 is refused, not stored with replacement characters.
    @Test(arguments: [[0x22, 0xFF, 0x22], [0x22, 0x61, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0x5C, 0x6E, 0xFE, 0x22]] as [[UInt8]])
    func refusesInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSON.SyntaxError.self) { _ = try JSON.parse(bytes) }
    }

    @Test func numbersKeepTheirKind() throws {
        let o = try #require(try Self.parse("{\"i\": 3, \"d\": 3.0, \"big\": 1e300}") as? [String: Any])
        #expect(o["i"] as? Int64 == 3 && o["d"] as? Double == 3.0 && o["big"] as? Double == 1e300)
    }

    /// Runs are written straight to bytes; the result must be the MLflow shape, with non-finite values as strings.
    @Test func runsAreWrittenAsMLflowJSON() throws {
        let info = RunInfo(runId: "abc", experimentId: "1", runName: "r \"1\"", userId: "ana", status: .finished, startTime: 5, endTime: 9,
                           artifactUri: "mlflow-artifacts:/1/abc/artifacts", lifecycleStage: .active)
        var run = Run(info: info, metrics: [Metric("loss", .nan, timestamp: 1, step: 2), Metric("auc", 0.5, timestamp: 1)],
                      params: [Param("lr", "0.1")], tags: [Tag("team", "ml")])
        run.io.modelOutputs = [("m-1", 3)]
        let parsed = try #require(try JSON.parse(Wire.run(run).bytes) as? [String: Any])
        let i = try #require(parsed["info"] as? [String: Any])
        #expect(i["run_id"] as? String == "abc" && i["run_uuid"] as? String == "abc" && i["run_name"] as? String == "r \"1\"")
        #expect(i["end_time"] as? Int64 == 9 && i["status"] as? String == "FINISHED")
        let data = try #require(parsed["data"] as? [String: Any])
        let metrics = try #require(data["metrics"] as? [Any]).compactMap { $0 as? [String: Any] }
        #expect(metrics.first?["value"] as? String == "NaN" && metrics.last?["value"] as? Double == 0.5)
        #expect((data["params"] as? [Any])?.count == 1)
        let outputs = try #require((parsed["outputs"] as? [String: Any])?["model_outputs"] as? [Any])
        #expect((outputs.first as? [String: Any])?["step"] as? Int64 == 3)
        // The same bytes as the general writer would give for the same object.
        #expect(JSON.encode(try JSON.parse(Wire.run(run).bytes)) == Wire.run(run).bytes)
    }
}

/// Seeded random damage to MLflow request bodies: the general parser and the log-batch decoder
/// each read a body or refuse it with their own error, never trap.
@Suite("JSON readers: random input")
struct JSONFuzzTests {
    @Test func damagedBodies() {
        let bodies = [#"{"run_id": "r1", "metrics": [{"key": "a", "value": 1.5e3, "timestamp": 7, "step": 2}, {"key": "b", "value": "NaN", "timestamp": 1}], "params": [{"key": "lr", "value": "0.1"}], "tags": [{"key": "t", "value": "caf\u00e9 \ud83d\ude00"}]}"#,
                      #"{"experiment_ids": ["1", "2"], "filter": "metrics.acc > 0.9", "max_results": 10, "order_by": ["metrics.acc DESC"], "nested": [[[{"a": [true, false, null]}]]]}"#]
        let special: [UInt8] = Array("{}[]\",:\\u0123456789eE+-.tfn ".utf8) + [0, 0x1F, 0xC3, 0xED, 0xFF]
        var rng = SeededGenerator(seed: 2313)
        for _ in 0..<4000 {
            var bytes = Array(bodies[Int.random(in: 0..<bodies.count, using: &rng)].utf8)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                let b = special[Int.random(in: 0..<special.count, using: &rng)]
                if Bool.random(using: &rng) { bytes[at] = b } else { bytes.insert(b, at: at) }
            }
            _ = try? JSON.parse(bytes)
            do { _ = try bytes.withUnsafeBytes { raw throws(StoreError) in try LogBatchBody.decode(raw) } } catch {
                let code = (error as? StoreError)?.code
                #expect(code == .badRequest || code == .invalidParameterValue, "\(error)")
            }
        }
    }
}

@Suite("log-batch decoding")
struct LogBatchDecoderTests {
    static func decode(_ text: String) throws(StoreError) -> LogBatchBody {
        let bytes = Array(text.utf8)
        do { return try bytes.withUnsafeBytes { raw in try LogBatchBody.decode(raw) } } catch let e as StoreError { throw e } catch {
            throw StoreError(.internalError, "\(error)")
        }
    }

    @Test func decodesMLflowShapes() throws {
        let b = try Self.decode("""
            {"run_id": "r1", "metrics": [{"key": "a", "value": 1, "timestamp": "7", "step": 2},
             {"key": "b", "value": "NaN", "timestamp": 1}, {"key": "c", "value": "-Infinity", "timestamp": 1, "model_id": "m-1", "extra": [1]}],
             "params": [{"key": "lr", "value": 0.1}], "tags": [{"key": "t", "value": "v"}], "unknown": {"x": [1, 2]}}
            """)
        #expect(b.runId == "r1" && b.metrics.map(\.key) == ["a", "b", "c"])
        #expect(b.metrics[0].value == 1 && b.metrics[0].timestamp == 7 && b.metrics[0].step == 2)
        #expect(b.metrics[1].value.isNaN && b.metrics[2].value == -.infinity && b.metrics[2].modelId == "m-1")
        #expect(b.params == [Param("lr", "0.1")] && b.tags == [Tag("t", "v")])
        #expect(try Self.decode("{\"run_uuid\": \"legacy\", \"metrics\": null}").runId == "legacy")
        // int64's extremes survive as they are.
        let extremes = try Self.decode("{\"metrics\": [{\"key\": \"a\", \"value\": 1, \"timestamp\": 9223372036854775807, \"step\": -9223372036854775808}]}")
        #expect(extremes.metrics[0].timestamp == .max && extremes.metrics[0].step == .min)
    }

    @Test(arguments: [
        ("{\"run_id\": \"r\", \"metrics\": [{\"value\": 1}]}", StoreError.Code.invalidParameterValue, "'key' of a metric"),
        ("{\"run_id\": \"r\", \"metrics\": [{\"key\": \"a\"}]}", .invalidParameterValue, "'value' of metric 'a'"),
        ("{\"run_id\": \"r\", \"metrics\": [{\"key\": \"a\", \"value\": \"high\"}]}", .invalidParameterValue, "expected a number"),
        ("{\"run_id\": \"r\", \"params\": [{\"value\": \"x\"}]}", .invalidParameterValue, "'key' of a param"),
        // A field of the wrong shape is a bad parameter (as MLflow answers it), not bad JSON.
        ("{\"run_id\": \"r\", \"metrics\": {\"key\": \"a\"}}", .invalidParameterValue, "expected a list"),
        ("{\"run_id\": \"r\",", .badRequest, "not valid JSON"),
        ("[1]", .badRequest, "expected an object"),
        // Steps and timestamps are integers in int64's range: never silently 0.
        ("{\"run_id\": \"r\", \"metrics\": [{\"key\": \"a\", \"value\": 1, \"step\": 1.5}]}", .invalidParameterValue, "'step'"),
        ("{\"run_id\": \"r\", \"metrics\": [{\"key\": \"a\", \"value\": 1, \"step\": \"two\"}]}", .invalidParameterValue, "'step'"),
        ("{\"run_id\": \"r\", \"metrics\": [{\"key\": \"a\", \"value\": 1, \"timestamp\": 1e30}]}", .invalidParameterValue, "'timestamp'"),
        ("{\"run_id\": \"r\", \"metrics\": [{\"key\": \"a\", \"value\": 1, \"timestamp\": 9223372036854775808}]}", .invalidParameterValue, "'timestamp'"),
        ("{\"run_id\": \"r\", \"metrics\": [{\"key\": \"a\", \"value\": 1, \"step\": true}]}", .invalidParameterValue, "'step'"),
        ("{\"run_id\": \"r\", \"params\": [{\"key\": \"a\\u0000b\", \"value\": \"x\"}]}", .badRequest, "NUL"),
    ])
    func explainsBadBodies(text: String, code: StoreError.Code, says: String) {
        do {
            _ = try Self.decode(text)
            Issue.record("'\(text)' must be refused")
        } catch { #expect(error.code == code && error.message.contains(says), "\(error.message)") }
    }
}
