/// The model registry: registered models, their numbered versions, aliases and the append-only
/// history of alias moves. `SQLTrackingStore` implements it beside the tracking store, in the same
/// database, so a version's run and logged model are checked in the same transaction.
public protocol ModelRegistryStore: Sendable {
    func createRegisteredModel(name: String, description: String, tags: [Tag], user: String) async throws(StoreError) -> RegisteredModel
    func registeredModel(name: String) async throws(StoreError) -> RegisteredModel
    func renameRegisteredModel(name: String, to newName: String) async throws(StoreError) -> RegisteredModel
    func updateRegisteredModel(name: String, description: String) async throws(StoreError) -> RegisteredModel
    /// Deletes the model with all its versions, tags and aliases (the alias history stays).
    func deleteRegisteredModel(name: String) async throws(StoreError)
    func searchRegisteredModels(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<RegisteredModel>
    func setRegisteredModelTag(name: String, _ tag: Tag) async throws(StoreError)
    func deleteRegisteredModelTag(name: String, key: String) async throws(StoreError)

    /// A new version: `source` must resolve inside the store (`models:/m-…`, `runs:/RUN/path`, or an
    /// `mlflow-artifacts:/` location); anything else is refused.
    func createModelVersion(name: String, source: String, runId: String?, modelId: String?, description: String, tags: [Tag],
                            runLink: String, user: String) async throws(StoreError) -> ModelVersion
    func modelVersion(name: String, version: String) async throws(StoreError) -> ModelVersion
    func updateModelVersion(name: String, version: String, description: String) async throws(StoreError) -> ModelVersion
    func deleteModelVersion(name: String, version: String) async throws(StoreError)
    func searchModelVersions(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<ModelVersion>
    func latestVersions(name: String, stages: [String]) async throws(StoreError) -> [ModelVersion]
    /// Every version of one model, oldest first.
    func modelVersions(name: String) async throws(StoreError) -> [ModelVersion]
    func transitionStage(name: String, version: String, stage: String, archiveExisting: Bool) async throws(StoreError) -> ModelVersion
    func setModelVersionTag(name: String, version: String, _ tag: Tag) async throws(StoreError)
    func deleteModelVersionTag(name: String, version: String, key: String) async throws(StoreError)
    /// Where the version's files are (`mlflow-artifacts:/…`).
    func downloadURI(name: String, version: String) async throws(StoreError) -> String

    /// Points an alias at a version, recording the move (and who made it) in the alias history.
    func setAlias(name: String, alias: String, version: String, user: String) async throws(StoreError)
    func deleteAlias(name: String, alias: String, user: String) async throws(StoreError)
    func modelVersion(name: String, alias: String) async throws(StoreError) -> ModelVersion
    /// Every move of the model's aliases (one alias when given), oldest first.
    func aliasHistory(name: String, alias: String?) async throws(StoreError) -> [AliasMove]
}

/// MLflow's registry limits and names.
public enum RegistryLimits {
    public static let maxSearchResults = 1000, defaultModelSearchResults = 100, defaultVersionSearchResults = 10_000
    public static let nameLength = 256, aliasLength = 256
}

/// Everything the MLflow-compatible server needs: tracking and the registry.
public typealias MLflowStore = TrackingStore & ModelRegistryStore & EndpointStore
