public import Foundation
public import PulkFrame
import PulkLearn
public import PulkMonitoring
import PulkStore
import PulkScoring
public import PulkEndpoints
public import PulkTracking
public import PulkWorkspace

/// `pulk drift` and the native API's drift report: two datasets (registered versions or files),
/// optionally a model whose predictions are compared too and whose importance ranks the features.
public enum DriftFlow {
    public struct Request: Sendable {
        /// NAME[:V] or a file; nil: the dataset the model was trained on (from its lineage).
        public var reference: String?
        /// NAME[:V] or a file; ignored when `serving` is given.
        public var current: String
        /// The current window is an endpoint's serving log instead.
        public var serving: ServingWindow?
        /// A model file or NAME@ALIAS / NAME:VERSION.
        public var model: String?
        public var options: DriftOptions
        public var read: DatasetStore.AddOptions
        /// Only registered dataset versions, never files (a server reading for a client).
        public var registeredOnly: Bool

        public init(reference: String?, current: String, model: String? = nil, options: DriftOptions = DriftOptions(),
                    read: DatasetStore.AddOptions = DatasetStore.AddOptions(), registeredOnly: Bool = false, serving: ServingWindow? = nil) {
            self.registeredOnly = registeredOnly
            self.serving = serving
            self.reference = reference
            self.current = current
            self.model = model
            self.options = options
            self.read = read
        }
    }

    /// An endpoint's logged requests with `since ≤ time < until` (milliseconds since 1970; either
    /// open), read page by page: those it answered (status 200, not mirrored) are the current window.
    public struct ServingWindow: Sendable {
        public var endpoint: String
        public var since: Int64?
        public var until: Int64?
        /// Request ids whose answered entries come back with the report (a monitor's feedback join).
        public var keep: Set<String>
        /// Entries read per page of the log.
        public var pageSize = 20_000

        public init(endpoint: String, since: Int64? = nil, until: Int64? = nil, keep: Set<String> = []) {
            self.endpoint = endpoint
            self.since = since
            self.until = until
            self.keep = keep
        }
    }

    /// A report, and with a serving window the entries it was asked to keep (bodies dropped) and
    /// the rows its answered requests scored.
    public struct Outcome: Sendable {
        public var report: DriftReport
        public var kept: [ServingLogEntry] = []
        public var answeredRows = 0
    }

    /// A serving window without an answered request: nothing to compare, but its traffic counts.
    public struct EmptyWindow: Error, CustomStringConvertible {
        public var message: String
        public var traffic: ServingTraffic
        public var description: String { message }
    }

    /// The report. `endpoints` is asked for only when the current window is a serving log.
    public static func run(_ r: Request, catalog: any DatasetCatalog, tracking: @escaping @Sendable () async throws -> any TrackingClient,
                           endpoints: (@Sendable () async throws -> any EndpointService)? = nil, now: Date = Date()) async throws -> DriftReport {
        do { return try await analyze(r, catalog: catalog, tracking: tracking, endpoints: endpoints, now: now).report } catch let e as EmptyWindow {
            throw AppError.invalid(e.message)
        }
    }

