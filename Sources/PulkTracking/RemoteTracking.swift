public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import PulkStore
public import PulkWorkspace
import PulkJSON

/// A tracking server over the MLflow REST protocol: `pulk server`, or MLflow's own server run with
/// the artifact proxy (`mlflow server`, whose runs get `mlflow-artifacts:` URIs). Alias history and
/// lineage come from Pulk's native API and are empty against MLflow.
public struct RemoteTracking: TrackingClient {
    public let base: URL
    let session: URLSession
    public var location: String { base.absoluteString }

    /// Sent with every request: HTTP Basic from `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`,
    /// or a bearer `MLFLOW_TRACKING_TOKEN`, as MLflow's client does (the server records the user with alias moves).
    let authorization: String?
    /// The OS user (or `MLFLOW_TRACKING_USERNAME`), sent as `X-Pulk-User`.
    let user: String

    public init(base: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.base = base
        authorization = Self.authorization(environment, server: base)
        user = RunRecorder.user(environment)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 60
        session = URLSession(configuration: config)
    }

    /// The `Authorization` header MLflow's client sends: HTTP Basic from `MLFLOW_TRACKING_USERNAME` and
    /// `MLFLOW_TRACKING_PASSWORD`, else a bearer `MLFLOW_TRACKING_TOKEN` (or `PULK_TOKEN`), else the
    /// token `pulk login` saved for `server`; nil for none.
    public static func authorization(_ environment: [String: String], server: URL? = nil) -> String? {
        if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty {
            return "Basic " + Data("\(user):\(environment["MLFLOW_TRACKING_PASSWORD"] ?? "")".utf8).base64EncodedString()
        }
        if let token = environment["MLFLOW_TRACKING_TOKEN"] ?? environment["PULK_TOKEN"], !token.isEmpty { return "Bearer " + token }
        if let server, let saved = SavedLogins(environment: environment).login(for: server) { return "Bearer " + saved.token }
        return nil
    }

    // MARK: HTTP

    func url(_ path: String, query: [(String, String)] = []) -> URL {
        var c = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        c.path = (c.path.hasSuffix("/") ? String(c.path.dropLast()) : c.path) + path
        if !query.isEmpty {
            c.percentEncodedQuery = query.map { k, v in
                "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? v)"
            }.joined(separator: "&")
        }
        return c.url!
    }

    static let queryValue: CharacterSet = {
        var s = CharacterSet.alphanumerics
        s.insert(charactersIn: "-._~")
        return s
    }()

    /// Sends a request and returns the JSON object of a 2xx response; MLflow's error bodies become StoreErrors.
    func call(_ method: String, _ path: String, query: [(String, String)] = [], json body: [String: Any]? = nil, bytes: [UInt8]? = nil)
        async throws(StoreError) -> [String: Any] {
        let data = try await raw(method, path, query: query, json: body, bytes: bytes)
        return JSON.object(data) ?? [:]
    }

