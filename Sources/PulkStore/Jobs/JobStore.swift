import Foundation

/// Work a server does in the background for a client (an AutoML search, …): what was asked, where it
/// is, what it has done so far and how it ended. The store keeps it so a restart loses none of it.
public struct Job: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case queued, running, finished, failed, cancelled

        /// Finished, failed or cancelled: the job will not change again.
        public var isDone: Bool { self == .finished || self == .failed || self == .cancelled }
    }

    public var id: String
    /// What the job does, e.g. `automl`.
    public var kind: String
    public var status: Status
    /// Who asked for it.
    public var user: String
    /// What was asked (the kind's JSON).
    public var request: String
    /// What it has done so far (the kind's JSON), replaced as it goes; `{}` before it starts.
    public var progress: String
    /// How it ended (the kind's JSON); `{}` until then.
    public var result: String
    /// Why it failed (or was cancelled), when it did.
    public var error: String?
    /// Cancellation was asked while it ran; the worker stops it at the next chance.
    public var cancelRequested: Bool
    public var creationTime: Int64
    public var startTime: Int64?
    public var endTime: Int64?
    /// The last change: a running job's worker updates its progress at least every
    /// `JobStore.heartbeat`, so a job left running by a stopped process is seen as stale.
    public var lastUpdatedTime: Int64

    public init(id: String, kind: String, status: Status, user: String, request: String, progress: String = "{}", result: String = "{}",
                error: String? = nil, cancelRequested: Bool = false, creationTime: Int64, startTime: Int64? = nil, endTime: Int64? = nil,
                lastUpdatedTime: Int64? = nil) {
        self.id = id; self.kind = kind; self.status = status; self.user = user; self.request = request; self.progress = progress
        self.result = result; self.error = error; self.cancelRequested = cancelRequested; self.creationTime = creationTime
        self.startTime = startTime; self.endTime = endTime; self.lastUpdatedTime = lastUpdatedTime ?? creationTime
    }
}

/// Background jobs, in the store so they survive restarts and any server process of a shared
/// database sees them. The store guards each job's life: queued → running → finished, failed or
/// cancelled (queued jobs can be cancelled at once), and only one worker can start a queued job.
public protocol JobStore: Sendable {
    /// A new queued job.
    func createJob(kind: String, user: String, request: String) async throws(StoreError) -> Job
    /// RESOURCE_DOES_NOT_EXIST for an unknown id.
    func job(id: String) async throws(StoreError) -> Job
    /// Newest first, of one kind (every kind when nil); `maxResults` 1 to 1000 (100 when nil).
    func listJobs(kind: String?, maxResults: Int?, pageToken: String?) async throws(StoreError) -> Page<Job>
    /// The job of `kind` queued longest, if any.
    func oldestQueuedJob(kind: String) async throws(StoreError) -> Job?
    /// Takes a queued job: it is running from now. INVALID_STATE when it is not queued (another
    /// worker took it, or it was cancelled).
    func startJob(id: String) async throws(StoreError) -> Job
    /// Replaces a running job's progress (and its `lastUpdatedTime`: the worker's heartbeat).
    /// Returns the job, `cancelRequested` included; INVALID_STATE when it is not running.
    func setJobProgress(id: String, progress: String) async throws(StoreError) -> Job
    /// Ends a running job as finished, failed or cancelled, with its result and error; INVALID_STATE
    /// when it is not running or `status` is not an end.
    func endJob(id: String, status: Job.Status, result: String, error: String?) async throws(StoreError) -> Job
    /// A queued job is cancelled at once; a running one is marked (`cancelRequested`) for its worker
    /// to stop. INVALID_STATE for a job that has already ended.
    func cancelJob(id: String) async throws(StoreError) -> Job
    /// Ends as failed, with `reason`, every running job of `kind` whose worker has not updated it
    /// since `updatedBefore` (milliseconds since 1970): jobs a stopped process left running.
    /// Returns them.
    func failStaleJobs(kind: String, updatedBefore: Int64, reason: String) async throws(StoreError) -> [Job]
}

extension Job {
    /// How often a worker updates a running job at least; a job silent for three of these is stale.
    public static let heartbeatMillis: Int64 = 10_000
}
