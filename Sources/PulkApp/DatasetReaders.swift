public import Foundation
public import PulkStore
public import PulkWorkspace

/// Which runs read a dataset version. A run's dataset inputs (MLflow's `datasets` of a run, with the
/// version's name and content digest) are the one record of it, for the CLI, the server and the web
/// UI alike. Workspaces from before runs logged their inputs may also hold `run` rows among the
/// dataset references; those count while their run is active and go once it is not.
public struct DatasetReaders: Sendable {
    /// The tracking store the runs are in.
    public let store: any TrackingStore

    public init(store: any TrackingStore) { self.store = store }

    /// What uses each of `versions`: `recorded[i]` (the version's dataset references) with each `run`
    /// row kept only while its run is active, and the runs that read it.
    public func uses(of versions: [DatasetVersion], recorded: [[DatasetUse]]) async throws(StoreError) -> [[DatasetUse]] {
        let experiments = try await experimentIds()
        var all: [[DatasetUse]] = []
        for (version, recorded) in zip(versions, recorded) {
            var uses: [DatasetUse] = []
            for u in recorded {
                if u.kind == "run", !(try await isActive(u.referrer)) { continue }
                uses.append(u)
            }
            let listed = Set(uses.filter { $0.kind == "run" }.map(\.referrer))
            for run in try await runs(reading: version, limit: 100, in: experiments) where !listed.contains(run.runId) {
                uses.append(DatasetUse(kind: "run", referrer: run.runId, createdAt: Date(timeIntervalSince1970: Double(run.startTime) / 1000)))
            }
            all.append(uses)
        }
        return all
    }

    /// Refuses (nothing is deleted) while an active run reads one of `versions`, naming it; `run` rows of
    /// runs no longer active are cleared from `datasets` so they do not hold the removal up.
    public func refuseRemoval(of versions: [DatasetVersion], datasets: DatasetStore) async throws(StoreError) {
        let experiments = try await experimentIds()
        for v in versions {
            if let first = try await runs(reading: v, limit: 1, in: experiments).first {
                throw StoreError(.invalidState, "dataset \(v.reference) is still read by run \(first.runId)"
                                 + ". Delete the runs that read it first (`pulk runs list --filter \"datasets.digest = '\(v.contentSHA256.prefix(32))'\"`); nothing was deleted.")
            }
            for u in try catalog({ () throws(WorkspaceError) in try datasets.uses(of: v) }) where u.kind == "run" {
                if try await isActive(u.referrer) {
                    throw StoreError(.invalidState, "dataset \(v.reference) is still read by run \(u.referrer). Delete that run first; nothing was deleted.")
                }
                try catalog { () throws(WorkspaceError) in try datasets.removeUse(of: v, kind: "run", referrer: u.referrer) }
            }
        }
    }

    /// The active runs of `experiments` that logged `version`, newest first, at most `limit`.
    private func runs(reading version: DatasetVersion, limit: Int, in experiments: [String]) async throws(StoreError) -> [RunInfo] {
        let filter = "datasets.name = '\(version.name)' AND datasets.digest = '\(version.contentSHA256.prefix(32))'"
        var found: [RunInfo] = []
        // Experiments in slices, within the search's limit on ids.
        for start in stride(from: 0, to: experiments.count, by: 100) where found.count < limit {
            let ids = Array(experiments[start..<min(start + 100, experiments.count)])
            found += try await store.searchRuns(experimentIds: ids, filter: filter, view: .activeOnly, maxResults: limit - found.count,
                                                orderBy: ["attributes.start_time DESC"], pageToken: nil).items.map(\.info)
        }
        return found.sorted { $0.startTime > $1.startTime }
    }

    /// The catalog's own failures here are of its database.
    private func catalog<T>(_ body: () throws(WorkspaceError) -> T) throws(StoreError) -> T {
        do { return try body() } catch { throw StoreError(.internalError, error.description) }
    }

    private func isActive(_ runId: String) async throws(StoreError) -> Bool {
        do { return try await store.run(id: runId).info.lifecycleStage == .active } catch where error.code == .resourceDoesNotExist { return false }
    }

    private func experimentIds() async throws(StoreError) -> [String] {
        var ids: [String] = [], token: String?
        repeat {
            let page = try await store.searchExperiments(view: .all, filter: nil, orderBy: [], maxResults: 1000, pageToken: token)
            ids += page.items.map(\.experimentId)
            token = page.nextPageToken
        } while token != nil
        return ids
    }
}
