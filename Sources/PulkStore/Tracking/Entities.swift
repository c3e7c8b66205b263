/// Tracking entities, shaped as MLflow's (times in milliseconds since 1970).
public enum LifecycleStage: String, Sendable, Codable, CaseIterable {
    case active, deleted
}

public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running = "RUNNING", scheduled = "SCHEDULED", finished = "FINISHED", failed = "FAILED", killed = "KILLED"
}

public struct Tag: Sendable, Codable, Equatable, Hashable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) { self.key = key; self.value = value }
}

public struct Param: Sendable, Codable, Equatable, Hashable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) { self.key = key; self.value = value }
}

public struct Metric: Sendable, Codable, Equatable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64
    /// MLflow 3: the logged model (and evaluation dataset) a metric belongs to; also kept with the model.
    public var modelId: String?
    public var datasetName: String?
    public var datasetDigest: String?
    /// The run that logged it, where that is not implied (a logged model's metrics).
    public var runId: String?
    public init(_ key: String, _ value: Double, timestamp: Int64, step: Int64 = 0, modelId: String? = nil,
                datasetName: String? = nil, datasetDigest: String? = nil, runId: String? = nil) {
        self.runId = runId
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.modelId = modelId
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }

    public static func == (a: Metric, b: Metric) -> Bool {
        a.key == b.key && a.timestamp == b.timestamp && a.step == b.step && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

public struct Experiment: Sendable, Codable, Equatable {
    public init(experimentId: String, name: String, artifactLocation: String, lifecycleStage: LifecycleStage, creationTime: Int64,
                lastUpdateTime: Int64, tags: [Tag]) {
        self.experimentId = experimentId
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }

    public var experimentId: String
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var tags: [Tag]
}

/// The active runs of one experiment: their number and the latest start or end time among them.
public struct ExperimentActivity: Sendable, Equatable {
    public var runs: Int
    public var lastRunTime: Int64
    public init(runs: Int, lastRunTime: Int64) {
        self.runs = runs
        self.lastRunTime = lastRunTime
    }
}

public struct RunInfo: Sendable, Codable, Equatable {
    public init(runId: String, experimentId: String, runName: String, userId: String, status: RunStatus, startTime: Int64, endTime: Int64?,
                artifactUri: String, lifecycleStage: LifecycleStage) {
        self.runId = runId
        self.experimentId = experimentId
        self.runName = runName
        self.userId = userId
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactUri = artifactUri
        self.lifecycleStage = lifecycleStage
    }

    public var runId: String
    public var experimentId: String
    public var runName: String
    public var userId: String
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var artifactUri: String
    public var lifecycleStage: LifecycleStage
}

public struct Run: Sendable, Equatable {
    public init(info: RunInfo, metrics: [Metric], params: [Param], tags: [Tag], io: RunIO = RunIO()) {
        self.info = info
        self.metrics = metrics
        self.params = params
        self.tags = tags
        self.io = io
    }

    public var info: RunInfo
    /// The latest value of each metric (largest step, then latest timestamp, then largest value).
    public var metrics: [Metric]
    public var params: [Param]
    public var tags: [Tag]
    /// Datasets and logged models the run read and wrote.
    public var io = RunIO()
}

/// Which runs or experiments a search includes.
public enum ViewType: String, Sendable, CaseIterable {
    case activeOnly = "ACTIVE_ONLY", deletedOnly = "DELETED_ONLY", all = "ALL"
}

/// One page of results and the token of the next page (nil on the last).
public struct Page<T: Sendable>: Sendable {
    public var items: [T]
    public var nextPageToken: String?

    package init(items: [T], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}
