public import PulkFrame

/// What a model learns: regression of a number, classification into named classes, or (with no
/// target) clustering into groups and anomaly detection, and recommendation from interactions.
public enum Task: String, Sendable, Codable, Hashable {
    case regression, classification, clustering, anomaly, recommendation

    /// Whether the task learns to predict a target column.
    public var supervised: Bool { self == .regression || self == .classification }
}

/// One input column of a model as seen in training.
public struct Feature: Sendable, Codable, Hashable {
    public var name: String
    public var type: DataType
    /// Categories seen in training, for text columns.
    public var categories: [String]?

    public init(name: String, type: DataType, categories: [String]? = nil) {
        self.name = name
        self.type = type
        self.categories = categories
    }
}

/// The features a fitted model expects. Scoring data must have them (by name, any order, extra
/// columns ignored) with the same types.
public struct FeatureSchema: Sendable, Codable, Hashable {
    public var features: [Feature]

    public init(features: [Feature]) { self.features = features }

    /// Every feature is a number (float64 or int64).
    public var allNumbers: Bool { features.allSatisfy { $0.type == .float64 || $0.type == .int64 } }

    /// Every column of `frame` but the target.
    public init(frame: Frame, excluding target: String) {
        features = frame.columns.filter { $0.name != target }.map { c in
            var categories: [String]?
            if case .string = c.storage { categories = c.compactingDictionary().dictionaryValues.sorted() }
            return Feature(name: c.name, type: c.type, categories: categories)
        }
    }

    /// The model's feature columns of `frame`, in schema order; a clear error when some are missing
    /// or have another type.
    public func columns(of frame: Frame) throws(LearnError) -> [Column] {
        // The usual case when scoring: exactly the features, in order (no dictionary to build).
        if frame.columns.count == features.count,
           zip(frame.columns, features).allSatisfy({ c, f in c.name == f.name && (c.type == f.type || (f.type.isNumeric && c.type.isNumeric)) }) {
            return frame.columns
        }
        let byName = Dictionary(frame.columns.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = features.filter { byName[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            let present = features.count - missing.count
            throw .missingFeatures(expected: features.count, got: present, missing: missing)
        }
        return try features.map { f throws(LearnError) in
            let c = byName[f.name]!
            guard c.type == f.type || (f.type.isNumeric && c.type.isNumeric) else {
                throw .wrongFeatureType(column: f.name, expected: f.type, got: c.type)
            }
            return c
        }
    }
}

extension Column {
    /// The dictionary of a text column (empty for other types).
    var dictionaryValues: [String] {
        if case .string(_, let d) = storage { return d }
        return []
    }
}

/// The target a model was trained on.
public struct TargetInfo: Sendable, Codable, Hashable {
    public var name: String
    public var task: Task
    /// Class labels in order (classification); predictions index into this.
    public var classes: [String]?
}

/// The target column of training data, reduced to rows where it is present.
public struct TargetValues: Sendable {
    public var info: TargetInfo
    /// Rows of the frame with a target value.
    public var rows: [Int]
    /// Regression targets, per row in `rows`.
    public var values: [Double]
    /// Class indices into `info.classes`, per row in `rows`.
    public var classes: [Int]

    /// The rows of `frame` that have a target value (the frame itself when none is missing).
    public func presentRows(of frame: Frame) -> Frame {
        rows.count == frame.rowCount ? frame : frame.take(rows)
    }

    /// Extracts the target for `task`. Classes are sorted (numbers numerically, text by text).
    public static func extract(_ frame: Frame, target: String, task: Task) throws(LearnError) -> TargetValues {
        guard let column = frame.columns.first(where: { $0.name == target }) else {
            throw .unknownTarget(target, available: frame.names)
        }
        let rows = column.validity == nil ? Array(0..<frame.rowCount) : (0..<frame.rowCount).filter { column.isValid($0) }
        guard !rows.isEmpty else { throw .emptyTrainingData }
        switch task {
        case .regression:
            guard column.type.isNumeric, let all = column.doubles() else {
                throw .badTarget(target, reason: "it is \(column.type.rawValue), but regression needs numbers; train a classifier instead")
            }
            return TargetValues(info: TargetInfo(name: target, task: .regression, classes: nil), rows: rows,
                                values: rows.count == all.count ? all : rows.map { all[$0] }, classes: [])
        case .classification:
            if column.type == .float64, let all = column.doubles(), rows.contains(where: { all[$0] != all[$0].rounded() }) {
                throw .badTarget(target, reason: "it holds fractional numbers; classification needs labels (train a regressor instead)")
            }
            let values = rows.map { column.value(at: $0) }
            let distinct = Array(Set(values)).sorted { a, b in
                if let x = a.numeric, let y = b.numeric { return x < y }
                return a.description < b.description
            }
            let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
            return TargetValues(info: TargetInfo(name: target, task: .classification, classes: distinct.map(\.description)),
                                rows: rows, values: [], classes: values.map { index[$0]! })
        case .clustering, .anomaly:
            throw .badTarget(target, reason: "\(task.rawValue) learns without a target; name a column of known answers as --label to compare against")
        case .recommendation:
            throw .badTarget(target, reason: "recommenders learn from interactions: name their columns with --user, --item and --rating instead of --target")
        }
    }
}
