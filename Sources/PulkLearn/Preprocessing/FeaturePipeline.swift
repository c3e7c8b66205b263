public import PulkFrame

/// Preprocessing fitted on training data and stored inside the model, so scoring applies exactly the
/// same steps: per-column imputation, scaling, encoding and date parts, producing a `DesignMatrix`.
public struct FeaturePipeline: Sendable, Codable, Hashable {
    /// One fitted step per input column.
    public struct Step: Sendable, Codable, Hashable {
        public var column: String
        public var plan: ColumnPlan
        /// Numeric: the fill value, centre and scale. Categorical: categories (sorted), kept ones, fill.
        public var fill: Double = 0
        public var center: Double = 0
        public var scale: Double = 1
        public var categories: [String] = []
        public var kept: [String] = []
        public var fillCategory: String?
        public var hasMissing: Bool = false
        /// Target encoding: one value per entry of `categories`, then the value for unseen ones.
        public var encodings: [Double] = []
    }

    /// The key a missing text value is encoded under (target encoding treats missing as a category).
    static let missingKey = "\u{0}missing"
    /// The key missing text has in a target encoding's categories (for exporters).
    public static var missingKeyForExport: String { missingKey }

    public var steps: [Step]
    /// Indices of the transformed columns kept by feature selection (all when nil).
    public var selected: [Int]?
    /// What automatic featurization decided, when it chose the steps.
    public var decisions: [FeaturizationDecision]?

    public init(steps: [Step], selected: [Int]? = nil) {
        self.steps = steps
        self.selected = selected
    }

    /// Checks a pipeline read from a model file: every step reads a schema feature, category lists
    /// are distinct, kept categories are among them, a target encoding has one value per category
    /// plus the unseen one, and the selected outputs exist (each once).
    func validate(features: Set<String>, file: String) throws(LearnError) {
        func bad(_ why: String) -> LearnError { .corruptModelFile(file, reason: "the preprocessing " + why) }
        for s in steps {
            guard features.contains(s.column) else { throw bad("reads '\(s.column)', which is not a feature of the model") }
            guard Set(s.categories).count == s.categories.count else { throw bad("lists a category of '\(s.column)' twice") }
            guard Set(s.kept).count == s.kept.count, Set(s.kept).isSubset(of: s.categories) else {
                throw bad("keeps categories of '\(s.column)' it does not list")
            }
            if s.plan == .targetEncoding, s.encodings.count != s.categories.count + 1 {
                throw bad("has \(s.encodings.count) target encodings of '\(s.column)' for \(s.categories.count) categories")
            }
        }
        if let selected {
            let count = allOutputNames.count
            guard selected.allSatisfy({ $0 >= 0 && $0 < count }), Set(selected).count == selected.count else {
                throw bad("selects columns it does not produce")
            }
        }
    }

    /// Fits `plans` (column name → plan) on `frame`.
    /// `target` (one number per row of `frame`) is needed by target-encoding plans.
    public static func fit(_ frame: Frame, plans: [(String, ColumnPlan)], target: [Double]? = nil) throws(LearnError) -> FeaturePipeline {
        var steps: [Step] = []
        for (name, plan) in plans {
            guard let c = frame.columns.first(where: { $0.name == name }) else {
                throw .missingFeatures(expected: plans.count, got: plans.count - 1, missing: [name])
            }
            if case .targetEncoding = plan {
                guard let target else { throw .badTarget(name, reason: "target encoding needs the target values") }
                steps.append(fitTargetEncoding(c, target))
            } else {
                steps.append(try fitStep(c, plan))
            }
        }
        return FeaturePipeline(steps: steps)
    }

    /// Text labels of a column, missing as `missingKey`.
    static func keys(_ c: Column) -> [String] { (0..<c.count).map { c.isValid($0) ? c.value(at: $0).description : missingKey } }

