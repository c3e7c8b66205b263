import PulkJSON
import Foundation
import Hummingbird
import PulkApp
import PulkFrame
import PulkProfile
import PulkStore
import PulkTracking
import PulkWorkspace
import PulkEndpoints
import PulkServing

/// Pulk's own API under `/api/pulk/v1/`, for what MLflow has no word for: datasets, their versions,
/// profiles and lineage, and registered models traced back to the exact data they were trained on.
/// `OpenAPIDocument` describes every route here; the test suite validates both.
struct NativeAPI: Sendable {
    let store: any ServerStore
    /// Where the registry's model files are (deploys load them to check they can be served).
    let artifacts: ArtifactStore?
    /// The workspace's datasets (nil: the server has no workspace, and dataset routes answer 404).
    let datasets: DatasetStore?
    /// The largest JSON body.
    var bodyLimit = 16 << 20
    /// The AutoML searches this server runs (nil: none; its routes answer 404).
    var automl: AutoMLJobs? = nil
    /// The drift monitors' flows (nil: made from the store and workspace on each request).
    var monitoring: Monitoring? = nil
    let profiles = ProfileCache()

    static let base = "/api/pulk/v1"

    func register(_ router: Router<BasicRequestContext>) {
        registerEndpoints(router)
        registerDatasetTransfers(router)
        registerAutoML(router)
        registerDrift(router)
        registerMonitors(router)
        let store = self.store, datasets = self.datasets, profiles = self.profiles
        router.get("\(Self.base)/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
        router.get("\(Self.base)/datasets") { _, _ in
            let list = try Self.workspace(datasets) { (d) throws(WorkspaceError) in try d.list() }
            return json(["datasets": list.map(Self.encodable)])
        }
        router.get("\(Self.base)/datasets/{name}") { _, context in
            let name = try context.parameters.require("name")
            let versions = try Self.workspace(datasets) { (d) throws(WorkspaceError) in try d.versions(of: name) }
            return json(["name": name, "versions": versions.map(Self.encodable)])
        }
        router.get("\(Self.base)/datasets/{name}/versions/{version}") { _, context in
            let version = try Self.version(datasets, context)
            let (parents, recorded) = try Self.workspace(datasets) { (d) throws(WorkspaceError) in (try d.parents(of: version), try d.uses(of: version)) }
            let uses = try await DatasetReaders(store: store).uses(of: [version], recorded: [recorded])
            return json(["version": Self.encodable(version), "derived_from": parents.map(\.reference), "used_by": uses[0].map(Self.encodable)])
        }
        router.get("\(Self.base)/datasets/{name}/versions/{version}/profile") { request, context in
            let version = try Self.version(datasets, context)
            let query = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            let target = query["target"]?.first.flatMap { $0.isEmpty ? nil : $0 }
            let format = query["format"]?.first ?? "json"
            guard format == "json" || format == "html" else { throw StoreError.invalid("format must be json or html, not '\(format)'") }
            let profile = try await profiles.profile(version, target: target) {
                let frame = try Self.workspace(datasets) { (d) throws(WorkspaceError) in try d.loadFrame(version) }
                do { return try Profiler().profile(frame, source: version.reference, target: target) } catch {
                    throw StoreError.invalid("cannot profile \(version.reference): \(error)")
                }
            }
            if format == "html" {
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: profile.html())))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(profile.jsonData(pretty: false)))))
        }
        router.get("\(Self.base)/dataset-versions/{digest}") { _, context in
            let digest = try context.parameters.require("digest").lowercased()
            guard digest.count >= 8, digest.count <= 64, digest.allSatisfy(\.isHexDigit) else {
                throw StoreError.invalid("A digest is 8 to 64 hex digits of a version's content SHA-256, not '\(digest)'")
            }
            let found = try Self.workspace(datasets) { (d) throws(WorkspaceError) in try d.versions(contentSHA256: digest) }
            guard let version = found.first else { throw StoreError.notFound("No dataset version has content starting with \(digest)") }
            return json(Self.encodable(version) as? [String: Any] ?? [:])
        }
        router.get("\(Self.base)/models") { request, _ in
            let query = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            let page = try await store.searchRegisteredModels(filter: query["filter"]?.first, orderBy: query["order_by"] ?? [],
                                                              maxResults: Int(query["max_results"]?.first ?? "") ?? 100, pageToken: query["page_token"]?.first)
            return json(Wire.page("models", page.items.filter { RequestIdentity.can(.registeredModel, $0.name) }.map(Wire.registeredModel), page.nextPageToken))
        }
        router.get("\(Self.base)/models/{name}") { _, context in
            let name = try context.parameters.require("name")
            let model = try await store.registeredModel(name: name)
            let versions = try await store.modelVersions(name: name)
            return json(["model": Wire.registeredModel(model), "versions": versions.map(Wire.modelVersion)])
        }
        router.get("\(Self.base)/models/{name}/aliases/history") { request, context in
            let name = try context.parameters.require("name")
            _ = try await store.registeredModel(name: name)
            let alias = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")["alias"]?.first
            return json(["moves": try await store.aliasHistory(name: name, alias: alias).map(Wire.aliasMove)])
        }
        router.get("\(Self.base)/models/{name}/versions/{version}/lineage") { _, context in
            let v = try await store.modelVersion(name: try context.parameters.require("name"), version: try context.parameters.require("version"))
            return json(try await Self.lineage(v, store: store, datasets: datasets))
        }
    }

    /// The version's lineage (`Lineage.of`, as the CLI and the web UI show it) in the API's shape, each
    /// dataset with the workspace version of its content hash in full.
    static func lineage(_ v: ModelVersion, store: any TrackingStore & ModelRegistryStore, datasets: DatasetStore?) async throws(StoreError) -> [String: Any] {
        let l = try await Lineage.of(v, client: StoreLineage(store: store, datasets: datasets))
        var out: [String: Any] = ["model_version": Wire.modelVersion(v)]
        if let m = l.loggedModel {
            out["logged_model"] = ["model_id": m.modelId, "name": m.name, "artifact_uri": m.artifactUri, "source_run_id": m.sourceRunId]
        }
        if let run = l.run {
            out["run"] = ["run_id": run.runId, "run_name": run.runName, "experiment_id": run.experimentId, "status": run.status, "start_time": run.startTime]
        }
        out["datasets"] = l.datasets.compactMap { input -> [String: Any]? in
            guard let recorded = input.recorded else { return nil }
            var d = Wire.datasetInput(recorded)
            d["context"] = input.context
            if let version = LocalTracking.workspaceVersion(recorded.dataset, datasets) { d["workspace_version"] = encodable(version) }
            return d
        }
        return out
    }

    static func version(_ datasets: DatasetStore?, _ context: BasicRequestContext) throws -> DatasetVersion {
        let name = try context.parameters.require("name"), text = try context.parameters.require("version")
        guard let n = Int(text), n > 0 else { throw StoreError.invalid("Dataset version '\(text)' is not a positive integer") }
        return try workspace(datasets) { (d) throws(WorkspaceError) in try d.version(PulkWorkspace.DatasetRef(name: name, version: n)) }
    }

    /// Runs a workspace call, turning its errors into the API's (404 for what does not exist, 400 for bad names).
    static func workspace<T>(_ datasets: DatasetStore?, _ body: (DatasetStore) throws(WorkspaceError) -> T) throws(StoreError) -> T {
        guard let datasets else { throw .notFound("This server has no workspace, so it has no datasets; start it with --workspace DIR") }
        do { return try body(datasets) } catch { throw storeError(error) }
    }

    /// A workspace failure as the API answers it: what the client named wrongly is a 4xx.
    static func storeError(_ error: WorkspaceError) -> StoreError {
        switch error {
        case .datasetNotFound, .versionNotFound: return .notFound(error.description)
        case .invalidName, .invalidReference, .frame, .unsupportedFormat: return .invalid(error.description)
        case .inUse: return StoreError(.invalidState, error.description)
        default: return StoreError(.internalError, error.description)
        }
    }

    /// A Codable value as JSON objects (snake_case keys, ISO 8601 dates), as the CLI prints it.
    static func encodable(_ value: some Encodable) -> Any {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let data = try? e.encode(value), let object = try? JSON.parse(Array(data)) else { return NSNull() }
        return object
    }
}

