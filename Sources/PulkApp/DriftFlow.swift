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

    /// The requests an endpoint answered (status 200, not mirrored) and logged, newest first: the last
    /// `limit` of them, only those since `since` (milliseconds since 1970) when given.
    public struct ServingWindow: Sendable {
        public var endpoint: String
        public var since: Int64?
        /// Only requests before this (milliseconds since 1970).
        public var until: Int64?
        public var limit: Int
        /// The log as the caller already read it (its newest `limit` entries), so that a caller who
        /// needs it too reads it once; nil: read here.
        public var entries: [ServingLogEntry]?

        public init(endpoint: String, since: Int64? = nil, until: Int64? = nil, limit: Int = 10_000, entries: [ServingLogEntry]? = nil) {
            self.endpoint = endpoint
            self.since = since
            self.until = until
            self.limit = limit
            self.entries = entries
        }

        /// Whether an entry's time falls in the window.
        public func contains(_ e: ServingLogEntry) -> Bool { (since.map { e.time >= $0 } ?? true) && (until.map { e.time < $0 } ?? true) }
    }

    /// The report. `endpoints` is asked for only when the current window is a serving log.
    public static func run(_ r: Request, catalog: any DatasetCatalog, tracking: @Sendable () async throws -> any TrackingClient,
                           endpoints: (@Sendable () async throws -> any EndpointService)? = nil, now: Date = Date()) async throws -> DriftReport {
        var model: (any Model)?
        var referenceName = r.reference
        var modelText = r.model
        var served: (frame: Frame, label: String, warnings: [String])?
        var logged: [ServingLogEntry] = []
        var refused: Int?
        if let window = r.serving {
            guard let endpoints else { throw AppError.invalid("drift of a serving log needs the endpoints of a workspace or a server") }
            let service = try await endpoints()
            _ = try await service.endpoint(name: window.endpoint)  // an unknown endpoint is a 404, not an empty log
            let entries: [ServingLogEntry]
            if let read = window.entries { entries = read } else { entries = try await service.servingLog(endpoint: window.endpoint, limit: window.limit) }
            logged = entries.filter(window.contains)
            let answered = logged.filter { $0.status == 200 && !$0.shadow }
            guard !answered.isEmpty else {
                throw AppError.invalid("endpoint \(window.endpoint) has no logged answered request\(window.since == nil ? "" : " in that window"): its serving log keeps a sample of requests (`pulk endpoints set \(window.endpoint) --log-sample 1` logs every one)")
            }
            if modelText == nil {
                // the model version that answered most of the window
                var counts: [String: Int] = [:]
                for e in answered { counts["\(e.model):\(e.version)", default: 0] += 1 }
                modelText = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!.key
            }
            refused = logged.filter { (400..<500).contains($0.status) && !$0.shadow }.count
            logged = answered
        }
        if let m = modelText {
            let ref = try ModelReference(parsing: m)
            model = try await ref.resolve(try await tracking()).model
            if referenceName == nil { referenceName = try await trainingData(of: ref, tracking: tracking) }
        }
        if let window = r.serving, let model {
            served = servingFrame(logged, model: model, endpoint: window.endpoint, modelLabel: modelText ?? "")
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
            current = LoadedData(frame: served.frame, label: served.label, version: nil, path: nil)
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
            if let refused {
                report.refusedRequests = refused
                if refused > 0 {
                    report.warnings.append("\(refused) logged request\(refused == 1 ? " was" : "s were") refused as bad input (HTTP 4xx: a missing column, a wrong type, …) and \(refused == 1 ? "is" : "are") not compared; `pulk endpoints logs \(r.serving!.endpoint)` shows them")
                }
            }
            report.estimatedPerformance = estimates.current
            report.referenceEstimatedPerformance = estimates.reference
            return report
        } catch {
            throw AppError.invalid(error.description)
        }
    }

    /// The logged request bodies read as the model reads them (its input schema), one frame; a body
    /// that cannot be read (or was answered by another model version) is counted in a warning.
    static func servingFrame(_ entries: [ServingLogEntry], model: any Model, endpoint: String, modelLabel: String) -> (frame: Frame, label: String, warnings: [String]) {
        let schema = InputSchema(model.schema, policy: ScoringPolicy(unseenCategories: .allow, maxRows: .max))
        var frames: [Frame] = []
        var unreadable = 0, otherVersion = 0
        for e in entries {
            if !modelLabel.isEmpty && "\(e.model):\(e.version)" != modelLabel { otherVersion += 1; continue }
            let bytes = Array(e.input.utf8)
            let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
            do {
                frames.append(first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? try schema.frame(json: bytes) : try schema.frame(csv: bytes))
            } catch {
                unreadable += 1
            }
        }
        var warnings: [String] = []
        if otherVersion > 0 { warnings.append("\(otherVersion) logged request\(otherVersion == 1 ? " was" : "s were") answered by another model version than \(modelLabel) and \(otherVersion == 1 ? "is" : "are") not compared") }
        if unreadable > 0 { warnings.append("\(unreadable) logged request bod\(unreadable == 1 ? "y" : "ies") could not be read as \(modelLabel)'s input and \(unreadable == 1 ? "is" : "are") not compared") }
        let frame = frames.isEmpty ? (try! Frame(columns: [])) : Batches.concatenate(frames)
        let label = "endpoint \(endpoint) (\(frames.count) logged request\(frames.count == 1 ? "" : "s"))"
        return (frame, label, warnings)
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
