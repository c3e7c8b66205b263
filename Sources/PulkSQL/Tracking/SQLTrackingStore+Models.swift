public import PulkStore
/// Run inputs and outputs (datasets, logged models) and MLflow 3 logged models.
extension SQLTrackingStore {
    // MARK: inputs and outputs

    public func logInputs(runId: String, datasets: [DatasetInput], models: [String]) async throws(StoreError) {
        guard datasets.count + models.count <= TrackingLimits.inputsPerCall else {
            throw .invalid("A log-inputs call may name at most \(TrackingLimits.inputsPerCall) datasets and models; \(datasets.count + models.count) were given")
        }
        for d in datasets {
            guard !d.dataset.name.isEmpty, !d.dataset.digest.isEmpty else {
                throw .invalid("A dataset input needs a name and a digest; got name '\(d.dataset.name)' and digest '\(d.dataset.digest)'")
            }
            let ref = d.dataset
            try TrackingLimits.checkLength(ref.name, "Dataset name", TrackingLimits.datasetNameLength)
            try TrackingLimits.checkLength(ref.digest, "Dataset digest", TrackingLimits.datasetDigestLength)
            try TrackingLimits.checkLength(ref.source, "Dataset source", TrackingLimits.datasetSourceLength)
            try TrackingLimits.checkLength(ref.schema, "Dataset schema", TrackingLimits.datasetSchemaLength)
            try TrackingLimits.checkLength(ref.profile, "Dataset profile", TrackingLimits.datasetProfileLength)
            for t in d.tags {
                try Self.checkKey(t.key, "input tag")
                try TrackingLimits.checkLength(t.value, "Input tag value", TrackingLimits.inputTagValueLength)
            }
        }
        let newId = newRunId
        try await db.write { s throws(StoreError) in
            let info = try Self.activeRun(s, runId)
            let eid = Int64(info.experimentId)!
            for d in datasets {
                let ref = d.dataset
                let uuid: String
                if let row = try s.query("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
                                         .int(eid), .text(ref.name), .text(ref.digest)).first {
                    uuid = row[0].text!
                } else {
                    uuid = newId()
                    try s.execute("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?)", .text(uuid), .int(eid), .text(ref.name), .text(ref.digest),
                                  .text(ref.sourceType), .text(ref.source), .text(ref.schema), .text(ref.profile))
                }
                try s.execute("INSERT INTO run_dataset_inputs VALUES (?, ?) ON CONFLICT (run_uuid, dataset_uuid) DO NOTHING", .text(runId), .text(uuid))
                try Self.insertRows(s, into: "run_dataset_input_tags", d.tags.map { [.text(runId), .text(uuid), .text($0.key), .text($0.value)] },
                               suffix: " ON CONFLICT (run_uuid, dataset_uuid, key) DO UPDATE SET value = excluded.value")
            }
            for m in models {
                _ = try Self.loggedModelRow(s, m)
                try s.execute("INSERT INTO run_models VALUES (?, ?, 'input', 0) ON CONFLICT (run_uuid, direction, model_id) DO NOTHING", .text(runId), .text(m))
            }
        }
    }

    public func logOutputs(runId: String, models: [(modelId: String, step: Int64)]) async throws(StoreError) {
        try await db.write { s throws(StoreError) in
            _ = try Self.activeRun(s, runId)
            for m in models {
                _ = try Self.loggedModelRow(s, m.modelId)
                try s.execute("INSERT INTO run_models VALUES (?, ?, 'output', ?) ON CONFLICT (run_uuid, direction, model_id) DO UPDATE SET step = excluded.step",
                              .text(runId), .text(m.modelId), .int(m.step))
            }
        }
    }

    /// The inputs and outputs of runs, keyed by run id (IN queries over chunks of ids).
    static func loadIO(_ s: any SQLSession, _ ids: [SQLValue], into io: inout [String: RunIO]) throws(StoreError) {
        let list = ids.map { _ in "?" }.joined(separator: ", ")
        var tags: [String: [Tag]] = [:]
        for r in try s.query("SELECT run_uuid, dataset_uuid, key, value FROM run_dataset_input_tags WHERE run_uuid IN (\(list)) ORDER BY key", ids) {
            tags[r[0].text! + "/" + r[1].text!, default: []].append(Tag(r[2].text!, r[3].text!))
        }
        for r in try s.query("""
            SELECT i.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
            FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid IN (\(list)) ORDER BY d.name, d.digest
            """, ids) {
            let ref = LoggedDataset(name: r[2].text!, digest: r[3].text!, sourceType: r[4].text!, source: r[5].text!, schema: r[6].text!, profile: r[7].text!)
            io[r[0].text!, default: RunIO()].datasetInputs.append(DatasetInput(dataset: ref, tags: tags[r[0].text! + "/" + r[1].text!] ?? []))
        }
        for r in try s.query("SELECT run_uuid, model_id, direction, step FROM run_models WHERE run_uuid IN (\(list)) ORDER BY step, model_id", ids) {
            if r[2].text == "input" { io[r[0].text!, default: RunIO()].modelInputs.append(r[1].text!) } else {
                io[r[0].text!, default: RunIO()].modelOutputs.append((r[1].text!, r[3].int!))
            }
        }
    }

