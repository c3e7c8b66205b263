import Foundation
public import PulkFrame
public import PulkStore
public import PulkWorkspace
import PulkJSON

/// Run inputs for the data a run read, in MLflow's dataset shape so MLflow's UI and client show them too.
public enum DatasetInputs {
    /// A registered workspace version: source type "pulk", source `{"dataset": "NAME:V"}`, digest the
    /// first 32 hex digits of its content SHA-256 (MLflow keeps at most 36 characters).
    public static func workspace(_ v: DatasetVersion, frame: Frame, context: String) -> DatasetInput {
        DatasetInput(dataset: LoggedDataset(name: v.name, digest: String(v.contentSHA256.prefix(32)), sourceType: "pulk",
                                                   source: json(["dataset": v.reference]), schema: schema(frame), profile: profile(frame)),
                     tags: [Tag("mlflow.data.context", context)])
    }

    /// A file read directly: source type "local", source `{"uri": "file:///…"}`, digest of its bytes.
    public static func file(path: String, frame: Frame, context: String) -> DatasetInput {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let digest = ((try? BlobStore.hash(fileAt: path))?.0.description).map { String($0.prefix(32)) } ?? ""
        return DatasetInput(dataset: LoggedDataset(name: url.deletingPathExtension().lastPathComponent, digest: digest, sourceType: "local",
                                                          source: json(["uri": url.absoluteString]), schema: schema(frame), profile: profile(frame)),
                            tags: [Tag("mlflow.data.context", context)])
    }

    static func json(_ object: [String: Any]) -> String {
        JSON.text(object)
    }

    /// MLflow's column-spec schema.
    static func schema(_ frame: Frame) -> String {
        let types: [DataType: String] = [.float64: "double", .int64: "long", .bool: "boolean", .string: "string", .date: "datetime", .datetime: "datetime"]
        return json(["mlflow_colspec": frame.columns.map { ["name": $0.name, "type": types[$0.type] ?? "string"] }])
    }

    static func profile(_ frame: Frame) -> String { json(["num_rows": frame.rowCount, "num_elements": frame.rowCount * frame.columnCount]) }
}

/// What the lineage of a model version needs to read: a tracking client, or a server's own store.
public protocol LineageSource: Sendable {
    /// The run with its dataset inputs.
    func run(id: String) async throws(StoreError) -> Run
    /// The logged model a version was registered from (MLflow 3's `models:/m-…` sources).
    func loggedModel(id: String) async throws(StoreError) -> Lineage.LoggedModelSummary
    /// The workspace dataset version a run input names, when the source can see the workspace.
    func datasetVersion(_ input: DatasetInput) async -> DatasetVersionInfo?
}

/// Where a model version came from: the logged model it was registered from, the run that made it
/// and the data that run read, down to the workspace dataset version's content hash and source file.
/// The CLI, the web UI and the native API all show this one computation.
public struct Lineage: Sendable, Codable {
    public struct LoggedModelSummary: Sendable, Codable, Equatable {
        public var modelId: String; public var name: String; public var artifactUri: String; public var sourceRunId: String
        public init(modelId: String, name: String, artifactUri: String, sourceRunId: String) {
            self.modelId = modelId
            self.name = name
            self.artifactUri = artifactUri
            self.sourceRunId = sourceRunId
        }
    }
    public struct Version: Sendable, Codable { public var name: String; public var version: Int64; public var source: String; public var aliases: [String] }
    public struct RunSummary: Sendable, Codable {
        public var runId: String; public var runName: String; public var experimentId: String; public var status: String; public var startTime: Int64
    }
    public struct Input: Sendable, Codable {
        public var name: String; public var digest: String; public var sourceType: String; public var source: String; public var context: String
        public var workspaceVersion: DatasetVersionInfo?
        /// The run input as recorded (MLflow's dataset shape with its tags); not part of the JSON,
        /// which has its fields above.
        public var recorded: DatasetInput?
        enum CodingKeys: String, CodingKey { case name, digest, sourceType, source, context, workspaceVersion }
    }
    public var modelVersion: Version
    public var loggedModel: LoggedModelSummary?
    public var run: RunSummary?
    public var datasets: [Input]

    /// Version → logged model (when it names one) → run (the version's, else the logged model's
    /// source run) → the datasets the run read → the workspace versions with their content hashes.
    public static func of(_ v: ModelVersion, client: any LineageSource) async throws(StoreError) -> Lineage {
        var out = Lineage(modelVersion: Version(name: v.name, version: v.version, source: v.source, aliases: v.aliases), loggedModel: nil, run: nil,
                          datasets: [])
        var runId = v.runId
        if !v.modelId.isEmpty, let m = try? await client.loggedModel(id: v.modelId) {
            out.loggedModel = m
            if runId.isEmpty { runId = m.sourceRunId }
        }
        guard !runId.isEmpty else { return out }
        let run = try await client.run(id: runId)
        out.run = RunSummary(runId: run.info.runId, runName: run.info.runName, experimentId: run.info.experimentId, status: run.info.status.rawValue,
                             startTime: run.info.startTime)
        for input in run.io.datasetInputs {
            out.datasets.append(Input(name: input.dataset.name, digest: input.dataset.digest, sourceType: input.dataset.sourceType,
                                      source: input.dataset.source, context: input.tags.first { $0.key == "mlflow.data.context" }?.value ?? "",
                                      workspaceVersion: await client.datasetVersion(input), recorded: input))
        }
        return out
    }
}
