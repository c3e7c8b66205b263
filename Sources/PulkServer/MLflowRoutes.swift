import Foundation
import Hummingbird
import PulkStore

/// MLflow's tracking endpoints over a `TrackingStore`.
struct MLflowRoutes: Sendable {
    let store: any TrackingStore & ModelRegistryStore & WebhookStore
    let bodyLimit: Int
    let webhooks: WebhookDispatcher

    typealias Handler = MLflowRouteBuilder.Handler

    func register(_ router: Router<BasicRequestContext>, artifacts: ArtifactStore) {
        let route = MLflowRouteBuilder(router: router, bodyLimit: bodyLimit)
        registerTracking(route)
        MLflowModelRoutes(store: store, artifacts: artifacts, events: webhooks).register(route)
        WebhookRoutes(store: store, dispatcher: webhooks).register(route)
        MLflowUIRoutes(store: store, artifacts: artifacts, bodyLimit: bodyLimit).register(route)
    }

    func registerTracking(_ route: MLflowRouteBuilder) {
        let store = self.store

        // Experiments
        route(.post, "experiments/create") { i throws(StoreError) in
            let id = try await store.createExperiment(name: try i.require("name"), artifactLocation: try i.nonEmpty("artifact_location"),
                                                      tags: try WireInput.tags(try i.objects("tags")))
            return ["experiment_id": id]
        }
        route(.get, "experiments/get") { i throws(StoreError) in
            ["experiment": Wire.experiment(try await store.experiment(id: try i.require("experiment_id")))]
        }
        route(.get, "experiments/get-by-name") { i throws(StoreError) in
            let e = try await store.experiment(named: try i.require("experiment_name"))
            try RequestIdentity.requireRead(.experiment, e.experimentId)
            return ["experiment": Wire.experiment(e)]
        }
        let searchExperiments: Handler = { i throws(StoreError) in
            let view = try Self.view(try i.enumName("view_type"))
            let page = try await store.searchExperiments(view: view, filter: try i.string("filter"), orderBy: i.strings("order_by"),
                                                         maxResults: Int(try i.int("max_results") ?? 1000), pageToken: try i.nonEmpty("page_token"))
            return Wire.page("experiments", page.items.filter { RequestIdentity.can(.experiment, $0.experimentId) }.map(Wire.experiment), page.nextPageToken)
        }
        route(.post, "experiments/search", searchExperiments)
        route(.get, "experiments/search", searchExperiments)
        route(.post, "experiments/update") { i throws(StoreError) in
            try await store.renameExperiment(id: try i.require("experiment_id"), to: try i.require("new_name")); return [:]
        }
        route(.post, "experiments/delete") { i throws(StoreError) in try await store.deleteExperiment(id: try i.require("experiment_id")); return [:] }
        route(.post, "experiments/restore") { i throws(StoreError) in try await store.restoreExperiment(id: try i.require("experiment_id")); return [:] }
        route(.post, "experiments/set-experiment-tag") { i throws(StoreError) in
            try await store.setExperimentTag(id: try i.require("experiment_id"), Tag(try i.require("key"), try i.string("value") ?? "")); return [:]
        }
        route(.post, "experiments/delete-experiment-tag") { i throws(StoreError) in
            try await store.deleteExperimentTag(id: try i.require("experiment_id"), key: try i.require("key")); return [:]
        }

        // Runs
        route(.post, "runs/create") { i throws(StoreError) in
            let run = try await store.createRun(experimentId: try i.string("experiment_id") ?? "0", userId: try i.string("user_id") ?? "",
                                                startTime: try i.int("start_time"), runName: try i.nonEmpty("run_name"),
                                                tags: try WireInput.tags(try i.objects("tags")))
            return ["run": Wire.run(run)]
        }
        route(.get, "runs/get") { i throws(StoreError) in ["run": Wire.run(try await store.run(id: try i.runId()))] }
        route(.post, "runs/update") { i throws(StoreError) in
            let status = try i.enumName("status").map { (s) throws(StoreError) -> RunStatus in
                let byNumber: [String: RunStatus] = ["1": .running, "2": .scheduled, "3": .finished, "4": .failed, "5": .killed]
                guard let v = RunStatus(rawValue: s) ?? byNumber[s] else { throw StoreError(.invalidParameterValue, "Invalid run status '\(s)'; use RUNNING, SCHEDULED, FINISHED, FAILED or KILLED") }
                return v
            }
            let info = try await store.updateRun(id: try i.runId(), status: status, endTime: try i.int("end_time"), runName: try i.string("run_name"))
            return ["run_info": Wire.runInfo(info)]
        }
        route(.post, "runs/delete") { i throws(StoreError) in try await store.deleteRun(id: try i.runId()); return [:] }
        route(.post, "runs/restore") { i throws(StoreError) in try await store.restoreRun(id: try i.runId()); return [:] }
        route.raw(.post, "runs/log-metric") { bytes, query throws(StoreError) in
            // The metric's fields sit at the top level of the body: decode it as a one-metric batch.
            let body = try LogBatchBody.decodeMetric(bytes)
            let runId = try body.runId(or: query)
            return { () throws(StoreError) in try await store.logBatch(runId: runId, metrics: body.metrics, params: [], tags: []); return [:] }
        }
        route(.post, "runs/log-parameter") { i throws(StoreError) in
            try await store.logParam(runId: try i.runId(), Param(try i.require("key"), try i.string("value") ?? "")); return [:]
        }
        route(.post, "runs/set-tag") { i throws(StoreError) in
            try await store.setTag(runId: try i.runId(), Tag(try i.require("key"), try i.string("value") ?? "")); return [:]
        }
        route(.post, "runs/delete-tag") { i throws(StoreError) in try await store.deleteTag(runId: try i.runId(), key: try i.require("key")); return [:] }
        route.raw(.post, "runs/log-batch") { bytes, query throws(StoreError) in
            let body = try LogBatchBody.decode(bytes)
            let runId = try body.runId(or: query)
            return { () throws(StoreError) in try await store.logBatch(runId: runId, metrics: body.metrics, params: body.params, tags: body.tags); return [:] }
        }
        let searchRuns: Handler = { i throws(StoreError) in
            // Experiments the caller cannot read are left out of the search (as MLflow's auth app does).
            let asked = i.strings("experiment_ids"), readable = asked.filter { RequestIdentity.can(.experiment, $0) }
            if readable.isEmpty, !asked.isEmpty { return ["runs": [Any]()] }
            let page = try await store.searchRuns(experimentIds: readable, filter: try i.string("filter"),
                                                  view: try Self.view(try i.enumName("run_view_type")), maxResults: Int(try i.int("max_results") ?? 1000),
                                                  orderBy: i.strings("order_by"), pageToken: try i.nonEmpty("page_token"))
            return Wire.page("runs", page.items.map(Wire.run), page.nextPageToken)
        }
        route(.post, "runs/search", searchRuns)
        route(.get, "metrics/get-history") { i throws(StoreError) in
            let page = try await store.metricHistory(runId: try i.runId(), key: try i.require("metric_key"),
                                                     maxResults: try i.int("max_results").map(Int.init), pageToken: try i.nonEmpty("page_token"))
            return Wire.page("metrics", page.items.map(Wire.metric), page.nextPageToken)
        }
    }

