import Foundation
import HTTPTypes
import Hummingbird
import PulkStore

/// The routes MLflow's server has beside its protobuf API, which its web UI and client use:
/// `GET /version`, bulk metric histories (whole or sampled), dataset summaries, the non-proxied
/// artifact listing and downloads by run, model version and logged model, and the UI's upload.
struct MLflowUIRoutes: Sendable {
    let store: any TrackingStore & ModelRegistryStore
    let artifacts: ArtifactStore
    let bodyLimit: Int

    /// The MLflow REST API level Pulk implements, as `GET /version` answers it (the mlflow client
    /// reads it to decide what the server supports; trace logging, which Pulk does not serve,
    /// needs 3.4).
    static let mlflowAPIVersion = "3.3.0"
    static let maxRunsPerRequest = 100, maxHistoryResults = 25_000, maxSampledPerRun = 2_500, uploadLimit = 10 << 20

    func register(_ route: MLflowRouteBuilder) {
        let store = self.store, artifacts = self.artifacts
        route.router.get("/version") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: Self.mlflowAPIVersion)))
        }
        route(.get, "metrics/get-history-bulk") { i throws(StoreError) in
            let runs = try Self.runIds(i, "run_id")
            guard let key = try i.string("metric_key") else { throw .invalid("GetMetricHistoryBulk request must specify a metric_key.") }
            let limit = min(Int(try i.int("max_results") ?? Int64(Self.maxHistoryResults)), Self.maxHistoryResults)
            var out: [[String: Any]] = []
            for run in runs.sorted() where out.count < limit {
                let history = try await Self.history(store, run, key).sorted { ($0.timestamp, $0.step, $0.value) < ($1.timestamp, $1.step, $1.value) }
                out += history.prefix(limit - out.count).map { Self.withRun(Wire.metric($0), run) }
            }
            return ["metrics": out]
        }
        route(.get, "metrics/get-history-bulk-interval") { i throws(StoreError) in
            let runs = try Self.runIds(i, "run_ids")
            guard let key = try i.nonEmpty("metric_key") else { throw .invalid("Missing value for required parameter 'metric_key'.") }
            let limit = Int(try i.int("max_results") ?? Int64(Self.maxSampledPerRun))
            guard (1...Self.maxSampledPerRun).contains(limit) else { throw .invalid("max_results must be between 1 and \(Self.maxSampledPerRun).") }
            let start = try i.int("start_step"), end = try i.int("end_step")
            guard (start == nil) == (end == nil) else { throw .invalid("If either start step or end step are specified, both must be specified.") }
            if let start, let end, start > end {
                throw .invalid("end_step must be greater than start_step. Found start_step=\(start) and end_step=\(end).")
            }
            var histories: [(String, [Metric])] = []
            for run in runs { histories.append((run, try await Self.history(store, run, key))) }
            let sampled = MetricSampling.sample(histories.map(\.1), maxResults: limit, start: start, end: end)
            var out: [[String: Any]] = []
            for (k, (run, _)) in histories.enumerated() { out += sampled[k].map { Self.withRun(Wire.metric($0), run) } }
            return ["metrics": out]
        }
        route(.post, "experiments/search-datasets") { i throws(StoreError) in
            let ids = i.strings("experiment_ids").filter { RequestIdentity.can(.experiment, $0) }
            let summaries = try await store.datasetSummaries(experimentIds: ids.isEmpty ? i.strings("experiment_ids") : ids)
            return ["dataset_summaries": summaries.map { d -> [String: Any] in
                var o: [String: Any] = ["experiment_id": d.experimentId, "name": d.name, "digest": d.digest]
                if let c = d.context { o["context"] = c }
                return o
            }]
        }
        // The artifact API without the proxy: a run's files by run id (MLflow's `artifacts/list`
        // and `/get-artifact`), a version's and a logged model's.
        route(.get, "artifacts/list") { i throws(StoreError) in
            let sub = try Self.relative(try i.string("path") ?? "")
            let run = try await store.run(id: try i.runId())
            let root = try artifacts.key(ofLocation: run.info.artifactUri)
            let files = ArtifactRoutes.files(try artifacts.list(sub.isEmpty ? root : root + "/" + sub), under: sub)
            var out: [String: Any] = ["root_uri": run.info.artifactUri]
            if !files.isEmpty { out["files"] = files }
            return out
        }
        let byRun: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let q = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            let path = try Self.path(q)
            guard let id = q["run_id"]?.first ?? q["run_uuid"]?.first, !id.isEmpty else { throw StoreError.invalid("Missing value for required parameter 'run_id'.") }
            let run = try await store.run(id: id)
            return try await Self.file(artifacts, try artifacts.key(ofLocation: run.info.artifactUri), path, context)
        }
        route.router.get("/get-artifact", use: byRun)
        route.router.get("/ajax-api/2.0/mlflow/get-artifact", use: byRun)
        let byVersion: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let q = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            let path = try Self.path(q)
            guard let name = q["name"]?.first, let version = q["version"]?.first else { throw StoreError.invalid("Missing value for required parameters 'name' and 'version'.") }
            let v = try await store.modelVersion(name: name, version: version)
            return try await Self.file(artifacts, try artifacts.key(ofLocation: v.storageLocation), path, context)
        }
        route.router.get("/model-versions/get-artifact", use: byVersion)
        route.router.get("/ajax-api/2.0/mlflow/model-versions/get-artifact", use: byVersion)
        route.on(.get, "logged-models/{model_id}/artifacts/files") { request, context in
            let q = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            let model = try await store.loggedModel(id: try context.parameters.require("model_id"))
            guard let path = q["artifact_file_path"]?.first, !path.isEmpty else { throw StoreError.invalid("Missing value for required parameter 'artifact_file_path'.") }
            return try await Self.file(artifacts, try artifacts.key(ofLocation: model.artifactLocation), try Self.relative(path), context)
        }
        // The UI's upload of a small file into a run (at most 10 MB, as MLflow's).
        route.on(.post, "upload-artifact") { request, _ in
            let q = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")
            guard let id = q["run_uuid"]?.first ?? q["run_id"]?.first, !id.isEmpty else { throw StoreError.invalid("Request must specify run_uuid.") }
            guard let path = q["path"]?.first, !path.isEmpty else { throw StoreError.invalid("Request must specify path.") }
            let relative = try Self.relative(path)
            let body = try await request.body.collect(upTo: Self.uploadLimit)
            guard body.readableBytes > 0 else { throw StoreError.invalid("Request must specify data.") }
            let run = try await store.run(id: id)
            guard run.info.lifecycleStage == .active else { throw StoreError(.invalidState, "The run \(id) is deleted; restore it before uploading to it.") }
            let key = try artifacts.key(ofLocation: run.info.artifactUri) + "/" + relative
            _ = try await artifacts.write(key, chunks: AsyncThrowingStream<ByteBuffer, any Error> { c in c.yield(body); c.finish() })
            return json([:])
        }
    }

    static func path(_ q: [String: [String]]) throws(StoreError) -> String {
        guard let p = q["path"]?.first, !p.isEmpty else { throw .invalid("Missing value for required parameter 'path'.") }
        return try relative(p)
    }

    /// A path relative to an artifact root, checked before anything is looked up, with MLflow's
    /// answer (`Invalid path`) for absolute paths, `..` (also percent-encoded), backslashes and NUL.
    static func relative(_ p: String) throws(StoreError) -> String {
        let decoded = p.removingPercentEncoding ?? p
        guard !p.hasPrefix("/"), !decoded.hasPrefix("/"), !decoded.contains("\\"), !decoded.contains("\0"),
              !decoded.split(separator: "/", omittingEmptySubsequences: false).contains("..") else { throw .invalid("Invalid path") }
        return p
    }

    /// A file under `root`, served as the proxy serves its downloads.
    static func file(_ artifacts: ArtifactStore, _ root: String, _ path: String, _ context: BasicRequestContext) async throws -> Response {
        try await ArtifactRoutes.download(artifacts, root + "/" + path, shown: String(path.prefix(200)), context)
    }

    /// The runs asked for, with MLflow's messages (which differ between its two bulk routes).
    static func runIds(_ i: WireInput, _ key: String) throws(StoreError) -> [String] {
        let runs = i.strings(key).filter { !$0.isEmpty }
        let interval = key == "run_ids"
        guard !runs.isEmpty else {
            throw .invalid(interval ? "Missing value for required parameter 'run_ids'." : "GetMetricHistoryBulk request must specify at least one run_id.")
        }
        guard runs.count <= maxRunsPerRequest else {
            throw .invalid(interval ? "GetMetricHistoryBulkInterval request must specify at most \(maxRunsPerRequest) run_ids. Received \(runs.count) run_ids."
                : "GetMetricHistoryBulk request cannot specify more than \(maxRunsPerRequest) run_ids. Received \(runs.count) run_ids.")
        }
        return runs
    }

    /// A run's whole history of one metric, if the caller may read the run's experiment.
    static func history(_ store: any TrackingStore, _ run: String, _ key: String) async throws(StoreError) -> [Metric] {
        let info = try await store.run(id: run).info
        guard RequestIdentity.can(.experiment, info.experimentId) else { throw StoreError(.permissionDenied, "No permission to read run \(run)") }
        return try await store.metricHistory(runId: run, key: key, maxResults: nil, pageToken: nil).items
    }

    static func withRun(_ m: [String: Any], _ run: String) -> [String: Any] {
        var m = m
        m["run_id"] = run
        return m
    }
}

/// MLflow's sampling of metric histories for charts (`get-history-bulk-interval`, as its SQL store
/// does it in 3.17): each run on its own, its values in the step range ordered by step, timestamp and
/// value, cut into `maxResults` buckets as SQL's NTILE cuts them, the first value of each bucket
/// kept, and the run's last value always kept (in place of the last sample when the budget is full).
enum MetricSampling {
    static func sample(_ runs: [[Metric]], maxResults: Int, start: Int64?, end: Int64?) -> [[Metric]] {
        let k = max(1, maxResults)
        return runs.map { history in
            let rows = history.filter { m in start.map { m.step >= $0 } ?? true && end.map { m.step <= $0 } ?? true }
                .sorted { ($0.step, $0.timestamp, $0.value.isNaN ? 0 : $0.value) < ($1.step, $1.timestamp, $1.value.isNaN ? 0 : $1.value) }
            guard let last = rows.last else { return [] }
            if rows.count <= k { return rows }
            let q = rows.count / k, r = rows.count % k
            var out = (0..<k).map { rows[$0 * q + min($0, r)] }
            if out[out.count - 1] != last { out[out.count - 1] = last }
            return out
        }
    }
}
