import Foundation
import PulkFrame

/// Least squares with optional L2 (ridge), or L1 / elastic-net penalties by coordinate descent.
/// Objectives, as scikit-learn's `LinearRegression`, `Ridge`, `Lasso` and `ElasticNet`:
/// - linear: ‖y − Xw − b‖²
/// - ridge: ‖y − Xw − b‖² + α‖w‖²
/// - lasso / elasticnet: (1 / 2n)‖y − Xw − b‖² + α·ρ‖w‖₁ + (α(1 − ρ) / 2)‖w‖²  (lasso: ρ = 1)
struct LinearFitter {
    enum Penalty { case none, ridge(Double), elasticNet(alpha: Double, l1Ratio: Double, maxIterations: Int, tolerance: Double) }
    let penalty: Penalty
    let fitIntercept: Bool

    func fit(_ x: DesignMatrix, _ y: [Double]) -> (coef: [Double], intercept: Double, iterations: Int) {
        let n = x.rows, p = x.columns
        let xm = fitIntercept ? x.values.withUnsafeBufferPointer { v in
            (0..<p).map { j in UnsafeBufferPointer(rebasing: v[(j * n)..<((j + 1) * n)]).reduce(0, +) / Double(n) }
        } : [Double](repeating: 0, count: p)
        let ym = fitIntercept ? y.reduce(0, +) / Double(n) : 0
        var coef: [Double]
        var iterations = 0
        switch penalty {
        case .none, .ridge:
            var (gram, xty) = LinearAlgebra.centredGram(x, y, xm: xm, ym: ym)
            if case .ridge(let alpha) = penalty { for j in 0..<p { gram[j * p + j] += alpha } }
            coef = LinearAlgebra.solvePSD(gram, xty, p: p)
        case .elasticNet(let alpha, let rho, let maxIterations, let tol):
            if n > 4 * p {
                // Many more rows than columns: iterate on the Gram matrix (O(p) per update instead of O(n)),
                // as scikit-learn does with precompute=True.
                let (gram, xty) = LinearAlgebra.centredGram(x, y, xm: xm, ym: ym)
                let yy = y.reduce(0) { $0 + ($1 - ym) * ($1 - ym) }
                (coef, iterations) = Self.gramCoordinateDescent(gram: gram, xty: xty, yy: yy, n: n, p: p, alpha: alpha, rho: rho,
                                                               maxIterations: maxIterations, tol: tol)
            } else {
                (coef, iterations) = coordinateDescent(x, y, xm: xm, ym: ym, alpha: alpha, rho: rho, maxIterations: maxIterations, tol: tol)
            }
        }
        let intercept = fitIntercept ? ym - zip(xm, coef).reduce(0) { $0 + $1.0 * $1.1 } : 0
        return (coef, intercept, iterations)
    }

