import PulkStore

/// MLflow's JSON shapes of the registry and logged-model entities.
extension Wire {
    static func datasetInput(_ d: DatasetInput) -> [String: Any] {
        ["tags": tags(d.tags),
         "dataset": ["name": d.dataset.name, "digest": d.dataset.digest, "source_type": d.dataset.sourceType, "source": d.dataset.source,
                     "schema": d.dataset.schema, "profile": d.dataset.profile]]
    }

    static func modelVersion(_ v: ModelVersion) -> [String: Any] {
        ["name": v.name, "version": String(v.version), "creation_timestamp": v.creationTime, "last_updated_timestamp": v.lastUpdatedTime,
         "user_id": v.userId, "current_stage": v.currentStage.rawValue, "description": v.description, "source": v.source, "run_id": v.runId,
         "run_link": v.runLink, "status": v.status, "tags": tags(v.tags), "aliases": v.aliases, "model_id": v.modelId]
    }

    static func registeredModel(_ m: RegisteredModel) -> [String: Any] {
        ["name": m.name, "creation_timestamp": m.creationTime, "last_updated_timestamp": m.lastUpdatedTime, "user_id": m.userId,
         "description": m.description, "latest_versions": m.latestVersions.map(modelVersion), "tags": tags(m.tags),
         "aliases": m.aliases.sorted { $0.key < $1.key }.map { ["alias": $0.key, "version": String($0.value)] }]
    }

    static func loggedModel(_ m: LoggedModel) -> [String: Any] {
        let info: [String: Any] = [
            "model_id": m.modelId, "experiment_id": m.experimentId, "name": m.name, "creation_timestamp_ms": m.creationTime,
            "last_updated_timestamp_ms": m.lastUpdatedTime, "artifact_uri": m.artifactLocation, "status": m.status.rawValue,
            "model_type": m.modelType, "source_run_id": m.sourceRunId, "tags": tags(m.tags),
        ]
        let metrics = m.metrics.map { x -> [String: Any] in
            var d = metric(x)
            d["model_id"] = m.modelId
            if let n = x.datasetName { d["dataset_name"] = n }
            if let g = x.datasetDigest { d["dataset_digest"] = g }
            if let r = x.runId { d["run_id"] = r }
            return d
        }
        return ["info": info, "data": ["params": m.params.map { ["key": $0.key, "value": $0.value] }, "metrics": metrics]]
    }

    static func aliasMove(_ m: AliasMove) -> [String: Any] {
        var d: [String: Any] = ["sequence": m.sequence, "name": m.name, "alias": m.alias, "user": m.user, "time": m.time]
        if let f = m.fromVersion { d["from_version"] = String(f) }
        if let t = m.toVersion { d["to_version"] = String(t) }
        return d
    }
}