    /// The response body of a call, any content; a non-2xx answer becomes the server's error.
    func raw(_ method: String, _ path: String, query: [(String, String)] = [], json body: [String: Any]? = nil, bytes: [UInt8]? = nil)
        async throws(StoreError) -> Data {
        var request = URLRequest(url: url(path, query: query))
        request.httpMethod = method
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        // Who is asking, for the server's histories when it does not authenticate (an authenticated user wins).
        request.setValue(user, forHTTPHeaderField: "X-Pulk-User")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(JSON.encode(body))
        } else if let bytes {
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(bytes)
        }
        let data: Data, response: URLResponse
        do { (data, response) = try await session.data(for: request) } catch {
            throw StoreError(.internalError, "cannot reach the tracking server at \(base.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = JSON.object(data)
        guard (200..<300).contains(status) else {
            let message = object?["message"] as? String ?? String(decoding: data.prefix(300), as: UTF8.self)
            let code = (object?["error_code"] as? String).flatMap(StoreError.Code.init(rawValue:))
                ?? (status == 404 ? .resourceDoesNotExist : status >= 500 ? .internalError : .badRequest)
            throw StoreError(code, "\(method) \(path) answered \(status): \(message)")
        }
        return data
    }

    static let api = "/api/2.0/mlflow"

    // MARK: Experiments and runs

    public func experiment(named name: String) async throws(StoreError) -> Experiment? {
        do {
            let o = try await call("GET", "\(Self.api)/experiments/get-by-name", query: [("experiment_name", name)])
            return Decode.experiment(o["experiment"] as? [String: Any] ?? [:])
        } catch where error.code == .resourceDoesNotExist { return nil }
    }
    public func createExperiment(named name: String) async throws(StoreError) -> String {
        let o = try await call("POST", "\(Self.api)/experiments/create", json: ["name": name])
        return Decode.string(o["experiment_id"])
    }
    public func experiment(id: String) async throws(StoreError) -> Experiment {
        let o = try await call("GET", "\(Self.api)/experiments/get", query: [("experiment_id", id)])
        return Decode.experiment(o["experiment"] as? [String: Any] ?? [:])
    }
    public func experiments() async throws(StoreError) -> [Experiment] {
        try await Pages.collect { (token, _) async throws(StoreError) in
            var body: [String: Any] = ["max_results": 1000, "view_type": "ACTIVE_ONLY", "order_by": ["last_update_time DESC"]]
            if let token { body["page_token"] = token }
            return Decode.page(try await call("POST", "\(Self.api)/experiments/search", json: body), "experiments", Decode.experiment)
        }
    }
    public func createRun(experimentId: String, runName: String?, userId: String, startTime: Int64, tags: [Tag]) async throws(StoreError) -> RunInfo {
        var body: [String: Any] = ["experiment_id": experimentId, "user_id": userId, "start_time": startTime, "tags": tags.map(Encode.pair)]
        if let runName { body["run_name"] = runName }
        let o = try await call("POST", "\(Self.api)/runs/create", json: body)
        return Decode.run(o["run"] as? [String: Any] ?? [:]).info
    }
    public func logBatch(runId: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws(StoreError) {
        let body: [String: Any] = ["run_id": runId, "params": params.map { ["key": $0.key, "value": $0.value] }, "tags": tags.map(Encode.pair),
                                   "metrics": metrics.map { m -> [String: Any] in
                                       ["key": m.key, "value": m.value.isFinite ? m.value as Any : (m.value.isNaN ? "NaN" : m.value > 0 ? "Infinity" : "-Infinity"),
                                        "timestamp": m.timestamp, "step": m.step]
                                   }]
        _ = try await call("POST", "\(Self.api)/runs/log-batch", json: body)
    }
    public func logInputs(runId: String, datasets: [DatasetInput]) async throws(StoreError) {
        let inputs = datasets.map { d -> [String: Any] in
            ["tags": d.tags.map(Encode.pair),
             "dataset": ["name": d.dataset.name, "digest": d.dataset.digest, "source_type": d.dataset.sourceType, "source": d.dataset.source,
                         "schema": d.dataset.schema, "profile": d.dataset.profile]]
        }
        _ = try await call("POST", "\(Self.api)/runs/log-inputs", json: ["run_id": runId, "datasets": inputs])
    }
    func artifactKey(_ run: RunInfo) throws(StoreError) -> String {
        guard run.artifactUri.hasPrefix("mlflow-artifacts:") else {
            throw .invalid("The run's artifact location '\(run.artifactUri)' is not served by the tracking server; start MLflow with "
                + "`mlflow server --serve-artifacts` (the default since 2.0) or use `pulk server`")
        }
        return String(run.artifactUri.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" })
    }
    public func logArtifact(_ run: RunInfo, path: String, bytes: [UInt8]) async throws(StoreError) {
        let key = try artifactKey(run) + "/" + path
        let escaped = key.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? String($0) }.joined(separator: "/")
        _ = try await call("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + escaped, bytes: bytes)
    }
    public func artifact(_ run: RunInfo, path: String) async throws(StoreError) -> [UInt8] {
        let key = try artifactKey(run) + "/" + path
        let escaped = key.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? String($0) }.joined(separator: "/")
        return Array(try await raw("GET", "/api/2.0/mlflow-artifacts/artifacts/" + escaped))
    }
    public func finishRun(runId: String, status: RunStatus, endTime: Int64) async throws(StoreError) {
        _ = try await call("POST", "\(Self.api)/runs/update", json: ["run_id": runId, "status": status.rawValue, "end_time": endTime])
    }
    public func run(id: String) async throws(StoreError) -> Run {
        let o = try await call("GET", "\(Self.api)/runs/get", query: [("run_id", id)])
        return Decode.run(o["run"] as? [String: Any] ?? [:])
    }
    public func searchRuns(experimentIds: [String], filter: String?, orderBy: [String], maxResults: Int) async throws(StoreError) -> [Run] {
        try await Pages.collect(limit: maxResults) { (token, have) async throws(StoreError) in
            var body: [String: Any] = ["experiment_ids": experimentIds, "max_results": min(maxResults - have, 1000), "order_by": orderBy]
            if let filter { body["filter"] = filter }
            if let token { body["page_token"] = token }
            return Decode.page(try await call("POST", "\(Self.api)/runs/search", json: body), "runs", Decode.run)
        }
    }
    public func metricHistory(runId: String, key: String) async throws(StoreError) -> [Metric] {
        try await Pages.collect { (token, _) async throws(StoreError) in
            var q = [("run_id", runId), ("metric_key", key), ("max_results", "25000")]
            if let token { q.append(("page_token", token)) }
            return Decode.page(try await call("GET", "\(Self.api)/metrics/get-history", query: q), "metrics", Decode.metric)
        }
    }
    public func artifactFiles(_ run: RunInfo) async throws(StoreError) -> [String] {
        let root = try artifactKey(run)
        var out: [String] = []
        var pending = [""]
        while let prefix = pending.popLast() {
            let o = try await call("GET", "/api/2.0/mlflow-artifacts/artifacts", query: [("path", prefix.isEmpty ? root : root + "/" + prefix)])
            for f in o["files"] as? [[String: Any]] ?? [] {
                let name = (Decode.string(f["path"]) as NSString).lastPathComponent
                let path = prefix.isEmpty ? name : prefix + "/" + name
                if f["is_dir"] as? Bool == true { pending.append(path) } else { out.append(path) }
            }
        }
        return out.sorted()
    }

    // MARK: Registry

    public func registeredModel(name: String) async throws(StoreError) -> RegisteredModel? {
        do {
            let o = try await call("GET", "\(Self.api)/registered-models/get", query: [("name", name)])
            return Decode.registeredModel(o["registered_model"] as? [String: Any] ?? [:])
        } catch where error.code == .resourceDoesNotExist { return nil }
    }
    public func createRegisteredModel(name: String, user: String) async throws(StoreError) {
        _ = try await call("POST", "\(Self.api)/registered-models/create", json: ["name": name])
    }
    public func createModelVersion(name: String, source: String, runId: String, user: String) async throws(StoreError) -> ModelVersion {
        let o = try await call("POST", "\(Self.api)/model-versions/create", json: ["name": name, "source": source, "run_id": runId])
        return Decode.modelVersion(o["model_version"] as? [String: Any] ?? [:])
    }
    public func modelVersions(name: String) async throws(StoreError) -> [ModelVersion] {
        let escaped = name.replacingOccurrences(of: "'", with: "\\'")
        return try await Pages.collect { (token, _) async throws(StoreError) in
            var q = [("filter", "name='\(escaped)'"), ("max_results", "1000")]
            if let token { q.append(("page_token", token)) }
            return Decode.page(try await call("GET", "\(Self.api)/model-versions/search", query: q), "model_versions", Decode.modelVersion)
        }.sorted { $0.version < $1.version }
    }
    public func setAlias(name: String, alias: String, version: String, user: String) async throws(StoreError) {
        _ = try await call("POST", "\(Self.api)/registered-models/alias", json: ["name": name, "alias": alias, "version": version])
    }
    public func aliasHistory(name: String) async throws(StoreError) -> [AliasMove] {
        let escaped = name.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? name
        do {
            let o = try await call("GET", "/api/pulk/v1/models/\(escaped)/aliases/history")
            return (o["moves"] as? [[String: Any]] ?? []).map(Decode.aliasMove)
        } catch where error.code == .resourceDoesNotExist { return [] }
    }
    public func registeredModels(filter: String?) async throws(StoreError) -> [RegisteredModel] {
        try await Pages.collect { (token, _) async throws(StoreError) in
            var q = [("max_results", "1000"), ("order_by", "name ASC")]
            if let filter { q.append(("filter", filter)) }
            if let token { q.append(("page_token", token)) }
            return Decode.page(try await call("GET", "\(Self.api)/registered-models/search", query: q), "registered_models", Decode.registeredModel)
        }
    }
    public func deleteRegisteredModel(name: String) async throws(StoreError) {
        _ = try await call("DELETE", "\(Self.api)/registered-models/delete", json: ["name": name])
    }
    public func deleteModelVersion(name: String, version: String) async throws(StoreError) {
        _ = try await call("DELETE", "\(Self.api)/model-versions/delete", json: ["name": name, "version": version])
    }
    public func describeModel(name: String, version: String?, description: String) async throws(StoreError) {
        if let version {
            _ = try await call("PATCH", "\(Self.api)/model-versions/update", json: ["name": name, "version": version, "description": description])
        } else {
            _ = try await call("PATCH", "\(Self.api)/registered-models/update", json: ["name": name, "description": description])
        }
    }
    public func tagModel(name: String, version: String?, _ tag: Tag) async throws(StoreError) {
        if let version {
            _ = try await call("POST", "\(Self.api)/model-versions/set-tag", json: ["name": name, "version": version, "key": tag.key, "value": tag.value])
        } else {
            _ = try await call("POST", "\(Self.api)/registered-models/set-tag", json: ["name": name, "key": tag.key, "value": tag.value])
        }
    }
    public func deleteRun(id: String) async throws(StoreError) {
        _ = try await call("POST", "\(Self.api)/runs/delete", json: ["run_id": id])
    }
    public func deleteExperiment(id: String) async throws(StoreError) {
        _ = try await call("POST", "\(Self.api)/experiments/delete", json: ["experiment_id": id])
    }
    public func loggedModel(id: String) async throws(StoreError) -> Lineage.LoggedModelSummary {
        let o = try await call("GET", "\(Self.api)/logged-models/\(id.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? id)")
        let info = (o["model"] as? [String: Any])?["info"] as? [String: Any] ?? [:]
        return Lineage.LoggedModelSummary(modelId: Decode.string(info["model_id"]), name: Decode.string(info["name"]),
                                          artifactUri: Decode.string(info["artifact_uri"]), sourceRunId: Decode.string(info["source_run_id"]))
    }

    /// The server's workspace is not this process's: its dataset versions are read through the
    /// native API, and uses are not noted from here.

    public func datasetVersion(_ input: DatasetInput) async -> DatasetVersionInfo? {
        // Pulk's native API resolves the input's digest to a workspace version; MLflow has none.
        guard input.dataset.digest.count >= 8,
              let o = try? await call("GET", "/api/pulk/v1/dataset-versions/\(input.dataset.digest)") else { return nil }
        guard let name = o["name"] as? String, let sha = o["content_sha256"] as? String else { return nil }
        return DatasetVersionInfo(reference: "\(name):\(Decode.int64(o["version"]))", contentSHA256: sha, sourcePath: Decode.string(o["source_path"]),
                                  rowCount: Int(Decode.int64(o["row_count"])), columnCount: Int(Decode.int64(o["column_count"])))
    }
}

/// MLflow JSON to the store's entities (int64 fields arrive as numbers or strings; absent fields are empty).
enum Decode {
    static func string(_ v: Any?) -> String {
        switch v {
        case let s as String: return s
        case let i as Int64: return String(i)
        case let i as Int: return String(i)
        case let d as Double: return "\(d)"
        case let n as NSNumber: return n.stringValue
        default: return ""
        }
    }
    static func int64(_ v: Any?) -> Int64 {
        switch v {
        case let s as String: return Int64(s) ?? 0
        case let i as Int64: return i
        case let i as Int: return Int64(i)
        case let d as Double: return d.isFinite && abs(d) < 9.2e18 ? Int64(d) : 0
        case let n as NSNumber: return n.int64Value
        default: return 0
        }
    }
    static func double(_ v: Any?) -> Double {
        switch v {
        case let s as String: return Double(s) ?? (s == "NaN" ? .nan : s == "Infinity" ? .infinity : s == "-Infinity" ? -.infinity : .nan)
        case let i as Int64: return Double(i)
        case let i as Int: return Double(i)
        case let d as Double: return d
        case let n as NSNumber: return n.doubleValue
        default: return .nan
        }
    }
    /// The items under `key` of one page of a listing, and its next page token.
    static func page<T>(_ o: [String: Any], _ key: String, _ decode: ([String: Any]) -> T) -> (items: [T], next: String?) {
        ((o[key] as? [[String: Any]] ?? []).map(decode), o["next_page_token"] as? String)
    }
    static func pairs(_ v: Any?) -> [(String, String)] {
        (v as? [[String: Any]] ?? []).map { (string($0["key"]), string($0["value"])) }
    }
    static func experiment(_ o: [String: Any]) -> Experiment {
        Experiment(experimentId: string(o["experiment_id"]), name: string(o["name"]), artifactLocation: string(o["artifact_location"]),
                   lifecycleStage: LifecycleStage(rawValue: string(o["lifecycle_stage"])) ?? .active, creationTime: int64(o["creation_time"]),
                   lastUpdateTime: int64(o["last_update_time"]), tags: pairs(o["tags"]).map { Tag($0.0, $0.1) })
    }
    static func metric(_ o: [String: Any]) -> Metric {
        Metric(string(o["key"]), double(o["value"]), timestamp: int64(o["timestamp"]), step: int64(o["step"]))
    }
    static func run(_ o: [String: Any]) -> Run {
        let i = o["info"] as? [String: Any] ?? [:], d = o["data"] as? [String: Any] ?? [:]
        let info = RunInfo(runId: string(i["run_id"] ?? i["run_uuid"]), experimentId: string(i["experiment_id"]), runName: string(i["run_name"]),
                           userId: string(i["user_id"]), status: RunStatus(rawValue: string(i["status"])) ?? .running, startTime: int64(i["start_time"]),
                           endTime: i["end_time"].map { int64($0) }, artifactUri: string(i["artifact_uri"]),
                           lifecycleStage: LifecycleStage(rawValue: string(i["lifecycle_stage"])) ?? .active)
        var io = RunIO()
        let inputs = o["inputs"] as? [String: Any] ?? [:]
        io.datasetInputs = (inputs["dataset_inputs"] as? [[String: Any]] ?? []).map { di in
            let ds = di["dataset"] as? [String: Any] ?? [:]
            return DatasetInput(dataset: LoggedDataset(name: string(ds["name"]), digest: string(ds["digest"]), sourceType: string(ds["source_type"]),
                                                              source: string(ds["source"]), schema: string(ds["schema"]), profile: string(ds["profile"])),
                                tags: pairs(di["tags"]).map { Tag($0.0, $0.1) })
        }
        return Run(info: info, metrics: (d["metrics"] as? [[String: Any]] ?? []).map(metric), params: pairs(d["params"]).map { Param($0.0, $0.1) },
                   tags: pairs(d["tags"]).map { Tag($0.0, $0.1) }, io: io)
    }
    static func modelVersion(_ o: [String: Any]) -> ModelVersion {
        ModelVersion(name: string(o["name"]), version: int64(o["version"]), creationTime: int64(o["creation_timestamp"]),
                     lastUpdatedTime: int64(o["last_updated_timestamp"]), description: string(o["description"]), userId: string(o["user_id"]),
                     currentStage: ModelVersionStage(caseInsensitive: string(o["current_stage"])) ?? .none, source: string(o["source"]),
                     storageLocation: string(o["storage_location"]), runId: string(o["run_id"]), runLink: string(o["run_link"]),
                     modelId: string(o["model_id"]), status: string(o["status"]), tags: pairs(o["tags"]).map { Tag($0.0, $0.1) },
                     aliases: (o["aliases"] as? [Any] ?? []).map { string($0) })
    }
    static func registeredModel(_ o: [String: Any]) -> RegisteredModel {
        var aliases: [String: Int64] = [:]
        for a in o["aliases"] as? [[String: Any]] ?? [] { aliases[string(a["alias"])] = int64(a["version"]) }
        return RegisteredModel(name: string(o["name"]), creationTime: int64(o["creation_timestamp"]), lastUpdatedTime: int64(o["last_updated_timestamp"]),
                               description: string(o["description"]), userId: string(o["user_id"]), tags: pairs(o["tags"]).map { Tag($0.0, $0.1) },
                               aliases: aliases, latestVersions: (o["latest_versions"] as? [[String: Any]] ?? []).map(modelVersion))
    }
    static func aliasMove(_ o: [String: Any]) -> AliasMove {
        AliasMove(sequence: int64(o["sequence"]), name: string(o["name"]), alias: string(o["alias"]), fromVersion: o["from_version"].map { int64($0) },
                  toVersion: o["to_version"].map { int64($0) }, user: string(o["user"]), time: int64(o["time"]))
    }
}

enum Encode {
    static func pair(_ t: Tag) -> [String: Any] { ["key": t.key, "value": t.value] }
}
