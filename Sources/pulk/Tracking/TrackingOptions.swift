import ArgumentParser
import Foundation
import PulkFrame
import PulkProfile
import PulkStore
import PulkTracking
import PulkWorkspace

/// Where runs go: `--tracking-uri`, else `$MLFLOW_TRACKING_URI`, else the workspace's own store.
struct TrackingOptions: ParsableArguments {
    @Option(help: "A tracking server (http://HOST:PORT, Pulk or MLflow) instead of the workspace; default $MLFLOW_TRACKING_URI.")
    var trackingUri: String?

    /// The client for the chosen store.
    func client(_ workspace: WorkspaceOptions) async throws -> any TrackingClient {
        let target = try tracked { () throws(StoreError) in try TrackingTarget.resolve(flag: trackingUri) }
        switch target {
        case .server(let url): return RemoteTracking(base: url)
        case .workspace:
            let ws = try workspace.open()
            return try await trackedAsync { () async throws(StoreError) in try await LocalTracking.open(ws) }
        }
    }
}

/// The run options of `train` and `evaluate`.
struct RunOptions: ParsableArguments {
    @Option(help: "The experiment to record the run in (created when missing).") var experiment = "Default"
    @Option(help: "The run's name (default: a generated one).") var runName: String?
    @Flag(help: "Do not record a tracked run.") var noTrack = false
    @Flag(help: "Do not profile the training data into the run's artifacts.") var noProfile = false
    @OptionGroup var tracking: TrackingOptions

    /// Records a run: the model file and (unless --no-profile) the data's profile join the content's
    /// artifacts; workspace datasets note the run as a use.
    func record(_ content: RunContent, modelFile: String?, frame: Frame?, label: String, target: String, source: String, data: [LoadedData],
                started: Date, common: WorkspaceOptions) async throws -> RunInfo {
        var content = content
        if let modelFile {
            guard let bytes = FileManager.default.contents(atPath: modelFile) else { throw PulkFailure(message: "cannot read \(modelFile) back") }
            content.artifacts.insert(("model/model.pulk", Array(bytes)), at: 0)
        }
        if let frame {
            let profile = try explain { try Profiler().profile(frame, source: label, target: target) }
            content.artifacts.append(("profile/profile.json", Array(profile.jsonData())))
            content.artifacts.append(("profile/profile.html", Array(profile.html().utf8)))
        }
        let client = try await tracking.client(common)
        let info = try await trackedAsync { () async throws(StoreError) in
            try await RunRecorder(client: client).record(content, experiment: experiment, runName: runName, source: source,
                                                         started: Int64(started.timeIntervalSince1970 * 1000))
        }
        if client is LocalTracking, let ws = try? common.open() {
            for d in data { if let v = d.version { try? ws.datasets.addUse(of: v, kind: "run", referrer: info.runId) } }
        }
        return info
    }
}

/// Runs a store call, turning its error into one clear message.
func tracked<T>(_ body: () throws(StoreError) -> T) throws -> T {
    do { return try body() } catch { throw PulkFailure(message: error.description) }
}

func trackedAsync<T>(_ body: () async throws(StoreError) -> T) async throws -> T {
    do { return try await body() } catch { throw PulkFailure(message: error.description) }
}
