/// A hyperparameter value.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return "\(v)"
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return v
        }
    }
}

/// The values a hyperparameter accepts.
public enum ParameterKind: Sendable, Hashable {
    case int(ClosedRange<Int>)
    /// A number in `lower…upper` (bounds inclusive unless marked open).
    case double(lower: Double, upper: Double, lowerOpen: Bool = false, upperOpen: Bool = false)
    case bool
    case choice([String])
    /// The name of a column of the training data (empty: none), such as a recommender's user column.
    case column

    var expected: String {
        switch self {
        case .int(let r): return "an integer in \(r.lowerBound)…\(r.upperBound == Int.max ? "∞" : String(r.upperBound))"
        case .double(let lo, let hi, let lo_, let hi_):
            return "a number in \(lo_ ? "(" : "[")\(lo), \(hi == .infinity ? "∞" : "\(hi)")\(hi_ || hi == .infinity ? ")" : "]")"
        case .bool: return "true or false"
        case .choice(let c): return "one of " + c.joined(separator: ", ")
        case .column: return "a column name"
        }
    }
}

/// One hyperparameter, declared once: its name, aliases, accepted values, default and documentation.
/// The declarations drive validation, CLI help and the docs.
public struct ParameterSpec: Sendable, Hashable {
    public var name: String
    public var aliases: [String]
    public var kind: ParameterKind
    public var defaultValue: ParameterValue
    public var doc: String

    public init(_ name: String, aliases: [String] = [], _ kind: ParameterKind, default defaultValue: ParameterValue, doc: String) {
        self.name = name
        self.aliases = aliases
        self.kind = kind
        self.defaultValue = defaultValue
        self.doc = doc
    }

    /// Parses and checks a value given as text.
    func parse(_ text: String, model: String) throws(LearnError) -> ParameterValue {
        let bad = LearnError.badParameterValue(model: model, name: name, value: text, expected: kind.expected)
        switch kind {
        case .int(let r):
            guard let v = Int(text), r.contains(v) else { throw bad }
            return .int(v)
        case .double(let lo, let hi, let loOpen, let hiOpen):
            guard let v = Double(text), v.isFinite || (v == .infinity && hi == .infinity && !hiOpen),
                  loOpen ? v > lo : v >= lo, hiOpen ? v < hi : v <= hi else { throw bad }
            return .double(v)
        case .bool:
            switch text.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: throw bad
            }
        case .choice(let options):
            guard options.contains(text) else { throw bad }
            return .string(text)
        case .column:
            guard text.utf8.count <= 1024, !text.contains(where: \.isNewline) else { throw bad }
            return .string(text)
        }
    }
}

/// Resolved hyperparameters of one model: every declared parameter has a value.
public struct Parameters: Sendable, Hashable, Codable {
    public private(set) var values: [String: ParameterValue]

    /// Defaults overridden by `given` (names or aliases → text), each checked against its spec.
    public init(specs: [ParameterSpec], given: [String: String] = [:], model: String) throws(LearnError) {
        var values = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0.defaultValue) })
        for (key, text) in given.sorted(by: { $0.key < $1.key }) {
            guard let spec = specs.first(where: { $0.name == key || $0.aliases.contains(key) }) else {
                throw .unknownParameter(model: model, name: key, known: specs.map(\.name))
            }
            values[spec.name] = try spec.parse(text, model: model)
        }
        self.values = values
    }

    public func int(_ name: String) -> Int {
        guard case .int(let v) = values[name] else { preconditionFailure("parameter \(name) is not an int") }
        return v
    }

    public func double(_ name: String) -> Double {
        switch values[name] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: preconditionFailure("parameter \(name) is not a number")
        }
    }

    public func bool(_ name: String) -> Bool {
        guard case .bool(let v) = values[name] else { preconditionFailure("parameter \(name) is not a bool") }
        return v
    }

    public func string(_ name: String) -> String {
        guard case .string(let v) = values[name] else { preconditionFailure("parameter \(name) is not a choice") }
        return v
    }
}

extension Parameters {
    /// Parameters read from a model file, checked against the estimator's declarations: a value of
    /// the wrong kind or out of its range makes the file corrupt (the accessors above would stop the
    /// process on it); a parameter the file does not hold takes its default.
    public func checked(against specs: [ParameterSpec], model: String, file: String) throws(LearnError) -> Parameters {
        var out = self
        for spec in specs {
            guard let v = values[spec.name] else { out.values[spec.name] = spec.defaultValue; continue }
            let fits: Bool
            switch (spec.kind, v) {
            case (.int(let r), .int(let x)): fits = r.contains(x)
            case (.double(let lo, let hi, _, _), .double(let x)): fits = !x.isNaN && x >= lo && x <= hi
            case (.double(let lo, let hi, _, _), .int(let x)): fits = Double(x) >= lo && Double(x) <= hi
            case (.bool, .bool): fits = true
            case (.choice(let options), .string(let x)): fits = options.contains(x)
            case (.column, .string): fits = true
            default: fits = false
            }
            guard fits else {
                throw .corruptModelFile(file, reason: "parameter \(spec.name) of the \(model) model is \(v), not \(spec.kind.expected)")
            }
        }
        return out
    }
}
