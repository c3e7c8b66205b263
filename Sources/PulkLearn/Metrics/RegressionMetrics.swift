#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors a regression metric can report instead of a number.
public enum MetricError: Error, Sendable, Equatable, CustomStringConvertible {
    case negativeValuesForLogError
    case lengthMismatch(Int, Int)
    case empty

    public var description: String {
        switch self {
        case .negativeValuesForLogError:
            return "RMSLE needs targets and predictions ≥ 0 (it takes log(1 + x)); choose RMSE for data with negative values."
        case .lengthMismatch(let a, let b):
            return "the true values have \(a) entries but the predictions \(b); they must be equally long."
        case .empty:
            return "no values to score."
        }
    }
}

/// Regression metrics, defined exactly as scikit-learn's (sMAPE, absent there, as
/// mean(2·|y − ŷ| / (|y| + |ŷ|)) with 0/0 = 0).
public enum RegressionMetrics {
    static func check(_ y: [Double], _ p: [Double]) throws(MetricError) {
        guard y.count == p.count else { throw .lengthMismatch(y.count, p.count) }
        guard !y.isEmpty else { throw .empty }
    }

    static func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }

    public static func meanAbsoluteError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        return mean(zip(y, p).map { abs($0 - $1) })
    }

    public static func meanSquaredError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        return mean(zip(y, p).map { ($0 - $1) * ($0 - $1) })
    }

    public static func rootMeanSquaredError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try meanSquaredError(y, p).squareRoot()
    }

    public static func rootMeanSquaredLogError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        guard y.allSatisfy({ $0 >= 0 }), p.allSatisfy({ $0 >= 0 }) else { throw .negativeValuesForLogError }
        return mean(zip(y, p).map { let d = log1p($0) - log1p($1); return d * d }).squareRoot()
    }

    /// Mean of |y − ŷ| / max(|y|, ε) (a fraction, not a percentage).
    public static func meanAbsolutePercentageError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        return mean(zip(y, p).map { abs($0 - $1) / max(abs($0), Double.ulpOfOne) })
    }

    public static func symmetricMeanAbsolutePercentageError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        return mean(zip(y, p).map { a, b in
            let den = abs(a) + abs(b)
            return den == 0 ? 0 : 2 * abs(a - b) / den
        })
    }

    public static func medianAbsoluteError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        let e = zip(y, p).map { abs($0 - $1) }.sorted()
        let n = e.count
        return n % 2 == 1 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2
    }

    /// 1 − SS_res / SS_tot; for a constant target 1 when predictions are perfect, else 0 (scikit-learn's
    /// `force_finite`).
    public static func r2(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        let m = mean(y)
        let ssRes = zip(y, p).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let ssTot = y.reduce(0.0) { $0 + ($1 - m) * ($1 - m) }
        if ssTot == 0 { return ssRes == 0 ? 1 : 0 }
        return 1 - ssRes / ssTot
    }

    /// 1 − Var(y − ŷ) / Var(y), with the same convention as `r2` for a constant target.
    public static func explainedVariance(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        let r = zip(y, p).map { $0 - $1 }
        let mr = mean(r), my = mean(y)
        let num = r.reduce(0.0) { $0 + ($1 - mr) * ($1 - mr) }
        let den = y.reduce(0.0) { $0 + ($1 - my) * ($1 - my) }
        if den == 0 { return num == 0 ? 1 : 0 }
        return 1 - num / den
    }

    public static func maxError(_ y: [Double], _ p: [Double]) throws(MetricError) -> Double {
        try check(y, p)
        return zip(y, p).map { abs($0 - $1) }.max()!
    }

    /// y − ŷ per row.
    public static func residuals(_ y: [Double], _ p: [Double]) throws(MetricError) -> [Double] {
        try check(y, p)
        return zip(y, p).map { $0 - $1 }
    }
}
