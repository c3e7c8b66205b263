public import PulkStore
public import PulkTracking

/// The registry flows every front end shares.
public enum Registering {
    /// Makes the model a run logged at `path` a new version of the registered model `name` (created
    /// when missing). `runId` may be a unique prefix of at least 6 characters among the runs of
    /// `experiment` (every experiment for nil).
    public static func register(runId: String, name: String, path: String = "model", experiment: String? = nil, client: any TrackingClient,
                                user: String = RunRecorder.user()) async throws -> (version: ModelVersion, run: Run) {
        let run = try await client.run(matching: runId, experimentIds: try await client.experimentIds(experiment))
        let files = (try? await client.artifactFiles(run.info)) ?? []
        guard files.contains(where: { $0 == path || $0.hasPrefix(path + "/") }) else {
            throw AppError.notFound("Run \(run.info.runId) has no artifact at '\(path)'" + (files.isEmpty ? "" : "; it has " + files.prefix(8).joined(separator: ", "))
                + ". Runs of `pulk train` keep the model at 'model'; pass --path for another")
        }
        try await ensureRegistered(name, client: client, user: user)
        let version = try await client.createModelVersion(name: name, source: "runs:/\(run.info.runId)/\(path)", runId: run.info.runId, user: user)
        return (version, run)
    }

    /// Creates the registered model unless it exists (or someone else creates it meanwhile).
    static func ensureRegistered(_ name: String, client: any TrackingClient, user: String) async throws(StoreError) {
        if try await client.registeredModel(name: name) != nil { return }
        do { try await client.createRegisteredModel(name: name, user: user) } catch where error.code == .resourceAlreadyExists {}
    }
}
