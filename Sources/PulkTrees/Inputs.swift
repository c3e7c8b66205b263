public import PulkFrame
public import PulkLearn

/// Tree models read their input columns directly, without the learning core's preprocessing:
/// numbers (integers, booleans as 0/1, dates as days, datetimes as seconds) as they are with
/// missing values kept missing, and text as native categories. A category is coded by its index
/// in the training schema's sorted categories; unseen and missing categories are missing.
public struct TreeInputs: Sendable {
    public let rows: Int
    /// One column per schema feature, NaN for missing.
    public let columns: [[Double]]
    public let categorical: [Bool]

    public init(frame: Frame, schema: FeatureSchema) throws(LearnError) {
        let cols = try schema.columns(of: frame)
        rows = frame.rowCount
        categorical = schema.features.map { $0.categories != nil }
        columns = zip(cols, schema.features).map { c, f in Self.values(c, f) }
    }

    static func values(_ c: Column, _ f: Feature) -> [Double] {
        guard let categories = f.categories else { return c.doubles() ?? [Double](repeating: .nan, count: c.count) }
        guard case .string(let codes, let dictionary) = c.storage else { return [Double](repeating: .nan, count: c.count) }
        let index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Double($0)) })
        let lookup = dictionary.map { index[$0] ?? .nan }
        var out = [Double](repeating: .nan, count: c.count)
        for i in 0..<c.count where c.isValid(i) { out[i] = lookup[Int(codes[i])] }
        return out
    }

    /// The columns one after another in one buffer (column-major), for prediction.
    public func columnMajor() -> [Double] {
        guard rows > 0 else { return [] }
        var out = [Double](repeating: 0, count: rows * columns.count)
        out.withUnsafeMutableBufferPointer { o in
            for (j, col) in columns.enumerated() {
                col.withUnsafeBufferPointer { v in (o.baseAddress! + j * rows).update(from: v.baseAddress!, count: rows) }
            }
        }
        return out
    }

    /// The rows side by side (row-major), for prediction.
    public func rowMajor() -> [Double] {
        let p = columns.count
        var out = [Double](repeating: 0, count: rows * p)
        out.withUnsafeMutableBufferPointer { o in
            for (j, col) in columns.enumerated() {
                col.withUnsafeBufferPointer { v in
                    var dst = o.baseAddress! + j
                    for i in 0..<rows { dst.pointee = v[i]; dst += p }
                }
            }
        }
        return out
    }
}

extension FeatureSchema {
    /// Every feature is a number (float64 or int64) without categories: a tree model's input is then
    /// the values as they are, so a matrix of them can be scored without a frame (`MatrixScoring`).
    var readsNumbersAsTheyAre: Bool {
        allNumbers && features.allSatisfy { $0.categories == nil }
    }
}

/// Which task a tree model takes on for a target column when the user has not said: text and
/// booleans are classes, integers with two values (0/1 labels) too; other numbers are regression.
func inferredTask(_ frame: Frame, target: String) -> Task {
    guard let c = frame.columns.first(where: { $0.name == target }) else { return .regression }
    switch c.storage {
    case .string, .bool: return .classification
    case .int64(let v):
        var seen = Set<Int64>()
        for i in 0..<c.count where c.isValid(i) {
            seen.insert(v[i])
            if seen.count > 2 { return .regression }
        }
        return .classification
    default: return .regression
    }
}
