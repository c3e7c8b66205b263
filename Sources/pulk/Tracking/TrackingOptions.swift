import ArgumentParser
import Foundation
import PulkApp
import PulkStore
import PulkTracking

/// Where runs go: `--tracking-uri`, else `$MLFLOW_TRACKING_URI`, else the workspace's own store.
struct TrackingOptions: ParsableArguments {
    @Option(help: "A tracking server (http://HOST:PORT, Pulk or MLflow) instead of the workspace; default $MLFLOW_TRACKING_URI.")
    var trackingUri: String?
    @Option(help: "A pulk server (http://HOST:PORT) to work against instead of the workspace: its runs, models and endpoints; default $PULK_SERVER.")
    var server: String?

    func target() throws(StoreError) -> TrackingTarget { try TrackingTarget.resolve(flag: trackingUri) }
}

/// The run options of `train`, `evaluate` and `score`.
struct RunOptions: ParsableArguments {
    @Option(help: "The experiment to record the run in (created when missing).") var experiment = "Default"
    @Option(help: "The run's name (default: a generated one).") var runName: String?
    @Flag(help: "Do not record a tracked run.") var noTrack = false
    @OptionGroup var tracking: TrackingOptions

    /// Where a trained model is written: `out`, or with --no-track (the run keeps nothing) ./model.pulk,
    /// never replacing an existing one that was not named.
    func modelFile(out: String?) throws -> String? {
        guard out == nil, noTrack else { return out }
        guard !FileManager.default.fileExists(atPath: "model.pulk") else {
            throw ValidationError("model.pulk exists, and with --no-track the model is kept nowhere else: pass --out FILE (--out model.pulk replaces it).")
        }
        return "model.pulk"
    }

    /// nil with --no-track; `profile`: profile the training data into the run (`pulk train`).
    func settings(profile: Bool = false) -> RunSettings? { noTrack ? nil : RunSettings(experiment: experiment, runName: runName, profile: profile) }
}

/// The store endpoints live in: the workspace's (what `pulk server` on that workspace serves), or
/// a server's PostgreSQL store.
struct StoreOptions: ParsableArguments {
    @Option(help: "postgresql://USER@HOST:PORT/DATABASE of a server that keeps its store in PostgreSQL (default: the workspace's store).")
    var storeUri: String?
    @Option(help: "A pulk server (http://HOST:PORT) whose endpoints to manage, through its API; default $PULK_SERVER.")
    var server: String?
}
