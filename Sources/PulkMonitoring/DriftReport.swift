public import Foundation

/// What a drift analysis found: one entry per tested column (features ranked by drift × importance,
/// then the model's predictions and the target when they were compared), the columns it could not
/// test and why, and the dataset-level verdict.
public struct DriftReport: Codable, Sendable, Equatable {
    public var reference: String
    public var current: String
    public var generatedAt: Date
    public var referenceRows: Int
    public var currentRows: Int
    /// Dataset drift is declared when at least this share of the tested features drifts.
    public var driftShareThreshold: Double
    public var driftedFeatures: Int
    public var testedFeatures: Int
    /// driftedFeatures / testedFeatures (0 when nothing was tested).
    public var driftedShare: Double
    public var datasetDrift: Bool
    /// Features, most important drift first: by drift size × importance when the model's importance
    /// is known, else by drift size.
    public var features: [ColumnDrift]
    /// The model's outputs on both windows (label or value, and the score of each class).
    public var predictions: [ColumnDrift]
    public var target: ColumnDrift?
    public var skipped: [SkippedColumn]
    /// What the caller should know about the windows (requests of a serving log left out, …).
    public var warnings: [String] = []
    /// With a serving log as the current window: its requests refused as bad input (4xx) in the window.
    public var refusedRequests: Int?
    /// With a serving log as the current window: the window's logged traffic (latency, errors).
    public var traffic: ServingTraffic?
    /// The model whose predictions were compared (a file, NAME:VERSION), when one was.
    public var model: String?
    /// A classifier's performance estimated from its confidence on the current window (CBPE: not
    /// measured; see `EstimatedPerformance`), and the same estimate on the reference, for comparison.
    public var estimatedPerformance: [String: Double]?
    public var referenceEstimatedPerformance: [String: Double]?

    /// The report as JSON: snake_case keys, ISO 8601 times, sorted keys (the API's and the CLI's shape).
    public func jsonData() -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(self)) ?? Data("{}".utf8)
    }

    /// Every tested column: features, then predictions, then the target.
    public var allColumns: [ColumnDrift] { features + predictions + (target.map { [$0] } ?? []) }
}

extension DriftReport {
    /// A report read back from `jsonData()`; nil for anything else.
    public init?(json: Data) {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        guard let r = try? d.decode(DriftReport.self, from: json) else { return nil }
        self = r
    }
}

/// The logged requests of a serving window (mirrored copies left out): how many, how they were
/// answered and how fast. The log is a sample when the endpoint samples it; these are its figures.
public struct ServingTraffic: Codable, Sendable, Equatable {
    public var requests: Int
    /// Answered (HTTP 200).
    public var answered: Int
    /// Refused as bad input (HTTP 4xx).
    public var refused: Int
    /// Failed on the server's side (HTTP 5xx).
    public var errors: Int
    /// errors / requests (0 without requests).
    public var errorRate: Double
    /// Latency percentiles in milliseconds, of every logged request (nil without requests).
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
    public var latencyP99Ms: Double?

    public init(requests: Int, answered: Int, refused: Int, errors: Int, latenciesMicros: [Int64]) {
        self.requests = requests
        self.answered = answered
        self.refused = refused
        self.errors = errors
        errorRate = requests > 0 ? Double(errors) / Double(requests) : 0
        guard !latenciesMicros.isEmpty else { return }
        let sorted = latenciesMicros.sorted()
        // the nearest-rank percentile (a latency some request really had)
        func rank(_ p: Double) -> Double {
            let k = max(Int((p * Double(sorted.count)).rounded(.up)) - 1, 0)
            return Double(sorted[min(k, sorted.count - 1)]) / 1000
        }
        latencyP50Ms = rank(0.5)
        latencyP95Ms = rank(0.95)
        latencyP99Ms = rank(0.99)
    }
}

public struct SkippedColumn: Codable, Sendable, Equatable {
    public var name: String
    public var reason: String
}