/// Profiles computed on request, kept for the versions asked most recently (versions are immutable,
/// so a profile never goes stale).
actor ProfileCache {
    private var entries: [(key: String, profile: DatasetProfile)] = []
    private let capacity = 8

    func profile(_ version: DatasetVersion, target: String?, compute: @Sendable () throws -> DatasetProfile) throws -> DatasetProfile {
        let key = "\(version.contentSHA256)/\(target ?? "")"
        if let i = entries.firstIndex(where: { $0.key == key }) {
            let hit = entries.remove(at: i)
            entries.append(hit)
            return hit.profile
        }
        let p = try compute()
        entries.append((key, p))
        if entries.count > capacity { entries.removeFirst() }
        return p
    }
}

/// Lineage read straight from the server's store and workspace.
struct StoreLineage: LineageSource {
    let store: any TrackingStore & ModelRegistryStore
    let datasets: DatasetStore?

    func run(id: String) async throws(StoreError) -> Run { try await store.run(id: id) }
    func loggedModel(id: String) async throws(StoreError) -> Lineage.LoggedModelSummary { Lineage.LoggedModelSummary(try await store.loggedModel(id: id)) }
    func datasetVersion(_ input: DatasetInput) async -> DatasetVersionInfo? {
        LocalTracking.workspaceVersion(input.dataset, datasets).map(DatasetVersionInfo.init)
    }
}

