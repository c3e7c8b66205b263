import Foundation
public import PulkFrame

/// Why a row is unusual: one feature, its value, the typical value (the training median) and how
/// far it is in robust standard deviations (median absolute deviation × 1.4826).
public struct AnomalyReason: Sendable, Codable, Equatable, Hashable {
    public var feature: String
    public var value: Double
    public var typical: Double
    public var z: Double

    public init(feature: String, value: Double, typical: Double, z: Double) {
        self.feature = feature
        self.value = value
        self.typical = typical
        self.z = z
    }
}

/// The median and robust spread of each design column of the training rows: the explanation of
/// every anomaly model, and the whole of `robust-zscore`.
struct RobustProfile: Sendable, Equatable {
    var names: [String]
    var medians: [Double]
    /// Robust standard deviations: 1.4826 × the median absolute deviation, or when that is 0 (more
    /// than half the values equal) 1.2533 × the mean absolute deviation; 0 for a constant column.
    var scales: [Double]

    init(names: [String], medians: [Double], scales: [Double]) {
        self.names = names
        self.medians = medians
        self.scales = scales
    }

    /// From row-major rows of `names.count` columns (columns in parallel; medians by selection,
    /// not sorting).
    init(_ x: [Double], rows n: Int, names: [String], sample: [Int]? = nil) {
        let d = names.count
        let results = ResultSlots<(Double, Double)>(count: d)
        let shared = UncheckedSendable(x)
        parallelFor(d) { j in
            var column = sample.map { rows in rows.map { shared.value[$0 * d + j] } } ?? (0..<n).map { shared.value[$0 * d + j] }
            let n = column.count
            let m = Self.median(&column)
            var total = 0.0
            for i in 0..<n { column[i] = abs(column[i] - m); total += column[i] }
            let mad = Self.median(&column)
            results[j] = (m, mad > 0 ? 1.4826 * mad : 1.2533 * total / Double(max(n, 1)))
        }
        let values = results.values.map { $0! }
        self.init(names: names, medians: values.map(\.0), scales: values.map(\.1))
    }

    /// The median of `v` (reordered): the middle value, or the mean of the two middle values.
    static func median(_ v: inout [Double]) -> Double {
        let n = v.count
        guard n > 0 else { return 0 }
        let upper = select(&v, n / 2)
        guard n % 2 == 0 else { return upper }
        // After selection every value before n/2 is at most the upper middle one.
        var lower = -Double.infinity
        for i in 0..<(n / 2) { lower = max(lower, v[i]) }
        return (lower + upper) / 2
    }

    /// The `k`-th smallest value of `v` (0-based), moving smaller values before it and larger ones
    /// after (Hoare's selection with a median-of-three pivot; no NaN).
    static func select(_ v: inout [Double], _ k: Int) -> Double {
        var lo = 0, hi = v.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[k]
    }

    /// The robust z of column `j` for `value` (0 for a constant column).
    @inline(__always)
    func z(_ value: Double, _ j: Int) -> Double { scales[j] > 0 ? (value - medians[j]) / scales[j] : 0 }

    /// The `top` columns furthest from typical for one row.
    func reasons(_ row: ArraySlice<Double>, top: Int = 3) -> [AnomalyReason] {
        var all: [AnomalyReason] = []
        for (j, value) in row.enumerated() {
            let z = self.z(value, j)
            if z != 0 { all.append(AnomalyReason(feature: names[j], value: value, typical: medians[j], z: z)) }
        }
        all.sort { abs($0.z) != abs($1.z) ? abs($0.z) > abs($1.z) : $0.feature < $1.feature }
        return Array(all.prefix(top))
    }
}

/// What every anomaly model shares: its preprocessing, the robust profile that explains flagged
/// rows, and the threshold above which a score is an anomaly.
protocol AnomalyScorer: Model {
    var profile: RobustProfile { get }
    var threshold: Double { get }
    /// Scores of row-major design rows.
    func scores(_ x: [Double], rows: Int) -> [Double]
}

extension AnomalyScorer {
    var target: TargetInfo { TargetInfo(name: "", task: .anomaly, classes: nil) }

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        _ = try schema.columns(of: frame)
        let x = try pipeline!.transform(frame).rowMajor()
        let n = frame.rowCount, d = profile.names.count
        let scores = self.scores(x, rows: n)
        let flagged = scores.map { $0 > threshold }
        let reasons = (0..<n).map { i in flagged[i] ? profile.reasons(x[(i * d)..<(i * d + d)]) : [] }
        return .anomaly(scores: scores, flagged: flagged, reasons: reasons)
    }
}

