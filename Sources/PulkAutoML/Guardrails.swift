public import PulkFrame
public import PulkLearn

/// One data check made before the first trial, as Azure ML's data guardrails: passed, fixed (and
/// how), or a warning the user should read.
public struct Guardrail: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        case passed, fixed, warned
    }

    public var check: String
    public var outcome: Outcome
    public var detail: String
    /// The columns concerned (dropped, with missing values, suspected of leakage, …).
    public var columns: [String] = []
}

/// The data checks of an AutoML search. Columns that cannot help any estimator (constant,
/// identifiers, free text with a different value on almost every row) are dropped before the
/// search; the rest is reported.
public enum Guardrails {
    /// Rows from which identifier and free-text checks apply (fewer rows are too few to tell).
    static let minimumRows = 20

    /// The frame without the columns the checks drop, and every check's result.
    public static func check(_ frame: Frame, target: String, task: TaskDecision, folds: Int?) -> (frame: Frame, results: [Guardrail]) {
        let n = frame.rowCount
        let features = frame.columns.filter { $0.name != target }
        var results: [Guardrail] = []
        var dropped: Set<String> = []

        // Constant columns and identifiers.
        var constant: [String] = [], identifiers: [String] = [], freeText: [String] = []
        for c in features {
            let distinct = distinctCount(c)
            let present = n - c.missingCount
            if distinct <= 1 { constant.append(c.name); continue }
            guard n >= minimumRows, c.type == .string || c.type == .int64 else { continue }
            if distinct == present { identifiers.append(c.name) } else if c.type == .string, Double(distinct) > 0.5 * Double(present) { freeText.append(c.name) }
        }
        results.append(constant.isEmpty ? Guardrail(check: "constant columns", outcome: .passed, detail: "no column has a single value")
            : Guardrail(check: "constant columns", outcome: .fixed, detail: "dropped: a column with one value cannot tell rows apart", columns: constant))
        results.append(identifiers.isEmpty ? Guardrail(check: "identifier columns", outcome: .passed, detail: "no text or integer column has a different value on every row")
            : Guardrail(check: "identifier columns", outcome: .fixed, detail: "dropped: every row has its own value, like an identifier, which would let models memorise rows",
                        columns: identifiers))
        results.append(freeText.isEmpty ? Guardrail(check: "high-cardinality text", outcome: .passed, detail: "no text column has a different value on most rows")
            : Guardrail(check: "high-cardinality text", outcome: .fixed,
                        detail: "dropped: more than half of the rows have their own value (free text or near-identifiers), too many categories to learn from",
                        columns: freeText))
        dropped.formUnion(constant + identifiers + freeText)

        // Missing values.
        let missing = features.filter { $0.missingCount > 0 && !dropped.contains($0.name) }
        results.append(missing.isEmpty ? Guardrail(check: "missing values", outcome: .passed, detail: "no feature has missing values")
            : Guardrail(check: "missing values", outcome: .fixed,
                        detail: "imputed inside each model: numbers by the mean with a missing-indicator column, categories as a level of their own; "
                            + "tree models route missing values natively (" + missing.map { "\($0.name): \($0.missingCount)" }.joined(separator: ", ") + ")",
                        columns: missing.map(\.name)))

        // Classes.
        if task.task == .classification, let column = frame.columns.first(where: { $0.name == target }) {
            var counts: [String: Int] = [:]
            for i in 0..<n where column.isValid(i) { counts[column.value(at: i).description, default: 0] += 1 }
            let sorted = counts.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
            if let least = sorted.first, let most = sorted.last {
                let ratio = Double(least.value) / Double(most.value)
                results.append(ratio >= 0.2
                    ? Guardrail(check: "class balance", outcome: .passed, detail: "the rarest class (\(least.key), \(least.value) rows) has at least a fifth of the commonest's rows")
                    : Guardrail(check: "class balance", outcome: .warned,
                                detail: "imbalanced: \(least.key) has \(least.value) rows against \(most.value) of \(most.key); no class weighting is applied, since ROC AUC and "
                                    + "log loss judge probabilities; for balanced decisions search with --metric balanced_accuracy or f1 (the estimators' class_weight=balanced)"))
                let k = folds ?? 1
                let few = sorted.filter { $0.value < max(k, 2) }
                results.append(few.isEmpty ? Guardrail(check: "rows per class", outcome: .passed, detail: "every class has at least \(max(k, 2)) rows")
                    : Guardrail(check: "rows per class", outcome: .warned,
                                detail: few.map { "\($0.key) has \($0.value) row\($0.value == 1 ? "" : "s")" }.joined(separator: ", ")
                                    + ": too few for every validation fold to hold the class, so its scores are unreliable"))
            }
        }

        // Leakage: a single feature that predicts the target almost perfectly.
        let kept = features.filter { !dropped.contains($0.name) }
        if let column = frame.columns.first(where: { $0.name == target }) {
            let suspects = kept.filter { leaks($0, target: column, classification: task.task == .classification) }.map(\.name)
            results.append(suspects.isEmpty ? Guardrail(check: "target leakage", outcome: .passed, detail: "no single feature predicts the target almost perfectly")
                : Guardrail(check: "target leakage", outcome: .warned,
                            detail: "alone, each of these predicts the target almost perfectly (99% or more): check it is known before the target is, "
                                + "or drop it from the data", columns: suspects))
        }

        // Duplicated rows.
        let duplicates = duplicateRows(kept, rows: n)
        results.append(duplicates == 0 ? Guardrail(check: "duplicate rows", outcome: .passed, detail: "no two rows have the same features")
            : Guardrail(check: "duplicate rows", outcome: .warned,
                        detail: "\(duplicates) row\(duplicates == 1 ? " repeats" : "s repeat") an earlier row's features: copies can fall on both sides of a validation fold and flatter its score"))

        let out = dropped.isEmpty ? frame : (try? frame.select(frame.names.filter { !dropped.contains($0) })) ?? frame
        return (out, results)
    }

