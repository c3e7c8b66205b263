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
            // Requests read alike can still differ in a numeric column's type (a CSV body's "212" is
            // an int64 column, "212.5" or a JSON body's a float64 one): joined as numbers.
            if !parts.allSatisfy({ $0.type == parts[0].type }), parts.allSatisfy({ $0.type.isNumeric }) {
                columns.append(Column(name: first.columns[k].name, storage: .float64(parts.flatMap { $0.doubles() ?? [] }), validity: validity))
                continue
            }
            if !parts.allSatisfy({ $0.type == parts[0].type }) {
                // Never expected of one input schema; as text rather than a crash (the model says what is wrong).
                var dictionary: [String] = [], index: [String: Int32] = [:], codes: [Int32] = []
                for p in parts {
                    for i in 0..<p.count {
                        let text = p.value(at: i).description
                        if index[text] == nil { index[text] = Int32(dictionary.count); dictionary.append(text) }
                        codes.append(index[text]!)
                    }
                }
                columns.append(Column(name: first.columns[k].name, storage: .string(codes: codes, dictionary: dictionary), validity: validity))
                continue
            }
            switch first.columns[k].storage {
            case .float64: storage = .float64(parts.flatMap { if case .float64(let v) = $0.storage { return v.array } else { return [] } })
            case .int64: storage = .int64(parts.flatMap { if case .int64(let v) = $0.storage { return v.array } else { return [] } })
            case .bool: storage = .bool(parts.flatMap { if case .bool(let v) = $0.storage { return v.array } else { return [] } })
            case .date: storage = .date(parts.flatMap { if case .date(let v) = $0.storage { return v.array } else { return [] } })
            case .datetime: storage = .datetime(parts.flatMap { if case .datetime(let v) = $0.storage { return v.array } else { return [] } })
            case .string:
                var dictionary: [String] = []
                var index: [String: Int32] = [:]
                var codes: [Int32] = []
                for p in parts {
                    guard case .string(let c, let d) = p.storage else { continue }
                    let remap = d.map { s -> Int32 in
                        if let i = index[s] { return i }
                        index[s] = Int32(dictionary.count)
                        dictionary.append(s)
                        return Int32(dictionary.count - 1)
                    }
                    codes.append(contentsOf: c.map { remap.isEmpty ? 0 : remap[Int($0)] })
                }
                storage = .string(codes: codes, dictionary: dictionary)
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