/// One column's comparison.
public struct ColumnDrift: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable { case feature, prediction, target }
    public enum Kind: String, Codable, Sendable { case numerical, categorical }

    public var name: String
    public var role: Role
    public var kind: Kind
    public var method: DriftMethod
    /// The method's figure: a p-value for tests, a size for distances (nil when not finite).
    public var value: Double?
    public var threshold: Double
    public var drifted: Bool
    /// The Jensen–Shannon distance between the reference and current shares of `distribution`'s
    /// bins: comparable across columns and methods, and what the ranking uses.
    public var driftSize: Double
    /// The model's importance of the feature, normalized so that the largest is 1 (nil without a model).
    public var importance: Double?
    /// driftSize × (importance ?? 1): the ranking key.
    public var score: Double
    /// Why a p-value test's verdict was overruled on a large sample (p below the threshold but a
    /// drift size below the minimum), else nil.
    public var note: String?
    public var quality: DataQuality
    public var distribution: Distribution
}

/// Data quality of the current window against the reference.
public struct DataQuality: Codable, Sendable, Equatable {
    public var referenceMissing: Int
    public var currentMissing: Int
    public var referenceMissingRate: Double
    public var currentMissingRate: Double
    /// Numeric columns: current values below the reference's minimum or above its maximum.
    public var outOfRange: Int?
    public var referenceMin: Double?
    public var referenceMax: Double?
    /// Categorical columns: current rows whose category the reference never had, and the most
    /// frequent of those categories.
    public var unseenRows: Int?
    public var unseenCategories: [String]?
}

/// The shares of each window per bin (numeric: `edges` has one more entry than the shares) or per
/// category (`labels`), as drawn in the HTML report.
public struct Distribution: Codable, Sendable, Equatable {
    public var edges: [Double]?
    public var labels: [String]?
    public var reference: [Double]
    public var current: [Double]
}

/// How to compare: which columns, which method and threshold per column, the dataset-level share.
public struct DriftOptions: Sendable {
    /// The columns to compare (nil: every column both windows have).
    public var columns: [String]?
    /// A method for every column (nil: chosen by type and sample size as Evidently chooses).
    public var method: DriftMethod?
    public var methods: [String: DriftMethod] = [:]
    /// A threshold for every column (nil: the method's default).
    public var threshold: Double?
    public var thresholds: [String: Double] = [:]
    public var driftShare = 0.5
    /// A p-value test on more than 1,000 reference rows flags drift only when the drift size
    /// (Jensen–Shannon distance of the binned shares) is at least this: with a million rows every
    /// p-value vanishes, and a verdict on that alone would flag every feature.
    public var minimumDriftSize = 0.05
    /// The model's feature importance (any scale), for the ranking.
    public var importance: [String: Double] = [:]
    /// Columns compared as the model's predictions and as the target, not as features.
    public var predictionColumns: [String] = []
    public var targetColumn: String?
    /// Threads for the per-column work (nil: the machine's cores).
    public var threads: Int?

    public init() {}
}

public enum DriftError: Error, Equatable, CustomStringConvertible {
    case noColumns
    case unknownColumn(String, window: String)
    case methodDoesNotApply(column: String, method: DriftMethod, kind: ColumnDrift.Kind)
    case emptyWindow(String)
    case badShare(Double)

    public var description: String {
        switch self {
        case .noColumns: return "the reference and current data have no column in common to compare"
        case .unknownColumn(let c, let w): return "column '\(c)' is not in the \(w) data"
        case .methodDoesNotApply(let c, let m, let k):
            return "\(m.rawValue) does not apply to \(k.rawValue) column '\(c)': choose one of \(DriftMethod.allCases.filter { $0.applies(numeric: k == .numerical) }.map(\.rawValue).joined(separator: ", "))"
        case .emptyWindow(let w): return "the \(w) data has no rows"
        case .badShare(let s): return "the drift share must be between 0 and 1 (got \(s))"
        }
    }
}
