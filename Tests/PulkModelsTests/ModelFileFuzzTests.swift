import Foundation
import Testing
import PulkFrame
import PulkLearn
import PulkModels
import PulkTestSupport

/// Crafted and corrupted model files: decoding throws `corruptModelFile` or gives a model that
/// predicts, and never stops the process (a trap here would end the whole test run). Each model of
/// the catalog is fitted on the contract frame, encoded, then damaged in three ways: counts and
/// offsets of the header set to extremes, integer arrays' elements set to extremes, and random
/// bytes flipped or the file cut short.
@Suite("Model file: crafted and corrupted files")
struct ModelFileFuzzTests {
    static let cases = EstimatorContractTests.cases

    /// The parts of a model file: the JSON header (as an object) and the bytes after it.
    struct Parts {
        var header: [String: Any]
        var body: [UInt8]

        init(_ bytes: [UInt8]) {
            let h = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
            header = try! JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + h)])) as! [String: Any]
            body = Array(bytes[((16 + h + 63) / 64 * 64)...])
        }

        var bytes: [UInt8] {
            let json = Array(try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
            var out = ModelFile.magic
            withUnsafeBytes(of: UInt32(1).littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(json.count).littleEndian) { out.append(contentsOf: $0) }
            out += json
            out += [UInt8](repeating: 0, count: (64 - out.count % 64) % 64)
            return out + body
        }

        var arrays: [[String: Any]] {
            get { header["arrays"] as! [[String: Any]] }
            set { header["arrays"] = newValue }
        }
    }

    /// Decodes and, when that succeeds, predicts; a thrown error must be a model-file error.
    func survive(_ bytes: [UInt8], _ frame: Frame, _ what: String) {
        do {
            let model = try Catalog.decode(bytes, name: what)
            _ = try? model.predict(frame)
        } catch {
            if case .corruptModelFile = error {} else if case .io = error {} else {
                Issue.record("\(what): \(error) is not a model-file error")
            }
        }
    }

    func fitted(_ c: EstimatorContractTests.Case) throws -> (bytes: [UInt8], frame: Frame) {
        let frame = contractFrame(task: c.task, rows: 40)
        let model = try Catalog.estimator(named: c.name).init([:]).fit(frame, target: "y", seed: 1)
        return (ModelFile.encode(model), frame)
    }

    static let extremes: [Int] = [-1, Int.min, Int.max, 1 << 40, 1 << 31, Int(Int32.max) + 1]

    @Test(arguments: cases)
    func headerCountsAndOffsets(c: EstimatorContractTests.Case) throws {
        let (bytes, frame) = try fitted(c)
        let parts = Parts(bytes)
        for (k, entry) in parts.arrays.enumerated() {
            for field in ["count", "offset"] {
                for v in Self.extremes + [(entry[field] as! Int) + 1, (entry[field] as! Int) - 1] {
                    var p = parts
                    p.arrays[k][field] = v
                    survive(p.bytes, frame, "\(c.name) \(entry["name"]!).\(field)=\(v)")
                }
            }
            var twice = parts
            twice.arrays.append(entry)
            survive(twice.bytes, frame, "\(c.name) \(entry["name"]!) listed twice")
        }
    }

    @Test(arguments: cases)
    func headerFields(c: EstimatorContractTests.Case) throws {
        let (bytes, frame) = try fitted(c)
        let parts = Parts(bytes)
        var edits: [(String, (inout [String: Any]) -> Void)] = [
            ("no classes", { h in var t = h["target"] as! [String: Any]; t["classes"] = nil; h["target"] = t }),
            ("empty classes", { h in var t = h["target"] as! [String: Any]; t["classes"] = [String](); h["target"] = t }),
            ("duplicate classes", { h in var t = h["target"] as! [String: Any]; t["classes"] = ["a", "a", "b"]; h["target"] = t }),
            ("one class", { h in var t = h["target"] as! [String: Any]; t["classes"] = ["a"]; h["target"] = t }),
            ("many classes", { h in var t = h["target"] as! [String: Any]; t["classes"] = (0..<12).map { "k\($0)" }; h["target"] = t }),
            ("task flipped", { h in h["task"] = (h["task"] as! String) == "regression" ? "classification" : "regression" }),
            ("duplicate feature", { h in
                var s = h["schema"] as! [String: Any], f = s["features"] as! [[String: Any]]
                if f.count > 1 { f[1]["name"] = f[0]["name"] } else { f.append(f[0]) }; s["features"] = f; h["schema"] = s }),
            ("duplicate category", { h in
                var s = h["schema"] as! [String: Any], f = s["features"] as! [[String: Any]]
                f[min(1, f.count - 1)]["categories"] = ["red", "red"]; s["features"] = f; h["schema"] = s }),
            ("no features", { h in var s = h["schema"] as! [String: Any]; s["features"] = [Any](); h["schema"] = s }),
        ]
        if var params = (parts.header["parameters"] as? [String: Any])?["values"] as? [String: Any], let name = params.keys.sorted().first {
            let original = params
            edits.append(("parameter \(name) removed", { h in params.removeValue(forKey: name); h["parameters"] = ["values": params] }))
            for bad: [String: Any] in [["string": ["_0": "nonsense"]], ["int": ["_0": -1_000_000]], ["double": ["_0": -1e300]], ["bool": ["_0": true]]] {
                edits.append(("parameter \(name) = \(bad)", { h in var p = original; p[name] = bad; h["parameters"] = ["values": p] }))
            }
        }
        if parts.header["pipeline"] != nil {
            edits.append(("pipeline selects 999", { h in var p = h["pipeline"] as! [String: Any]; p["selected"] = [999]; h["pipeline"] = p }))
            edits.append(("pipeline selects twice", { h in var p = h["pipeline"] as! [String: Any]; p["selected"] = [0, 0]; h["pipeline"] = p }))
            edits.append(("pipeline reads an unknown column", { h in
                var p = h["pipeline"] as! [String: Any], steps = p["steps"] as! [[String: Any]]
                steps[0]["column"] = "nowhere"; p["steps"] = steps; h["pipeline"] = p }))
            edits.append(("pipeline categories twice", { h in
                var p = h["pipeline"] as! [String: Any], steps = p["steps"] as! [[String: Any]]
                for i in steps.indices { steps[i]["categories"] = ["x", "x"]; steps[i]["encodings"] = [1.0] }
                p["steps"] = steps; h["pipeline"] = p }))
        }
        for (what, edit) in edits {
            var p = parts
            edit(&p.header)
            survive(p.bytes, frame, "\(c.name): \(what)")
        }
    }

    @Test(arguments: cases)
    func integerArrayElements(c: EstimatorContractTests.Case) throws {
        let (bytes, frame) = try fitted(c)
        let parts = Parts(bytes)
        let values: [Int64] = [-1, -2, Int64.min, Int64.max, 1 << 40, 1 << 20, 3, 0]
        for entry in parts.arrays where entry["dtype"] as! String == "i64" {
            let count = entry["count"] as! Int, offset = entry["offset"] as! Int
            for k in Set([0, count / 2, count - 1]) where k >= 0 && k < count {
                for v in values {
                    var p = parts
                    withUnsafeBytes(of: v.littleEndian) { raw in
                        for b in 0..<8 { p.body[offset + k * 8 + b] = raw[b] }
                    }
                    survive(p.bytes, frame, "\(c.name) \(entry["name"]!)[\(k)]=\(v)")
                }
            }
        }
    }

    @Test(arguments: cases)
    func randomDamage(c: EstimatorContractTests.Case) throws {
        let (bytes, frame) = try fitted(c)
        var rng = SeededGenerator(seed: 2026)
        for trial in 0..<150 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 8..<b.count, using: &rng)
                b[at] = UInt8.random(in: 0...255, using: &rng)
            }
            survive(b, frame, "\(c.name) random damage \(trial)")
            survive(Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng))), frame, "\(c.name) cut \(trial)")
        }
    }
}