/// The threshold that flags `contamination` of the training scores (the score at that upper
/// quantile, as scikit-learn's `offset_`), or `fallback` when contamination is 0.
func anomalyThreshold(_ scores: [Double], contamination: Double, fallback: Double) -> Double {
    guard contamination > 0, !scores.isEmpty else { return fallback }
    let sorted = scores.sorted()
    // numpy's linear percentile at 100 × (1 − contamination).
    let position = (1 - contamination) * Double(sorted.count - 1)
    let lo = Int(position.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - Double(lo))
}

let contaminationSpec = ParameterSpec("contamination", .double(lower: 0, upper: 0.5), default: .double(0),
                                      doc: "The share of training rows to flag (the threshold is set at that quantile of their scores); 0 uses the model's own threshold.")

/// Fits the featurization of an anomaly model on every column but `label`, with its design rows.
func anomalyDesign(_ frame: Frame, label: String, parameters: Parameters) throws(LearnError) -> (Frame, FeaturePipeline, [Double], [String]) {
    let training = frame.withoutLabel(label)
    guard training.rowCount > 0 else { throw .emptyTrainingData }
    let (pipeline, x) = try featurizeUnsupervised(training, parameters: parameters)
    return (training, pipeline, x.rowMajor(), x.names)
}

// MARK: - Robust z-scores

/// Median/MAD z-scores per feature: a row's score is its largest absolute robust z, so every flag
/// is explained by the feature that raised it. The quick, explainable baseline of anomaly detection.
public struct RobustZScoreEstimator: Estimator {
    public static let name = "robust-zscore"
    public static let summary = "Anomaly baseline: the largest robust z-score (median, MAD) over the features; flags rows beyond threshold."
    public static let task = Task.anomaly
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("threshold", .double(lower: 0, upper: .infinity, lowerOpen: true), default: .double(3.5),
                      doc: "Flag rows whose largest robust z is above this (3.5 is Iglewicz and Hoaglin's rule)."),
        contaminationSpec,
    ] + unsupervisedFeaturizationSpecs.filter { $0.name != "scale" }
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let profile = try restoreProfile(pipeline, s, file: file)
        return RobustZScoreModel(parameters: h.parameters, schema: h.schema, pipeline: pipeline, profile: profile,
                                 threshold: try s.double("threshold", file: file).first ?? 3.5)
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let (training, pipeline, x, names) = try anomalyDesign(frame, label: target, parameters: parameters)
        let profile = RobustProfile(x, rows: training.rowCount, names: names)
        var model = RobustZScoreModel(parameters: parameters, schema: FeatureSchema(frame: training, excluding: ""), pipeline: pipeline,
                                      profile: profile, threshold: parameters.double("threshold"))
        model.threshold = anomalyThreshold(model.scores(x, rows: training.rowCount), contamination: parameters.double("contamination"),
                                           fallback: parameters.double("threshold"))
        return model
    }
}

struct RobustZScoreModel: AnomalyScorer {
    var kind: String { RobustZScoreEstimator.name }
    let parameters: Parameters
    let schema: FeatureSchema
    let pipeline: FeaturePipeline?
    let profile: RobustProfile
    var threshold: Double

    func scores(_ x: [Double], rows n: Int) -> [Double] {
        let d = profile.names.count
        return (0..<n).map { i in
            var worst = 0.0
            for j in 0..<d { worst = max(worst, abs(profile.z(x[i * d + j], j))) }
            return worst
        }
    }

    var state: ModelState { profileState(profile, threshold: threshold) }
}

func profileState(_ profile: RobustProfile, threshold: Double) -> ModelState {
    ModelState(doubles: ["medians": profile.medians, "scales": profile.scales, "threshold": [threshold]])
}

func restoreProfile(_ pipeline: FeaturePipeline, _ s: ModelState, file: String) throws(LearnError) -> RobustProfile {
    let names = pipeline.outputNames
    let medians = try s.double("medians", file: file), scales = try s.double("scales", file: file)
    guard medians.count == names.count, scales.count == names.count, scales.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
        throw .corruptModelFile(file, reason: "the robust profile does not match the preprocessing")
    }
    return RobustProfile(names: names, medians: medians, scales: scales)
}
