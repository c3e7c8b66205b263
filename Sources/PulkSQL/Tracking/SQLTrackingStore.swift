public import PulkStore
public import Foundation
import PulkJSON

/// The tracking store over any `SQLDatabase`: one code path for SQLite and PostgreSQL. Searches
/// filter with EXISTS subqueries on the latest-metric, param and tag tables (no cross joins), page
/// runs by keyset (the last row's sort values travel in the page token), and every write is one
/// transaction, durable before it returns.
public struct SQLTrackingStore: TrackingStore {
    public let db: any SQLDatabase
    /// Where experiments keep artifacts by default: `ROOT/EXPERIMENT_ID`.
    public let artifactRoot: String
    let now: @Sendable () -> Int64
    let newRunId: @Sendable () -> String

    /// Opens the store, creating its tables in a new database. A database made by an earlier pulk is
    /// refused (with `upgradeHint`) unless `upgrade`; one made by a newer pulk always is (`Ledger`).
    public static func open(_ db: any SQLDatabase, artifactRoot: String = "mlflow-artifacts:", upgrade: Bool = false,
                            upgradeHint: String = "Back the database up, then run `pulk workspace upgrade`.",
                            now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
                            newRunId: @escaping @Sendable () -> String = { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() })
        async throws(StoreError) -> SQLTrackingStore {
        try await Ledger.open(StoreSchema.tracking, in: db, upgrade: upgrade, upgradeHint: upgradeHint)
        let store = SQLTrackingStore(db: db, artifactRoot: artifactRoot, now: now, newRunId: newRunId)
        try await store.ensureDefaultExperiment()
        return store
    }

    /// MLflow's experiment 0, "Default".
    func ensureDefaultExperiment() async throws(StoreError) {
        let t = now(), root = artifactRoot
        try await db.write { s throws(StoreError) in
            if try !s.query("SELECT 1 FROM experiments WHERE experiment_id = 0").isEmpty { return }
            try s.execute("INSERT INTO experiments VALUES (0, 'Default', ?, 'active', ?, ?)", .text(Self.join(root, "0")), .int(t), .int(t))
        }
    }

    static func join(_ root: String, _ part: String) -> String { root.hasSuffix("/") || root.hasSuffix(":") ? root + part : root + "/" + part }

    // MARK: validation

    static func experimentId(_ id: String) throws(StoreError) -> Int64 {
        guard let v = Int64(id), v >= 0 else { throw .invalid("experiment_id '\(id)' is not a valid experiment id (a number)") }
        return v
    }