    /// Smoothed category means: λ·mean_c + (1 − λ)·mean with λ = n_c·var / (n_c·var + var_c)
    /// (empirical Bayes, scikit-learn's `smooth="auto"`).
    static func fitTargetEncoding(_ c: Column, _ y: [Double]) -> Step {
        var s = Step(column: c.name, plan: .targetEncoding)
        let keys = keys(c)
        let n = Double(y.count)
        let mean = y.reduce(0, +) / n
        let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        var sums: [String: (count: Double, sum: Double, squares: Double)] = [:]
        for (k, v) in zip(keys, y) {
            let e = sums[k] ?? (0, 0, 0)
            sums[k] = (e.count + 1, e.sum + v, e.squares + v * v)
        }
        s.categories = sums.keys.sorted()
        s.encodings = s.categories.map { k in
            let e = sums[k]!
            let m = e.sum / e.count
            let v = max(0, e.squares / e.count - m * m)
            let denominator = e.count * variance + v
            let lambda = denominator == 0 ? 1 : e.count * variance / denominator
            return lambda * m + (1 - lambda) * mean
        } + [mean]
        return s
    }

    /// Out-of-fold target encodings of the training rows: each row encoded by statistics fitted on
    /// the other folds, so a model trained on them cannot learn a row's own target. Returns the
    /// transformed-column index and values of each target-encoded column.
    func outOfFoldEncodings(_ frame: Frame, target y: [Double], folds k: Int, seed: UInt64) -> [(Int, [Double])] {
        guard steps.contains(where: { $0.plan == .targetEncoding }) else { return [] }
        let names = allOutputNames
        var out: [(Int, [Double])] = []
        guard frame.rowCount >= k, let splits = try? CrossValidation.kFold(rows: frame.rowCount, k: k, shuffle: true, seed: seed) else {
            return []
        }
        for s in steps where s.plan == .targetEncoding {
            guard let index = names.firstIndex(of: s.column), let c = frame.columns.first(where: { $0.name == s.column }) else { continue }
            var values = [Double](repeating: 0, count: frame.rowCount)
            let keys = Self.keys(c)
            for split in splits {
                let part = Self.fitTargetEncoding(c.take(split.train), split.train.map { y[$0] })
                let lookup = Dictionary(uniqueKeysWithValues: part.categories.enumerated().map { ($1, part.encodings[$0]) })
                for r in split.test { values[r] = lookup[keys[r]] ?? part.encodings.last! }
            }
            out.append((index, values))
        }
        return out
    }

