public import Foundation
public import PulkFrame

/// A dataset profile: what `pulk data profile --json` prints. The schema is documented in
/// docs/profile-schema.md and versioned by `schemaVersion`; fields are only ever added.
public struct DatasetProfile: Codable, Sendable {
    public static let currentSchemaVersion = 1
    public var schemaVersion = DatasetProfile.currentSchemaVersion
    /// `name:version` of the registered dataset, or the file name.
    public var source: String
    public var generatedAt: Date
    public var summary: Summary
    public var columns: [ColumnProfile]
    public var correlations: Correlations
    public var target: TargetProfile?
    public var warnings: [Warning]

    public struct Summary: Codable, Sendable {
        public var rows: Int
        public var columns: Int
        public var missingCells: Int
        public var missingCellsPercent: Double
        /// Rows identical to an earlier row.
        public var duplicateRows: Int
        /// Up to five groups of identical rows (0-based row numbers).
        public var duplicateRowExamples: [[Int]]
        /// Groups of columns holding identical values.
        public var duplicateColumns: [[String]]
        public var memoryBytes: Int
        public var typeCounts: [String: Int]
    }
}

/// Everything measured about one column.
public struct ColumnProfile: Codable, Sendable {
    public var name: String
    public var type: DataType
    /// Present (non-missing) values.
    public var count: Int
    public var missing: Int
    public var missingPercent: Double
    public var distinct: Int
    public var distinctPercent: Double
    /// Most frequent values, most frequent first (ties in value order).
    public var topValues: [ValueCount]
    public var numeric: NumericSummary?
    public var histogram: Histogram?
    public var outliers: Outliers?
    /// `constant`, `near-constant`, `high-cardinality`, `id-like`, `date-like-strings`, `mixed-types`.
    public var flags: [String]
}

public struct ValueCount: Codable, Sendable, Equatable {
    public var value: String
    public var count: Int
}

/// Statistics of numbers (ints, floats, and dates as days / datetimes as seconds since the epoch).
public struct NumericSummary: Codable, Sendable {
    public var min: Double
    public var max: Double
    public var mean: Double
    /// Sample standard deviation (ddof 1), absent for fewer than two values.
    public var std: Double?
    /// Adjusted Fisher–Pearson skewness (as pandas), absent for fewer than three values or no spread.
    public var skewness: Double?
    /// Keys `p1`, `p5`, `p25`, `p50`, `p75`, `p95`, `p99` (linear interpolation).
    public var quantiles: [String: Double]
    public var zeros: Int
    /// Min and max as text for dates and datetimes.
    public var minText: String?
    public var maxText: String?
}

/// Equal-width bins: `counts[i]` values fall in `edges[i] ..< edges[i+1]` (the last bin is closed).
public struct Histogram: Codable, Sendable {
    public var edges: [Double]
    public var counts: [Int]
}

/// Values beyond the Tukey fences Q1 − 1.5·IQR and Q3 + 1.5·IQR.
public struct Outliers: Codable, Sendable {
    public var count: Int
    public var lowerFence: Double
    public var upperFence: Double
}

/// Square matrices of association between columns; `nil` where undefined (no variation).
public struct Correlations: Codable, Sendable {
    public var numericColumns: [String]
    public var pearson: [[Double?]]
    public var spearman: [[Double?]]
    public var categoricalColumns: [String]
    public var cramersV: [[Double?]]
    /// Correlation ratio η of each numeric column (rows) against each categorical column (columns).
    public var correlationRatio: [[Double?]]
}

/// How every column relates to the target.
public struct TargetProfile: Codable, Sendable {
    public var column: String
    /// `classification` or `regression`.
    public var task: String
    /// Class counts for a categorical target, most frequent first.
    public var classBalance: [ValueCount]?
    /// Ranked by mutual information, strongest first.
    public var associations: [Association]
}

public struct Association: Codable, Sendable {
    public var column: String
    /// Mutual information with the target in nats (both discretised; see docs/profiling.md).
    public var mutualInformation: Double
    /// Mutual information divided by the target's entropy (0 … 1).
    public var normalizedMutualInformation: Double
    /// `spearman`, `pearson`, `cramers_v` or `correlation_ratio`: the measure fitting the pair's types.
    public var measure: String
    public var value: Double?
}

/// A data-quality warning in plain words.
public struct Warning: Codable, Sendable, Equatable {
    /// Stable identifier: `missing-values`, `constant`, `near-constant`, `high-cardinality`, `id-like`,
    /// `date-like-strings`, `mixed-types`, `duplicate-rows`, `duplicate-columns`, `class-imbalance`,
    /// `leakage-suspected`, `high-correlation`, `outliers`, `skewed`.
    public var code: String
    public var column: String?
    /// `info`, `warning` or `critical`.
    public var severity: String
    public var message: String
}