// MARK: endpoints

extension NativeAPI {
    /// Endpoint management for `--server` clients: the same flows as the CLI on a local store
    /// (`LocalEndpoints`), recorded under the caller's HTTP Basic user.
    func registerEndpoints(_ router: Router<BasicRequestContext>) {
        let base = "\(Self.base)/endpoints"
        let api = self
        router.get(RouterPath(base)) { _, _ in
            try Self.reply(["endpoints": try await api.service(nil).endpoints().filter { RequestIdentity.can(.endpoint, $0.name) }])
        }
        router.post(RouterPath(base)) { request, context in
            struct Create: Decodable { var name: String; var description: String?; var settings: EndpointSettings? }
            let body = try await api.decode(Create.self, request, context)
            let e = try await api.service(request).create(name: body.name, description: body.description ?? "", settings: body.settings ?? EndpointSettings())
            return try Self.reply(["endpoint": e], status: .created)
        }
        router.get("\(base)/{name}") { _, context in
            let (e, events) = try await api.service(nil).endpoint(name: try context.parameters.require("name"))
            return try Self.reply(Detail(endpoint: e, events: events))
        }
        router.delete("\(base)/{name}") { request, context in
            try await api.service(request).delete(name: try context.parameters.require("name"))
            return json([:])
        }
        router.patch("\(base)/{name}/settings") { request, context in
            let change = try await api.decode(SettingsChange.self, request, context)
            return try Self.reply(["endpoint": try await api.service(request).updateSettings(endpoint: try context.parameters.require("name"), change)])
        }
        router.post("\(base)/{name}/deploy") { request, context in
            var body = try await api.decode(DeployRequest.self, request, context)
            body.endpoint = try context.parameters.require("name")
            return try Self.reply(try await api.service(request).deploy(body))
        }
        router.post("\(base)/{name}/traffic") { request, context in
            struct Traffic: Decodable { var traffic: [String: Int]?; var mirror: [String: Int]? }
            let body = try await api.decode(Traffic.self, request, context)
            let (e, message) = try await api.service(request).setTraffic(endpoint: try context.parameters.require("name"), live: body.traffic ?? [:],
                                                                         mirrors: body.mirror ?? [:])
            return try Self.reply(Changed(endpoint: e, message: message))
        }
        router.post("\(base)/{name}/rollback") { request, context in
            let (e, restored) = try await api.service(request).rollback(endpoint: try context.parameters.require("name"))
            return try Self.reply(RolledBack(endpoint: e, restored: restored))
        }
        router.delete("\(base)/{name}/deployments/{deployment}") { request, context in
            let e = try await api.service(request).removeDeployment(try context.parameters.require("deployment"), from: try context.parameters.require("name"))
            return try Self.reply(["endpoint": e])
        }
        router.post("\(base)/{name}/tokens") { request, context in
            struct Body: Decodable { var name: String? }
            let body = try await api.decode(Body.self, request, context)
            let (token, secret) = try await api.service(request).createScoringToken(endpoint: try context.parameters.require("name"), name: body.name ?? "token")
            return try Self.reply(NewToken(token: token, secret: secret), status: .created)
        }
        router.delete("\(base)/{name}/tokens/{id}") { request, context in
            try Self.reply(["endpoint": try await api.service(request).revokeScoringToken(endpoint: try context.parameters.require("name"),
                                                                                          id: try context.parameters.require("id"))])
        }
        router.post("\(base)/{name}/feedback") { request, context in
            let buffer = try await request.body.collect(upTo: api.bodyLimit)
            let rows = try ServingRoutes.feedbackRows(Array(buffer.readableBytesView), now: Int64(Date().timeIntervalSince1970 * 1000))
            let added = try await api.service(request).addFeedback(endpoint: try context.parameters.require("name"), rows)
            return try Self.reply(["added": added, "received": rows.count])
        }
        router.get("\(base)/{name}/logs") { request, context in
            let query = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            let text = query["limit"]?.first ?? "20"
            guard let limit = Int(text), (1...10_000).contains(limit) else {
                throw AppError.invalid("limit must be a whole number from 1 to 10000, not '\(text)'")
            }
            let name = try context.parameters.require("name")
            func millis(_ key: String) throws -> Int64? {
                guard let t = query[key]?.first else { return nil }
                guard let v = Int64(t) else { throw AppError.invalid("\(key) is a time in milliseconds since 1970, not '\(t.prefix(40))'") }
                return v
            }
            let since = try millis("since"), until = try millis("until")
            let token = query["page_token"]?.first
            guard since != nil || until != nil || token != nil else {
                return try Self.reply(["entries": try await api.service(nil).servingLog(endpoint: name, limit: limit)])
            }
            // A time window, oldest first, page by page.
            let after = try token.map { t in
                guard let p = ServingLogPosition(token: t) else { throw AppError.invalid("page_token '\(t.prefix(80))' is not one this route gave out") }
                return p
            }
            let entries = try await api.service(nil).servingLog(endpoint: name, from: since ?? 0, to: until ?? Int64.max, after: after, limit: limit)
            return try Self.reply(Page(entries: entries, nextPageToken: entries.count == limit ? entries.last.map { ServingLogPosition($0).token } : nil))
        }
    }

