public import PulkFrame

/// Everything that can go wrong training or applying a model, each message with its fix.
public enum LearnError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingFeatures(expected: Int, got: Int, missing: [String])
    case wrongFeatureType(column: String, expected: DataType, got: DataType)
    case unknownTarget(String, available: [String])
    case badTarget(String, reason: String)
    case emptyTrainingData
    case unknownParameter(model: String, name: String, known: [String])
    case badParameterValue(model: String, name: String, value: String, expected: String)
    case unknownModel(String, known: [String])
    case corruptModelFile(String, reason: String)
    case io(String, reason: String)
    case invalidSplit(String)
    /// Every column was dropped by featurization (each with its reason).
    case noUsableFeatures([String])

    public var description: String {
        switch self {
        case .missingFeatures(let expected, let got, let missing):
            return "model expects \(expected) features, got \(got): missing " + missing.map { "'\($0)'" }.joined(separator: ", ")
                + ". Score data with the columns the model was trained on."
        case .wrongFeatureType(let column, let expected, let got):
            return "feature '\(column)' was \(expected.rawValue) in training but is \(got.rawValue) here. "
                + "Read the data with `--type \(column)=\(expected.rawValue)` or fix the column."
        case .unknownTarget(let t, let available):
            return "no target column '\(t)'. Columns: " + available.prefix(20).map { "'\($0)'" }.joined(separator: ", ") + "."
        case .badTarget(let t, let reason):
            return "target '\(t)' cannot be used: \(reason)."
        case .emptyTrainingData:
            return "no rows with a target value to train on. Check the target column and any filters."
        case .unknownParameter(let model, let name, let known):
            return "\(model) has no parameter '\(name)'. Its parameters: " + known.joined(separator: ", ") + "." + Self.suggestion(name, known)
        case .badParameterValue(let model, let name, let value, let expected):
            return "\(model) parameter \(name)=\(value) is invalid: expected \(expected)."
        case .unknownModel(let m, let known):
            return "no model named '\(m)'. Models: " + known.joined(separator: ", ") + "." + Self.suggestion(m, known)
        case .corruptModelFile(let path, let reason):
            return "\(path) is not a readable Pulk model file (\(reason)). Re-train or re-export the model."
        case .io(let path, let reason):
            return "\(path): \(reason)."
        case .invalidSplit(let reason):
            return "cannot split the data: \(reason)"
        case .noUsableFeatures(let reasons):
            return "no column can be used as a feature (" + reasons.prefix(10).joined(separator: "; ") + "). Add columns with varying values."
        }
    }

    /// " Did you mean X?" when one known name is within a typo of `name` (at most two edits, one for
    /// names under four characters; case ignored), else "".
    static func suggestion(_ name: String, _ known: [String]) -> String {
        let limit = name.count < 4 ? 1 : 2
        let scored = known.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }.filter { $0.1 <= limit }
        guard let best = scored.min(by: { $0.1 < $1.1 }), scored.filter({ $0.1 == best.1 }).count == 1, best.0 != name else { return "" }
        return " Did you mean \(best.0)?"
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
