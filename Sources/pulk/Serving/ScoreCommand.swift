import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkWorkspace

/// `pulk score`: batch scoring in constant memory, recorded as a run with lineage.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a dataset or a CSV or Parquet file in chunks with a model file or a registered model, writing predictions as CSV.",
        discussion: """
            Streams the input (a CSV file is read in blocks, a Parquet file by row group; a registered dataset is memory-mapped), scores on every core and writes \
            the kept input columns (--keep), `prediction`, then `probability_CLASS` per class. The output appears only once complete. The run records the model version, \
            the input dataset and (with --register-as) the output dataset version.
            """)

    @Option(help: "A .pulk model file, MODEL@ALIAS or MODEL:VERSION.") var model: String
    @Option(help: "NAME[:VERSION] of a registered dataset, or a CSV or Parquet file (or folder of Parquet part files).") var data: String
    @Option(help: "The CSV file of predictions to write.") var out: String
    @OptionGroup var keep: KeepOptions
    @Option(help: "Register the predictions as a dataset version of this name (derived from the input).") var registerAs: String?
    @Option(help: "Rows per chunk of a registered dataset.") var chunkRows = 1 << 16
    @Option(help: "Bytes per block of a CSV file.") var blockBytes = 16 << 20
    @OptionGroup var run: RunOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let request = ScoringRequest(model: model, data: data, out: out, registerAs: registerAs, chunkRows: chunkRows, blockBytes: blockBytes,
                                     run: run.settings(), keep: try keep.kept)
        let scored = try await BatchScoring.score(request, on: try common.workbench(tracking: run.tracking), progress: TerminalProgress(enabled: !common.json))
        if common.json {
            print(Output.json(Scored(model: scored.model, data: scored.data, out: out, rows: scored.rows, seconds: scored.seconds,
                                     rowsPerSecond: scored.rowsPerSecond, outputDataset: scored.outputDataset?.reference, runId: scored.run?.runId)))
            return
        }
        print("Scored \(scored.rows) rows with \(scored.model) in \(String(format: "%.2f", scored.seconds)) s (\(Int(scored.rowsPerSecond)) rows/s) → \(out)")
        if let v = scored.outputDataset { print("Registered the predictions as dataset \(v.reference)") }
        if let r = scored.run { print("Run \(r.runId) recorded in experiment \(run.experiment)") }
    }
}

struct Scored: Encodable {
    var model, data, out: String
    var rows: Int
    var seconds, rowsPerSecond: Double
    var outputDataset, runId: String?
}