    static func fitStep(_ c: Column, _ plan: ColumnPlan) throws(LearnError) -> Step {
        var s = Step(column: c.name, plan: plan)
        s.hasMissing = c.missingCount > 0
        switch plan {
        case .numeric(let imputation, let constant, let scaling, _):
            guard let present = c.presentDoubles(), c.type.isNumeric || c.type == .bool else {
                throw .wrongFeatureType(column: c.name, expected: .float64, got: c.type)
            }
            // Sorted values only where a statistic needs them (radix sort).
            func sortedPresent() -> [Double] {
                let order = present.withUnsafeBufferPointer { Sorting.argsort($0) }
                return order.map { present[Int($0)] }
            }
            switch imputation {
            case .mean: s.fill = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
            case .median:
                let sorted = sortedPresent()
                s.fill = sorted.isEmpty ? 0 : sorted.withUnsafeBufferPointer { Statistics.quantile(sorted: $0, 0.5) }
            case .constant: s.fill = constant
            case .mostFrequent:
                // Most frequent value; ties go to the smallest, as scikit-learn.
                let sorted = sortedPresent()
                var best = (value: 0.0, count: 0), i = 0
                while i < sorted.count {
                    var j = i + 1
                    while j < sorted.count, sorted[j] == sorted[i] { j += 1 }
                    if j - i > best.count { best = (sorted[i], j - i) }
                    i = j
                }
                s.fill = best.value
            }
            // Scaling statistics are computed after imputation, as in a scikit-learn Pipeline.
            var filled = present
            if c.missingCount > 0 { filled.append(contentsOf: repeatElement(s.fill, count: c.missingCount)) }
            let n = Double(filled.count)
            switch scaling {
            case .none: break
            case .standard:
                let mean = filled.reduce(0, +) / n
                let variance = filled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
                s.center = mean
                s.scale = variance > 0 ? variance.squareRoot() : 1
            case .minmax:
                let lo = filled.min() ?? 0, hi = filled.max() ?? 0
                s.center = lo
                s.scale = hi > lo ? hi - lo : 1
            case .robust:
                let f = filled.withUnsafeBufferPointer { b in Sorting.argsort(b).map { b[Int($0)] } }
                f.withUnsafeBufferPointer { b in
                    let q1 = Statistics.quantile(sorted: b, 0.25), q3 = Statistics.quantile(sorted: b, 0.75)
                    s.center = Statistics.quantile(sorted: b, 0.5)
                    s.scale = q3 > q1 ? q3 - q1 : 1
                }
            }
        case .categorical(let encoding, _):
            var counts: [String: Int] = [:]
            for i in 0..<c.count where c.isValid(i) { counts[c.value(at: i).description, default: 0] += 1 }
            s.categories = counts.keys.sorted()
            // Fill missing with the most frequent category (ties: the first in sorted order).
            s.fillCategory = s.categories.max { counts[$0]! != counts[$1]! ? counts[$0]! < counts[$1]! : $0 > $1 }
            if let f = s.fillCategory, c.missingCount > 0 { counts[f]! += c.missingCount }
            s.kept = s.categories
            if case .oneHot(let cap?) = encoding, cap >= 1, s.categories.count > cap {
                // Keep the cap − 1 most frequent (ties: sorted order); the rest become "infrequent".
                let ranked = s.categories.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1 }
                s.kept = ranked.prefix(cap - 1).sorted()
            }
        case .dateParts:
            guard c.type == .date || c.type == .datetime else {
                throw .wrongFeatureType(column: c.name, expected: .date, got: c.type)
            }
        case .drop, .targetEncoding: // target encoding is fitted by fitTargetEncoding
            break
        }
        return s
    }

    /// Names of the output columns, in order.
    public var outputNames: [String] {
        let all = allOutputNames
        return selected.map { $0.map { all[$0] } } ?? all
    }

    /// Output names before feature selection.
    var allOutputNames: [String] {
        steps.flatMap { s -> [String] in
            var names: [String]
            switch s.plan {
            case .numeric(_, _, _, _): names = [s.column]
            case .categorical(.ordinal, _): names = [s.column]
            case .categorical(.oneHot, _):
                names = s.kept.map { "\(s.column)=\($0)" } + (s.kept.count < s.categories.count ? ["\(s.column)=infrequent"] : [])
            case .dateParts: names = ["year", "month", "day", "weekday", "hour", "is_weekend"].map { "\(s.column).\($0)" }
            case .targetEncoding: names = [s.column]
            case .drop: names = []
            }
            if s.hasMissing, indicator(s.plan) { names.append("\(s.column).missing") }
            return names
        }
    }

    /// Whether `plan` adds a missing-indicator column (when its column had missing values in training).
    public func indicator(_ plan: ColumnPlan) -> Bool {
        switch plan {
        case .numeric(_, _, _, let m), .categorical(_, let m): return m
        case .dateParts: return true // missing dates become zeros, so they are always flagged
        case .targetEncoding, .drop: return false
        }
    }

    /// Applies the fitted steps to `frame` (which must have the columns, of the training types).
    public func transform(_ frame: Frame) throws(LearnError) -> DesignMatrix {
        let n = frame.rowCount
        var out: [Double] = []
        out.reserveCapacity(n * allOutputNames.count)
        let byName = Dictionary(frame.columns.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = steps.filter { byName[$0.column] == nil }.map(\.column)
        if !missing.isEmpty { throw .missingFeatures(expected: steps.count, got: steps.count - missing.count, missing: missing) }
        for s in steps {
            let c = byName[s.column]!
            switch s.plan {
            case .numeric:
                guard let v = c.doubles() else { throw .wrongFeatureType(column: s.column, expected: .float64, got: c.type) }
                let fill = s.fill, center = s.center, scale = s.scale
                v.withUnsafeBufferPointer { src in
                    out.append(contentsOf: src.lazy.map { x in ((x.isNaN ? fill : x) - center) / scale })
                }
            case .categorical(let encoding, _):
                let labels = (0..<n).map { c.isValid($0) ? c.value(at: $0).description : s.fillCategory ?? "" }
                switch encoding {
                case .ordinal:
                    let index = Dictionary(uniqueKeysWithValues: s.categories.enumerated().map { ($1, Double($0)) })
                    out.append(contentsOf: labels.map { index[$0] ?? -1 })
                case .oneHot:
                    let keptSet = Set(s.kept)
                    for k in s.kept { out.append(contentsOf: labels.map { $0 == k ? 1 : 0 }) }
                    if s.kept.count < s.categories.count {
                        // Infrequent and unseen categories share the infrequent column (scikit-learn's
                        // handle_unknown="infrequent_if_exist").
                        out.append(contentsOf: labels.map { keptSet.contains($0) ? 0 : 1 })
                    }
                }
            case .dateParts:
                guard let secondsOrDays = c.doubles() else { throw .wrongFeatureType(column: s.column, expected: .date, got: c.type) }
                let seconds = c.type == .date ? secondsOrDays.map { $0 * 86_400 } : secondsOrDays
                var parts = [[Double]](repeating: [], count: 6)
                for t in seconds {
                    if t.isNaN { for p in 0..<6 { parts[p].append(0) }; continue } // flagged by the missing column
                    let days = Int((t / 86_400).rounded(.down))
                    let (y, m, d) = CivilDate.civil(days: days)
                    let wd = CivilDate.weekday(days: days)
                    let hour = Int((t - Double(days) * 86_400) / 3600)
                    let values: [Double] = [Double(y), Double(m), Double(d), Double(wd), Double(hour), wd >= 5 ? 1 : 0]
                    for p in 0..<6 { parts[p].append(values[p]) }
                }
                for p in parts { out.append(contentsOf: p) }
            case .targetEncoding:
                let lookup = Dictionary(uniqueKeysWithValues: s.categories.enumerated().map { ($1, s.encodings[$0]) })
                let unseen = s.encodings.last ?? 0
                out.append(contentsOf: Self.keys(c).map { lookup[$0] ?? unseen })
            case .drop:
                break
            }
            if s.hasMissing, indicator(s.plan) { out.append(contentsOf: (0..<n).map { c.isValid($0) ? 0 : 1 }) }
        }
        let full = DesignMatrix(rows: n, names: allOutputNames, values: out)
        guard let selected else { return full }
        var kept: [Double] = []
        kept.reserveCapacity(n * selected.count)
        for j in selected { kept.append(contentsOf: full.values[(j * n)..<((j + 1) * n)]) }
        return DesignMatrix(rows: n, names: outputNames, values: kept)
    }
}

