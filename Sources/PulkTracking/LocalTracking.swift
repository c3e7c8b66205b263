public import Foundation
public import PulkSQL
public import PulkStore
public import PulkWorkspace
import PulkJSON

/// Tracking in the workspace itself: the same SQLite store and artifact folder `pulk server` serves,
/// so a run logged by `pulk train` shows up in a server started on that workspace (even one already
/// running: SQLite's WAL lets both write).
public struct LocalTracking: TrackingClient {
    public let store: any TrackingStore & ModelRegistryStore
    public let artifacts: ArtifactStore
    public let datasets: DatasetStore?
    public let location: String

    /// Where a workspace keeps tracking data: one SQLite file and one artifact folder.
    public static func databasePath(_ workspace: Workspace) -> String { workspace.root.appendingPathComponent("pulk.sqlite").path }
    public static func artifactFolder(_ workspace: Workspace) -> URL { workspace.root.appendingPathComponent("artifacts") }
    /// The artifact root runs are given: served by `pulk server`'s artifact proxy.
    public static let artifactRoot = "mlflow-artifacts:/"
    /// The workspace's artifact folder, created when absent.
    public static func artifacts(_ workspace: Workspace) throws(StoreError) -> ArtifactStore { try ArtifactStore(root: artifactFolder(workspace)) }

    public init(store: any TrackingStore & ModelRegistryStore, artifacts: ArtifactStore, datasets: DatasetStore?, location: String) {
        self.store = store
        self.artifacts = artifacts
        self.datasets = datasets
        self.location = location
    }

