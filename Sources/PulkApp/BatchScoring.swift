public import Foundation
public import PulkFrame
public import PulkLearn
public import PulkScoring
public import PulkStore
public import PulkTracking
public import PulkWorkspace

/// What `pulk score` asks for.
public struct ScoringRequest: Sendable {
    /// A model file, MODEL@ALIAS or MODEL:VERSION.
    public var model: String
    /// A registered dataset (memory-mapped and scored in slices) or a CSV file (streamed in blocks).
    public var data: String
    /// The CSV of predictions to write (it appears only once complete).
    public var out: String
    /// Register the predictions as a dataset version of this name, derived from the input.
    public var registerAs: String?
    public var chunkRows: Int
    public var blockBytes: Int
    public var run: RunSettings?
    /// Input columns written before the predictions.
    public var keep: KeptColumns

    public init(model: String, data: String, out: String, registerAs: String? = nil, chunkRows: Int = 1 << 16, blockBytes: Int = 16 << 20,
                run: RunSettings? = RunSettings(), keep: KeptColumns = .none) {
        self.keep = keep
        self.model = model
        self.data = data
        self.out = out
        self.registerAs = registerAs
        self.chunkRows = chunkRows
        self.blockBytes = blockBytes
        self.run = run
    }
}

public struct ScoringOutcome: Sendable {
    /// How messages name the model.
    public var model: String
    /// The input's label (`name:version` or the path).
    public var data: String
    public var rows: Int
    public var seconds: Double
    public var rowsPerSecond: Double
    /// The predictions' dataset version, with `registerAs`.
    public var outputDataset: DatasetVersion?
    public var run: RunInfo?
}

/// Batch scoring in constant memory, recorded as a run with lineage from the model version and the
/// input dataset to the predictions.
public enum BatchScoring {
    public static func score(_ request: ScoringRequest, on bench: Workbench, progress: any ProgressSink = NoProgress(),
                             user: String = RunRecorder.user()) async throws -> ScoringOutcome {
        let started = Date()
        let resolved = try await ModelReference(parsing: request.model).resolve(try await bench.trackingClient())
        let catalog = try await bench.datasets()
        let scorer = BatchScorer(model: resolved.model)
        let inputVersion = try await DataSources.registeredVersion(request.data, in: catalog)
        var inputFrame: Frame?
        if let v = inputVersion { inputFrame = try await catalog.frame(v) }
        let result: BatchScorer.Result
        do {
            result = try run(scorer, frame: inputFrame, request: request, schema: resolved.model.schema, progress: progress)
        } catch {
            progress.finish("scoring")
            throw AppError.invalid("cannot score \(request.data): \(error)")
        }
        progress.finish("scoring")
        var outputVersion: DatasetVersion?
        if let name = request.registerAs {
            var read = ReadSettings()
            read.format = "csv"
            outputVersion = try await catalog.add(file: request.out, name: name, read: read,
                                                  description: "predictions of \(resolved.label) on \(inputVersion?.reference ?? request.data)",
                                                  derivedFrom: inputVersion.map { PulkWorkspace.DatasetRef(name: $0.name, version: $0.version) },
                                                  progress: NoProgress()).version
        }
        let rate = Double(result.rows) / max(result.seconds, 1e-9)
        var recorded: RunInfo?
        if let settings = request.run {
            var content = RunContent()
            content.params = [Param("model", request.model), Param("model_name", resolved.name), Param("model_version", resolved.version),
                              Param("model_kind", resolved.model.kind), Param("data", inputVersion?.reference ?? request.data), Param("out", request.out)]
            if let id = resolved.runId { content.params.append(Param("model_run_id", id)) }
            content.metrics = [("rows", Double(result.rows), 0), ("seconds", result.seconds, 0), ("rows_per_second", rate, 0)]
            content.tags = [Tag("pulk.command", "score")]
            if let v = inputVersion, let f = inputFrame { content.inputs.append(DatasetInputs.workspace(v, frame: f, context: "scoring")) }
            else { content.inputs.append(DatasetInputs.file(path: request.data, frame: try Frame(columns: []), context: "scoring")) }
            if let v = outputVersion, let f = try? await catalog.frame(v) {
                content.inputs.append(DatasetInputs.workspace(v, frame: f, context: "predictions"))
                content.tags.append(Tag("pulk.output_dataset", v.reference))
            }
            let client = try await bench.trackingClient()
            let info = try await RunRecorder(client: client).record(content, experiment: settings.experiment, runName: settings.runName,
                                                                    source: "pulk score", started: Int64(started.timeIntervalSince1970 * 1000), user: user)
            recorded = info
        }
        return ScoringOutcome(model: resolved.label, data: inputVersion?.reference ?? request.data, rows: result.rows, seconds: result.seconds,
                              rowsPerSecond: rate, outputDataset: outputVersion, run: recorded)
    }

    /// A registered dataset is memory-mapped and scored in slices; a file is streamed in blocks (a
    /// Parquet file or folder by row group, by its magic bytes whatever its name).
    static func run(_ scorer: BatchScorer, frame: Frame?, request: ScoringRequest, schema: FeatureSchema, progress: any ProgressSink) throws -> BatchScorer.Result {
        if let frame {
            var source = FrameChunks(frame, rows: request.chunkRows)
            return try scorer.score(&source, to: request.out, keep: request.keep) { progress.update("scoring", done: $0, total: $1) }
        }
        if ParquetReader.isParquet(path: request.data) {
            var source = try ParquetChunks(path: request.data, schema: schema, keep: request.keep)
            return try scorer.score(&source, to: request.out, keep: request.keep) { progress.update("scoring", done: $0, total: $1) }
        }
        var source = try CSVChunks(path: request.data, schema: schema, blockBytes: request.blockBytes, keep: request.keep)
        return try scorer.score(&source, to: request.out, keep: request.keep) { progress.update("scoring", done: $0, total: $1) }
    }
}