extension FeaturePipeline {
    /// Keeps only informative transformed columns: those with variance above `varianceThreshold`
    /// (scikit-learn's `VarianceThreshold`; 0 drops constant columns), then, with `topK`, the `topK`
    /// with the highest mutual information with the target (numbers in 10 quantile bins; ties by
    /// column order). Fitted on training data, stored in the pipeline.
    public mutating func select(_ x: DesignMatrix, target: TargetValues, varianceThreshold: Double, topK: Int?) {
        selected = nil
        let n = x.rows
        var keep: [Int] = []
        x.values.withUnsafeBufferPointer { v in
            for j in 0..<x.columns {
                let col = UnsafeBufferPointer(rebasing: v[(j * n)..<((j + 1) * n)])
                if varianceThreshold == 0 {
                    // Variance above 0 means "not constant": stop at the first differing value.
                    if let first = col.first, col.contains(where: { $0 != first }) { keep.append(j) }
                    continue
                }
                let m = Statistics.moments(col)
                if n > 0, m.m2 / Double(n) > varianceThreshold { keep.append(j) }
            }
        }
        if let k = topK, k < keep.count {
            let y: (codes: [Int32], count: Int)
            if target.info.task == .classification {
                y = (target.classes.map(Int32.init), target.info.classes!.count)
            } else {
                let sorted = target.values.sorted()
                y = MutualInformation.discretize(values: target.values, sorted: sorted, bins: 10)
            }
            let scores = keep.map { j -> Double in
                let col = x.column(j)
                let d = MutualInformation.discretize(values: col, sorted: col.sorted(), bins: 10)
                return MutualInformation.mutualInformation(d.codes, d.count, y.codes, y.count)
            }
            let order = keep.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            keep = order.prefix(k).map { keep[$0] }.sorted()
        }
        selected = keep.count == x.columns ? nil : keep
    }
}
