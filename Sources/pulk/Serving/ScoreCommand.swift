import ArgumentParser
import Foundation
import PulkFrame
import PulkLearn
import PulkScoring
import PulkStore
import PulkTracking
import PulkWorkspace

/// `pulk score`: batch scoring in constant memory, recorded as a run with lineage.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a dataset or a CSV file in chunks with a model file or a registered model, writing predictions as CSV.",
        discussion: """
            Streams the input (a CSV file is read in blocks; a registered dataset is memory-mapped), scores on every core and writes
            `prediction` then `probability_CLASS` per class. The output appears only once complete. The run records the model version,
            the input dataset and (with --register-as) the output dataset version.
            """)

    @Option(help: "A .pulk model file, MODEL@ALIAS or MODEL:VERSION.") var model: String
    @Option(help: "NAME[:VERSION] of a registered dataset, or a CSV file.") var data: String
    @Option(help: "The CSV file of predictions to write.") var out: String
    @Option(help: "Register the predictions as a dataset version of this name (derived from the input).") var registerAs: String?
    @Option(help: "Rows per chunk of a registered dataset.") var chunkRows = 1 << 16
    @Option(help: "Bytes per block of a CSV file.") var blockBytes = 16 << 20
    @OptionGroup var run: RunOptions
    @OptionGroup var common: WorkspaceOptions

    func run() async throws {
        let started = Date()
        let reference = try ModelReference(parsing: model)
        let resolved = try await reference.resolve(try await run.tracking.client(common))
        let ws = try common.open()
        let scorer = BatchScorer(model: resolved.model)
        let bar = ProgressBar(label: "scoring", enabled: !common.json)
        // A registered dataset is memory-mapped and scored in slices; a file is streamed in blocks.
        let inputVersion = try registeredVersion(data, in: ws)
        let inputFrame = try inputVersion.map { v in try explain { try ws.datasets.loadFrame(v) } }
        let result: BatchScorer.Result
        do {
            if let inputFrame {
                var source = FrameChunks(inputFrame, rows: chunkRows)
                result = try scorer.score(&source, to: out) { done, total in bar.update(done, total) }
            } else {
                var source = try CSVChunks(path: data, schema: resolved.model.schema, blockBytes: blockBytes)
                result = try scorer.score(&source, to: out) { done, total in bar.update(done, total) }
            }
        } catch {
            bar.finish()
            if let e = error as? PulkFailure { throw e }
            throw PulkFailure(message: "cannot score \(data): \((error as? ScoringError)?.description ?? "\(error)")")
        }
        bar.finish()
        var outputVersion: DatasetVersion?
        if let registerAs {
            var options = DatasetStore.AddOptions(description: "predictions of \(resolved.label) on \(inputVersion?.reference ?? data)")
            options.derivedFrom = inputVersion.map { DatasetRef(name: $0.name, version: $0.version) }
            outputVersion = try explain { try ws.datasets.add(file: out, name: registerAs, options: options).version }
        }
        let rate = Double(result.rows) / max(result.seconds, 1e-9)
        var recorded: RunInfo?
        if !run.noTrack {
            var content = RunContent()
            content.params = [Param("model", model), Param("model_name", resolved.name), Param("model_version", resolved.version),
                              Param("model_kind", resolved.model.kind), Param("data", inputVersion?.reference ?? data), Param("out", out)]
            if let id = resolved.runId { content.params.append(Param("model_run_id", id)) }
            content.metrics = [("rows", Double(result.rows), 0), ("seconds", result.seconds, 0), ("rows_per_second", rate, 0)]
            content.tags = [Tag("pulk.command", "score")]
            if let v = inputVersion, let f = inputFrame { content.inputs.append(DatasetInputs.workspace(v, frame: f, context: "scoring")) }
            else { content.inputs.append(DatasetInputs.file(path: data, frame: try Frame(columns: []), context: "scoring")) }
            if let v = outputVersion, let f = try? ws.datasets.loadFrame(v) {
                content.inputs.append(DatasetInputs.workspace(v, frame: f, context: "predictions"))
                content.tags.append(Tag("pulk.output_dataset", v.reference))
            }
            let client = try await run.tracking.client(common)
            recorded = try await trackedAsync { () async throws(StoreError) in
                try await RunRecorder(client: client).record(content, experiment: run.experiment, runName: run.runName, source: "pulk score",
                                                             started: Int64(started.timeIntervalSince1970 * 1000))
            }
            if client is LocalTracking, let r = recorded {
                for v in [inputVersion, outputVersion].compactMap({ $0 }) { try? ws.datasets.addUse(of: v, kind: "run", referrer: r.runId) }
            }
        }
        if common.json {
            print(Output.json(Scored(model: resolved.label, data: inputVersion?.reference ?? data, out: out, rows: result.rows, seconds: result.seconds,
                                     rowsPerSecond: rate, outputDataset: outputVersion?.reference, runId: recorded?.runId)))
            return
        }
        print("Scored \(result.rows) rows with \(resolved.label) in \(String(format: "%.2f", result.seconds)) s (\(Int(rate)) rows/s) → \(out)")
        if let v = outputVersion { print("Registered the predictions as dataset \(v.reference)") }
        if let r = recorded { print("Run \(r.runId) recorded in experiment \(run.experiment)") }
    }
}

struct Scored: Encodable {
    var model, data, out: String
    var rows: Int
    var seconds, rowsPerSecond: Double
    var outputDataset, runId: String?
}
