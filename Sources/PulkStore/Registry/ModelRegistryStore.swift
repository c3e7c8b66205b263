/// The model registry: registered models, their numbered versions, aliases and the append-only
/// history of alias moves. `SQLTrackingStore` implements it beside the tracking store, in the same
/// database, so a version's run and logged model are checked in the same transaction.
public protocol ModelRegistryStore: Sendable {
    /// Registers a new model name (unique, at most 256 characters) with its description and tags, recording who
    /// created it.
    func createRegisteredModel(name: String, description: String, tags: [Tag], user: String) async throws(StoreError) -> RegisteredModel
    /// The registered model with its aliases and the latest version per stage.
    func registeredModel(name: String) async throws(StoreError) -> RegisteredModel
    /// Renames the model; its versions, aliases and history follow.
    func renameRegisteredModel(name: String, to newName: String) async throws(StoreError) -> RegisteredModel
    /// Replaces the model's description.
    func updateRegisteredModel(name: String, description: String) async throws(StoreError) -> RegisteredModel
    /// Deletes the model with all its versions, tags and aliases (the alias history stays).
    func deleteRegisteredModel(name: String) async throws(StoreError)
    /// One page of registered models filtered by MLflow's grammar (`name`, `name LIKE`, `tags.KEY`) and ordered
    /// by `orderBy`.
    func searchRegisteredModels(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<RegisteredModel>
    /// Sets (or replaces) one tag of the model.
    func setRegisteredModelTag(name: String, _ tag: Tag) async throws(StoreError)
    /// Removes one tag of the model.
    func deleteRegisteredModelTag(name: String, key: String) async throws(StoreError)

    /// A new version: `source` must resolve inside the store (`models:/m-…`, `runs:/RUN/path`, or an
    /// `mlflow-artifacts:/` location); anything else is refused.
    func createModelVersion(name: String, source: String, runId: String?, modelId: String?, description: String, tags: [Tag],
                            runLink: String, user: String) async throws(StoreError) -> ModelVersion
    /// One version of a model; RESOURCE_DOES_NOT_EXIST for an unknown model or version.
    func modelVersion(name: String, version: String) async throws(StoreError) -> ModelVersion
    /// Replaces the version's description.
    func updateModelVersion(name: String, version: String, description: String) async throws(StoreError) -> ModelVersion
    /// Deletes one version (and the aliases naming it; the history keeps the moves).
    func deleteModelVersion(name: String, version: String) async throws(StoreError)
    /// One page of versions filtered by MLflow's grammar (`name`, `run_id`, `source_path`, `version_number`,
    /// `tags.KEY`).
    func searchModelVersions(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<ModelVersion>
    /// The newest version in each of `stages` (every stage for none), as MLflow's deprecated stages API
    /// answers.
    func latestVersions(name: String, stages: [String]) async throws(StoreError) -> [ModelVersion]
    /// Every version of one model, oldest first.
    func modelVersions(name: String) async throws(StoreError) -> [ModelVersion]
    /// Moves the version to a stage (None, Staging, Production, Archived), archiving the others in that stage
    /// when asked.
    func transitionStage(name: String, version: String, stage: String, archiveExisting: Bool) async throws(StoreError) -> ModelVersion
    /// Sets (or replaces) one tag of the version.
    func setModelVersionTag(name: String, version: String, _ tag: Tag) async throws(StoreError)
    /// Removes one tag of the version.
    func deleteModelVersionTag(name: String, version: String, key: String) async throws(StoreError)
    /// Where the version's files are (`mlflow-artifacts:/…`).
    func downloadURI(name: String, version: String) async throws(StoreError) -> String

    /// Points an alias at a version, recording the move (and who made it) in the alias history.
    func setAlias(name: String, alias: String, version: String, user: String) async throws(StoreError)
    /// Removes an alias, recording the removal (and who made it) in the alias history.
    func deleteAlias(name: String, alias: String, user: String) async throws(StoreError)
    /// The version an alias names.
    func modelVersion(name: String, alias: String) async throws(StoreError) -> ModelVersion
    /// Every move of the model's aliases (one alias when given), oldest first.
    func aliasHistory(name: String, alias: String?) async throws(StoreError) -> [AliasMove]
}

/// MLflow's registry limits and names.
public enum RegistryLimits {
    public static let maxSearchResults = 1000, defaultModelSearchResults = 100, defaultVersionSearchResults = 10_000
    public static let nameLength = 256, aliasLength = 256
}