    static func view(_ text: String?) throws(StoreError) -> ViewType {
        guard let text, !text.isEmpty else { return .activeOnly }
        if let v = ViewType(rawValue: text) { return v }
        if let n = Int(text), let v = [1: ViewType.activeOnly, 2: .deletedOnly, 3: .all][n] { return v }
        throw StoreError(.invalidParameterValue, "Invalid view type '\(text)'; use ACTIVE_ONLY, DELETED_ONLY or ALL")
    }
}

/// The artifact proxy (`mlflow server --serve-artifacts`): files streamed to and from disk.
struct ArtifactRoutes: Sendable {
    let artifacts: ArtifactStore

    func key(_ context: BasicRequestContext) -> String {
        context.parameters.getCatchAll().map(String.init).joined(separator: "/")
    }

    func register(_ router: Router<BasicRequestContext>) {
        let artifacts = self.artifacts
        let base = "/api/2.0/mlflow-artifacts/artifacts"
        router.put("\(base)/**") { request, context in
            // The router drops empty path segments, so `…/artifacts//etc/passwd` would arrive as
            // `etc/passwd`: an absolute path is refused from the raw path, as MLflow does.
            if request.uri.path.hasPrefix(base + "//") {
                throw StoreError(.invalidParameterValue, "Invalid artifact path: absolute paths are not allowed; give a path relative to the artifact root")
            }
            let k = key(context)
            _ = try await artifacts.write(k, chunks: request.body)
            return json([:])
        }
        router.get("\(base)/**") { _, context in try await Self.download(artifacts, key(context), shown: key(context), context) }
        router.delete("\(base)/**") { _, context in
            try artifacts.delete(key(context))
            return json([:])
        }
        router.get(RouterPath(base)) { request, _ in
            let path = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")["path"]?.first ?? ""
            let files = Self.files(try artifacts.list(path), under: "")
            return json(files.isEmpty ? [:] : ["files": files])
        }
    }

    /// The file at `key`, as MLflow serves downloads: the type by extension, always an attachment
    /// (never shown on this origin). `shown` is the path the error names.
    static func download(_ artifacts: ArtifactStore, _ key: String, shown: String, _ context: BasicRequestContext) async throws -> Response {
        let url = try artifacts.resolve(key)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else {
            throw StoreError(.resourceDoesNotExist, "No artifact file at '\(shown)'")
        }
        let body = try await FileIO().loadFile(path: url.path, context: context)
        return Response(status: .ok, headers: [.contentType: ArtifactTypes.contentType(of: url.lastPathComponent),
                                               .contentDisposition: ArtifactTypes.disposition(of: url.lastPathComponent)], body: body)
    }

    /// Listed entries as MLflow's `files`, their paths prefixed with `sub` (the folder listed) when given.
    static func files(_ entries: [ArtifactStore.Entry], under sub: String) -> [[String: Any]] {
        entries.map { e in
            var d: [String: Any] = ["path": sub.isEmpty ? e.path : sub + "/" + e.path, "is_dir": e.isDir]
            if let s = e.size { d["file_size"] = s }
            return d
        }
    }
}
