/// The tracking store: experiments, runs, params, tags and metric histories. One implementation
/// (`SQLTrackingStore`) over SQLite and PostgreSQL; one contract suite checks it on both.
public protocol TrackingStore: Sendable {
    // Experiments
    /// Creates an experiment and returns its id; the name must be new (a deleted experiment keeps its name
    /// until purged). Without `artifactLocation` its artifacts go under the store's artifact root.
    func createExperiment(name: String, artifactLocation: String?, tags: [Tag]) async throws(StoreError) -> String
    /// The experiment with that id, active or deleted; RESOURCE_DOES_NOT_EXIST otherwise.
    func experiment(id: String) async throws(StoreError) -> Experiment
    /// The experiment with that name, active or deleted; RESOURCE_DOES_NOT_EXIST otherwise.
    func experiment(named name: String) async throws(StoreError) -> Experiment
    /// One page of experiments in `view`, filtered by MLflow's experiment grammar (`name`, `tags.KEY`, times)
    /// and ordered by `orderBy`; `pageToken` continues a previous page.
    func searchExperiments(view: ViewType, filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<Experiment>
    /// Gives the experiment a new, unused name.
    func renameExperiment(id: String, to name: String) async throws(StoreError)
    /// Marks the experiment and its runs deleted (restorable); the Default experiment cannot be deleted.
    func deleteExperiment(id: String) async throws(StoreError)
    /// Brings a deleted experiment back with its runs.
    func restoreExperiment(id: String) async throws(StoreError)
    /// For each experiment with active runs: how many, and the latest start or end time among them
    /// (what an experiments list shows as activity; an experiment's own `lastUpdateTime` follows
    /// MLflow and changes only when the experiment itself does).
    func experimentActivity() async throws(StoreError) -> [String: ExperimentActivity]
    /// Removes a deleted experiment and its runs for good, so its name can be used again.
    func purgeExperiment(id: String) async throws(StoreError)
    /// Sets (or replaces) one tag of the experiment.
    func setExperimentTag(id: String, _ tag: Tag) async throws(StoreError)
    /// Removes one tag of the experiment; RESOURCE_DOES_NOT_EXIST when it has none of that key.
    func deleteExperimentTag(id: String, key: String) async throws(StoreError)

    // Runs
    /// Starts a RUNNING run in an active experiment; `startTime` defaults to now and `runName` to a generated
    /// one (also kept as the `mlflow.runName` tag).
    func createRun(experimentId: String, userId: String, startTime: Int64?, runName: String?, tags: [Tag]) async throws(StoreError) -> Run
    /// The run with its params, tags, latest metrics and inputs/outputs, active or deleted.
    func run(id: String) async throws(StoreError) -> Run
    /// Changes the status, end time or name of a run (nil leaves it as it is) and returns its info.
    func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws(StoreError) -> RunInfo
    /// Marks the run deleted (restorable).
    func deleteRun(id: String) async throws(StoreError)
    /// Brings a deleted run back.
    func restoreRun(id: String) async throws(StoreError)
    /// Logs metrics, params and tags in one transaction within MLflow's limits: a param is written once (the
    /// same value again is accepted), a tag is replaced, metric values append to their histories.
    func logBatch(runId: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws(StoreError)
    /// Removes one tag of the run.
    func deleteTag(runId: String, key: String) async throws(StoreError)
    /// Every logged value of one metric of the run, in logging order, a page at a time when `maxResults` is
    /// given.
    func metricHistory(runId: String, key: String, maxResults: Int?, pageToken: String?) async throws(StoreError) -> Page<Metric>
    /// One page of runs of the experiments, filtered by MLflow's run grammar (`metrics.`, `params.`, `tags.`,
    /// `attributes.`, `datasets.`) and ordered by `orderBy` (at most 20 terms).
    func searchRuns(experimentIds: [String], filter: String?, view: ViewType, maxResults: Int, orderBy: [String], pageToken: String?) async throws(StoreError) -> Page<Run>

    // Inputs and outputs
    /// Records datasets (identified by name and digest within the experiment) and logged models a run used.
    func logInputs(runId: String, datasets: [DatasetInput], models: [String]) async throws(StoreError)
    /// Records logged models a run produced.
    func logOutputs(runId: String, models: [(modelId: String, step: Int64)]) async throws(StoreError)

    // Logged models (MLflow 3)
    /// Creates a PENDING logged model in the experiment, optionally from a run, with its params and tags.
    func createLoggedModel(experimentId: String, name: String?, modelType: String, sourceRunId: String?, params: [Param], tags: [Tag]) async throws(StoreError) -> LoggedModel
    /// The logged model with its tags, params and metrics.
    func loggedModel(id: String) async throws(StoreError) -> LoggedModel
    /// Sets the logged model's status (READY or UPLOAD_FAILED).
    func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws(StoreError) -> LoggedModel
    /// Sets (or replaces) tags of the logged model.
    func setLoggedModelTags(id: String, _ tags: [Tag]) async throws(StoreError) -> LoggedModel
    /// Removes one tag of the logged model.
    func deleteLoggedModelTag(id: String, key: String) async throws(StoreError)
    /// Adds params to the logged model.
    func logLoggedModelParams(id: String, _ params: [Param]) async throws(StoreError)
    /// Marks the logged model deleted.
    func deleteLoggedModel(id: String) async throws(StoreError)
    /// Logged models of the experiments as MLflow's `search_logged_models`: `filter` takes `name`,
    /// `model_id`, `source_run_id`, `status`, `model_type`, the timestamps, `tags.KEY`, `params.KEY` and
    /// `metrics.KEY` (any logged value matches; only values on `datasets` when given, and with
    /// datasets but no metric condition, models with a metric on one of them); `orderBy` by attribute
    /// or a metric's latest value, then newest first.
    func searchLoggedModels(experimentIds: [String], filter: String?, datasets: [LoggedModelDataset], orderBy: [LoggedModelOrder],
                            maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<LoggedModel>
    /// The datasets the experiments' runs read, each with the context it was read in (MLflow's
    /// `experiments/search-datasets`; at most 1000).
    func datasetSummaries(experimentIds: [String]) async throws(StoreError) -> [LoggedDatasetSummary]
}

/// A dataset an experiment's runs read, and in which context (`training`, `evaluation`, or none).
public struct LoggedDatasetSummary: Sendable, Equatable {
    public var experimentId: String
    public var name: String
    public var digest: String
    public var context: String?
    public init(experimentId: String, name: String, digest: String, context: String?) {
        self.experimentId = experimentId; self.name = name; self.digest = digest; self.context = context
    }
}

/// A dataset of `search_logged_models`: its name, and its digest when given.
public struct LoggedModelDataset: Sendable, Equatable {
    public var name: String
    public var digest: String?
    public init(name: String, digest: String? = nil) { self.name = name; self.digest = digest }
}

/// One ordering term of `search_logged_models`: an attribute (`creation_timestamp`, `name`, …) or
/// `metrics.KEY` (its latest value, optionally on one dataset).
public struct LoggedModelOrder: Sendable, Equatable {
    public var field: String
    public var ascending: Bool
    public var datasetName: String?
    public var datasetDigest: String?
    public init(field: String, ascending: Bool = true, datasetName: String? = nil, datasetDigest: String? = nil) {
        self.field = field; self.ascending = ascending; self.datasetName = datasetName; self.datasetDigest = datasetDigest
    }
}

extension TrackingStore {
    public func searchLoggedModels(experimentIds: [String], filter: String?, maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<LoggedModel> {
        try await searchLoggedModels(experimentIds: experimentIds, filter: filter, datasets: [], orderBy: [], maxResults: maxResults, pageToken: pageToken)
    }

    public func logMetric(runId: String, _ m: Metric) async throws(StoreError) { try await logBatch(runId: runId, metrics: [m], params: [], tags: []) }
    public func logParam(runId: String, _ p: Param) async throws(StoreError) { try await logBatch(runId: runId, metrics: [], params: [p], tags: []) }
    public func setTag(runId: String, _ t: Tag) async throws(StoreError) { try await logBatch(runId: runId, metrics: [], params: [], tags: [t]) }
}

/// MLflow's limits, enforced so clients get the same errors from Pulk as from MLflow.
public enum TrackingLimits {
    public static let batchMetrics = 1000, batchParams = 100, batchTags = 100, batchTotal = 1000
    public static let keyLength = 250, paramValueLength = 6000, tagValueLength = 8000
    public static let maxSearchResults = 50_000, defaultSearchResults = 1000
    /// MLflow's limits on names and texts (its SQL store's column sizes and validation constants):
    /// longer values are refused with INVALID_PARAMETER_VALUE, never stored or cut.
    public static let nameLength = 256, runNameLength = 250, userIdLength = 256, descriptionLength = 5000
    public static let experimentTagValueLength = 5000, registryTagValueLength = 100_000
    public static let datasetNameLength = 500, datasetDigestLength = 36, datasetSourceLength = 65_535
    public static let datasetSchemaLength = 1_048_575, datasetProfileLength = 16_384, inputTagValueLength = 500
    public static let inputsPerCall = 1000, artifactLocationLength = 2048

    /// Refuses a text longer than `limit` characters, naming what it is.
    package static func checkLength(_ text: String, _ what: String, _ limit: Int) throws(StoreError) {
        guard text.utf8.count > limit, text.count > limit else { return }
        throw .invalid("\(what) '\(text.prefix(40))…' is \(text.count) characters long; the limit is \(limit)")
    }

    /// How many `order_by` terms one search may give (each is a sort key in the query).
    public static let maxOrderTerms = 20

    /// Refuses more `order_by` terms than a search may sort by.
    package static func checkOrderCount(_ orderBy: [String]) throws(StoreError) {
        guard orderBy.count <= maxOrderTerms else {
            throw .invalid("Invalid order_by: \(orderBy.count) terms given; a search sorts by at most \(maxOrderTerms)")
        }
    }
}
