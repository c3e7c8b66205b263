public import PulkStore
import Foundation
import PulkJSON

/// The model registry over the tracking store's database: one transaction per call, versions
/// numbered from a per-model counter that never goes down, and every alias move appended to
/// `alias_history`.
extension SQLTrackingStore: ModelRegistryStore {
    // MARK: validation

    static func checkModelName(_ name: String) throws(StoreError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("Registered model name cannot be empty.") }
        guard name.count <= RegistryLimits.nameLength else {
            throw .invalid("Registered model name '\(name.prefix(40))…' is \(name.count) characters; the limit is \(RegistryLimits.nameLength)")
        }
        guard !name.contains("/"), !name.contains("\0") else { throw .invalid("Invalid registered model name '\(name)': '/' and NUL are not allowed") }
    }

    static func checkAlias(_ alias: String) throws(StoreError) {
        guard !alias.isEmpty, alias.count <= RegistryLimits.aliasLength,
              alias.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw .invalid("Invalid alias '\(alias)': an alias has 1 to \(RegistryLimits.aliasLength) letters, digits, '_' or '-'")
        }
        let lower = alias.lowercased()
        if lower == "latest" { throw .invalid("'latest' is a reserved alias name; pick another") }
        if lower.hasPrefix("v"), lower.count > 1, lower.dropFirst().allSatisfy(\.isNumber) {
            throw .invalid("Alias '\(alias)' looks like a version ('v' followed by digits), which 'models:/name@alias' would confuse; pick another")
        }
    }

    static func versionNumber(_ text: String) throws(StoreError) -> Int64 {
        guard let v = Int64(text), v >= 1 else { throw .invalid("Model version '\(text)' is not a valid version (a positive integer)") }
        return v
    }

    /// Where a version's files are, or a refusal: a version may only point inside the store.
    static func storageLocation(_ s: any SQLSession, source: String, artifactRoot: String) throws(StoreError) -> String {
        func outside() -> StoreError {
            .invalid("Model version source '\(source.prefix(200))' is outside the store: register models:/MODEL_ID, runs:/RUN_ID/PATH or an \(artifactRoot) location")
        }
        func checkPath(_ path: Substring) throws(StoreError) {
            guard !path.contains("\\"), !path.contains("%"), !path.contains("\0"), !path.hasPrefix("/"),
                  !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else { throw outside() }
        }
        if source.hasPrefix("models:/m-") {
            let id = String(source.dropFirst("models:/".count))
            return try loggedModelRow(s, id)[3].text!
        }
        // Another registered version (`copy_model_version`): its files.
        if source.hasPrefix("models:/") {
            let parts = source.dropFirst("models:/".count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let v = Int64(parts[1]), v > 0 else { throw outside() }
            guard let row = try s.query("SELECT storage_location FROM model_versions WHERE name = ? AND version = ?", .text(String(parts[0])), .int(v)).first else {
                throw StoreError(.resourceDoesNotExist, "Model version source '\(source.prefix(200))' names no registered version")
            }
            return row[0].text ?? ""
        }
        if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count)
            let runId = String(rest.prefix { $0 != "/" })
            let path = rest.dropFirst(runId.count).drop { $0 == "/" }
            try checkPath(path)
            guard !runId.isEmpty else { throw outside() }
            // A run this store does not have (MLflow's tests register `runs:/run_id/model`): kept as
            // the URI, as MLflow keeps every runs:/ source, so nothing points at a server path.
            guard let info = try? runInfo(s, runId) else { return source }
            return path.isEmpty ? info.artifactUri : join(info.artifactUri, String(path))
        }
        guard artifactRoot.hasSuffix(":/") || artifactRoot.hasSuffix(":"), source.hasPrefix(artifactRoot) else { throw outside() }
        let path = source.dropFirst(artifactRoot.count)
        guard !path.isEmpty else { throw outside() }
        try checkPath(path)
        return source
    }

    // MARK: loading

    static let versionColumns = """
        name, version, creation_time, last_updated_time, description, user_id, current_stage, source, storage_location, run_id, run_link, model_id, status
        """

    static func loadVersions(_ s: any SQLSession, where condition: String, _ binds: [SQLValue]) throws(StoreError) -> [ModelVersion] {
        let rows = try s.query("SELECT \(versionColumns) FROM model_versions WHERE \(condition)", binds)
        guard !rows.isEmpty else { return [] }
        let names = Array(Set(rows.map { $0[0] })).sorted { $0.text! < $1.text! }
        let list = names.map { _ in "?" }.joined(separator: ", ")
        var tags: [String: [Tag]] = [:], aliases: [String: [String]] = [:]
        for r in try s.query("SELECT name, version, key, value FROM model_version_tags WHERE name IN (\(list)) ORDER BY key", names) {
            tags["\(r[0].text!)\u{0}\(r[1].int!)", default: []].append(Tag(r[2].text!, r[3].text!))
        }
        for r in try s.query("SELECT name, version, alias FROM registered_model_aliases WHERE name IN (\(list)) ORDER BY alias", names) {
            aliases["\(r[0].text!)\u{0}\(r[1].int!)", default: []].append(r[2].text!)
        }
        return rows.map { r in
            let key = "\(r[0].text!)\u{0}\(r[1].int!)"
            return ModelVersion(name: r[0].text!, version: r[1].int!, creationTime: r[2].int!, lastUpdatedTime: r[3].int!, description: r[4].text!,
                                userId: r[5].text!, currentStage: ModelVersionStage(rawValue: r[6].text!) ?? .none, source: r[7].text!,
                                storageLocation: r[8].text!, runId: r[9].text!, runLink: r[10].text!, modelId: r[11].text!, status: r[12].text!,
                                tags: tags[key] ?? [], aliases: aliases[key] ?? [])
        }
    }

    static func loadModels(_ s: any SQLSession, _ rows: [SQLRow]) throws(StoreError) -> [RegisteredModel] {
        guard !rows.isEmpty else { return [] }
        let names = rows.map { $0[0] }
        let list = names.map { _ in "?" }.joined(separator: ", ")
        var tags: [String: [Tag]] = [:], aliases: [String: [String: Int64]] = [:], latest: [String: [ModelVersion]] = [:]
        for r in try s.query("SELECT name, key, value FROM registered_model_tags WHERE name IN (\(list)) ORDER BY key", names) {
            tags[r[0].text!, default: []].append(Tag(r[1].text!, r[2].text!))
        }
        for r in try s.query("SELECT name, alias, version FROM registered_model_aliases WHERE name IN (\(list))", names) {
            aliases[r[0].text!, default: [:]][r[1].text!] = r[2].int!
        }
        // The newest version in each stage.
        let newest = """
            (name, version) IN (SELECT name, MAX(version) FROM model_versions WHERE name IN (\(list)) GROUP BY name, current_stage) ORDER BY version
            """
        for v in try loadVersions(s, where: newest, names) { latest[v.name, default: []].append(v) }
        return rows.map { r in
            let name = r[0].text!
            return RegisteredModel(name: name, creationTime: r[1].int!, lastUpdatedTime: r[2].int!, description: r[3].text!, userId: r[4].text!,
                                   tags: tags[name] ?? [], aliases: aliases[name] ?? [:], latestVersions: latest[name] ?? [])
        }
    }

    static func modelRow(_ s: any SQLSession, _ name: String) throws(StoreError) -> SQLRow {
        guard let r = try s.query("SELECT name, creation_time, last_updated_time, description, user_id, next_version FROM registered_models WHERE name = ?",
                                  .text(name)).first else {
            throw .notFound("Registered Model with name=\(name) not found")
        }
        return r
    }

    static func version(_ s: any SQLSession, _ name: String, _ version: Int64) throws(StoreError) -> ModelVersion {
        guard let v = try loadVersions(s, where: "name = ? AND version = ?", [.text(name), .int(version)]).first else {
            _ = try modelRow(s, name)
            throw .notFound("Model Version (name=\(name), version=\(version)) not found")
        }
        return v
    }

    // MARK: registered models

    public func createRegisteredModel(name: String, description: String, tags: [Tag], user: String) async throws(StoreError) -> RegisteredModel {
        try Self.checkModelName(name)
        for t in tags { try Self.checkRegistryTag(t) }
        try TrackingLimits.checkLength(description, "Description", TrackingLimits.descriptionLength)
        let t = now()
        return try await db.write { s throws(StoreError) in
            if try !s.query("SELECT 1 FROM registered_models WHERE name = ?", .text(name)).isEmpty {
                throw .exists("Registered Model (name=\(name)) already exists.")
            }
            try s.execute("INSERT INTO registered_models VALUES (?, ?, ?, ?, ?, 1)", .text(name), .int(t), .int(t), .text(description), .text(user))
            try Self.upsertPairs(s, "registered_model_tags", owner: "name", name, tags.map { ($0.key, $0.value) })
            return try Self.loadModels(s, [Self.modelRow(s, name)])[0]
        }
    }

    public func registeredModel(name: String) async throws(StoreError) -> RegisteredModel {
        try await db.read { s throws(StoreError) in try Self.loadModels(s, [Self.modelRow(s, name)])[0] }
    }

    /// Runs `body` on an existing model in one transaction, then stamps it updated.
    func updateModel<T: Sendable>(_ name: String, _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T) async throws(StoreError) -> T {
        let t = now()
        return try await db.write { s throws(StoreError) in
            _ = try Self.modelRow(s, name)
            let value = try body(s)
            try s.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", .int(t), .text(name))
            return value
        }
    }

    public func renameRegisteredModel(name: String, to newName: String) async throws(StoreError) -> RegisteredModel {
        try Self.checkModelName(newName)
        let t = now()
        return try await db.write { s throws(StoreError) in
            _ = try Self.modelRow(s, name)
            if try !s.query("SELECT 1 FROM registered_models WHERE name = ?", .text(newName)).isEmpty {
                throw .exists("Registered Model (name=\(newName)) already exists.")
            }
            // The history is carried to the new name: its moves are unchanged.
            for table in ["registered_models", "registered_model_tags", "model_versions", "model_version_tags", "registered_model_aliases", "alias_history"] {
                try s.execute("UPDATE \(table) SET name = ? WHERE name = ?", .text(newName), .text(name))
            }
            try s.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", .int(t), .text(newName))
            return try Self.loadModels(s, [Self.modelRow(s, newName)])[0]
        }
    }

    static func checkRegistryTag(_ tag: Tag) throws(StoreError) {
        try checkKey(tag.key, "tag")
        try TrackingLimits.checkLength(tag.value, "Tag value", TrackingLimits.registryTagValueLength)
    }

    public func updateRegisteredModel(name: String, description: String) async throws(StoreError) -> RegisteredModel {
        try TrackingLimits.checkLength(description, "Description", TrackingLimits.descriptionLength)
        try await updateModel(name) { s throws(StoreError) in
            try s.execute("UPDATE registered_models SET description = ? WHERE name = ?", .text(description), .text(name))
        }
        return try await registeredModel(name: name)
    }

    public func deleteRegisteredModel(name: String) async throws(StoreError) {
        let t = now()
        try await db.write { s throws(StoreError) in
            _ = try Self.modelRow(s, name)
            for r in try s.query("SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias", .text(name)) {
                try Self.recordMove(s, name, r[0].text!, from: r[1].int, to: nil, user: "", time: t)
            }
            for table in ["registered_model_aliases", "model_version_tags", "model_versions", "registered_model_tags", "registered_models"] {
                try s.execute("DELETE FROM \(table) WHERE name = ?", .text(name))
            }
        }
    }

    public func searchRegisteredModels(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<RegisteredModel> {
        guard maxResults >= 1 && maxResults <= RegistryLimits.maxSearchResults else {
            throw .invalid("Invalid value for max_results: it must be in 1…\(RegistryLimits.maxSearchResults), got \(maxResults)")
        }
        var binds: [SQLValue] = []
        var condition = "1 = 1"
        let grammar = AttributeFilter.Grammar.registeredModels
        if let filter, let f = try AttributeFilter.parse(filter, grammar) { condition = f.sql(db.dialect, grammar, binds: &binds) }
        let order = try Self.orderTerms(orderBy, ["name": "name", "timestamp": "last_updated_time", "last_updated_timestamp": "last_updated_time",
                                                     "creation_timestamp": "creation_time"], default: ["name ASC"])
        let offset = try pageToken.map(Self.decodeOffset) ?? 0
        let sql = "SELECT name, creation_time, last_updated_time, description, user_id, next_version FROM registered_models WHERE \(condition) ORDER BY "
            + (order + ["name ASC"]).joined(separator: ", ") + " LIMIT \(maxResults + 1) OFFSET \(offset)"
        let arguments = binds
        let models = try await db.read { s throws(StoreError) in try Self.loadModels(s, try s.query(sql, arguments)) }
        return Page(items: Array(models.prefix(maxResults)), nextPageToken: models.count > maxResults ? Self.encodeOffset(offset + maxResults) : nil)
    }

    public func setRegisteredModelTag(name: String, _ tag: Tag) async throws(StoreError) {
        try Self.checkRegistryTag(tag)
        try await updateModel(name) { s throws(StoreError) in try Self.upsertPairs(s, "registered_model_tags", owner: "name", name, [(tag.key, tag.value)]) }
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws(StoreError) {
        try await updateModel(name) { s throws(StoreError) in
            try s.execute("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", .text(name), .text(key))
        }
    }

    // MARK: versions

    /// As MLflow's server does: the logged model's `mlflow.modelVersions` tag lists the versions
    /// registered from it (a JSON array of `{"name", "version"}`), each once.
    static func noteVersion(_ s: any SQLSession, loggedModel id: String, name: String, version: Int64) throws(StoreError) {
        let existing = try s.query("SELECT value FROM logged_model_tags WHERE model_id = ? AND key = 'mlflow.modelVersions'", .text(id)).first?[0].text
        var list = existing.flatMap { (try? JSON.parse(Array($0.utf8))) as? [Any] } ?? []
        let entry: [String: Any] = ["name": name, "version": version]
        let seen = list.contains { item in
            guard let o = item as? [String: Any], o["name"] as? String == name else { return false }
            return "\(o["version"] ?? "")" == String(version)
        }
        if !seen { list.append(entry) }
        // Written as Python's json.dumps writes it (MLflow's server and client both do): `, ` and `: `.
        func text(_ v: Any?) -> String {
            switch v {
            case let s as String: return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case let i as Int64: return String(i)
            case let d as Double: return "\(d)"
            default: return "null"
            }
        }
        let value = "[" + list.compactMap { $0 as? [String: Any] }.map { "{\"name\": \(text($0["name"])), \"version\": \(text($0["version"]))}" }
            .joined(separator: ", ") + "]"
        try upsertPairs(s, "logged_model_tags", owner: "model_id", id, [("mlflow.modelVersions", value)])
    }

    public func createModelVersion(name: String, source: String, runId: String?, modelId: String?, description: String, tags: [Tag],
                                   runLink: String, user: String) async throws(StoreError) -> ModelVersion {
        for t in tags { try Self.checkRegistryTag(t) }
        try TrackingLimits.checkLength(description, "Description", TrackingLimits.descriptionLength)
        guard !source.isEmpty else { throw .invalid("Missing value for required parameter 'source': the model's location") }
        let t = now(), root = artifactRoot
        return try await db.write { s throws(StoreError) in
            let model = try Self.modelRow(s, name)
            let location = try Self.storageLocation(s, source: source, artifactRoot: root)
            // As MLflow 3.17: a runs:/ source's run_id is not looked up (it may name a run of another store).
            if let runId, !source.hasPrefix("runs:/") { _ = try Self.runInfo(s, runId) }
            // A logged model's id comes with its source when the client does not name it.
            let mid = modelId ?? (source.hasPrefix("models:/m-") ? String(source.dropFirst("models:/".count)) : "")
            if !mid.isEmpty { _ = try Self.loggedModelRow(s, mid) }
            let version = model[5].int!
            try s.execute("UPDATE registered_models SET next_version = ?, last_updated_time = ? WHERE name = ?", .int(version + 1), .int(t), .text(name))
            try s.execute("INSERT INTO model_versions VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, ?, 'READY')", .text(name), .int(version), .int(t), .int(t),
                          .text(description), .text(user), .text(source), .text(location), .text(runId ?? ""), .text(runLink), .text(mid))
            try Self.insertRows(s, into: "model_version_tags", Dictionary(tags.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
                .sorted { $0.key < $1.key }.map { [.text(name), .int(version), .text($0.key), .text($0.value)] })
            if !mid.isEmpty { try Self.noteVersion(s, loggedModel: mid, name: name, version: version) }
            return try Self.version(s, name, version)
        }
    }

    public func modelVersion(name: String, version: String) async throws(StoreError) -> ModelVersion {
        let v = try Self.versionNumber(version)
        return try await db.read { s throws(StoreError) in try Self.version(s, name, v) }
    }

    /// Runs `body` on an existing version in one transaction, stamps it updated and returns it.
    func updateVersion(_ name: String, _ version: String, _ body: @escaping @Sendable (any SQLSession, Int64) throws(StoreError) -> Void) async throws(StoreError) -> ModelVersion {
        let v = try Self.versionNumber(version), t = now()
        return try await db.write { s throws(StoreError) in
            _ = try Self.version(s, name, v)
            try body(s, v)
            try s.execute("UPDATE model_versions SET last_updated_time = ? WHERE name = ? AND version = ?", .int(t), .text(name), .int(v))
            try s.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", .int(t), .text(name))
            return try Self.version(s, name, v)
        }
    }

    public func updateModelVersion(name: String, version: String, description: String) async throws(StoreError) -> ModelVersion {
        try TrackingLimits.checkLength(description, "Description", TrackingLimits.descriptionLength)
        return try await updateVersion(name, version) { s, v throws(StoreError) in
            try s.execute("UPDATE model_versions SET description = ? WHERE name = ? AND version = ?", .text(description), .text(name), .int(v))
        }
    }

    public func deleteModelVersion(name: String, version: String) async throws(StoreError) {
        let v = try Self.versionNumber(version), t = now()
        try await db.write { s throws(StoreError) in
            _ = try Self.version(s, name, v)
            for r in try s.query("SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias", .text(name), .int(v)) {
                try Self.recordMove(s, name, r[0].text!, from: v, to: nil, user: "", time: t)
            }
            for table in ["registered_model_aliases", "model_version_tags", "model_versions"] {
                try s.execute("DELETE FROM \(table) WHERE name = ? AND version = ?", .text(name), .int(v))
            }
            try s.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", .int(t), .text(name))
        }
    }

    public func searchModelVersions(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws(StoreError) -> Page<ModelVersion> {
        guard maxResults >= 1 && maxResults <= 200_000 else { throw .invalid("Invalid value for max_results: it must be in 1…200000, got \(maxResults)") }
        var binds: [SQLValue] = []
        var condition = "1 = 1"
        let grammar = AttributeFilter.Grammar.modelVersions
        if let filter, let f = try AttributeFilter.parse(filter, grammar) { condition = f.sql(db.dialect, grammar, binds: &binds) }
        let order = try Self.orderTerms(orderBy, ["name": "name", "version_number": "version", "creation_timestamp": "creation_time",
                                                     "last_updated_timestamp": "last_updated_time", "timestamp": "last_updated_time"],
                                           default: ["last_updated_time DESC", "name ASC", "version DESC"])  // MLflow 3's default
        let offset = try pageToken.map(Self.decodeOffset) ?? 0
        let sql = condition + " ORDER BY " + (order + ["name ASC", "version DESC"]).joined(separator: ", ") + " LIMIT \(maxResults + 1) OFFSET \(offset)"
        let arguments = binds
        let versions = try await db.read { s throws(StoreError) in try Self.loadVersions(s, where: sql, arguments) }
        return Page(items: Array(versions.prefix(maxResults)), nextPageToken: versions.count > maxResults ? Self.encodeOffset(offset + maxResults) : nil)
    }

    public func modelVersions(name: String) async throws(StoreError) -> [ModelVersion] {
        try await db.read { s throws(StoreError) in
            _ = try Self.modelRow(s, name)
            return try Self.loadVersions(s, where: "name = ? ORDER BY version", [.text(name)])
        }
    }

    public func latestVersions(name: String, stages: [String]) async throws(StoreError) -> [ModelVersion] {
        let wanted = try stages.map { (st) throws(StoreError) -> ModelVersionStage in
            guard let v = ModelVersionStage(caseInsensitive: st) else { throw .invalid("Invalid Model Version stage: \(st). Use None, Staging, Production or Archived.") }
            return v
        }
        let model = try await registeredModel(name: name)
        return model.latestVersions.filter { wanted.isEmpty || wanted.contains($0.currentStage) }
    }

    public func transitionStage(name: String, version: String, stage: String, archiveExisting: Bool) async throws(StoreError) -> ModelVersion {
        guard let target = ModelVersionStage(caseInsensitive: stage) else {
            throw .invalid("Invalid Model Version stage: \(stage). Use None, Staging, Production or Archived.")
        }
        let t = now()
        return try await updateVersion(name, version) { s, v throws(StoreError) in
            if archiveExisting && (target == .staging || target == .production) {
                try s.execute("UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE name = ? AND current_stage = ? AND version != ?",
                              .int(t), .text(name), .text(target.rawValue), .int(v))
            }
            try s.execute("UPDATE model_versions SET current_stage = ? WHERE name = ? AND version = ?", .text(target.rawValue), .text(name), .int(v))
        }
    }

    public func setModelVersionTag(name: String, version: String, _ tag: Tag) async throws(StoreError) {
        try Self.checkRegistryTag(tag)
        _ = try await updateVersion(name, version) { s, v throws(StoreError) in
            try s.execute("INSERT INTO model_version_tags VALUES (?, ?, ?, ?) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
                          .text(name), .int(v), .text(tag.key), .text(tag.value))
        }
    }

    public func deleteModelVersionTag(name: String, version: String, key: String) async throws(StoreError) {
        _ = try await updateVersion(name, version) { s, v throws(StoreError) in
            try s.execute("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?", .text(name), .int(v), .text(key))
        }
    }

    public func downloadURI(name: String, version: String) async throws(StoreError) -> String {
        try await modelVersion(name: name, version: version).storageLocation
    }

    // MARK: aliases

    static func recordMove(_ s: any SQLSession, _ name: String, _ alias: String, from: Int64?, to: Int64?, user: String, time: Int64) throws(StoreError) {
        guard let seq = try s.query("UPDATE counters SET value = value + 1 WHERE name = 'alias_move' RETURNING value").first?[0].int else {
            throw StoreError(.internalError, "the alias history counter is missing")
        }
        try s.execute("INSERT INTO alias_history VALUES (?, ?, ?, ?, ?, ?, ?)", .int(seq), .text(name), .text(alias),
                      from.map(SQLValue.int) ?? .null, to.map(SQLValue.int) ?? .null, .text(user), .int(time))
    }

    public func setAlias(name: String, alias: String, version: String, user: String) async throws(StoreError) {
        try Self.checkAlias(alias)
        let v = try Self.versionNumber(version), t = now()
        try await updateModel(name) { s throws(StoreError) in
            _ = try Self.version(s, name, v)
            let previous = try s.query("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", .text(name), .text(alias)).first?[0].int
            guard previous != v else { return }
            try s.execute("INSERT INTO registered_model_aliases VALUES (?, ?, ?) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
                          .text(name), .text(alias), .int(v))
            try Self.recordMove(s, name, alias, from: previous, to: v, user: user, time: t)
        }
    }

    public func deleteAlias(name: String, alias: String, user: String) async throws(StoreError) {
        let t = now()
        try await updateModel(name) { s throws(StoreError) in
            guard let previous = try s.query("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", .text(name), .text(alias)).first?[0].int else {
                throw .notFound("Registered model alias \(alias) not found for model \(name)")
            }
            try s.execute("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", .text(name), .text(alias))
            try Self.recordMove(s, name, alias, from: previous, to: nil, user: user, time: t)
        }
    }

    public func modelVersion(name: String, alias: String) async throws(StoreError) -> ModelVersion {
        try await db.read { s throws(StoreError) in
            _ = try Self.modelRow(s, name)
            guard let v = try s.query("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", .text(name), .text(alias)).first?[0].int else {
                throw .notFound("Registered model alias \(alias) not found for model \(name)")
            }
            return try Self.version(s, name, v)
        }
    }

    public func aliasHistory(name: String, alias: String?) async throws(StoreError) -> [AliasMove] {
        try await db.read { s throws(StoreError) in
            var sql = "SELECT sequence, name, alias, from_version, to_version, user_id, time FROM alias_history WHERE name = ?"
            var binds: [SQLValue] = [.text(name)]
            if let alias { sql += " AND alias = ?"; binds.append(.text(alias)) }
            return try s.query(sql + " ORDER BY sequence", binds).map { r in
                AliasMove(sequence: r[0].int!, name: r[1].text!, alias: r[2].text!, fromVersion: r[3].int, toVersion: r[4].int, user: r[5].text!, time: r[6].int!)
            }
        }
    }
}