    struct Detail: Encodable { var endpoint: Endpoint; var events: [EndpointEvent] }
    struct Page: Encodable { var entries: [ServingLogEntry]; var nextPageToken: String? }
    struct NewToken: Encodable { var token: EndpointToken; var secret: String }
    struct Changed: Encodable { var endpoint: Endpoint; var message: String }
    struct RolledBack: Encodable { var endpoint: Endpoint; var restored: EndpointEvent }

    /// The endpoint flows on this server's store, as the caller (see `MLflowRouteBuilder.actor`;
    /// "pulk-server" for the server's own work).
    func service(_ request: Request?) -> LocalEndpoints {
        let user = request.map { MLflowRouteBuilder.actor($0.headers) } ?? "pulk-server"
        let registry = LocalTracking(store: store, artifacts: artifacts ?? Self.noArtifacts, datasets: datasets, location: "this server")
        return LocalEndpoints(store: store, registry: registry, user: user, location: "this server")
    }

    /// A server without an artifact root (in-process tests) has no model files to load.
    static let noArtifacts: ArtifactStore = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pulk-no-artifacts-\(ProcessInfo.processInfo.processIdentifier)")
        return (try? ArtifactStore(root: root))!
    }()

    /// The JSON body as `T` (snake_case keys), or a 400 that says what was wrong with it.
    func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: BasicRequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: bodyLimit)
        do { return try Self.decoder.decode(T.self, from: Data(buffer.readableBytesView)) } catch let e as DecodingError {
            throw StoreError.invalid("The request body is not what \(request.method) \(request.uri.path) takes: \(Self.describe(e))")
        }
    }

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String { c.isEmpty ? "the body" : c.map(\.stringValue).joined(separator: ".") }
        switch e {
        case .keyNotFound(let key, let ctx): return "\(path(ctx.codingPath + [key])) is missing"
        case .typeMismatch(let type, let ctx): return "\(path(ctx.codingPath)) must be \(type)"
        case .valueNotFound(let type, let ctx): return "\(path(ctx.codingPath)) must be \(type), not null"
        case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    /// A Codable value as the API's JSON (snake_case keys).
    static func reply(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try e.encode(value))))
    }
}

