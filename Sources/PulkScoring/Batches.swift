public import PulkFrame
public import PulkLearn

/// Joining requests into one batch and handing each its share of the answers (micro-batching).
public enum Batches {
    /// The rows of `frames` (same columns and types, as one input schema makes them) one after another.
    /// Text columns are re-encoded over the union of their dictionaries.
    public static func concatenate(_ frames: [Frame]) -> Frame {
        guard let first = frames.first, frames.count > 1 else { return frames.first ?? (try! Frame(columns: [])) }
        var columns: [Column] = []
        for k in first.columns.indices {
            let parts = frames.map { $0.columns[k] }
            let anyMissing = parts.contains { $0.validity != nil }
            var validity: Bitmap?
            if anyMissing {
                var v = Bitmap(count: 0, value: true)
                for p in parts { v.append(contentsOf: p.validity ?? Bitmap(count: p.count, value: true)) }
                validity = v
            }
            let storage: ColumnStorage
            if parts.allSatisfy({ $0.type == parts[0].type }) {
                switch first.columns[k].storage {
                case .float64: storage = .float64(parts.flatMap { if case .float64(let v) = $0.storage { return v.array } else { return [] } })
                case .int64: storage = .int64(parts.flatMap { if case .int64(let v) = $0.storage { return v.array } else { return [] } })
                case .bool: storage = .bool(parts.flatMap { if case .bool(let v) = $0.storage { return v.array } else { return [] } })
                case .date: storage = .date(parts.flatMap { if case .date(let v) = $0.storage { return v.array } else { return [] } })
                case .datetime: storage = .datetime(parts.flatMap { if case .datetime(let v) = $0.storage { return v.array } else { return [] } })
                case .string:
                    var union = TextUnion()
                    var codes: [Int32] = []
                    for p in parts {
                        guard case .string(let c, let d) = p.storage else { continue }
                        union.append(codes: c, dictionary: d, into: &codes)
                    }
                    storage = .string(codes: codes, dictionary: union.dictionary)
                }
            } else if parts.allSatisfy({ $0.type.isNumeric }) {
                // Requests read alike can still differ in a numeric column's type (a CSV body's "212" is
                // an int64 column, "212.5" or a JSON body's a float64 one): joined as numbers.
                storage = .float64(parts.flatMap { $0.doubles() ?? [] })
            } else {
                // Never expected of one input schema; as text rather than a crash (the model says what is wrong).
                var union = TextUnion()
                let codes = parts.flatMap { p in (0..<p.count).map { union.code(p.value(at: $0).description) } }
                storage = .string(codes: codes, dictionary: union.dictionary)
            }
            columns.append(Column(name: first.columns[k].name, storage: storage, validity: validity))
        }
        return try! Frame(columns: columns)
    }

    /// Rows `range` of a batch's predictions.
    public static func slice(_ p: Predictions, _ range: Range<Int>) -> Predictions {
        switch p {
        case .regression(let v): return .regression(Array(v[range]))
        case .classification(let classes, let predicted, let probabilities):
            return .classification(classes: classes, predicted: Array(predicted[range]), probabilities: probabilities.rows(range))
        case .clustering(let clusters, let distances, let memberships):
            return .clustering(clusters: Array(clusters[range]), distances: Array(distances[range]), memberships: memberships?.rows(range))
        case .anomaly(let scores, let flagged, let reasons):
            return .anomaly(scores: Array(scores[range]), flagged: Array(flagged[range]), reasons: Array(reasons[range]))
        case .recommendation(let lists): return .recommendation(Array(lists[range]))
        }
    }
}

/// Text columns' dictionaries joined into one: each value's code in the union, each part's codes
/// re-encoded over it (a batch of requests, a window's bodies).
struct TextUnion {
    private(set) var dictionary: [String] = []
    private var index: [String: Int32] = [:]

    /// The value's code in the union (added when new).
    mutating func code(_ value: String) -> Int32 {
        if let i = index[value] { return i }
        let i = Int32(dictionary.count)
        index[value] = i
        dictionary.append(value)
        return i
    }

    /// Appends a part's `codes` over its own `dictionary`, re-encoded over the union, to `out`.
    mutating func append(codes: some Collection<Int32>, dictionary part: [String], into out: inout [Int32]) {
        let remap = part.map { code($0) }
        out.append(contentsOf: codes.map { remap.isEmpty ? 0 : remap[Int($0)] })
    }
}