    /// The workspace's own store, created on first use.
    public static func open(_ workspace: Workspace, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) })
        async throws(StoreError) -> LocalTracking {
        // The workspace's own SQLite pool: one per process.
        let db = SQLiteDatabase(pool: workspace.database)
        let store = try await SQLTrackingStore.open(db, artifactRoot: artifactRoot, now: now)
        return LocalTracking(store: store, artifacts: try artifacts(workspace), datasets: workspace.datasets,
                             location: "workspace \(workspace.root.path)")
    }

    public func experiment(named name: String) async throws(StoreError) -> Experiment? {
        do { return try await store.experiment(named: name) } catch where error.code == .resourceDoesNotExist { return nil }
    }
    public func createExperiment(named name: String) async throws(StoreError) -> String {
        try await store.createExperiment(name: name, artifactLocation: nil, tags: [])
    }
    public func experiment(id: String) async throws(StoreError) -> Experiment { try await store.experiment(id: id) }
    public func experiments() async throws(StoreError) -> [Experiment] {
        try await Pages.collect { (token, _) async throws(StoreError) in
            try await store.searchExperiments(view: .activeOnly, filter: nil, orderBy: ["last_update_time DESC"], maxResults: 1000, pageToken: token).pair
        }
    }
    public func createRun(experimentId: String, runName: String?, userId: String, startTime: Int64, tags: [Tag]) async throws(StoreError) -> RunInfo {
        try await store.createRun(experimentId: experimentId, userId: userId, startTime: startTime, runName: runName, tags: tags).info
    }
    public func logBatch(runId: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws(StoreError) {
        try await store.logBatch(runId: runId, metrics: metrics, params: params, tags: tags)
    }
    public func logInputs(runId: String, datasets: [DatasetInput]) async throws(StoreError) {
        try await store.logInputs(runId: runId, datasets: datasets, models: [])
    }
    public func logArtifact(_ run: RunInfo, path: String, bytes: [UInt8]) async throws(StoreError) {
        let key = try artifacts.key(ofLocation: run.artifactUri) + "/" + path
        let chunks = AsyncThrowingStream<[UInt8], any Error> { c in
            c.yield(bytes)
            c.finish()
        }
        _ = try await artifacts.write(key, chunks: chunks)
    }
    public func artifact(_ run: RunInfo, path: String) async throws(StoreError) -> [UInt8] {
        let file = try artifacts.resolve(try artifacts.key(ofLocation: run.artifactUri) + "/" + path)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .notFound("Run \(run.runId) has no artifact '\(path)'")
        }
        return Array(data)
    }
    public func finishRun(runId: String, status: RunStatus, endTime: Int64) async throws(StoreError) {
        _ = try await store.updateRun(id: runId, status: status, endTime: endTime, runName: nil)
    }
    public func run(id: String) async throws(StoreError) -> Run { try await store.run(id: id) }
    public func searchRuns(experimentIds: [String], filter: String?, orderBy: [String], maxResults: Int) async throws(StoreError) -> [Run] {
        try await Pages.collect(limit: maxResults) { (token, have) async throws(StoreError) in
            try await store.searchRuns(experimentIds: experimentIds, filter: filter, view: .activeOnly,
                                       maxResults: min(maxResults - have, TrackingLimits.maxSearchResults), orderBy: orderBy, pageToken: token).pair
        }
    }
    public func metricHistory(runId: String, key: String) async throws(StoreError) -> [Metric] {
        try await Pages.collect { (token, _) async throws(StoreError) in
            try await store.metricHistory(runId: runId, key: key, maxResults: nil, pageToken: token).pair
        }
    }
    public func artifactFiles(_ run: RunInfo) async throws(StoreError) -> [String] {
        let root = try artifacts.key(ofLocation: run.artifactUri)
        var out: [String] = []
        func walk(_ prefix: String) throws(StoreError) {
            for e in try artifacts.list(prefix.isEmpty ? root : root + "/" + prefix) {
                let path = prefix.isEmpty ? e.path : prefix + "/" + e.path
                if e.isDir { try walk(path) } else { out.append(path) }
            }
        }
        try walk("")
        return out
    }

    public func registeredModel(name: String) async throws(StoreError) -> RegisteredModel? {
        do { return try await store.registeredModel(name: name) } catch where error.code == .resourceDoesNotExist { return nil }
    }
    public func createRegisteredModel(name: String, user: String) async throws(StoreError) {
        _ = try await store.createRegisteredModel(name: name, description: "", tags: [], user: user)
    }
    public func createModelVersion(name: String, source: String, runId: String, user: String) async throws(StoreError) -> ModelVersion {
        try await store.createModelVersion(name: name, source: source, runId: runId, modelId: nil, description: "", tags: [], runLink: "", user: user)
    }
    public func modelVersions(name: String) async throws(StoreError) -> [ModelVersion] { try await store.modelVersions(name: name) }
    public func setAlias(name: String, alias: String, version: String, user: String) async throws(StoreError) {
        try await store.setAlias(name: name, alias: alias, version: version, user: user)
    }
    public func aliasHistory(name: String) async throws(StoreError) -> [AliasMove] { try await store.aliasHistory(name: name, alias: nil) }
    public func registeredModels(filter: String?) async throws(StoreError) -> [RegisteredModel] {
        try await Pages.collect { (token, _) async throws(StoreError) in
            try await store.searchRegisteredModels(filter: filter, orderBy: ["name ASC"], maxResults: RegistryLimits.maxSearchResults, pageToken: token).pair
        }
    }
    public func deleteRegisteredModel(name: String) async throws(StoreError) { try await store.deleteRegisteredModel(name: name) }
    public func deleteModelVersion(name: String, version: String) async throws(StoreError) {
        try await store.deleteModelVersion(name: name, version: version)
    }
    public func describeModel(name: String, version: String?, description: String) async throws(StoreError) {
        if let version { _ = try await store.updateModelVersion(name: name, version: version, description: description) }
        else { _ = try await store.updateRegisteredModel(name: name, description: description) }
    }
    public func tagModel(name: String, version: String?, _ tag: Tag) async throws(StoreError) {
        if let version { try await store.setModelVersionTag(name: name, version: version, tag) }
        else { try await store.setRegisteredModelTag(name: name, tag) }
    }
    public func deleteRun(id: String) async throws(StoreError) { try await store.deleteRun(id: id) }
    public func deleteExperiment(id: String) async throws(StoreError) { try await store.deleteExperiment(id: id) }

    public func loggedModel(id: String) async throws(StoreError) -> Lineage.LoggedModelSummary {
        Lineage.LoggedModelSummary(try await store.loggedModel(id: id))
    }

    public func datasetVersion(_ input: DatasetInput) async -> DatasetVersionInfo? {
        Self.workspaceVersion(input.dataset, datasets).map(DatasetVersionInfo.init)
    }

    /// The workspace version a run's dataset input names: `source_type` "pulk" with `{"dataset": "NAME:V"}`,
    /// or a digest that is (a prefix of) a version's content SHA-256.
    public static func workspaceVersion(_ ref: LoggedDataset, _ datasets: DatasetStore?) -> DatasetVersion? {
        guard let datasets else { return nil }
        if ref.sourceType == "pulk", let data = ref.source.data(using: .utf8),
           let obj = JSON.object(data),
           let text = obj["dataset"] as? String, let r = try? PulkWorkspace.DatasetRef(parsing: text), let v = try? datasets.version(r) {
            return v
        }
        guard ref.digest.count >= 8 else { return nil }
        return (try? datasets.versions(contentSHA256: ref.digest))?.first
    }
}

extension Lineage.LoggedModelSummary {
    public init(_ m: LoggedModel) {
        self.init(modelId: m.modelId, name: m.name, artifactUri: m.artifactLocation, sourceRunId: m.sourceRunId)
    }
}

extension DatasetVersionInfo {
    public init(_ v: DatasetVersion) {
        self.init(reference: v.reference, contentSHA256: v.contentSHA256, sourcePath: v.sourcePath, rowCount: v.rowCount, columnCount: v.columnCount)
    }
}
