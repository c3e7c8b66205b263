import Foundation
import Hummingbird
import PulkApp
import PulkEndpoints
import PulkMonitoring
import PulkStore
import PulkTracking

/// Drift monitors of the server's endpoints under `/api/pulk/v1/monitors`: create, list, show (with
/// their windows), pause, resume, delete, compute the window ending now, backfill past windows, and
/// one window's whole report (JSON or HTML). The server's scheduler computes due windows itself.
extension NativeAPI {
    static let monitorsBase = "\(base)/monitors"

    struct MonitorList: Encodable { var monitors: [Monitor] }
    struct MonitorOne: Encodable { var monitor: Monitor }
    struct MonitorDetail: Encodable { var monitor: Monitor; var runs: [MonitorRun] }
    struct MonitorRunOne: Encodable { var run: MonitorRun }
    struct MonitorRuns: Encodable { var runs: [MonitorRun] }
    struct BackfillRequest: Decodable { var windows: Int }
    struct Nothing: Encodable {}

    /// The monitors of this server's store, as the caller; 404 without a workspace (no datasets).
    func monitors(_ request: Request?) throws -> LocalMonitors {
        guard let datasets else { throw StoreError.notFound("This server has no workspace, so it has no monitors; start it with --workspace DIR") }
        let user = request.map { MLflowRouteBuilder.actor($0.headers) } ?? "pulk-server"
        let monitoring = self.monitoring ?? Monitoring(
            store: store, catalog: LocalDatasets(store: datasets, location: "this server", readers: { [store] in DatasetReaders(store: store) }),
            tracking: { [store, artifacts] in LocalTracking(store: store, artifacts: artifacts ?? Self.noArtifacts, datasets: datasets, location: "this server") },
            endpoints: { [self] in self.service(request) })
        return LocalMonitors(monitoring: monitoring, user: user)
    }

    func registerMonitors(_ router: Router<BasicRequestContext>) {
        let api = self, base = Self.monitorsBase
        router.get(RouterPath(base)) { request, _ in try Self.reply(MonitorList(monitors: try await api.monitors(request).monitors())) }
        router.post(RouterPath(base)) { request, context in
            let spec = try await api.decode(MonitorSpec.self, request, context)
            return try Self.reply(MonitorOne(monitor: try await api.monitors(request).create(spec)), status: .created)
        }
        router.get("\(base)/{name}") { request, context in
            let text = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")["runs"]?.first ?? "50"
            guard let runs = Int(text), (1...10_000).contains(runs) else { throw AppError.invalid("runs must be a whole number from 1 to 10000, not '\(text.prefix(40))'") }
            let d = try await api.monitors(request).monitor(name: try context.parameters.require("name"), runs: runs)
            return try Self.reply(MonitorDetail(monitor: d.monitor, runs: d.runs))
        }
        router.delete("\(base)/{name}") { request, context in
            try await api.monitors(request).delete(name: try context.parameters.require("name"))
            return try Self.reply(Nothing())
        }
        for (verb, paused) in [("pause", true), ("resume", false)] {
            router.post("\(base)/{name}/\(verb)") { request, context in
                try Self.reply(MonitorOne(monitor: try await api.monitors(request).setPaused(try context.parameters.require("name"), paused)))
            }
        }
        router.post("\(base)/{name}/run") { request, context in
            try Self.reply(MonitorRunOne(run: try await api.monitors(request).runNow(try context.parameters.require("name")).summary))
        }
        router.post("\(base)/{name}/backfill") { request, context in
            let body = try await api.decode(BackfillRequest.self, request, context)
            let runs = try await api.monitors(request).backfill(try context.parameters.require("name"), windows: body.windows)
            return try Self.reply(MonitorRuns(runs: runs.map(\.summary)))
        }
        router.get("\(base)/{name}/runs/{id}") { request, context in
            let run = try await api.monitors(request).run(try context.parameters.require("name"), id: try context.parameters.require("id"))
            let format = MLflowRouteBuilder.formDecoded(request.uri.query ?? "")["format"]?.first ?? "json"
            guard format == "json" || format == "html" else { throw AppError.invalid("format must be json or html, not '\(format.prefix(40))'") }
            if format == "html" {
                guard let report = DriftReport(json: Data(run.report.utf8)) else {
                    throw AppError.notFound("Run \(run.id) of monitor \(run.monitor) has no report (it is \(run.status.rawValue))")
                }
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: report.html())))
            }
            return try Self.reply(MonitorRunOne(run: run))
        }
    }
}
