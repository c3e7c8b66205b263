/// A drift test or distance that compares one column's current values with its reference values.
/// Tests give p-values (drift when below the threshold); distances give a size (drift at or above it).
public enum DriftMethod: String, Codable, CaseIterable, Sendable {
    case ks, chisquare, z, anderson, wasserstein, jensenshannon, psi, kl, hellinger, tv

    public var title: String {
        switch self {
        case .ks: return "Kolmogorov–Smirnov p-value"
        case .chisquare: return "χ² p-value"
        case .z: return "Z-test p-value"
        case .anderson: return "Anderson–Darling p-value"
        case .wasserstein: return "Wasserstein distance (normed)"
        case .jensenshannon: return "Jensen–Shannon distance"
        case .psi: return "PSI"
        case .kl: return "Kullback–Leibler divergence"
        case .hellinger: return "Hellinger distance"
        case .tv: return "Total variation distance"
        }
    }

    /// Whether the figure is a p-value (smaller is more drift) rather than a size.
    public var isPValue: Bool { self == .ks || self == .chisquare || self == .z || self == .anderson }

    /// Evidently's default thresholds: 0.05 for the p-value tests except Anderson–Darling (0.1), 0.1
    /// for every distance.
    public var defaultThreshold: Double {
        switch self {
        case .ks, .chisquare, .z: return 0.05
        default: return 0.1
        }
    }

    /// Whether the method applies to numeric columns (`true`) or categorical ones (`false`).
    public func applies(numeric: Bool) -> Bool {
        switch self {
        case .ks, .wasserstein, .anderson: return numeric
        case .chisquare, .z, .tv: return true
        case .jensenshannon, .psi, .kl, .hellinger: return true
        }
    }

    /// The verdict for `value` against `threshold` (p-value tests: KS drifts at p ≤ threshold, the
    /// others below it, as Evidently decides).
    func drifted(_ value: Double, threshold: Double) -> Bool {
        switch self {
        case .ks: return value <= threshold
        case .chisquare, .z, .anderson: return value < threshold
        default: return value >= threshold
        }
    }
}
