public import Foundation
public import PulkStore
public import PulkWorkspace

/// Where runs are tracked: the workspace's own store, or a tracking server (Pulk or MLflow) over the
/// MLflow REST protocol. The CLI's `train`, `evaluate`, `runs` and `models` commands speak only this.
public protocol TrackingClient: LineageSource {
    /// A short description for messages: the workspace folder or the server's address.
    var location: String { get }

    /// The experiment of that name, or nil when there is none.
    func experiment(named name: String) async throws(StoreError) -> Experiment?
    /// Creates an experiment and returns its id.
    func createExperiment(named name: String) async throws(StoreError) -> String
    /// The experiment with that id.
    func experiment(id: String) async throws(StoreError) -> Experiment
    /// The active experiments, most recently updated first.
    func experiments() async throws(StoreError) -> [Experiment]
    /// Starts a run in the experiment and returns its info (id, artifact URI).
    func createRun(experimentId: String, runName: String?, userId: String, startTime: Int64, tags: [Tag]) async throws(StoreError) -> RunInfo
    /// Logs metrics, params and tags within MLflow's batch limits (the caller splits larger sets).
    func logBatch(runId: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws(StoreError)
    /// Records the datasets the run read (MLflow's dataset inputs).
    func logInputs(runId: String, datasets: [DatasetInput]) async throws(StoreError)
    /// Stores `bytes` at `path` under the run's artifact root.
    func logArtifact(_ run: RunInfo, path: String, bytes: [UInt8]) async throws(StoreError)
    /// The bytes of one artifact file of the run.
    func artifact(_ run: RunInfo, path: String) async throws(StoreError) -> [UInt8]
    /// Ends the run with a status and end time.
    func finishRun(runId: String, status: RunStatus, endTime: Int64) async throws(StoreError)

    /// The run with its data and inputs.
    func run(id: String) async throws(StoreError) -> Run
    /// Runs of the experiments, filtered and ordered by MLflow's grammar, up to `maxResults` (pages followed).
    func searchRuns(experimentIds: [String], filter: String?, orderBy: [String], maxResults: Int) async throws(StoreError) -> [Run]
    /// Every logged value of one metric of the run, in order (pages followed).
    func metricHistory(runId: String, key: String) async throws(StoreError) -> [Metric]
    /// Artifact paths of a run, files only, depth first.
    func artifactFiles(_ run: RunInfo) async throws(StoreError) -> [String]

    /// The registered model, or nil when there is none.
    func registeredModel(name: String) async throws(StoreError) -> RegisteredModel?
    /// Registers a new model name.
    func createRegisteredModel(name: String, user: String) async throws(StoreError)
    /// A new version of the model from `source` (`runs:/RUN/PATH`), made by `user`.
    func createModelVersion(name: String, source: String, runId: String, user: String) async throws(StoreError) -> ModelVersion
    /// Every version of the model, oldest first.
    func modelVersions(name: String) async throws(StoreError) -> [ModelVersion]
    /// Points NAME@ALIAS at the version; the move is recorded with `user`.
    func setAlias(name: String, alias: String, version: String, user: String) async throws(StoreError)
    /// Every move of the model's aliases, oldest first (empty where the server does not keep them).
    func aliasHistory(name: String) async throws(StoreError) -> [AliasMove]
    /// Registered models matching MLflow's filter grammar (every one for nil), by name.
    func registeredModels(filter: String?) async throws(StoreError) -> [RegisteredModel]
    /// Deletes the registered model with its versions and aliases (the alias history stays).
    func deleteRegisteredModel(name: String) async throws(StoreError)
    /// Deletes one version (and the aliases naming it).
    func deleteModelVersion(name: String, version: String) async throws(StoreError)
    /// Replaces the description of a registered model (version nil) or of one version.
    func describeModel(name: String, version: String?, description: String) async throws(StoreError)
    /// Sets a tag on a registered model (version nil) or on one version.
    func tagModel(name: String, version: String?, _ tag: Tag) async throws(StoreError)
    /// Marks a run deleted (restorable, as MLflow's delete).
    func deleteRun(id: String) async throws(StoreError)
    /// Marks an experiment and its runs deleted (restorable, as MLflow's delete).
    func deleteExperiment(id: String) async throws(StoreError)
    /// The workspace dataset version a run input names, when this client can see the workspace.
    func datasetVersion(_ input: DatasetInput) async -> DatasetVersionInfo?
}

/// What lineage shows of a workspace dataset version (the workspace types stay in PulkWorkspace).
public struct DatasetVersionInfo: Sendable, Equatable, Codable {
    public var reference: String
    public var contentSHA256: String
    public var sourcePath: String
    public var rowCount: Int
    public var columnCount: Int
    public init(reference: String, contentSHA256: String, sourcePath: String, rowCount: Int, columnCount: Int) {
        self.reference = reference
        self.contentSHA256 = contentSHA256
        self.sourcePath = sourcePath
        self.rowCount = rowCount
        self.columnCount = columnCount
    }
}

/// Which tracking store a command uses: `--tracking-uri`, else `MLFLOW_TRACKING_URI`, else the workspace.
public enum TrackingTarget: Equatable, Sendable {
    case workspace
    case server(URL)

