import Foundation
import Hummingbird
import NIOCore
import PulkApp
import PulkStore
import PulkEndpoints
import PulkTracking
import PulkWorkspace

/// The web UI served at `/`: experiments, runs (table, detail, compare), datasets and the model
/// registry, rendered on the server with inline SVG charts. Paging, filtering and metric
/// downsampling happen here, so pages stay fast with 100,000 runs or 100,000 points per metric.
struct WebUI: Sendable {
    let store: any ServerStore
    let artifacts: ArtifactStore
    let datasets: DatasetStore?
    /// The AutoML searches the server runs (nil: none).
    var automl: AutoMLJobs? = nil

    /// Lineage and artifact walks reuse the tracking client over the same store.
    var tracking: LocalTracking { LocalTracking(store: store, artifacts: artifacts, datasets: datasets, location: "server") }

    /// Runs per page of the runs table (the `max` query parameter may ask for up to 1,000).
    static let pageSize = 100
    /// Points per drawn line at most: 1,000 buckets of min and max.
    static let chartBuckets = 1000
    /// Metrics charted on a run page at most (the first by name); runs compared at most.
    static let maxCharts = 40, maxCompared = 10

    func register(_ router: Router<BasicRequestContext>) {
        let ui = self
        router.get("/") { request, _ in await ui.render { try await ui.experiments(request) } }
        router.get("/ui/experiments/{id}") { request, context in
            await ui.render { try await ui.runs(experimentId: try context.parameters.require("id"), request) }
        }
        router.get("/ui/runs") { request, _ in await ui.render { try await ui.runs(experimentId: nil, request) } }
        router.get("/ui/runs/{id}") { request, context in await ui.render { try await ui.run(id: try context.parameters.require("id"), request) } }
        router.get("/ui/compare") { request, _ in await ui.render { try await ui.compare(request) } }
        router.get("/ui/artifacts/{run}/**") { _, context in
            do {
                return try await ui.artifact(runId: try context.parameters.require("run"),
                                             path: context.parameters.getCatchAll().map(String.init).joined(separator: "/"), context: context)
            } catch { return ui.errorPage(error) }
        }
        router.get("/ui/datasets") { _, _ in await ui.render { try ui.datasetList() } }
        router.get("/ui/datasets/{name}") { _, context in await ui.render { try await ui.dataset(name: try context.parameters.require("name")) } }
        router.get("/ui/endpoints") { _, _ in await ui.render { try await ui.endpointList() } }
        router.get("/ui/endpoints/{name}") { _, context in await ui.render { try await ui.endpoint(name: try context.parameters.require("name")) } }
        registerAutoML(router)
        router.get("/ui/monitors/{name}/runs/{id}") { _, context in
            await ui.render { try await ui.monitorWindow(monitor: try context.parameters.require("name"), id: try context.parameters.require("id")) }
        }
        router.get("/ui/models") { _, _ in await ui.render { try await ui.modelList() } }
        router.get("/ui/models/{name}") { _, context in await ui.render { try await ui.model(name: try context.parameters.require("name")) } }
        router.get("/ui/models/{name}/versions/{version}") { _, context in
            await ui.render { try await ui.modelVersion(name: try context.parameters.require("name"), version: try context.parameters.require("version")) }
        }
    }

    /// Renders a page, timing it (`Server-Timing: render;dur=…`), or its error as an HTML page.
    func render(_ body: () async throws -> String) async -> Response {
        let start = ContinuousClock.now
        do {
            let html = try await body()
            let d = ContinuousClock.now - start
            let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .init("Server-Timing")!: String(format: "render;dur=%.2f", ms)],
                            body: .init(byteBuffer: ByteBuffer(string: html)))
        } catch { return errorPage(error) }
    }

    func errorPage(_ error: any Error) -> Response {
        let (status, message): (Int, String)
        switch error {
        case let e as PageError: (status, message) = (e.status, e.message)
        case let e as StoreError: (status, message) = (e.code.httpStatus, e.message)
        default: (status, message) = (400, "\(error)")
        }
        let html = HTML.page(status == 404 ? "Not found" : "Cannot show this page", section: nil,
                             body: "<p class=\"error\" role=\"alert\">\(HTML.esc(message))</p><p><a href=\"/\">Back to the experiments</a></p>")
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func query(_ request: Request) -> [String: [String]] { MLflowRouteBuilder.formDecoded(request.uri.query ?? "") }
}
