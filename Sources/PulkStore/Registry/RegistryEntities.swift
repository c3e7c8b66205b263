/// Model registry and MLflow 3 logged-model entities, shaped as MLflow's (times in milliseconds).

public struct RegisteredModel: Sendable, Equatable {
    public init(name: String, creationTime: Int64, lastUpdatedTime: Int64, description: String, userId: String, tags: [Tag],
                aliases: [String: Int64], latestVersions: [ModelVersion]) {
        self.name = name
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.description = description
        self.userId = userId
        self.tags = tags
        self.aliases = aliases
        self.latestVersions = latestVersions
    }

    public var name: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var description: String
    public var userId: String
    public var tags: [Tag]
    /// Alias → version.
    public var aliases: [String: Int64]
    /// The newest version in each stage (MLflow's `latest_versions`).
    public var latestVersions: [ModelVersion]
}

public enum ModelVersionStage: String, Sendable, CaseIterable {
    case none = "None", staging = "Staging", production = "Production", archived = "Archived"

    /// MLflow accepts stages in any case.
    public init?(caseInsensitive text: String) {
        guard let s = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else { return nil }
        self = s
    }
}

public struct ModelVersion: Sendable, Equatable {
    public init(name: String, version: Int64, creationTime: Int64, lastUpdatedTime: Int64, description: String, userId: String,
                currentStage: ModelVersionStage, source: String, storageLocation: String, runId: String, runLink: String, modelId: String,
                status: String, tags: [Tag], aliases: [String]) {
        self.name = name
        self.version = version
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.description = description
        self.userId = userId
        self.currentStage = currentStage
        self.source = source
        self.storageLocation = storageLocation
        self.runId = runId
        self.runLink = runLink
        self.modelId = modelId
        self.status = status
        self.tags = tags
        self.aliases = aliases
    }

    public var name: String
    public var version: Int64
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var description: String
    public var userId: String
    public var currentStage: ModelVersionStage
    /// What the client registered (`models:/m-…`, `runs:/…`, `mlflow-artifacts:/…`).
    public var source: String
    /// Where the files are: the artifact location the source resolved to when the version was created.
    public var storageLocation: String
    public var runId: String
    public var runLink: String
    public var modelId: String
    public var status: String
    public var tags: [Tag]
    public var aliases: [String]
}

/// One move of an alias, kept forever: who pointed `alias` of `name` from one version to another.
public struct AliasMove: Sendable, Equatable {
    public init(sequence: Int64, name: String, alias: String, fromVersion: Int64?, toVersion: Int64?, user: String, time: Int64) {
        self.sequence = sequence
        self.name = name
        self.alias = alias
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.user = user
        self.time = time
    }

    public var sequence: Int64
    public var name: String
    public var alias: String
    /// nil when the alias was new.
    public var fromVersion: Int64?
    /// nil when the alias was deleted.
    public var toVersion: Int64?
    public var user: String
    public var time: Int64
}

public enum LoggedModelStatus: String, Sendable, CaseIterable {
    case pending = "LOGGED_MODEL_PENDING", ready = "LOGGED_MODEL_READY", uploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"
}

/// An MLflow 3 logged model: a model's files and metadata, independent of (but usually from) a run.
public struct LoggedModel: Sendable, Equatable {
    public var modelId: String
    public var experimentId: String
    public var name: String
    public var artifactLocation: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var status: LoggedModelStatus
    public var modelType: String
    public var sourceRunId: String
    public var tags: [Tag]
    public var params: [Param]
    public var metrics: [Metric]

    package init(modelId: String, experimentId: String, name: String, artifactLocation: String, creationTime: Int64, lastUpdatedTime: Int64,
                 status: LoggedModelStatus, modelType: String, sourceRunId: String, tags: [Tag], params: [Param], metrics: [Metric]) {
        self.modelId = modelId
        self.experimentId = experimentId
        self.name = name
        self.artifactLocation = artifactLocation
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.status = status
        self.modelType = modelType
        self.sourceRunId = sourceRunId
        self.tags = tags
        self.params = params
        self.metrics = metrics
    }
}

/// A dataset as a run logged it, as MLflow describes it: identity (name + digest) and where it came
/// from. (A workspace's versioned dataset is `PulkWorkspace.DatasetVersion`, named by a `DatasetRef`.)
public struct LoggedDataset: Sendable, Equatable, Hashable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String
    public var profile: String
    public init(name: String, digest: String, sourceType: String, source: String, schema: String = "", profile: String = "") {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
    }
}

/// A dataset a run used, with the input's tags (`mlflow.data.context`: train, eval, …).
public struct DatasetInput: Sendable, Equatable {
    public var dataset: LoggedDataset
    public var tags: [Tag]
    public init(dataset: LoggedDataset, tags: [Tag]) { self.dataset = dataset; self.tags = tags }
}

/// What a run read and wrote besides params and metrics.
public struct RunIO: Sendable, Equatable {
    public var datasetInputs: [DatasetInput] = []
    /// Logged models the run used.
    public var modelInputs: [String] = []
    /// Logged models the run produced, with the step they were logged at.
    public var modelOutputs: [(modelId: String, step: Int64)] = []
    public init() {}

    public static func == (a: RunIO, b: RunIO) -> Bool {
        a.datasetInputs == b.datasetInputs && a.modelInputs == b.modelInputs
            && a.modelOutputs.map(\.modelId) == b.modelOutputs.map(\.modelId) && a.modelOutputs.map(\.step) == b.modelOutputs.map(\.step)
    }
}