    /// `run`, with what a monitor also needs of a serving window; throws `EmptyWindow` when the window
    /// has no answered request.
    public static func analyze(_ r: Request, catalog: any DatasetCatalog, tracking: @escaping @Sendable () async throws -> any TrackingClient,
                               endpoints: (@Sendable () async throws -> any EndpointService)? = nil, now: Date = Date()) async throws -> Outcome {
        var model: (any Model)?
        var referenceName = r.reference
        var modelText = r.model
        var served: ServingWindowReader.Result?
        if let window = r.serving {
            guard let endpoints else { throw AppError.invalid("drift of a serving log needs the endpoints of a workspace or a server") }
            let service = try await endpoints()
            _ = try await service.endpoint(name: window.endpoint)  // an unknown endpoint is a 404, not an empty log
            var label: String?
            if let text = r.model {
                // the registered version the log names (an alias as it points now)
                guard let v = try await ModelReference(parsing: text).version(try await tracking()) else {
                    throw AppError.invalid("with an endpoint's serving log, the model is a registered version (NAME:VERSION or NAME@ALIAS), not a file")
                }
                label = "\(v.name):\(v.version)"
            }
            let read = try await ServingWindowReader(window: window, modelLabel: label, tracking: tracking, pageSize: window.pageSize).read(from: service)
            guard read.traffic.answered > 0 else {
                throw EmptyWindow(message: "endpoint \(window.endpoint) has no logged answered request\(window.since == nil ? "" : " in that window"): its serving log keeps a sample of requests (`pulk endpoints set \(window.endpoint) --log-sample 1` logs every one)",
                                  traffic: read.traffic)
            }
            served = read
            if modelText == nil { modelText = read.label }
            model = read.model
        }
        if let m = modelText {
            let ref = try ModelReference(parsing: m)
            if model == nil { model = try await ref.resolve(try await tracking()).model }
            if referenceName == nil { referenceName = try await trainingData(of: ref, tracking: tracking) }
        }
        guard let referenceName else {
            throw AppError.invalid("no reference data: give --reference NAME[:VERSION] or a file (or --model with a registered model whose training run read a registered dataset)")
        }
        func load(_ ref: String) async throws -> LoadedData {
            guard r.registeredOnly else { return try await DataSources.load(ref, options: r.read, catalog: catalog) }
            let v = try await DataSources.registered(ref, in: catalog)
            return LoadedData(frame: try await catalog.frame(v), label: v.reference, version: v, path: nil)
        }
        var reference = try await load(referenceName)
        var current: LoadedData
        if let served {
            guard served.frame.rowCount > 0 else {
                throw AppError.invalid("no logged request of endpoint \(r.serving!.endpoint) could be compared: " + served.warnings.joined(separator: "; "))
            }
            let n = served.requestsRead
            current = LoadedData(frame: served.frame, label: "endpoint \(r.serving!.endpoint) (\(n) logged request\(n == 1 ? "" : "s"))", version: nil, path: nil)
        } else {
            current = try await load(r.current)
        }
        var options = r.options
        var estimates: (reference: [String: Double]?, current: [String: Double]?) = (nil, nil)
        if let model {
            let features = model.schema.features.map(\.name)
            for (data, window) in [(reference, "reference"), (current, "current")] {
                let missing = features.filter { !data.frame.names.contains($0) }
                if !missing.isEmpty {
                    throw AppError.invalid("the \(window) data (\(data.label)) lacks the model's feature\(missing.count == 1 ? "" : "s") \(missing.prefix(5).joined(separator: ", ")): the model cannot predict on it")
                }
            }
            if options.columns == nil { options.columns = features }
            let referencePredictions = try predict(model, reference.frame), currentPredictions = try predict(model, current.frame)
            estimates = (Self.estimate(referencePredictions), Self.estimate(currentPredictions))
            let outputs = predictionColumns(referencePredictions)
            let currentOutputs = predictionColumns(currentPredictions)
            for c in outputs where !reference.frame.names.contains(c.name) { try reference.frame.append(c) }
            for c in currentOutputs where !current.frame.names.contains(c.name) { try current.frame.append(c) }
            options.predictionColumns = outputs.map(\.name).filter { !features.contains($0) }
            let target = model.target.name
            if !target.isEmpty, reference.frame.names.contains(target), current.frame.names.contains(target) { options.targetColumn = target }
            if options.importance.isEmpty, let m = model as? any ProvidesFeatureImportance {
                var importance: [String: Double] = [:]
                for f in m.featureImportance { importance[f.feature, default: 0] += f.gain > 0 ? f.gain : f.split }
                options.importance = importance
            }
        }
        do {
            var report = try DriftAnalyzer(options: options).analyze(reference: reference.frame, current: current.frame,
                                                                     referenceName: reference.label, currentName: current.label, now: now)
            report.warnings += served?.warnings ?? []
            report.model = modelText
            if let traffic = served?.traffic {
                let refused = traffic.refused
                report.refusedRequests = refused
                report.traffic = traffic
                if refused > 0 {
                    report.warnings.append("\(refused) logged request\(refused == 1 ? " was" : "s were") refused as bad input (HTTP 4xx: a missing column, a wrong type, …) and \(refused == 1 ? "is" : "are") not compared; `pulk endpoints logs \(r.serving!.endpoint)` shows them")
                }
            }
            report.estimatedPerformance = estimates.current
            report.referenceEstimatedPerformance = estimates.reference
            return Outcome(report: report, kept: served?.kept ?? [], answeredRows: served?.answeredRows ?? 0)
        } catch {
            throw AppError.invalid(error.description)
        }
    }

    /// The dataset version the model's training run read (context "train", else its only input).
    static func trainingData(of ref: ModelReference, tracking: @Sendable () async throws -> any TrackingClient) async throws -> String {
        let client = try await tracking()
        guard let v = try await ref.version(client) else {
            throw AppError.invalid("give --reference: \(ref) is a model file, which records no training data")
        }
        let lineage = try await Lineage.of(v, client: client)
        let inputs = lineage.datasets.filter { $0.workspaceVersion != nil }
        guard let input = inputs.first(where: { $0.context == "train" || $0.context == "training" }) ?? (inputs.count == 1 ? inputs.first : nil),
              let version = input.workspaceVersion else {
            throw AppError.invalid("give --reference: the run that made \(v.name) version \(v.version) read no registered dataset version")
        }
        return version.reference
    }

    /// The model's outputs as columns: `prediction` (the label or value), and for classifiers one
    /// `probability_<class>` column per class (at most 20 classes).
    static func predict(_ model: any Model, _ frame: Frame) throws -> Predictions {
        do { return try model.predict(frame) } catch { throw AppError.invalid("the model cannot predict on this data: \(error)") }
    }

    /// CBPE for a classifier's predictions; nil for other tasks.
    static func estimate(_ p: Predictions) -> [String: Double]? {
        guard case .classification(let classes, let predicted, let probabilities) = p, !predicted.isEmpty else { return nil }
        return EstimatedPerformance.classification(predicted: predicted, probabilities: probabilities.values, classes: classes.count)
    }

    static func predictionColumns(_ predictions: Predictions) -> [Column] {
        switch predictions {
        case .regression(let v):
            return [Column(name: "prediction", storage: .float64(v))]
        case .classification(let classes, let predicted, let probabilities):
            var out = [Column(name: "prediction", storage: .string(codes: predicted.map { Int32($0) }, dictionary: classes))]
            if classes.count <= 20 {
                for (k, c) in classes.enumerated() where classes.count > 2 || k == 1 {
                    out.append(Column(name: "probability_\(c)", storage: .float64(probabilities.map { $0[k] })))
                }
            }
            return out
        case .clustering(let clusters, _, _):
            return [Column(name: "prediction", storage: .string(codes: clusters.map { Int32($0) }, dictionary: (0...(clusters.max() ?? 0)).map { String($0) }))]
        case .anomaly(let scores, _, _):
            return [Column(name: "prediction", storage: .float64(scores))]
        case .recommendation:
            return []
        }
    }
}