    // MARK: logged models

    static let loggedModelColumns = "model_id, experiment_id, name, artifact_location, creation_time, last_updated_time, status, model_type, source_run_id"

    static func loggedModelRow(_ s: any SQLSession, _ id: String) throws(StoreError) -> SQLRow {
        guard let r = try s.query("SELECT \(loggedModelColumns) FROM logged_models WHERE model_id = ? AND lifecycle_stage = 'active'", .text(id)).first else {
            throw .notFound("Logged model with ID '\(id)' not found.")
        }
        return r
    }

    static func loadLoggedModels(_ s: any SQLSession, _ rows: [SQLRow]) throws(StoreError) -> [LoggedModel] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map { $0[0] }
        let list = ids.map { _ in "?" }.joined(separator: ", ")
        var tags: [String: [Tag]] = [:], params: [String: [Param]] = [:], metrics: [String: [Metric]] = [:]
        for r in try s.query("SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN (\(list)) ORDER BY key", ids) {
            tags[r[0].text!, default: []].append(Tag(r[1].text!, r[2].text!))
        }
        for r in try s.query("SELECT model_id, key, value FROM logged_model_params WHERE model_id IN (\(list)) ORDER BY key", ids) {
            params[r[0].text!, default: []].append(Param(r[1].text!, r[2].text!))
        }
        for r in try s.query("""
            SELECT model_id, key, value, is_nan, timestamp, step, dataset_name, dataset_digest, run_uuid FROM logged_model_metrics
            WHERE model_id IN (\(list)) ORDER BY key, step, timestamp
            """, ids) {
            metrics[r[0].text!, default: []].append(Metric(r[1].text!, r[3].int == 1 ? .nan : r[2].double!, timestamp: r[4].int!, step: r[5].int!,
                                                           modelId: r[0].text!, datasetName: r[6].text!.isEmpty ? nil : r[6].text!,
                                                           datasetDigest: r[7].text!.isEmpty ? nil : r[7].text!,
                                                           runId: r[8].text!.isEmpty ? nil : r[8].text!))
        }
        return rows.map { r in
            let id = r[0].text!
            return LoggedModel(modelId: id, experimentId: String(r[1].int!), name: r[2].text!, artifactLocation: r[3].text!,
                               creationTime: r[4].int!, lastUpdatedTime: r[5].int!, status: LoggedModelStatus(rawValue: r[6].text!) ?? .pending,
                               modelType: r[7].text!, sourceRunId: r[8].text!, tags: tags[id] ?? [], params: params[id] ?? [], metrics: metrics[id] ?? [])
        }
    }

    public func createLoggedModel(experimentId: String, name: String?, modelType: String, sourceRunId: String?, params: [Param],
                                  tags: [Tag]) async throws(StoreError) -> LoggedModel {
        let eid = try Self.experimentId(experimentId)
        for t in tags { try Self.checkKey(t.key, "tag") }
        for p in params { try Self.checkKey(p.key, "param") }
        let id = "m-" + newRunId(), t = now()
        let modelName = name ?? RunNames.make(from: id)
        try TrackingLimits.checkLength(modelName, "Logged model name", TrackingLimits.nameLength)
        return try await db.write { s throws(StoreError) in
            guard let e = try s.query("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?", .int(eid)).first else {
                throw .notFound("No Experiment with id=\(experimentId) exists")
            }
            guard e[1].text == "active" else { throw StoreError(.invalidState, "The experiment \(experimentId) must be in the 'active' state.") }
            // A source run this store does not have is kept as given (as MLflow 3.17 keeps it); one it
            // has must belong to the same experiment.
            if let sourceRunId, let run = try? Self.runInfo(s, sourceRunId) {
                guard run.experimentId == String(eid) else {
                    throw .invalid("Run \(sourceRunId) belongs to experiment \(run.experimentId), not \(experimentId)")
                }
            }
            let location = Self.join(Self.join(Self.join(e[0].text!, "models"), id), "artifacts")
            try s.execute("INSERT INTO logged_models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')", .text(id), .int(eid), .text(modelName), .text(location),
                          .int(t), .int(t), .text(LoggedModelStatus.pending.rawValue), .text(modelType), .text(sourceRunId ?? ""))
            try Self.upsertPairs(s, "logged_model_tags", owner: "model_id", id, tags.map { ($0.key, $0.value) })
            try Self.upsertPairs(s, "logged_model_params", owner: "model_id", id, params.map { ($0.key, $0.value) })
            return try Self.loadLoggedModels(s, [Self.loggedModelRow(s, id)])[0]
        }
    }

    public func loggedModel(id: String) async throws(StoreError) -> LoggedModel {
        try await db.read { s throws(StoreError) in try Self.loadLoggedModels(s, [Self.loggedModelRow(s, id)])[0] }
    }

    func updateLoggedModel(_ id: String, _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> Void) async throws(StoreError) -> LoggedModel {
        let t = now()
        return try await db.write { s throws(StoreError) in
            _ = try Self.loggedModelRow(s, id)
            try body(s)
            try s.execute("UPDATE logged_models SET last_updated_time = ? WHERE model_id = ?", .int(t), .text(id))
            return try Self.loadLoggedModels(s, [Self.loggedModelRow(s, id)])[0]
        }
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws(StoreError) -> LoggedModel {
        try await updateLoggedModel(id) { s throws(StoreError) in
            try s.execute("UPDATE logged_models SET status = ? WHERE model_id = ?", .text(status.rawValue), .text(id))
        }
    }

    public func setLoggedModelTags(id: String, _ tags: [Tag]) async throws(StoreError) -> LoggedModel {
        for t in tags { try Self.checkKey(t.key, "tag") }
        return try await updateLoggedModel(id) { s throws(StoreError) in try Self.upsertPairs(s, "logged_model_tags", owner: "model_id", id, tags.map { ($0.key, $0.value) }) }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws(StoreError) {
        _ = try await updateLoggedModel(id) { s throws(StoreError) in
            guard try !s.query("SELECT 1 FROM logged_model_tags WHERE model_id = ? AND key = ?", .text(id), .text(key)).isEmpty else {
                throw .notFound("No tag with key '\(key)' on logged model \(id)")
            }
            try s.execute("DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?", .text(id), .text(key))
        }
    }

    public func logLoggedModelParams(id: String, _ params: [Param]) async throws(StoreError) {
        for p in params { try Self.checkKey(p.key, "param") }
        _ = try await updateLoggedModel(id) { s throws(StoreError) in
            try Self.upsertPairs(s, "logged_model_params", owner: "model_id", id, params.map { ($0.key, $0.value) })
        }
    }

    public func deleteLoggedModel(id: String) async throws(StoreError) {
        let t = now()
        try await db.write { s throws(StoreError) in
            _ = try Self.loggedModelRow(s, id)
            try s.execute("UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_time = ? WHERE model_id = ?", .int(t), .text(id))
        }
    }

    static let loggedModelGrammar = AttributeFilter.Grammar(
        entity: "logged model",
        attributes: ["name": ("name", false), "model_id": ("model_id", false), "source_run_id": ("source_run_id", false),
                     "status": ("status", false), "model_type": ("model_type", false), "creation_timestamp": ("creation_time", true),
                     "last_updated_timestamp": ("last_updated_time", true)],
        tagExists: "EXISTS (SELECT 1 FROM logged_model_tags t WHERE t.model_id = logged_models.model_id AND t.key = ? AND %@)",
        paramExists: "EXISTS (SELECT 1 FROM logged_model_params t WHERE t.model_id = logged_models.model_id AND t.key = ? AND %@)",
        metricExists: "EXISTS (SELECT 1 FROM logged_model_metrics t WHERE t.model_id = logged_models.model_id AND t.key = ? AND %@)")

    public func searchLoggedModels(experimentIds: [String], filter: String?, datasets: [LoggedModelDataset], orderBy: [LoggedModelOrder],
                                   maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<LoggedModel> {
        guard maxResults >= 1 && maxResults <= TrackingLimits.maxSearchResults else {
            throw .invalid("max_results must be in 1…\(TrackingLimits.maxSearchResults), got \(maxResults)")
        }
        let ids = try experimentIds.map(Self.experimentId)
        guard !ids.isEmpty else { throw .invalid("search_logged_models needs at least one experiment id") }
        guard datasets.allSatisfy({ !$0.name.isEmpty }) else { throw .invalid("`dataset_name` in the `datasets` clause must be specified.") }
        guard orderBy.count <= 20 else { throw .invalid("order_by takes at most 20 terms, got \(orderBy.count)") }
        var binds: [SQLValue] = ids.map { .int($0) }
        var conditions = ["experiment_id IN (" + ids.map { _ in "?" }.joined(separator: ", ") + ")", "lifecycle_stage = 'active'"]
        // The datasets asked for: metric conditions look only at values logged on them.
        var grammar = Self.loggedModelGrammar
        var scopeBinds: [SQLValue] = []
        let scope = datasets.map { d -> String in
            scopeBinds.append(.text(d.name))
            guard let digest = d.digest else { return "t.dataset_name = ?" }
            scopeBinds.append(.text(digest))
            return "(t.dataset_name = ? AND t.dataset_digest = ?)"
        }
        if !scope.isEmpty { grammar.metricScope = ("(" + scope.joined(separator: " OR ") + ")", scopeBinds) }
        let parsed = try filter.flatMap { f throws(StoreError) in try AttributeFilter.parse(f, grammar) }
        if let parsed { conditions.append(parsed.sql(db.dialect, grammar, binds: &binds)) }
        if !scope.isEmpty, !(parsed?.hasMetric ?? false) {
            conditions.append("EXISTS (SELECT 1 FROM logged_model_metrics t WHERE t.model_id = logged_models.model_id AND (" + scope.joined(separator: " OR ") + "))")
            binds += scopeBinds
        }
        var order: [String] = []
        for term in orderBy {
            let direction = term.ascending ? "ASC" : "DESC"
            if term.field.hasPrefix("metrics.") {
                var sub = "(SELECT t.value FROM logged_model_metrics t WHERE t.model_id = logged_models.model_id AND t.key = ?"
                var subBinds: [SQLValue] = [.text(String(term.field.dropFirst("metrics.".count)))]
                if let n = term.datasetName { sub += " AND t.dataset_name = ?"; subBinds.append(.text(n)) }
                if let g = term.datasetDigest { sub += " AND t.dataset_digest = ?"; subBinds.append(.text(g)) }
                sub += " ORDER BY t.timestamp DESC, t.step DESC, t.run_uuid ASC LIMIT 1)"
                // Models without the metric come last either way.
                order += ["CASE WHEN \(sub) IS NULL THEN 1 ELSE 0 END", "\(sub) \(direction)"]
                binds += subBinds + subBinds
            } else if let column = Self.loggedModelOrderColumns[term.field] {
                order.append("\(column) \(direction)")
            } else {
                throw .invalid("Invalid order by field name: \(term.field); use \(Self.loggedModelOrderColumns.keys.sorted().joined(separator: ", ")) or metrics.KEY")
            }
        }
        order += ["creation_time DESC", "model_id"]
        let offset = try pageToken.map(Self.decodeOffset) ?? 0
        let sql = "SELECT \(Self.loggedModelColumns) FROM logged_models WHERE " + conditions.joined(separator: " AND ")
            + " ORDER BY " + order.joined(separator: ", ") + " LIMIT \(maxResults + 1) OFFSET \(offset)"
        let arguments = binds
        let models = try await db.read { s throws(StoreError) in try Self.loadLoggedModels(s, try s.query(sql, arguments)) }
        return Page(items: Array(models.prefix(maxResults)), nextPageToken: models.count > maxResults ? Self.encodeOffset(offset + maxResults) : nil)
    }

    static let loggedModelOrderColumns = ["name": "name", "model_id": "model_id", "source_run_id": "source_run_id", "status": "status",
                                          "model_type": "model_type", "creation_timestamp": "creation_time", "creation_time": "creation_time",
                                          "last_updated_timestamp": "last_updated_time", "experiment_id": "experiment_id"]
}

extension SQLTrackingStore {
    public func datasetSummaries(experimentIds: [String]) async throws(StoreError) -> [LoggedDatasetSummary] {
        guard !experimentIds.isEmpty else { throw .invalid("SearchDatasets request must specify at least one experiment_id.") }
        guard experimentIds.count <= 20 else { throw .invalid("SearchDatasets request cannot specify more than 20 experiment_ids. Received \(experimentIds.count) experiment_ids.") }
        let ids = try experimentIds.map(Self.experimentId)
        let sql = """
            SELECT DISTINCT d.experiment_id, d.name, d.digest, t.value FROM datasets d
            JOIN run_dataset_inputs i ON i.dataset_uuid = d.dataset_uuid
            LEFT JOIN run_dataset_input_tags t ON t.run_uuid = i.run_uuid AND t.dataset_uuid = i.dataset_uuid AND t.key = 'mlflow.data.context'
            WHERE d.experiment_id IN (\(ids.map { _ in "?" }.joined(separator: ", "))) ORDER BY d.experiment_id, d.name, d.digest LIMIT 1000
            """
        let rows = try await db.read { s throws(StoreError) in try s.query(sql, ids.map { .int($0) }) }
        return rows.map { LoggedDatasetSummary(experimentId: String($0[0].int ?? 0), name: $0[1].text ?? "", digest: $0[2].text ?? "", context: $0[3].text) }
    }
}
