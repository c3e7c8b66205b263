/// The tracking store: experiments, runs, params, tags and metric histories. One implementation
/// (`SQLTrackingStore`) over SQLite and PostgreSQL; one contract suite checks it on both.
public protocol TrackingStore: Sendable {
    // Experiments
    func createExperiment(name: String, artifactLocation: String?, tags: [Tag]) async throws(StoreError) -> String
    func experiment(id: String) async throws(StoreError) -> Experiment
    func experiment(named name: String) async throws(StoreError) -> Experiment
    func searchExperiments(view: ViewType, filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<Experiment>
    func renameExperiment(id: String, to name: String) async throws(StoreError)
    func deleteExperiment(id: String) async throws(StoreError)
    func restoreExperiment(id: String) async throws(StoreError)
    /// Removes a deleted experiment and its runs for good, so its name can be used again.
    func purgeExperiment(id: String) async throws(StoreError)
    func setExperimentTag(id: String, _ tag: Tag) async throws(StoreError)
    func deleteExperimentTag(id: String, key: String) async throws(StoreError)

    // Runs
    func createRun(experimentId: String, userId: String, startTime: Int64?, runName: String?, tags: [Tag]) async throws(StoreError) -> Run
    func run(id: String) async throws(StoreError) -> Run
    func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws(StoreError) -> RunInfo
    func deleteRun(id: String) async throws(StoreError)
    func restoreRun(id: String) async throws(StoreError)
    func logBatch(runId: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws(StoreError)
    func deleteTag(runId: String, key: String) async throws(StoreError)
    func metricHistory(runId: String, key: String, maxResults: Int?, pageToken: String?) async throws(StoreError) -> Page<Metric>
    func searchRuns(experimentIds: [String], filter: String?, view: ViewType, maxResults: Int, orderBy: [String], pageToken: String?) async throws(StoreError) -> Page<Run>
}

extension TrackingStore {
    public func logMetric(runId: String, _ m: Metric) async throws(StoreError) { try await logBatch(runId: runId, metrics: [m], params: [], tags: []) }
    public func logParam(runId: String, _ p: Param) async throws(StoreError) { try await logBatch(runId: runId, metrics: [], params: [p], tags: []) }
    public func setTag(runId: String, _ t: Tag) async throws(StoreError) { try await logBatch(runId: runId, metrics: [], params: [], tags: [t]) }
}

/// MLflow's limits, enforced so clients get the same errors from Pulk as from MLflow.
public enum TrackingLimits {
    public static let batchMetrics = 1000, batchParams = 100, batchTags = 100, batchTotal = 1000
    public static let keyLength = 250, paramValueLength = 6000, tagValueLength = 8000
    public static let maxSearchResults = 50_000, defaultSearchResults = 1000
}