// MARK: dataset uploads and downloads

extension NativeAPI {
    /// `--server` clients add versions by uploading the file (parsed here with the reading options of
    /// the query, as `pulk data add` would) and read versions as the binary columnar copy.
    func registerDatasetTransfers(_ router: Router<BasicRequestContext>) {
        let datasets = self.datasets
        router.post("\(Self.base)/datasets/{name}/versions") { request, context in
            let name = try context.parameters.require("name")
            _ = try Self.workspace(datasets) { (d) throws(WorkspaceError) in d }
            let query = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            var options = try ReadSettings(query: query).addOptions()
            options.description = query["description"]?.last
            options.derivedFrom = try query["derived_from"]?.last.map { text throws(StoreError) in
                try Self.workspace(datasets) { (_) throws(WorkspaceError) in try PulkWorkspace.DatasetRef(parsing: text) }
            }
            let source = query["source_path"]?.last ?? "upload"
            options.sourcePath = (options.sourcePath ?? source) + " (uploaded)"
            // The body streams to a file of its own (fsynced, then renamed into place), is added, and goes.
            let uploads = try ArtifactStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("pulk-dataset-uploads"))
            let key = UUID().uuidString
            _ = try await uploads.write(key, chunks: request.body)
            defer { try? uploads.delete(key) }
            let file = try uploads.resolve(key)
            if options.format == nil {
                // Parquet by its magic bytes, else what the source's name says.
                options.format = ParquetReader.isParquet(path: file.path) ? .parquet : DataFormat(path: source)
                guard options.format != nil else {
                    throw StoreError.invalid("Give format=csv, format=jsonl or format=parquet: the source name '\(source)' does not say which")
                }
            }
            let added = try Self.workspace(datasets) { (d) throws(WorkspaceError) in
                do throws(WorkspaceError) { return try d.add(file: file.path, name: name, options: options) } catch { throw error.naming(file.path, as: source) }
            }
            return json(["version": Self.encodable(added.version), "created": added.created, "skipped_rows": added.skippedRows.map(Self.encodable)],
                        status: added.created ? .created : .ok)
        }
        router.get("\(Self.base)/datasets/{name}/versions/{version}/original") { _, context in
            let version = try Self.version(datasets, context)
            let url = try Self.workspace(datasets) { (d) throws(WorkspaceError) in try d.originalURL(version) }
            let body = try await FileIO().loadFile(path: url.path, context: context)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
        }
        router.delete("\(Self.base)/datasets/{name}") { _, context in
            let name = try context.parameters.require("name")
            let (d, versions) = try Self.workspace(datasets) { (d) throws(WorkspaceError) in (d, try d.versions(of: name)) }
            try await DatasetReaders(store: store).refuseRemoval(of: versions, datasets: d)
            let removed = try Self.workspace(datasets) { (d) throws(WorkspaceError) in try d.remove(PulkWorkspace.DatasetRef(name: name)) }
            return json(["removed": removed.map(Self.encodable)])
        }
        router.delete("\(Self.base)/datasets/{name}/versions/{version}") { _, context in
            let version = try Self.version(datasets, context)
            try await DatasetReaders(store: store).refuseRemoval(of: [version], datasets: try Self.workspace(datasets) { (d) throws(WorkspaceError) in d })
            let removed = try Self.workspace(datasets) { (d) throws(WorkspaceError) in
                try d.remove(PulkWorkspace.DatasetRef(name: version.name, version: version.version))
            }
            return json(["removed": removed.map(Self.encodable)])
        }
        router.get("\(Self.base)/datasets/{name}/versions/{version}/frame") { _, context in
            let version = try Self.version(datasets, context)
            let url = try Self.workspace(datasets) { (d) throws(WorkspaceError) in try d.frameURL(version) }
            let body = try await FileIO().loadFile(path: url.path, context: context)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
        }
    }
}