    static func checkKey(_ key: String, _ what: String) throws(StoreError) {
        guard !key.isEmpty else { throw .invalid("\(what) name must not be empty") }
        guard key.count <= TrackingLimits.keyLength else {
            throw .invalid("\(what) name '\(key.prefix(40))…' is \(key.count) characters; the limit is \(TrackingLimits.keyLength)")
        }
        guard !key.hasPrefix("/"), !key.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }),
              key.allSatisfy({ $0.isLetter || $0.isNumber || "_-./ :".contains($0) }) else {
            throw .invalid("Invalid \(what) name: '\(key)'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).")
        }
    }

    // MARK: experiments

    /// Where an experiment may keep its artifacts: this server's own `mlflow-artifacts:` store, or
    /// an object store named by a scheme and a host (`s3://bucket/…`). A local folder (`file:`), a
    /// URI without a host, or a path with `..` could point a download anywhere, so it is refused.
    static func checkArtifactLocation(_ location: String) throws(StoreError) {
        func bad(_ why: String) -> StoreError { .invalid("Invalid artifact_location '\(location.prefix(200))': \(why)") }
        try TrackingLimits.checkLength(location, "artifact_location", TrackingLimits.artifactLocationLength)
        guard !location.contains("\0"), !location.contains("\\") else { throw bad("it contains a NUL byte or a backslash") }
        let decoded = location.removingPercentEncoding ?? location
        guard !decoded.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0.hasSuffix("#..") }),
              !decoded.contains("/../"), !decoded.contains("#") else { throw bad("'..' segments and fragments are not allowed") }
        if location.hasPrefix("mlflow-artifacts:") { return }
        guard let scheme = location.range(of: "://").map({ location[..<$0.lowerBound].lowercased() }), !scheme.isEmpty,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else {
            throw bad("use mlflow-artifacts:/PATH (this server's artifact store) or an object store URI such as s3://BUCKET/PATH")
        }
        guard scheme != "file" else { throw bad("local folders are not served by this server; leave artifact_location empty to use its artifact store") }
        let rest = location[location.range(of: "://")!.upperBound...]
        guard let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty else {
            throw bad("the URI names no host or bucket")
        }
    }

    public func createExperiment(name: String, artifactLocation: String?, tags: [Tag]) async throws(StoreError) -> String {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("Invalid experiment name: '\(name)'. The name must not be empty.") }
        try TrackingLimits.checkLength(name, "Experiment name", TrackingLimits.nameLength)
        if let artifactLocation, !artifactLocation.isEmpty { try Self.checkArtifactLocation(artifactLocation) }
        for t in tags { try Self.checkExperimentTag(t) }
        let t = now(), root = artifactRoot
        return try await db.write { s throws(StoreError) in
            if let row = try s.query("SELECT lifecycle_stage FROM experiments WHERE name = ?", .text(name)).first {
                let deleted = row[0].text == "deleted"
                throw .exists("Experiment '\(name)' already exists" + (deleted ? " in deleted state; restore it or delete it permanently to reuse the name." : "."))
            }
            guard let id = try s.query("UPDATE counters SET value = value + 1 WHERE name = 'experiment' RETURNING value").first?[0].int else {
                throw StoreError(.internalError, "the experiment counter is missing")
            }
            let location = artifactLocation.flatMap { $0.isEmpty ? nil : $0 } ?? Self.join(root, String(id))
            try s.execute("INSERT INTO experiments VALUES (?, ?, ?, 'active', ?, ?)", .int(id), .text(name), .text(location), .int(t), .int(t))
            for tag in tags { try Self.upsertExperimentTag(s, id, tag) }
            return String(id)
        }
    }

    static func upsertExperimentTag(_ s: any SQLSession, _ id: Int64, _ tag: Tag) throws(StoreError) {
        try s.execute("INSERT INTO experiment_tags VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
                      .int(id), .text(tag.key), .text(tag.value))
    }

    static func loadExperiments(_ s: any SQLSession, where condition: String, _ binds: [SQLValue]) throws(StoreError) -> [Experiment] {
        let rows = try s.query("SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments WHERE \(condition)", binds)
        guard !rows.isEmpty else { return [] }
        let ids = rows.map { $0[0] }
        var tags: [Int64: [Tag]] = [:]
        for r in try s.query("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (\(ids.map { _ in "?" }.joined(separator: ", "))) ORDER BY key", ids) {
            tags[r[0].int!, default: []].append(Tag(r[1].text!, r[2].text!))
        }
        return rows.map { r in
            Experiment(experimentId: String(r[0].int!), name: r[1].text!, artifactLocation: r[2].text!,
                       lifecycleStage: LifecycleStage(rawValue: r[3].text!) ?? .active, creationTime: r[4].int!, lastUpdateTime: r[5].int!,
                       tags: tags[r[0].int!] ?? [])
        }
    }

    public func experiment(id: String) async throws(StoreError) -> Experiment {
        let eid = try Self.experimentId(id)
        return try await db.read { s throws(StoreError) in
            guard let e = try Self.loadExperiments(s, where: "experiment_id = ?", [.int(eid)]).first else {
                throw .notFound("No Experiment with id=\(id) exists")
            }
            return e
        }
    }

    public func experiment(named name: String) async throws(StoreError) -> Experiment {
        try await db.read { s throws(StoreError) in
            guard let e = try Self.loadExperiments(s, where: "name = ?", [.text(name)]).first else {
                throw .notFound("Could not find experiment with name '\(name)'")
            }
            return e
        }
    }

    public func searchExperiments(view: ViewType, filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<Experiment> {
        guard maxResults >= 1 && maxResults <= TrackingLimits.maxSearchResults else {
            throw .invalid("max_results must be in 1…\(TrackingLimits.maxSearchResults), got \(maxResults)")
        }
        var conditions = [Self.viewCondition(view, column: "lifecycle_stage")]
        var binds: [SQLValue] = []
        if let filter, let f = try AttributeFilter.parse(filter, .experiments) {
            conditions.append(f.sql(db.dialect, .experiments, binds: &binds))
        }
        var order = try Self.orderTerms(orderBy, ["name": "name", "experiment_id": "experiment_id", "creation_time": "creation_time",
                                                  "last_update_time": "last_update_time"], default: ["creation_time DESC"])
        order.append("experiment_id ASC")
        let offset = try pageToken.map(Self.decodeOffset) ?? 0
        let condition = conditions.joined(separator: " AND ") + " ORDER BY " + order.joined(separator: ", ") + " LIMIT \(maxResults + 1) OFFSET \(offset)"
        let rows = try await db.read { [binds] s throws(StoreError) in try Self.loadExperiments(s, where: condition, binds) }
        return Page(items: Array(rows.prefix(maxResults)), nextPageToken: rows.count > maxResults ? Self.encodeOffset(offset + maxResults) : nil)
    }

    /// `ORDER BY` terms from MLflow's order_by strings (`name`, `attributes.name DESC`, …) for the searches
    /// over experiments, registered models and model versions; `columns` maps the names allowed to columns.
    static func orderTerms(_ orderBy: [String], _ columns: [String: String], default fallback: [String]) throws(StoreError) -> [String] {
        try TrackingLimits.checkOrderCount(orderBy)
        var order: [String] = []
        for o in orderBy {
            let parts = o.split(separator: " ").map(String.init)
            let field = parts.first.map { $0.hasPrefix("attributes.") ? String($0.dropFirst(11)) : $0 } ?? ""
            guard let column = columns[field], parts.count <= 2, parts.count == 1 || ["ASC", "DESC"].contains(parts[1].uppercased()) else {
                throw .invalid("Invalid order_by clause '\(o)': use \(columns.keys.sorted().joined(separator: ", ")), optionally ASC or DESC")
            }
            order.append(column + (parts.count == 2 ? " " + parts[1].uppercased() : " ASC"))
        }
        return order.isEmpty ? fallback : order
    }

    static func viewCondition(_ view: ViewType, column: String) -> String {
        switch view {
        case .activeOnly: return "\(column) = 'active'"
        case .deletedOnly: return "\(column) = 'deleted'"
        case .all: return "1 = 1"
        }
    }

    func updateExperiment(_ id: String, _ body: @escaping @Sendable (any SQLSession, Int64) throws(StoreError) -> Void) async throws(StoreError) {
        let eid = try Self.experimentId(id), t = now()
        try await db.write { s throws(StoreError) in
            guard try !s.query("SELECT 1 FROM experiments WHERE experiment_id = ?", .int(eid)).isEmpty else {
                throw .notFound("No Experiment with id=\(id) exists")
            }
            try body(s, eid)
            try s.execute("UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?", .int(t), .int(eid))
        }
    }

    public func renameExperiment(id: String, to name: String) async throws(StoreError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("The new experiment name must not be empty.") }
        try TrackingLimits.checkLength(name, "Experiment name", TrackingLimits.nameLength)
        try await updateExperiment(id) { s, eid throws(StoreError) in
            if let other = try s.query("SELECT experiment_id FROM experiments WHERE name = ?", .text(name)).first, other[0].int != eid {
                throw .exists("Experiment '\(name)' already exists.")
            }
            try s.execute("UPDATE experiments SET name = ? WHERE experiment_id = ?", .text(name), .int(eid))
        }
    }

    public func deleteExperiment(id: String) async throws(StoreError) {
        guard id != "0" else { throw .invalid("Cannot delete the default experiment '0'. This is an internally reserved experiment.") }
        let t = now()
        try await updateExperiment(id) { s, eid throws(StoreError) in
            try s.execute("UPDATE experiments SET lifecycle_stage = 'deleted' WHERE experiment_id = ?", .int(eid))
            try s.execute("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = 'active'", .int(t), .int(eid))
        }
    }

    public func restoreExperiment(id: String) async throws(StoreError) {
        try await updateExperiment(id) { s, eid throws(StoreError) in
            try s.execute("UPDATE experiments SET lifecycle_stage = 'active' WHERE experiment_id = ?", .int(eid))
            try s.execute("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ? AND lifecycle_stage = 'deleted'", .int(eid))
        }
    }

    public func purgeExperiment(id: String) async throws(StoreError) {
        let eid = try Self.experimentId(id)
        try await db.write { s throws(StoreError) in
            guard let row = try s.query("SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?", .int(eid)).first else {
                throw .notFound("No Experiment with id=\(id) exists")
            }
            guard row[0].text == "deleted" else { throw StoreError(.invalidState, "Experiment \(id) must be deleted before it is removed permanently.") }
            for table in ["run_tags", "params", "metrics", "metric_chunks", "latest_metrics", "run_dataset_inputs", "run_dataset_input_tags", "run_models"] {
                try s.execute("DELETE FROM \(table) WHERE run_uuid IN (SELECT run_uuid FROM runs WHERE experiment_id = ?)", .int(eid))
            }
            for table in ["logged_model_tags", "logged_model_params", "logged_model_metrics"] {
                try s.execute("DELETE FROM \(table) WHERE model_id IN (SELECT model_id FROM logged_models WHERE experiment_id = ?)", .int(eid))
            }
            try s.execute("DELETE FROM logged_models WHERE experiment_id = ?", .int(eid))
            try s.execute("DELETE FROM datasets WHERE experiment_id = ?", .int(eid))
            try s.execute("DELETE FROM runs WHERE experiment_id = ?", .int(eid))
            try s.execute("DELETE FROM experiment_tags WHERE experiment_id = ?", .int(eid))
            try s.execute("DELETE FROM experiments WHERE experiment_id = ?", .int(eid))
        }
    }

    static func checkExperimentTag(_ tag: Tag) throws(StoreError) {
        try checkKey(tag.key, "tag")
        try TrackingLimits.checkLength(tag.value, "Experiment tag value", TrackingLimits.experimentTagValueLength)
    }

    public func setExperimentTag(id: String, _ tag: Tag) async throws(StoreError) {
        try Self.checkExperimentTag(tag)
        try await updateExperiment(id) { s, eid throws(StoreError) in try Self.upsertExperimentTag(s, eid, tag) }
    }

    public func deleteExperimentTag(id: String, key: String) async throws(StoreError) {
        try await updateExperiment(id) { s, eid throws(StoreError) in
            try s.execute("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", .int(eid), .text(key))
        }
    }

    // MARK: runs

    static let runColumns = "run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage"

    static func info(_ r: SQLRow) -> RunInfo {
        RunInfo(runId: r[0].text!, experimentId: String(r[1].int!), runName: r[2].text!, userId: r[3].text!,
                status: RunStatus(rawValue: r[4].text!) ?? .running, startTime: r[5].int!, endTime: r[6].int,
                artifactUri: r[7].text!, lifecycleStage: LifecycleStage(rawValue: r[8].text!) ?? .active)
    }

    /// Whole runs (params, tags, latest metrics) for run rows, with three IN queries.
    static func assemble(_ s: any SQLSession, _ infos: [RunInfo]) throws(StoreError) -> [Run] {
        guard !infos.isEmpty else { return [] }
        var params: [String: [Param]] = [:], tags: [String: [Tag]] = [:], metrics: [String: [Metric]] = [:], io: [String: RunIO] = [:]
        for chunk in infos.chunked(by: 500) {
            let ids = chunk.map { SQLValue.text($0.runId) }
            let list = ids.map { _ in "?" }.joined(separator: ", ")
            // Ordered as the primary keys are (run, key): SQLite reads them in order, nothing to sort.
            for r in try s.query("SELECT run_uuid, key, value FROM params WHERE run_uuid IN (\(list)) ORDER BY run_uuid, key", ids) {
                params[r[0].text!, default: []].append(Param(r[1].text!, r[2].text!))
            }
            for r in try s.query("SELECT run_uuid, key, value FROM run_tags WHERE run_uuid IN (\(list)) ORDER BY run_uuid, key", ids) {
                tags[r[0].text!, default: []].append(Tag(r[1].text!, r[2].text!))
            }
            for r in try s.query("SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN (\(list)) ORDER BY run_uuid, key", ids) {
                metrics[r[0].text!, default: []].append(Metric(r[1].text!, r[5].int == 1 ? .nan : r[2].double!, timestamp: r[3].int!, step: r[4].int!))
            }
            try loadIO(s, ids, into: &io)
        }
        return infos.map {
            Run(info: $0, metrics: metrics[$0.runId] ?? [], params: params[$0.runId] ?? [], tags: tags[$0.runId] ?? [], io: io[$0.runId] ?? RunIO())
        }
    }

    static func runInfo(_ s: any SQLSession, _ id: String) throws(StoreError) -> RunInfo {
        guard let r = try s.query("SELECT \(runColumns) FROM runs WHERE run_uuid = ?", .text(id)).first else {
            throw .notFound("Run with id=\(id) not found")
        }
        return info(r)
    }

    /// A run that may still be written to (not deleted).
    static func activeRun(_ s: any SQLSession, _ id: String) throws(StoreError) -> RunInfo {
        let info = try runInfo(s, id)
        guard info.lifecycleStage == .active else {
            throw StoreError(.invalidState, "The run \(id) must be in the 'active' state. Current state is deleted.")
        }
        return info
    }

    public func createRun(experimentId: String, userId: String, startTime: Int64?, runName: String?, tags: [Tag]) async throws(StoreError) -> Run {
        let eid = try Self.experimentId(experimentId)
        for t in tags { try Self.checkKey(t.key, "tag") }
        try TrackingLimits.checkLength(userId, "user_id", TrackingLimits.userIdLength)
        let id = newRunId(), start = startTime ?? now()
        let name = runName ?? tags.first { $0.key == "mlflow.runName" }?.value ?? RunNames.make(from: id)
        try TrackingLimits.checkLength(name, "Run name", TrackingLimits.runNameLength)
        return try await db.write { s throws(StoreError) in
            guard let e = try s.query("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?", .int(eid)).first else {
                throw .notFound("No Experiment with id=\(experimentId) exists")
            }
            guard e[1].text == "active" else {
                throw StoreError(.invalidState, "The experiment \(experimentId) must be in the 'active' state. Current state is \(e[1].text!).")
            }
            let uri = Self.join(Self.join(e[0].text!, id), "artifacts")
            try s.execute("INSERT INTO runs VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, ?, 'active', NULL)",
                          .text(id), .int(eid), .text(name), .text(userId), .int(start), .text(uri))
            var all = tags.filter { $0.key != "mlflow.runName" } + [Tag("mlflow.runName", name)]
            if !userId.isEmpty && !tags.contains(where: { $0.key == "mlflow.user" }) { all.append(Tag("mlflow.user", userId)) }
            try Self.insertTags(s, id, all)
            return try Self.assemble(s, [Self.runInfo(s, id)])[0]
        }
    }

    public func run(id: String) async throws(StoreError) -> Run {
        try await db.read { s throws(StoreError) in try Self.assemble(s, [Self.runInfo(s, id)])[0] }
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws(StoreError) -> RunInfo {
        if let runName { try TrackingLimits.checkLength(runName, "Run name", TrackingLimits.runNameLength) }
        return try await db.write { s throws(StoreError) in
            _ = try Self.activeRun(s, id)
            if let status { try s.execute("UPDATE runs SET status = ? WHERE run_uuid = ?", .text(status.rawValue), .text(id)) }
            if let endTime { try s.execute("UPDATE runs SET end_time = ? WHERE run_uuid = ?", .int(endTime), .text(id)) }
            if let runName, !runName.isEmpty {
                try s.execute("UPDATE runs SET name = ? WHERE run_uuid = ?", .text(runName), .text(id))
                try Self.insertTags(s, id, [Tag("mlflow.runName", runName)])
            }
            return try Self.runInfo(s, id)
        }
    }

    public func deleteRun(id: String) async throws(StoreError) {
        let t = now()
        try await db.write { s throws(StoreError) in
            _ = try Self.runInfo(s, id)
            try s.execute("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?", .int(t), .text(id))
        }
    }

    public func experimentActivity() async throws(StoreError) -> [String: ExperimentActivity] {
        try await db.read { s throws(StoreError) in
            var out: [String: ExperimentActivity] = [:]
            for r in try s.query("""
                SELECT experiment_id, COUNT(*), MAX(CASE WHEN end_time IS NOT NULL AND end_time > start_time THEN end_time ELSE start_time END)
                FROM runs WHERE lifecycle_stage = 'active' GROUP BY experiment_id
                """, []) {
                guard let id = r[0].int else { continue }
                out[String(id)] = ExperimentActivity(runs: Int(r[1].int ?? 0), lastRunTime: r[2].int ?? 0)
            }
            return out
        }
    }

    public func restoreRun(id: String) async throws(StoreError) {
        try await db.write { s throws(StoreError) in
            _ = try Self.runInfo(s, id)
            try s.execute("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?", .text(id))
        }
    }

    /// Inserts rows with multi-row INSERT statements of at most `chunk` rows each (bounded bind counts).
    static func insertRows(_ s: any SQLSession, into table: String, _ rows: [[SQLValue]], chunk: Int = 200, suffix: String = "") throws(StoreError) {
        guard let width = rows.first?.count else { return }
        let tuple = "(" + [String](repeating: "?", count: width).joined(separator: ", ") + ")"
        for part in rows.chunked(by: chunk) {
            try s.execute("INSERT INTO \(table) VALUES " + [String](repeating: tuple, count: part.count).joined(separator: ", ") + suffix,
                          part.flatMap { $0 })
        }
    }

    static func insertTags(_ s: any SQLSession, _ id: String, _ tags: [Tag]) throws(StoreError) {
        try upsertPairs(s, "run_tags", owner: "run_uuid", id, tags.map { ($0.key, $0.value) })
    }

    /// Sets key/value pairs of one owner (a run's tags, a model's tags or params) in a
    /// `(owner, key, value)` table; later values of the same key win, as MLflow's log_batch.
    static func upsertPairs(_ s: any SQLSession, _ table: String, owner column: String, _ owner: String, _ pairs: [(String, String)]) throws(StoreError) {
        var latest: [String: String] = [:], order: [String] = []
        for (k, v) in pairs { if latest[k] == nil { order.append(k) }; latest[k] = v }
        try insertRows(s, into: table, order.map { [.text(owner), .text($0), .text(latest[$0]!)] },
                       suffix: " ON CONFLICT (\(column), key) DO UPDATE SET value = excluded.value")
    }

    public func logBatch(runId: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws(StoreError) {
        typealias L = TrackingLimits
        guard metrics.count <= L.batchMetrics, params.count <= L.batchParams, tags.count <= L.batchTags,
              metrics.count + params.count + tags.count <= L.batchTotal else {
            throw .invalid("A batch logging request can contain at most \(L.batchMetrics) metrics, \(L.batchParams) params, and \(L.batchTags) tags, and at most \(L.batchTotal) items in total; got \(metrics.count) metrics, \(params.count) params and \(tags.count) tags.")
        }
        // A batch repeats few keys (10 keys × 100 steps): check each distinct one once.
        var checked: Set<String> = []
        for m in metrics where checked.insert(m.key).inserted { try Self.checkKey(m.key, "metric") }
        for p in params {
            try Self.checkKey(p.key, "param")
            guard p.value.count <= L.paramValueLength else {
                throw .invalid("Param value '\(p.value.prefix(40))…' had length \(p.value.count), which exceeded length limit of \(L.paramValueLength)")
            }
        }
        for t in tags {
            try Self.checkKey(t.key, "tag")
            guard t.value.count <= L.tagValueLength else {
                throw .invalid("Tag value '\(t.value.prefix(40))…' had length \(t.value.count), which exceeded length limit of \(L.tagValueLength)")
            }
        }
        var seen: [String: String] = [:]
        for p in params {
            if let v = seen[p.key], v != p.value { throw .invalid("Duplicate parameter keys with different values in one batch: '\(p.key)'") }
            seen[p.key] = p.value
        }
        let paramValues = seen
        try await auditedWrite { s throws(StoreError) in
            let seen = paramValues
            _ = try Self.activeRun(s, runId)
            if !params.isEmpty {
                let keys = Array(seen.keys)
                let existing = try s.query("SELECT key, value FROM params WHERE run_uuid = ? AND key IN (" + keys.map { _ in "?" }.joined(separator: ", ") + ")",
                                           [.text(runId)] + keys.map { .text($0) })
                var known: Set<String> = []
                for r in existing {
                    let k = r[0].text!
                    if r[1].text != seen[k] {
                        throw .invalid("Changing param values is not allowed. Param with key='\(k)' was already logged with value='\(r[1].text!)' for run ID='\(runId)'. Attempted logging new value '\(seen[k]!)'.")
                    }
                    known.insert(k)
                }
                let fresh = keys.filter { !known.contains($0) }.sorted()
                try Self.insertRows(s, into: "params", fresh.map { [.text(runId), .text($0), .text(seen[$0]!)] })
            }
            if !tags.isEmpty { try Self.insertTags(s, runId, tags) }
            if !metrics.isEmpty { try Self.insertMetrics(s, runId, metrics) }
        }
    }

    static func insertMetrics(_ s: any SQLSession, _ id: String, _ metrics: [Metric]) throws(StoreError) {
        // MLflow 3 metrics of a logged model are also kept with the model. They join the run's history
        // too, where the client's re-sent copies of earlier points are kept once on reading.
        let forModels = metrics.filter { $0.modelId?.isEmpty == false }
        try insertRows(s, into: "logged_model_metrics", forModels.map { m in
            [.text(m.modelId!), .text(m.key), .int(m.step), .int(m.timestamp), .double(m.value.isNaN ? 0 : m.value), .int(m.value.isNaN ? 1 : 0),
             .text(id), .text(m.datasetName ?? ""), .text(m.datasetDigest ?? "")]
        }, chunk: 100, suffix: " ON CONFLICT DO NOTHING")
        try appendChunks(s, id, metrics)
        // The latest value per key: largest step, then latest timestamp, then largest value.
        var latest: [String: Metric] = [:]
        for m in metrics {
            if let cur = latest[m.key], (cur.step, cur.timestamp, cur.value.isNaN ? -Double.infinity : cur.value) >= (m.step, m.timestamp, m.value.isNaN ? -Double.infinity : m.value) { continue }
            latest[m.key] = m
        }
        // One multi-row upsert for all keys (each key once, as PostgreSQL's ON CONFLICT requires).
        let rows: [[SQLValue]] = latest.values.sorted(by: { $0.key < $1.key }).map { m in
            [.text(id), .text(m.key), .int(m.step), .int(m.timestamp), .double(m.value.isNaN ? 0 : m.value), .int(m.value.isNaN ? 1 : 0)]
        }
        try insertRows(s, into: "latest_metrics", rows, chunk: 100, suffix: """
             ON CONFLICT (run_uuid, key) DO UPDATE SET
              step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
            WHERE excluded.step > latest_metrics.step
               OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
               OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)
            """)
    }

    public func deleteTag(runId: String, key: String) async throws(StoreError) {
        try await db.write { s throws(StoreError) in
            _ = try Self.activeRun(s, runId)
            guard try !s.query("SELECT 1 FROM run_tags WHERE run_uuid = ? AND key = ?", .text(runId), .text(key)).isEmpty else {
                throw .notFound("No tag with name: \(key) in run with id \(runId)")
            }
            try s.execute("DELETE FROM run_tags WHERE run_uuid = ? AND key = ?", .text(runId), .text(key))
        }
    }

    public func metricHistory(runId: String, key: String, maxResults: Int?, pageToken: String?) async throws(StoreError) -> Page<Metric> {
        let offset = try pageToken.map(Self.decodeOffset) ?? 0
        let all = try await db.read { s throws(StoreError) in
            _ = try Self.runInfo(s, runId)
            return try Self.history(s, runId, key)
        }
        let end = maxResults.map { min(all.count, offset + $0) } ?? all.count
        let items = offset < end ? Array(all[offset..<end]) : []
        return Page(items: items, nextPageToken: end < all.count ? Self.encodeOffset(end) : nil)
    }

    // MARK: page tokens

    static func encodeOffset(_ offset: Int) -> String { Data("{\"offset\":\(offset)}".utf8).base64EncodedString() }
    static func decodeOffset(_ token: String) throws(StoreError) -> Int {
        guard let data = Data(base64Encoded: token), let obj = JSON.object(data),
              let offset = (obj["offset"] as? Int64).map({ Int($0) }), offset >= 0 else { throw .invalid("Invalid page token '\(token.prefix(40))'") }
        return offset
    }
}

extension SQLValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let i = try? c.decode(Int64.self) { self = .int(i) } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else { self = .text(try c.decode(String.self)) }
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .text(let v): try c.encode(v)
        case .blob(let v): try c.encode(Data(v).base64EncodedString())
        }
    }
}

/// MLflow-style generated run names: adjective-noun-number, derived from the run id.
enum RunNames {
    static let adjectives = ["bold", "brave", "calm", "clever", "crisp", "eager", "gentle", "keen", "lucky", "merry", "quick", "quiet",
                             "sharp", "silent", "sunny", "swift", "tidy", "vivid", "wise", "zesty"]
    static let nouns = ["badger", "bear", "crane", "deer", "eagle", "falcon", "fox", "hare", "heron", "lark", "lynx", "moth", "otter",
                        "owl", "panda", "seal", "shrike", "swan", "trout", "wolf"]
    static func make(from id: String) -> String {
        var h: UInt64 = 1469598103934665603
        for b in id.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return "\(adjectives[Int(h % 20)])-\(nouns[Int((h / 20) % 20)])-\(Int((h / 400) % 1000))"
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
