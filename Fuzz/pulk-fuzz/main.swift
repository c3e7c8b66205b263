// libFuzzer targets over the parsers that read what clients send (issue 23): run by scripts/fuzz,
// which builds this with coverage instrumentation and AddressSanitizer into .build-fuzz. The target
// is chosen by PULK_FUZZ_TARGET; any other outcome than a value or a typed error is a finding
// (a trap, a crash, a memory error, a hang past libFuzzer's -timeout).
import Foundation
import PulkFrame
import PulkJSON
import PulkLearn
import PulkModels
import PulkScoring
import PulkStore

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The penguins features, for the scoring request reader.
let penguins = FeatureSchema(features: [
    Feature(name: "island", type: .string, categories: ["Biscoe", "Dream", "Torgersen"]),
    Feature(name: "bill_length_mm", type: .float64), Feature(name: "bill_depth_mm", type: .float64),
    Feature(name: "flipper_length_mm", type: .int64), Feature(name: "body_mass_g", type: .int64),
    Feature(name: "sex", type: .string, categories: ["female", "male"]), Feature(name: "year", type: .int64),
])
let scoring = InputSchema(penguins)

/// One row that fits a model's schema, as a scoring request: what a decoded model is asked to predict.
func row(for schema: FeatureSchema) -> [UInt8] {
    let fields = schema.features.map { f -> String in
        let name = String(decoding: JSON.encode(f.name), as: UTF8.self)
        if let c = f.categories?.first { return "\(name): \(String(decoding: JSON.encode(c), as: UTF8.self))" }
        return f.type == .string ? "\(name): \"x\"" : "\(name): 1"
    }
    return Array("{\"records\": [{\(fields.joined(separator: ", "))}]}".utf8)
}

typealias Target = (UnsafeRawBufferPointer) -> Void
let targets: [String: Target] = [
    // The CSV reader (pulk data add, predict, score, the datasets API).
    "csv": { bytes in _ = try? CSVReader().read(bytes: Array(bytes)) },
    // The Parquet reader (pulk data add, predict, score, the datasets API's uploads): footer, pages, decoding.
    "parquet": { bytes in
        guard let file = try? ParquetFile(bytes: Array(bytes), name: "upload.parquet") else { return }
        _ = try? file.read(rowGroups: 0..<file.rowGroupCount, threads: 1)
    },
    // The tracking server's JSON reader (every MLflow request body).
    "json": { bytes in _ = try? JSON.parse(bytes) },
    // The scoring request reader (records, columns/data, MLflow's shapes), into the penguins schema.
    "request": { bytes in
        _ = try? scoring.rows(json: bytes, matrix: false)
        _ = try? scoring.frame(csv: Array(bytes))
    },
    // MLflow's search filter for runs (every runs/search, the UI's ?filter=).
    "filter": { bytes in _ = try? SearchFilter.parse(String(decoding: bytes, as: UTF8.self)) },
    // The model file decoder, then one prediction from what it decoded (a registered version's model.pulk).
    "model": { bytes in
        guard let model = try? Catalog.decode(Array(bytes)) else { return }
        let request = row(for: model.schema)
        guard let frame = try? request.withUnsafeBytes({ raw in try InputSchema(model.schema).frame(json: raw) }) else { return }
        _ = try? model.predict(frame)
    },
]

let name = ProcessInfo.processInfo.environment["PULK_FUZZ_TARGET"] ?? ""
guard let chosen = targets[name] else {
    FileHandle.standardError.write(Data("PULK_FUZZ_TARGET must be one of \(targets.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}
nonisolated(unsafe) let target: Target = chosen
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { data, count in
    target(UnsafeRawBufferPointer(start: data, count: count))
    return 0
})
