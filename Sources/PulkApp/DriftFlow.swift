public import Foundation
public import PulkFrame
import PulkLearn
public import PulkMonitoring
import PulkStore
public import PulkTracking
public import PulkWorkspace

/// `pulk drift` and the native API's drift report: two datasets (registered versions or files),
/// optionally a model whose predictions are compared too and whose importance ranks the features.
public enum DriftFlow {
    public struct Request: Sendable {
        /// NAME[:V] or a file; nil: the dataset the model was trained on (from its lineage).
        public var reference: String?
        public var current: String
        /// A model file or NAME@ALIAS / NAME:VERSION.
        public var model: String?
        public var options: DriftOptions
        public var read: DatasetStore.AddOptions
        /// Only registered dataset versions, never files (a server reading for a client).
        public var registeredOnly: Bool

        public init(reference: String?, current: String, model: String? = nil, options: DriftOptions = DriftOptions(),
                    read: DatasetStore.AddOptions = DatasetStore.AddOptions(), registeredOnly: Bool = false) {
            self.registeredOnly = registeredOnly
            self.reference = reference
            self.current = current
            self.model = model
            self.options = options
            self.read = read
        }
    }

    /// The report, with `progress` told of each step (reading, predicting, comparing).
    public static func run(_ r: Request, catalog: any DatasetCatalog, tracking: @Sendable () async throws -> any TrackingClient,
                           now: Date = Date()) async throws -> DriftReport {
        var model: (any Model)?
        var referenceName = r.reference
        if let m = r.model {
            let ref = try ModelReference(parsing: m)
            model = try await ref.resolve(try await tracking()).model
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
        var current = try await load(r.current)
        var options = r.options
        if let model {
            let features = model.schema.features.map(\.name)
            for (data, window) in [(reference, "reference"), (current, "current")] {
                let missing = features.filter { !data.frame.names.contains($0) }
                if !missing.isEmpty {
                    throw AppError.invalid("the \(window) data (\(data.label)) lacks the model's feature\(missing.count == 1 ? "" : "s") \(missing.prefix(5).joined(separator: ", ")): the model cannot predict on it")
                }
            }
            if options.columns == nil { options.columns = features }
            let outputs = try predictionColumns(model, reference.frame)
            let currentOutputs = try predictionColumns(model, current.frame)
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
            return try DriftAnalyzer(options: options).analyze(reference: reference.frame, current: current.frame,
                                                               referenceName: reference.label, currentName: current.label, now: now)
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
    static func predictionColumns(_ model: any Model, _ frame: Frame) throws -> [Column] {
        let predictions: Predictions
        do { predictions = try model.predict(frame) } catch { throw AppError.invalid("the model cannot predict on this data: \(error)") }
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
