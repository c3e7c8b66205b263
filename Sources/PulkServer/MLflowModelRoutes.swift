import PulkJSON
import Foundation
import Hummingbird
import PulkStore

/// MLflow's registry endpoints, MLflow 3's logged models, and run inputs and outputs.
struct MLflowModelRoutes: Sendable {
    let store: any TrackingStore & ModelRegistryStore
    let artifacts: ArtifactStore
    /// The registry's events go to the webhooks.
    let events: WebhookDispatcher

    func register(_ route: MLflowRouteBuilder) {
        registerRegistry(route)
        registerLoggedModels(route)
    }

    func registerRegistry(_ route: MLflowRouteBuilder) {
        let store = self.store, events = self.events
        // Registered models
        route(.post, "registered-models/create") { i throws(StoreError) in
            let m = try await store.createRegisteredModel(name: try i.require("name"), description: try i.string("description") ?? "",
                                                          tags: try WireInput.tags(try i.objects("tags")), user: i.user)
            events.emit(.registeredModelCreated, ["name": m.name, "tags": Self.tagMap(m.tags), "description": m.description.isEmpty ? NSNull() : m.description])
            return ["registered_model": Wire.registeredModel(m)]
        }
        route(.get, "registered-models/get") { i throws(StoreError) in
            ["registered_model": Wire.registeredModel(try await store.registeredModel(name: try i.require("name")))]
        }
        route(.post, "registered-models/rename") { i throws(StoreError) in
            ["registered_model": Wire.registeredModel(try await store.renameRegisteredModel(name: try i.require("name"), to: try i.require("new_name")))]
        }
        route(.patch, "registered-models/update") { i throws(StoreError) in
            ["registered_model": Wire.registeredModel(try await store.updateRegisteredModel(name: try i.require("name"), description: try i.string("description") ?? ""))]
        }
        route(.delete, "registered-models/delete") { i throws(StoreError) in try await store.deleteRegisteredModel(name: try i.require("name")); return [:] }
        let searchModels: MLflowRouteBuilder.Handler = { i throws(StoreError) in
            let page = try await store.searchRegisteredModels(filter: try i.nonEmpty("filter"), orderBy: i.strings("order_by"),
                                                              maxResults: Int(try i.int("max_results") ?? Int64(RegistryLimits.defaultModelSearchResults)),
                                                              pageToken: try i.nonEmpty("page_token"))
            return Wire.page("registered_models", page.items.filter { RequestIdentity.can(.registeredModel, $0.name) }.map(Wire.registeredModel), page.nextPageToken)
        }
        route(.get, "registered-models/search", searchModels)
        route(.post, "registered-models/search", searchModels)
        let latest: MLflowRouteBuilder.Handler = { i throws(StoreError) in
            ["model_versions": try await store.latestVersions(name: try i.require("name"), stages: i.strings("stages")).map(Wire.modelVersion)]
        }
        route(.post, "registered-models/get-latest-versions", latest)
        route(.get, "registered-models/get-latest-versions", latest)
        route(.post, "registered-models/set-tag") { i throws(StoreError) in
            try await store.setRegisteredModelTag(name: try i.require("name"), Tag(try i.require("key"), try i.string("value") ?? "")); return [:]
        }
        route(.delete, "registered-models/delete-tag") { i throws(StoreError) in
            try await store.deleteRegisteredModelTag(name: try i.require("name"), key: try i.require("key")); return [:]
        }
        // Aliases
        route(.post, "registered-models/alias") { i throws(StoreError) in
            let (name, alias, version) = (try i.require("name"), try i.require("alias"), try i.require("version"))
            try await store.setAlias(name: name, alias: alias, version: version, user: i.user)
            events.emit(.aliasCreated, ["name": name, "alias": alias, "version": version])
            return [:]
        }
        route(.delete, "registered-models/alias") { i throws(StoreError) in
            let (name, alias) = (try i.require("name"), try i.require("alias"))
            try await store.deleteAlias(name: name, alias: alias, user: i.user)
            events.emit(.aliasDeleted, ["name": name, "alias": alias])
            return [:]
        }
        route(.get, "registered-models/alias") { i throws(StoreError) in
            ["model_version": Wire.modelVersion(try await store.modelVersion(name: try i.require("name"), alias: try i.require("alias")))]
        }

        // Model versions
        route(.post, "model-versions/create") { i throws(StoreError) in
            let v = try await store.createModelVersion(name: try i.require("name"), source: try i.require("source"), runId: try i.nonEmpty("run_id"),
                                                       modelId: try i.nonEmpty("model_id"), description: try i.string("description") ?? "",
                                                       tags: try WireInput.tags(try i.objects("tags")), runLink: try i.string("run_link") ?? "", user: i.user)
            events.emit(.modelVersionCreated, ["name": v.name, "version": String(v.version), "source": v.source, "run_id": v.runId.isEmpty ? NSNull() : v.runId,
                                               "tags": Self.tagMap(v.tags), "description": v.description.isEmpty ? NSNull() : v.description])
            return ["model_version": Wire.modelVersion(v)]
        }
        route(.get, "model-versions/get") { i throws(StoreError) in
            ["model_version": Wire.modelVersion(try await store.modelVersion(name: try i.require("name"), version: try i.require("version")))]
        }
        route(.patch, "model-versions/update") { i throws(StoreError) in
            let v = try await store.updateModelVersion(name: try i.require("name"), version: try i.require("version"), description: try i.string("description") ?? "")
            return ["model_version": Wire.modelVersion(v)]
        }
        route(.delete, "model-versions/delete") { i throws(StoreError) in
            try await store.deleteModelVersion(name: try i.require("name"), version: try i.require("version")); return [:]
        }
        let searchVersions: MLflowRouteBuilder.Handler = { i throws(StoreError) in
            let page = try await store.searchModelVersions(filter: try i.nonEmpty("filter"), orderBy: i.strings("order_by"),
                                                           maxResults: Int(try i.int("max_results") ?? Int64(RegistryLimits.defaultVersionSearchResults)),
                                                           pageToken: try i.nonEmpty("page_token"))
            return Wire.page("model_versions", page.items.filter { RequestIdentity.can(.registeredModel, $0.name) }.map(Wire.modelVersion), page.nextPageToken)
        }
        route(.get, "model-versions/search", searchVersions)
        route(.post, "model-versions/search", searchVersions)
        route(.post, "model-versions/transition-stage") { i throws(StoreError) in
            var archive = i.value("archive_existing_versions") as? Bool ?? false
            if i.value("archive_existing_versions") is String { archive = try i.string("archive_existing_versions") == "true" }
            let v = try await store.transitionStage(name: try i.require("name"), version: try i.require("version"), stage: try i.require("stage"),
                                                    archiveExisting: archive)
            return ["model_version": Wire.modelVersion(v)]
        }
        route(.get, "model-versions/get-download-uri") { i throws(StoreError) in
            ["artifact_uri": try await store.downloadURI(name: try i.require("name"), version: try i.require("version"))]
        }
        route(.post, "model-versions/set-tag") { i throws(StoreError) in
            let (name, version, tag) = (try i.require("name"), try i.require("version"), Tag(try i.require("key"), try i.string("value") ?? ""))
            try await store.setModelVersionTag(name: name, version: version, tag)
            events.emit(.modelVersionTagSet, ["name": name, "version": version, "key": tag.key, "value": tag.value])
            return [:]
        }
        route(.delete, "model-versions/delete-tag") { i throws(StoreError) in
            let (name, version, key) = (try i.require("name"), try i.require("version"), try i.require("key"))
            try await store.deleteModelVersionTag(name: name, version: version, key: key)
            events.emit(.modelVersionTagDeleted, ["name": name, "version": version, "key": key])
            return [:]
        }
    }