    /// Distinct present values.
    static func distinctCount(_ c: Column) -> Int {
        switch c.storage {
        case .string(let codes, _):
            var seen = Set<Int32>()
            for i in 0..<c.count where c.isValid(i) { seen.insert(codes[i]) }
            return seen.count
        default:
            guard let v = c.doubles() else { return 0 }
            return Set(v.filter { !$0.isNaN }).count
        }
    }

    /// Whether `feature` alone predicts `target` for 99% of rows: for classes, the share of rows
    /// whose class is the most common one of their feature value (numbers in 64 quantile bins); for
    /// numbers, a squared correlation (or, for a text feature, the share of variance its groups
    /// explain) of at least 0.99. Features with a value per row or almost are left to the identifier checks.
    static func leaks(_ feature: Column, target: Column, classification: Bool) -> Bool {
        let n = feature.count
        let rows = (0..<n).filter { feature.isValid($0) && target.isValid($0) }
        guard rows.count >= Guardrails.minimumRows else { return false }
        // Group keys: text codes, or numbers cut into quantile bins.
        var keys = [Int](repeating: 0, count: n)
        if case .string(let codes, _) = feature.storage {
            for i in rows { keys[i] = Int(codes[i]) }
        } else if let v = feature.doubles() {
            if !classification, let y = target.doubles() {
                return correlationSquared(rows.map { v[$0] }, rows.map { y[$0] }) >= 0.99
            }
            let sorted = rows.map { v[$0] }.sorted()
            let cuts = (1..<64).map { sorted[$0 * (sorted.count - 1) / 64] }
            for i in rows {
                var lo = 0, hi = cuts.count
                while lo < hi { let mid = (lo + hi) / 2; if cuts[mid] < v[i] { lo = mid + 1 } else { hi = mid } }
                keys[i] = lo
            }
        } else {
            return false
        }
        let groups = Set(rows.map { keys[$0] }).count
        guard groups < rows.count / 2 else { return false }
        if classification {
            var counts: [Int: [String: Int]] = [:]
            for i in rows { counts[keys[i], default: [:]][target.value(at: i).description, default: 0] += 1 }
            let pure = counts.values.reduce(0) { $0 + ($1.values.max() ?? 0) }
            return Double(pure) >= 0.99 * Double(rows.count)
        }
        guard let y = target.doubles() else { return false }
        var sums: [Int: (Double, Int)] = [:]
        for i in rows { let s = sums[keys[i]] ?? (0, 0); sums[keys[i]] = (s.0 + y[i], s.1 + 1) }
        let mean = rows.reduce(0) { $0 + y[$1] } / Double(rows.count)
        var total = 0.0, residual = 0.0
        for i in rows {
            let g = sums[keys[i]]!
            total += (y[i] - mean) * (y[i] - mean)
            residual += (y[i] - g.0 / Double(g.1)) * (y[i] - g.0 / Double(g.1))
        }
        return total > 0 && 1 - residual / total >= 0.99
    }

    static func correlationSquared(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
        guard sxx > 0, syy > 0 else { return 0 }
        return sxy * sxy / (sxx * syy)
    }

    /// Rows whose feature values all equal an earlier row's.
    static func duplicateRows(_ columns: [Column], rows n: Int) -> Int {
        guard !columns.isEmpty else { return 0 }
        var hashes = [Hasher](repeating: Hasher(), count: n)
        for c in columns {
            for i in 0..<n { hashes[i].combine(c.isValid(i)) }
            switch c.storage {
            case .float64(let v): for i in 0..<n where c.isValid(i) { hashes[i].combine(v[i]) }
            case .int64(let v): for i in 0..<n where c.isValid(i) { hashes[i].combine(v[i]) }
            case .bool(let v): for i in 0..<n where c.isValid(i) { hashes[i].combine(v[i]) }
            case .string(let codes, _): for i in 0..<n where c.isValid(i) { hashes[i].combine(codes[i]) }
            case .date(let v): for i in 0..<n where c.isValid(i) { hashes[i].combine(v[i]) }
            case .datetime(let v): for i in 0..<n where c.isValid(i) { hashes[i].combine(v[i]) }
            }
        }
        var seen = Set<Int>()
        var duplicates = 0
        for h in hashes where !seen.insert(h.finalize()).inserted { duplicates += 1 }
        return duplicates
    }
}
