import Foundation
import Hummingbird
import PulkApp
import PulkMonitoring
import PulkStore
import PulkTracking
import PulkWorkspace

/// `POST /api/pulk/v1/drift`: the drift report of two registered dataset versions of the server's
/// workspace (and optionally a registered model), as JSON or the self-contained HTML page.
extension NativeAPI {
    struct DriftSpec: Decodable {
        var reference: String?
        var current: String?
        var endpoint: String?
        var sinceSeconds: Int64?
        var model: String?
        var columns: [String]?
        var method: String?
        var methods: [String: String]?
        var threshold: Double?
        var thresholds: [String: Double]?
        var driftShare: Double?
        var minDriftSize: Double?
        var format: String?

        // Spelled out rather than converted: a decoder's snake-case conversion would also rewrite the
        // column names that key `methods` and `thresholds`.
        enum CodingKeys: String, CodingKey {
            case reference, current, model, columns, method, methods, threshold, thresholds, format
            case endpoint, sinceSeconds = "since_seconds"
            case driftShare = "drift_share", minDriftSize = "min_drift_size"
        }
    }

    func registerDrift(_ router: Router<BasicRequestContext>) {
        let api = self
        router.post("\(Self.base)/drift") { request, context in
            let buffer = try await request.body.collect(upTo: api.bodyLimit)
            let spec: DriftSpec
            do { spec = try JSONDecoder().decode(DriftSpec.self, from: Data(buffer.readableBytesView)) } catch let e as DecodingError {
                throw StoreError.invalid("The request body is not what POST \(request.uri.path) takes: \(Self.describe(e))")
            }
            let format = spec.format ?? "json"
            guard format == "json" || format == "html" else { throw AppError.invalid("format must be json or html, not '\(format)'") }
            guard let datasets = api.datasets else {
                throw StoreError.notFound("This server has no workspace, so it has no datasets; start it with --workspace DIR")
            }
            let report = try await DriftFlow.run(try api.driftRequest(spec), catalog: LocalDatasets(store: datasets, location: "this server", readers: { DatasetReaders(store: api.store) }),
                                                 tracking: { LocalTracking(store: api.store, artifacts: api.artifacts ?? Self.noArtifacts, datasets: datasets, location: "this server") },
                                                 endpoints: { api.service(request) }, now: Date())
            if format == "html" {
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: report.html())))
            }
            // the report's own JSON (snake_case, ISO 8601 times), under "report"
            let body = Array("{\"report\":".utf8) + Array(report.jsonData()) + Array("}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    /// The flow's request; files and model files are refused (clients never name a server-side path).
    func driftRequest(_ spec: DriftSpec) throws -> DriftFlow.Request {
        func method(_ text: String) throws -> DriftMethod {
            guard let m = DriftMethod(rawValue: text) else {
                throw AppError.invalid("unknown drift method '\(text.prefix(40))': choose one of \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return m
        }
        guard (spec.current == nil) != (spec.endpoint == nil) else {
            throw AppError.invalid("give the current data as current (a registered dataset version) or endpoint (its serving log), not both or neither")
        }
        if spec.sinceSeconds != nil && spec.endpoint == nil { throw AppError.invalid("since_seconds applies to an endpoint's serving log") }
        if let s = spec.sinceSeconds, !(1...(10 * 365 * 86_400)).contains(s) { throw AppError.invalid("since_seconds must be from 1 to 315360000, not \(s)") }
        for ref in [spec.reference, spec.current].compactMap({ $0 }) {
            guard (try? PulkWorkspace.DatasetRef(parsing: ref)) != nil else {
                throw AppError.invalid("'\(ref.prefix(200))' is not a dataset reference: name a registered dataset version as NAME or NAME:VERSION")
            }
        }
        if let m = spec.model, case .file = try ModelReference(parsing: m) {
            throw AppError.invalid("model '\(m.prefix(200))' is a file name: name a registered model as NAME@ALIAS or NAME:VERSION")
        }
        var o = DriftOptions()
        o.columns = spec.columns
        o.method = try spec.method.map(method)
        o.methods = try (spec.methods ?? [:]).mapValues(method)
        o.threshold = spec.threshold
        o.thresholds = spec.thresholds ?? [:]
        if let share = spec.driftShare { o.driftShare = share }
        if let size = spec.minDriftSize { o.minimumDriftSize = size }
        let window = spec.endpoint.map { DriftFlow.ServingWindow(endpoint: $0, since: spec.sinceSeconds.map { Int64(Date().timeIntervalSince1970 * 1000) - $0 * 1000 }) }
        return DriftFlow.Request(reference: spec.reference, current: spec.current ?? "", model: spec.model, options: o, registeredOnly: true, serving: window)
    }
}