    /// Cyclic coordinate descent on the centred Gram matrix G = XᵀX and Xᵀy, with scikit-learn's stopping
    /// rule (largest update below tol·max|w|, then duality gap below tol·‖y‖²).
    static func gramCoordinateDescent(gram: [Double], xty: [Double], yy: Double, n: Int, p: Int, alpha: Double, rho: Double,
                                      maxIterations: Int, tol: Double) -> ([Double], Int) {
        let l1 = alpha * rho * Double(n), l2 = alpha * (1 - rho) * Double(n)
        var w = [Double](repeating: 0, count: p)
        // q = Xᵀy − G w, kept up to date.
        var q = xty
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            var maxChange = 0.0, maxW = 0.0
            for j in 0..<p where gram[j * p + j] > 0 {
                let old = w[j]
                let tmp = q[j] + old * gram[j * p + j]
                let new = (tmp > 0 ? 1.0 : -1.0) * max(abs(tmp) - l1, 0) / (gram[j * p + j] + l2)
                if new != old {
                    let d = new - old
                    for k in 0..<p { q[k] -= d * gram[k * p + j] }
                    w[j] = new
                }
                maxChange = max(maxChange, abs(new - old))
                maxW = max(maxW, abs(new))
            }
            if maxW == 0 || maxChange / maxW < tol || iteration == maxIterations {
                // ‖r‖² = yᵀy − 2wᵀXᵀy + wᵀGw; Xᵀr = q.
                var wGw = 0.0
                for a in 0..<p where w[a] != 0 { for b in 0..<p { wGw += w[a] * gram[a * p + b] * w[b] } }
                let wXty = zip(w, xty).reduce(0) { $0 + $1.0 * $1.1 }
                let rNorm2 = max(0, yy - 2 * wXty + wGw)
                let dualNormXtr = (0..<p).reduce(0.0) { max($0, abs(q[$1] - l2 * w[$1])) }
                let wNorm2 = w.reduce(0) { $0 + $1 * $1 }
                let constant = dualNormXtr > l1 ? l1 / dualNormXtr : 1
                var gap = dualNormXtr > l1 ? 0.5 * (rNorm2 + rNorm2 * constant * constant) : rNorm2
                let ry = yy - wXty
                gap += l1 * w.reduce(0) { $0 + abs($1) } - constant * ry + 0.5 * l2 * (1 + constant * constant) * wNorm2
                if gap < tol * yy || iteration == maxIterations { break }
            }
        }
        return (w, iteration)
    }

    /// Cyclic coordinate descent on centred data, stopping like scikit-learn: when the largest weight
    /// update is below `tol`·max|w| and the duality gap is below `tol`·‖y‖².
    func coordinateDescent(_ x: DesignMatrix, _ y: [Double], xm: [Double], ym: Double, alpha: Double, rho: Double,
                           maxIterations: Int, tol: Double, start: [Double]? = nil) -> ([Double], Int) {
        let n = x.rows, p = x.columns
        // Centring is implicit, so X is never copied: the stored residual `rs` plus the scalar `shift`
        // is the residual of the centred problem.
        var rs = y.map { $0 - ym }
        let y0 = rs
        var shift = 0.0
        let l1 = alpha * rho * Double(n), l2 = alpha * (1 - rho) * Double(n)
        var w = start ?? [Double](repeating: 0, count: p)
        // A warm start: the residual of the starting weights.
        if start != nil {
            x.values.withUnsafeBufferPointer { xb in
                rs.withUnsafeMutableBufferPointer { rb in
                    for j in 0..<p where w[j] != 0 {
                        LinearAlgebra.axpy(-w[j], xb.baseAddress! + j * n, rb.baseAddress!, n)
                        shift += w[j] * xm[j]
                    }
                }
            }
        }
        var sumRs = rs.reduce(0, +)
        var iteration = 0
        x.values.withUnsafeBufferPointer { xb in
            rs.withUnsafeMutableBufferPointer { rb in
                let X = xb.baseAddress!, R = rb.baseAddress!
                let colSums = (0..<p).map { j in UnsafeBufferPointer(start: X + j * n, count: n).reduce(0, +) }
                let norms = (0..<p).map { j in LinearAlgebra.centredDot(X + j * n, xm[j], X + j * n, xm[j], n) }
                let yNorm2 = LinearAlgebra.centredDot(R, 0, R, 0, n)
                /// (X_j − m_j)·(R + shift).
                func correlation(_ j: Int) -> Double {
                    LinearAlgebra.centredDot(X + j * n, 0, R, 0, n) + shift * colSums[j] - xm[j] * (sumRs + Double(n) * shift)
                }
                while iteration < maxIterations {
                    iteration += 1
                    var maxChange = 0.0, maxW = 0.0
                    for j in 0..<p where norms[j] > 0 {
                        let old = w[j]
                        let tmp = correlation(j) + old * norms[j]
                        let new = (tmp > 0 ? 1.0 : -1.0) * max(abs(tmp) - l1, 0) / (norms[j] + l2)
                        if new != old {
                            // Residual −= (new − old)·(X_j − m_j).
                            let d = new - old
                            LinearAlgebra.axpy(-d, X + j * n, R, n)
                            sumRs -= d * colSums[j]
                            shift += d * xm[j]
                            w[j] = new
                        }
                        maxChange = max(maxChange, abs(new - old))
                        maxW = max(maxW, abs(new))
                    }
                    if maxW == 0 || maxChange / maxW < tol || iteration == maxIterations {
                        // Duality gap (as scikit-learn's enet_coordinate_descent).
                        var dualNormXtr = 0.0
                        for j in 0..<p { dualNormXtr = max(dualNormXtr, abs(correlation(j) - l2 * w[j])) }
                        let rNorm2 = LinearAlgebra.centredDot(R, -shift, R, -shift, n)
                        let wNorm2 = w.reduce(0) { $0 + $1 * $1 }
                        let constant = dualNormXtr > l1 ? l1 / dualNormXtr : 1
                        var gap = dualNormXtr > l1 ? 0.5 * (rNorm2 + rNorm2 * constant * constant) : rNorm2
                        let ry = y0.withUnsafeBufferPointer { LinearAlgebra.centredDot(R, -shift, $0.baseAddress!, 0, n) }
                        gap += l1 * w.reduce(0) { $0 + abs($1) } - constant * ry + 0.5 * l2 * (1 + constant * constant) * wNorm2
                        if gap < tol * yNorm2 || iteration == maxIterations { break }
                    }
                }
            }
        }
        return (w, iteration)
    }
}