    /// A string field of a nested object (absent or null: nil).
    static func text(_ o: [String: Any], _ key: String) throws(StoreError) -> String? {
        switch o[key] {
        case nil, is NSNull: return nil
        case let s as String: return s
        case let other?: throw StoreError.invalid("Invalid value \(WireInput.describe(other)) for '\(key)': expected a string")
        }
    }

    static func tagMap(_ tags: [Tag]) -> [String: Any] { Dictionary(tags.map { ($0.key, $0.value as Any) }, uniquingKeysWith: { $1 }) }

    static func loggedModelStatus(_ v: Any?) throws(StoreError) -> LoggedModelStatus {
        if let s = v as? String, let st = LoggedModelStatus(rawValue: s) { return st }
        if let n = WireInput.int64(v), let st = [1: LoggedModelStatus.pending, 2: .ready, 3: .uploadFailed][n] { return st }
        throw .invalid("Invalid logged model status '\(v.map { "\($0)" } ?? "")'; use LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED")
    }

    static func keyValues(_ list: [[String: Any]]) throws(StoreError) -> [Param] { try WireInput.tags(list).map { Param($0.key, $0.value) } }

    func registerLoggedModels(_ route: MLflowRouteBuilder) {
        let store = self.store, artifacts = self.artifacts
        route(.post, "logged-models") { i throws(StoreError) in
            let m = try await store.createLoggedModel(experimentId: try i.require("experiment_id"), name: try i.nonEmpty("name"),
                                                      modelType: try i.string("model_type") ?? "", sourceRunId: try i.nonEmpty("source_run_id"),
                                                      params: try Self.keyValues(try i.objects("params")), tags: try WireInput.tags(try i.objects("tags")))
            return ["model": Wire.loggedModel(m)]
        }
        route(.get, "logged-models/{model_id}") { i throws(StoreError) in ["model": Wire.loggedModel(try await store.loggedModel(id: try i.require("model_id")))] }
        route(.patch, "logged-models/{model_id}") { i throws(StoreError) in
            ["model": Wire.loggedModel(try await store.finalizeLoggedModel(id: try i.require("model_id"), status: try Self.loggedModelStatus(i.value("status"))))]
        }
        route(.delete, "logged-models/{model_id}") { i throws(StoreError) in try await store.deleteLoggedModel(id: try i.require("model_id")); return [:] }
        route(.patch, "logged-models/{model_id}/tags") { i throws(StoreError) in
            ["model": Wire.loggedModel(try await store.setLoggedModelTags(id: try i.require("model_id"), try WireInput.tags(try i.objects("tags"))))]
        }
        route(.delete, "logged-models/{model_id}/tags/{tag_key}") { i throws(StoreError) in
            try await store.deleteLoggedModelTag(id: try i.require("model_id"), key: try i.require("tag_key")); return [:]
        }
        route(.post, "logged-models/{model_id}/params") { i throws(StoreError) in
            try await store.logLoggedModelParams(id: try i.require("model_id"), try Self.keyValues(try i.objects("params"))); return [:]
        }
        route(.post, "logged-models/search") { i throws(StoreError) in
            let asked = i.strings("experiment_ids"), readable = asked.filter { RequestIdentity.can(.experiment, $0) }
            if readable.isEmpty, !asked.isEmpty { return ["models": [Any]()] }
            let datasets = try i.objects("datasets").map { d throws(StoreError) in
                LoggedModelDataset(name: try Self.text(d, "dataset_name") ?? "", digest: try Self.text(d, "dataset_digest"))
            }
            let order = try i.objects("order_by").map { o throws(StoreError) in
                guard let field = try Self.text(o, "field_name"), !field.isEmpty else { throw StoreError.invalid("order_by terms need a field_name") }
                return LoggedModelOrder(field: field, ascending: o["ascending"] as? Bool ?? true,
                                        datasetName: try Self.text(o, "dataset_name"), datasetDigest: try Self.text(o, "dataset_digest"))
            }
            let page = try await store.searchLoggedModels(experimentIds: readable, filter: try i.nonEmpty("filter"), datasets: datasets, orderBy: order,
                                                          maxResults: Int(try i.int("max_results") ?? 100), pageToken: try i.nonEmpty("page_token"))
            return Wire.page("models", page.items.map(Wire.loggedModel), page.nextPageToken)
        }
        route(.get, "logged-models/{model_id}/artifacts/directories") { i throws(StoreError) in
            let m = try await store.loggedModel(id: try i.require("model_id"))
            let root = try artifacts.key(ofLocation: m.artifactLocation)
            let sub = try i.string("artifact_directory_path") ?? ""
            let files = ArtifactRoutes.files(try artifacts.list(sub.isEmpty ? root : root + "/" + sub), under: sub)
            return ["root_uri": m.artifactLocation, "files": files]
        }

        // Run inputs and outputs
        route(.post, "runs/log-inputs") { i throws(StoreError) in
            let datasets = try i.objects("datasets").map { (d) throws(StoreError) -> DatasetInput in
                guard let ds = d["dataset"] as? [String: Any] else { throw .invalid("Each dataset input needs a 'dataset' object") }
                func text(_ k: String) -> String { (ds[k] as? String) ?? "" }
                return DatasetInput(dataset: LoggedDataset(name: text("name"), digest: text("digest"), sourceType: text("source_type"), source: text("source"),
                                                        schema: text("schema"), profile: text("profile")),
                                    tags: try WireInput.tags(((d["tags"] as? [Any]) ?? []).compactMap { $0 as? [String: Any] }))
            }
            let models = try i.objects("models").compactMap { $0["model_id"] as? String }
            try await store.logInputs(runId: try i.runId(), datasets: datasets, models: models)
            return [:]
        }
        route(.post, "runs/outputs") { i throws(StoreError) in
            let models = try i.objects("models").map { (m) throws(StoreError) -> (modelId: String, step: Int64) in
                guard let id = m["model_id"] as? String else { throw .invalid("Each model output needs a 'model_id'") }
                return (id, WireInput.int64(m["step"]) ?? 0)
            }
            try await store.logOutputs(runId: try i.runId(), models: models)
            return [:]
        }
        // MLflow 2.x `log_model`: appends the model's MLmodel description to the run's history tag.
        route(.post, "runs/log-model") { i throws(StoreError) in
            let runId = try i.runId()
            guard let text = try i.string("model_json"), let model = (try? JSON.parse(Array(text.utf8))) as? [String: Any] else {
                throw .invalid("Missing or malformed 'model_json': it must be the model's MLmodel description as a JSON object")
            }
            let key = "mlflow.log-model.history"
            let run = try await store.run(id: runId)
            var history = (run.tags.first { $0.key == key }).flatMap { (try? JSON.parse(Array($0.value.utf8))) as? [Any] } ?? []
            history.append(model)
            let encoded = String(decoding: Wire.encode(history), as: UTF8.self)
            try await store.setTag(runId: runId, Tag(key, encoded))
            return [:]
        }
    }
}
