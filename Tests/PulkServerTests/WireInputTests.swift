import Testing
@testable import PulkServer
import PulkStore

@Suite("MLflow wire input")
struct WireInputTests {
    @Test func wireInputReadsMLflowShapes() throws {
        let i = WireInput(json: ["run_uuid": "abc", "start_time": "1700000000000", "step": 3, "value": "NaN"], query: ["experiment_ids": ["1", "2"]])
        #expect(try i.runId() == "abc")
        #expect(try i.int("start_time") == 1_700_000_000_000 && (try i.int("step")) == 3)
        #expect(try WireInput.metricValue(i.value("value"), key: "m").isNaN)
        #expect(i.strings("experiment_ids") == ["1", "2"])
        #expect(throws: StoreError.self) { try i.require("missing") }
        #expect(String(decoding: Wire.encode(["v": Wire.number(-.infinity)]), as: UTF8.self) == "{\"v\":\"-Infinity\"}")
    }
}
