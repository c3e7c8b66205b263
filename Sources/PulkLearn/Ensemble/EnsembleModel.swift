public import PulkFrame

/// Models of one task combined into one: a weighted average of their predictions (class
/// probabilities matched by class name, or numbers), as greedy ensemble selection makes, or their
/// predictions as the features of a linear meta-model (stacking). Its file holds each member's
/// model file, so it scores, serves and explains like any other model.
public struct EnsembleModel: Model {
    public static let name = "ensemble"
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("method", .choice(["selection", "stacking"]), default: .string("selection"),
                      doc: "selection: a weighted average of the members (greedy ensemble selection); stacking: a linear model over the members' predictions."),
    ]

    public let kind = EnsembleModel.name
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let target: TargetInfo
    public let members: [any Model]
    /// One per member, summing to 1 (selection); the meta-model reads the members' predictions (stacking).
    public let weights: [Double]
    public let meta: (any Model)?

    /// A weighted average of `members` (weights are normalised to sum to 1).
    public init(members: [any Model], weights: [Double]) throws(LearnError) {
        try self.init(method: "selection", members: members, weights: weights, meta: nil)
    }

    /// Stacking: `meta` predicts from `features(_:)` of the members' predictions.
    public init(members: [any Model], meta: any Model) throws(LearnError) {
        try self.init(method: "stacking", members: members, weights: [Double](repeating: 1 / Double(max(members.count, 1)), count: members.count), meta: meta)
    }

    init(method: String, members: [any Model], weights: [Double], meta: (any Model)?, file: String = "<ensemble>") throws(LearnError) {
        guard let first = members.first, members.count == weights.count else {
            throw .corruptModelFile(file, reason: "an ensemble needs members, one weight each")
        }
        guard members.allSatisfy({ $0.target.task == first.target.task && $0.target.name == first.target.name }),
              first.target.task == .classification || first.target.task == .regression else {
            throw .corruptModelFile(file, reason: "an ensemble's members predict one target, by classification or regression")
        }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.reduce(0, +) > 0 else {
            throw .corruptModelFile(file, reason: "an ensemble's weights are non-negative numbers, not all 0")
        }
        parameters = try Parameters(specs: Self.parameterSpecs, given: ["method": method], model: Self.name)
        self.members = members
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
        self.meta = meta
        // Every member's features, in first-seen order; the classes of the first member.
        var seen = Set<String>()
        var features: [Feature] = []
        for m in members { for f in m.schema.features where seen.insert(f.name).inserted { features.append(f) } }
        schema = FeatureSchema(features: features)
        target = first.target
        if let classes = target.classes, !members.allSatisfy({ Set($0.target.classes ?? []) == Set(classes) }) {
            throw .corruptModelFile(file, reason: "an ensemble's classifiers know different classes")
        }
    }

    public func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let predictions = try members.map { m throws(LearnError) in try m.predict(frame) }
        if let meta {
            let p = try meta.predict(try Self.features(predictions, classes: target.classes, target: nil))
            guard case .classification(let classes, _, let probabilities) = p, let mine = target.classes else { return p }
            // The meta-model's classes in the members' order.
            let at = mine.map { c in classes.firstIndex(of: c) }
            var values = [Double](repeating: 0, count: probabilities.count * mine.count)
            for r in 0..<probabilities.count {
                let row = probabilities[r]
                for (k, j) in at.enumerated() { values[r * mine.count + k] = j.map { row[$0] } ?? 0 }
            }
            return .classification(classes: mine, probabilities: ClassProbabilities(values: values, width: mine.count, rows: probabilities.count))
        }
        return Self.average(predictions, weights: weights, classes: target.classes)
    }

    /// The weighted average of members' predictions: probabilities by class name, or numbers.
    public static func average(_ predictions: [Predictions], weights: [Double], classes: [String]?) -> Predictions {
        if let classes {
            let k = classes.count
            var n = 0
            var sum: [Double] = []
            for (p, w) in zip(predictions, weights) {
                guard case .classification(let theirs, _, let probabilities) = p else { continue }
                if sum.isEmpty { n = probabilities.count; sum = [Double](repeating: 0, count: n * k) }
                let at = theirs.map { classes.firstIndex(of: $0) }
                probabilities.values.withUnsafeBufferPointer { v in
                    for r in 0..<n {
                        for (j, c) in at.enumerated() {
                            if let c { sum[r * k + c] += w * v[r * theirs.count + j] }
                        }
                    }
                }
            }
            return .classification(classes: classes, probabilities: ClassProbabilities(values: sum, width: k, rows: n))
        }
        var sum: [Double] = []
        for (p, w) in zip(predictions, weights) {
            guard case .regression(let v) = p else { continue }
            if sum.isEmpty { sum = [Double](repeating: 0, count: v.count) }
            for i in 0..<v.count { sum[i] += w * v[i] }
        }
        return .regression(sum)
    }

    /// The members' predictions as a frame of numbers, the meta-model's input: `m{j}_{class}` per
    /// member and class (the last class left out: the rest determine it), or `m{j}` per regressor;
    /// with `target`, that column too.
    public static func features(_ predictions: [Predictions], classes: [String]?, target: Column?) throws(LearnError) -> Frame {
        var columns: [Column] = []
        for (j, p) in predictions.enumerated() {
            switch p {
            case .classification(let theirs, _, let probabilities):
                let mine = classes ?? theirs
                for (k, c) in mine.enumerated().dropLast() {
                    let at = theirs.firstIndex(of: c)
                    columns.append(Column(name: "m\(j)_\(k)", storage: .float64((0..<probabilities.count).map { r in at.map { probabilities.values[r * theirs.count + $0] } ?? 0 })))
                }
            case .regression(let v):
                columns.append(Column(name: "m\(j)", storage: .float64(v)))
            default:
                throw .badTarget("ensemble", reason: "members must be classifiers or regressors")
            }
        }
        if let target { columns.append(target) }
        do { return try Frame(columns: columns) } catch { throw .badTarget("ensemble", reason: "\(error)") }
    }

    public var state: ModelState {
        var bytes: [String: [UInt8]] = [:]
        for (j, m) in members.enumerated() { bytes["member_\(j)"] = ModelFile.encode(m) }
        if let meta { bytes["meta"] = ModelFile.encode(meta) }
        return ModelState(doubles: ["weights": weights], bytes: bytes)
    }

    /// An ensemble read back: each member decoded by `decoders` (an ensemble never holds another).
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String, decoders: [String: ModelFile.Decoder]) throws(LearnError) -> any Model {
        let weights = try s.double("weights", file: file)
        guard weights.count <= 1000 else { throw .corruptModelFile(file, reason: "too many ensemble members") }
        var inner = decoders
        inner[name] = nil
        let members = try (0..<weights.count).map { j throws(LearnError) in
            try ModelFile.decode(try s.bytes("member_\(j)", file: file), name: "\(file) member \(j)", decoders: inner)
        }
        let method = h.parameters.string("method")
        let meta = method == "stacking" ? try ModelFile.decode(try s.bytes("meta", file: file), name: "\(file) meta-model", decoders: inner) : nil
        if method == "stacking", meta == nil { throw .corruptModelFile(file, reason: "a stacking ensemble needs its meta-model") }
        return try EnsembleModel(method: method, members: members, weights: weights, meta: meta, file: file)
    }
}

extension EnsembleModel: ProvidesFeatureImportance {
    /// The members' importances that have them, added up by the members' weights (stacking: equal
    /// weights): split counts as they are, gains as shares of each member's total gain.
    public var featureImportance: [FeatureImportance] {
        var split: [String: Double] = [:], gain: [String: Double] = [:], order: [String] = []
        for (m, w) in zip(members, weights) {
            guard let importance = (m as? any ProvidesFeatureImportance)?.featureImportance else { continue }
            let gains = importance.reduce(0) { $0 + $1.gain }
            for f in importance {
                if split[f.feature] == nil { order.append(f.feature) }
                split[f.feature, default: 0] += w * f.split
                gain[f.feature, default: 0] += gains > 0 ? w * f.gain / gains : 0
            }
        }
        return order.map { FeatureImportance(feature: $0, split: split[$0]!, gain: gain[$0]!) }.sorted { $0.gain > $1.gain }
    }
}