    /// Resolves the flag and the environment. `file:` URIs and plain paths are refused with the fix,
    /// since MLflow's file store is not Pulk's workspace.
    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) -> TrackingTarget {
        guard let text = flag ?? environment["MLFLOW_TRACKING_URI"].flatMap({ $0.isEmpty ? nil : $0 }) else { return .workspace }
        if text == "workspace" || text == "local" { return .workspace }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .invalid("The tracking URI '\(text)' is not an http(s):// address of a tracking server; pass --tracking-uri http://HOST:PORT, "
                + "or --tracking-uri workspace (or unset MLFLOW_TRACKING_URI) to track in the workspace")
        }
        return .server(url)
    }
}

extension TrackingClient {
    /// The experiment's id, creating it when it does not exist yet.
    public func experimentId(named name: String) async throws(StoreError) -> String {
        if let e = try await experiment(named: name) { return e.experimentId }
        do { return try await createExperiment(named: name) } catch where error.code == .resourceAlreadyExists {
            // Created by someone else in between.
            guard let e = try await experiment(named: name) else { throw error }
            return e.experimentId
        }
    }

    /// The ids of the named experiment (which must exist), or of every active experiment for nil.
    public func experimentIds(_ name: String?) async throws(StoreError) -> [String] {
        guard let name else { return try await experiments().map(\.experimentId) }
        guard let e = try await experiment(named: name) else {
            throw .notFound("No experiment named '\(name)' in \(location); `pulk train --experiment \(name)` creates it")
        }
        return [e.experimentId]
    }

    /// Finds a run by its full id or a unique prefix of at least 6 characters in the given experiments.
    public func run(matching idOrPrefix: String, experimentIds: [String]) async throws(StoreError) -> Run {
        if let r = try? await run(id: idOrPrefix) { return r }
        guard idOrPrefix.allSatisfy(\.isHexDigit), !idOrPrefix.isEmpty, !experimentIds.isEmpty else { throw .notFound("No run with id '\(idOrPrefix)'") }
        guard idOrPrefix.count >= 6 else {
            throw .invalid("'\(idOrPrefix)' is too short to pick a run: give at least 6 characters of its id (`pulk runs list` shows them)")
        }
        let candidates = try await searchRuns(experimentIds: experimentIds, filter: nil, orderBy: [], maxResults: 50_000)
            .filter { $0.info.runId.hasPrefix(idOrPrefix) }
        guard candidates.count == 1 else {
            throw candidates.isEmpty ? .notFound("No run with id '\(idOrPrefix)'")
                : .invalid("'\(idOrPrefix)' matches \(candidates.count) runs; give more characters of the id")
        }
        return candidates[0]
    }
}