/// The elastic-net regularization path: coefficients for a decreasing sequence of penalties, each
/// fit warm-started from the previous one (scikit-learn's `enet_path` / `lasso_path`).
public struct RegularizationPath: Sendable {
    public struct Point: Sendable {
        public var alpha: Double
        public var coef: [Double]
        public var intercept: Double
        public var iterations: Int
    }

    public var names: [String]
    public var points: [Point]

    /// `alphas` (descending), or by default 100 values log-spaced from the smallest penalty that
    /// zeroes every coefficient down to 1e-3 of it, as scikit-learn.
    public static func fit(_ x: DesignMatrix, _ y: [Double], l1Ratio: Double = 1, alphas: [Double]? = nil, count: Int = 100,
                           tol: Double = 1e-4, maxIterations: Int = 1000) -> RegularizationPath {
        let n = x.rows, p = x.columns
        let xm = x.values.withUnsafeBufferPointer { v in
            (0..<p).map { j in UnsafeBufferPointer(rebasing: v[(j * n)..<((j + 1) * n)]).reduce(0, +) / Double(n) }
        }
        let ym = y.reduce(0, +) / Double(n)
        let grid = alphas ?? {
            let maxCorr = x.values.withUnsafeBufferPointer { v in
                y.withUnsafeBufferPointer { yb in
                    (0..<p).map { j in abs(LinearAlgebra.centredDot(v.baseAddress! + j * n, xm[j], yb.baseAddress!, ym, n)) }.max() ?? 0
                }
            }
            let top = maxCorr / (Double(n) * max(l1Ratio, 1e-3))
            return (0..<count).map { k in top * pow(10, -3 * Double(k) / Double(max(count - 1, 1))) }
        }()
        let fitter = LinearFitter(penalty: .none, fitIntercept: true)
        var w: [Double]? = nil
        var points: [Point] = []
        for a in grid {
            let (coef, iterations) = fitter.coordinateDescent(x, y, xm: xm, ym: ym, alpha: a, rho: l1Ratio,
                                                              maxIterations: maxIterations, tol: tol, start: w)
            w = coef
            points.append(Point(alpha: a, coef: coef, intercept: ym - zip(xm, coef).reduce(0) { $0 + $1.0 * $1.1 }, iterations: iterations))
        }
        return RegularizationPath(names: x.names, points: points)
    }
}

/// A fitted linear regression of any penalty.
struct LinearModel: Model {
    let kind: String
    let parameters: Parameters
    let schema: FeatureSchema
    let target: TargetInfo
    let pipeline: FeaturePipeline?
    let coef: [Double]
    let intercept: Double

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        _ = try schema.columns(of: frame)
        let x = try pipeline!.transform(frame)
        var out = [Double](repeating: intercept, count: x.rows)
        for j in 0..<x.columns where coef[j] != 0 {
            let w = coef[j], base = j * x.rows
            for i in 0..<x.rows { out[i] += w * x.values[base + i] }
        }
        return .regression(out)
    }

    var state: ModelState { ModelState(doubles: ["coef": coef, "intercept": [intercept]]) }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let coef = try s.double("coef", file: file)
        guard coef.count == pipeline.outputNames.count, let b = try s.double("intercept", file: file).first else {
            throw .corruptModelFile(file, reason: "coefficients do not match the preprocessing")
        }
        return LinearModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, pipeline: pipeline,
                           coef: coef, intercept: b)
    }
}

