public import PulkFrame

/// What automatic featurization decided for one column, and why.
public struct FeaturizationDecision: Sendable, Codable, Hashable {
    public var column: String
    /// `numeric`, `one-hot`, `target-encoding`, `date-parts` or `dropped`.
    public var action: String
    public var reason: String
}

/// Chooses preprocessing per column from its type and contents, as Azure ML's auto-featurization
/// does, and says what it did:
/// - constant columns and ID-like columns (text or integers, all values unique, ≥ 20 rows) are dropped;
/// - numbers are mean-imputed (with a missing indicator when values are missing) and standardised;
/// - text and bools are one-hot encoded, with at most 50 columns (rarer values grouped as `infrequent`),
///   or, with more categories and a regression or binary target, target-encoded;
/// - dates and datetimes become year, month, day, weekday, hour and is-weekend.
public enum AutoFeaturizer {
    public static let maxOneHotColumns = 50

    /// Choices users can override (`impute`, `fill_value`, `scale`, `max_categories` parameters).
    public struct Options: Sendable {
        public var imputation: NumericImputation = .mean
        public var fill: Double = 0
        public var scaling: Scaling = .standard
        public var maxCategories: Int = AutoFeaturizer.maxOneHotColumns
        public init(imputation: NumericImputation = .mean, fill: Double = 0, scaling: Scaling = .standard,
                    maxCategories: Int = AutoFeaturizer.maxOneHotColumns) {
            self.imputation = imputation
            self.fill = fill
            self.scaling = scaling
            self.maxCategories = maxCategories
        }
    }

    /// The number of distinct present values, computed only as far as the rules need it: exact for
    /// text, bools and integers, and 0, 1 or 2 ("two or more") for floats and dates.
    static func distinctCount(_ c: Column) -> Int {
        switch c.storage {
        case .string(let codes, let dictionary):
            var seen = [Bool](repeating: false, count: dictionary.count)
            var count = 0
            codes.withUnsafeBufferPointer { b in
                for i in 0..<b.count where c.isValid(i) && !seen[Int(b[i])] { seen[Int(b[i])] = true; count += 1 }
            }
            return count
        case .int64:
            guard let sorted = c.sortedPresentValues() else { return 0 }
            var count = sorted.isEmpty ? 0 : 1
            for i in 1..<max(sorted.count, 1) where sorted[i] != sorted[i - 1] { count += 1 }
            return count
        default:
            guard let present = c.presentDoubles(), let first = present.first else { return 0 }
            var bool = Set<Double>([first])
            for v in present where v != first { bool.insert(v); break }
            return bool.count
        }
    }

    /// With `targetEncodable` (a regression or binary target), text with more categories than the
    /// one-hot cap is target-encoded instead.
    public static func plan(_ frame: Frame, target: String, targetEncodable: Bool = false, options: Options = Options())
        -> (plans: [(String, ColumnPlan)], decisions: [FeaturizationDecision]) {
        let maxOneHotColumns = options.maxCategories
        var plans: [(String, ColumnPlan)] = []
        var decisions: [FeaturizationDecision] = []
        let rows = frame.rowCount
        for c in frame.columns where c.name != target {
            let present = c.count - c.missingCount
            let distinct = Self.distinctCount(c)
            if distinct <= 1 {
                plans.append((c.name, .drop(reason: "constant")))
                decisions.append(FeaturizationDecision(column: c.name, action: "dropped",
                                                       reason: present == 0 ? "every value is missing" : "it has a single value"))
                continue
            }
            if (c.type == .string || c.type == .int64), c.missingCount == 0, rows >= 20, distinct == rows {
                plans.append((c.name, .drop(reason: "id-like")))
                decisions.append(FeaturizationDecision(column: c.name, action: "dropped",
                                                       reason: "every value is unique, like an identifier"))
                continue
            }
            switch c.type {
            case .float64, .int64:
                let missing = c.missingCount > 0
                plans.append((c.name, .numeric(imputation: options.imputation, fill: options.fill, scaling: options.scaling, missingIndicator: true)))
                let scaled = ["standard": "standardised", "minmax": "scaled to 0…1", "robust": "centred on the median, scaled by the IQR", "none": "not rescaled"][options.scaling.rawValue]!
                let fill = ["mean": "the mean", "median": "the median", "most_frequent": "the most frequent value", "constant": formatDouble(options.fill)][options.imputation.rawValue]!
                decisions.append(FeaturizationDecision(column: c.name, action: "numeric",
                                                       reason: scaled + (missing ? "; \(c.missingCount) missing values filled with \(fill) and flagged" : "")))
            case .string where targetEncodable && distinct > maxOneHotColumns:
                plans.append((c.name, .targetEncoding))
                decisions.append(FeaturizationDecision(column: c.name, action: "target-encoding",
                                                       reason: "\(distinct) categories: each replaced by its smoothed target mean, out of fold for training rows"))
            case .string, .bool:
                plans.append((c.name, .categorical(encoding: .oneHot(maxCategories: maxOneHotColumns), missingIndicator: true)))
                let grouped = distinct > maxOneHotColumns ? "; the \(maxOneHotColumns - 1) most frequent of \(distinct) kept, the rest grouped" : ""
                decisions.append(FeaturizationDecision(column: c.name, action: "one-hot",
                                                       reason: "\(distinct) categories\(grouped)" + (c.missingCount > 0 ? "; missing filled with the most frequent and flagged" : "")))
            case .date, .datetime:
                plans.append((c.name, .dateParts))
                decisions.append(FeaturizationDecision(column: c.name, action: "date-parts",
                                                       reason: "year, month, day, weekday, hour, is-weekend"))
            }
        }
        return (plans, decisions)
    }
}