/// Shared fitting of the four linear regressors.
protocol LinearEstimator: Estimator {
    var penalty: LinearFitter.Penalty { get }
}

extension LinearEstimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try LinearModel.restore(h, s, file: file) }
}

extension LinearEstimator {
    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let t = try TargetValues.extract(frame, target: target, task: .regression)
        let training = t.presentRows(of: frame)
        let (pipeline, x) = try featurize(training, target: target, values: t, parameters: parameters)
        let fitter = LinearFitter(penalty: penalty, fitIntercept: parameters.bool("fit_intercept"))
        let (coef, intercept, _) = fitter.fit(x, t.values)
        return LinearModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                           target: t.info, pipeline: pipeline, coef: coef, intercept: intercept)
    }
}

let interceptSpec = ParameterSpec("fit_intercept", .bool, default: .bool(true), doc: "Learn an intercept (centre the data).")
let alphaSpec = ParameterSpec("alpha", aliases: ["lambda", "reg_alpha"], .double(lower: 0, upper: .infinity), default: .double(1),
                              doc: "Penalty strength.")
let iterationSpec = ParameterSpec("max_iter", .int(1...1_000_000), default: .int(1000), doc: "Coordinate-descent passes at most.")
let tolSpec = ParameterSpec("tol", .double(lower: 0, upper: 1, lowerOpen: true), default: .double(1e-4),
                            doc: "Stop when the duality gap is below tol·‖y‖².")

/// Ordinary least squares.
public struct LinearRegressionEstimator: LinearEstimator {
    public static let name = "linear"
    public static let summary = "Ordinary least squares (Cholesky on the centred Gram matrix)."
    public static let task = Task.regression
    public static let parameterSpecs = [interceptSpec] + featurizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    var penalty: LinearFitter.Penalty { .none }
}

/// Least squares with an L2 penalty α‖w‖².
public struct RidgeEstimator: LinearEstimator {
    public static let name = "ridge"
    public static let summary = "Least squares with an L2 penalty (closed form)."
    public static let task = Task.regression
    public static let parameterSpecs = [alphaSpec, interceptSpec] + featurizationSpecs
    public static let searchSpace: [SearchDimension] = [.double("alpha", 0.0001...1000, log: true, start: 1)]
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    var penalty: LinearFitter.Penalty { .ridge(parameters.double("alpha")) }
}

/// L1-penalised least squares by coordinate descent.
public struct LassoEstimator: LinearEstimator {
    public static let name = "lasso"
    public static let summary = "Least squares with an L1 penalty (coordinate descent)."
    public static let task = Task.regression
    public static let parameterSpecs = [alphaSpec, interceptSpec, iterationSpec, tolSpec] + featurizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    var penalty: LinearFitter.Penalty {
        .elasticNet(alpha: parameters.double("alpha"), l1Ratio: 1, maxIterations: parameters.int("max_iter"), tolerance: parameters.double("tol"))
    }
}

/// Elastic net: L1 and L2 penalties mixed by `l1_ratio`, by coordinate descent.
public struct ElasticNetEstimator: LinearEstimator {
    public static let name = "elasticnet"
    public static let summary = "Least squares with mixed L1/L2 penalties (coordinate descent)."
    public static let task = Task.regression
    public static let searchSpace: [SearchDimension] = [.double("alpha", 0.0001...100, log: true, start: 1), .double("l1_ratio", 0...1, start: 0.5)]
    public static let parameterSpecs = [alphaSpec,
                                        ParameterSpec("l1_ratio", .double(lower: 0, upper: 1), default: .double(0.5), doc: "Share of L1 in the penalty."),
                                        interceptSpec, iterationSpec, tolSpec] + featurizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }
    var penalty: LinearFitter.Penalty {
        .elasticNet(alpha: parameters.double("alpha"), l1Ratio: parameters.double("l1_ratio"),
                    maxIterations: parameters.int("max_iter"), tolerance: parameters.double("tol"))
    }
}
