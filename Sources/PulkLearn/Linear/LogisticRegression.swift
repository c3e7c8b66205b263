import Foundation
public import PulkFrame

/// The negative log-likelihood of multinomial (k > 2) or binary logistic regression on a
/// design matrix, with an L2 penalty, and its gradient; rows are split across cores.
struct LogisticObjective: @unchecked Sendable {
    let x: DesignMatrix
    let y: [Int]
    let weights: [Double]
    /// Columns of the coefficient block: 1 for binary, k for multinomial.
    let outputs: Int
    let l2: Double
    let fitIntercept: Bool
    let threads: Int

    var parameterCount: Int { (x.columns + 1) * outputs }

    /// Value and gradient at `theta` (per output: p coefficients then the intercept).
    func evaluate(_ theta: [Double], _ grad: inout [Double]) -> Double {
        let n = x.rows, p = x.columns, k = outputs
        let chunks = max(1, min(threads, n / 20_000 + 1))
        let partial = ResultSlots<(Double, [Double])>(count: chunks)
        x.values.withUnsafeBufferPointer { xv in
            let base = SharedPointer(UnsafeMutablePointer(mutating: xv.baseAddress!))
            parallelFor(chunks, threads: threads) { c in
                let lo = n * c / chunks, hi = n * (c + 1) / chunks
                let m = hi - lo
                var loss = 0.0
                var g = [Double](repeating: 0, count: (p + 1) * k)
                // Scores z[o][i] for rows lo..<hi.
                var z = [Double](repeating: 0, count: m * k)
                for o in 0..<k {
                    let b = theta[o * (p + 1) + p]
                    for i in 0..<m { z[o * m + i] = b }
                    for j in 0..<p {
                        let w = theta[o * (p + 1) + j]
                        if w == 0 { continue }
                        let col = base.base + j * n + lo
                        for i in 0..<m { z[o * m + i] += w * col[i] }
                    }
                }
                // Residuals r = probability − indicator, weighted.
                var r = [Double](repeating: 0, count: m * k)
                for i in 0..<m {
                    let wi = weights[lo + i], yi = y[lo + i]
                    if k == 1 {
                        let zi = z[i]
                        // log(1 + e^z) − y·z, computed stably.
                        loss += wi * ((zi > 0 ? zi + log1p(exp(-zi)) : log1p(exp(zi))) - (yi == 1 ? zi : 0))
                        let prob = 1 / (1 + exp(-zi))
                        r[i] = wi * (prob - (yi == 1 ? 1 : 0))
                    } else {
                        var mx = -Double.infinity
                        for o in 0..<k { mx = max(mx, z[o * m + i]) }
                        var sum = 0.0
                        for o in 0..<k { sum += exp(z[o * m + i] - mx) }
                        let lse = mx + log(sum)
                        loss += wi * (lse - z[yi * m + i])
                        for o in 0..<k { r[o * m + i] = wi * (exp(z[o * m + i] - lse) - (o == yi ? 1 : 0)) }
                    }
                }
                for o in 0..<k {
                    var rs = 0.0
                    for i in 0..<m { rs += r[o * m + i] }
                    g[o * (p + 1) + p] = rs
                    for j in 0..<p {
                        let col = base.base + j * n + lo
                        var s = 0.0
                        for i in 0..<m { s += col[i] * r[o * m + i] }
                        g[o * (p + 1) + j] = s
                    }
                }
                partial[c] = (loss, g)
            }
        }
        var loss = 0.0
        for c in 0..<chunks {
            let (l, g) = partial[c]!
            loss += l
            if c == 0 { for i in 0..<grad.count { grad[i] = g[i] } } else { for i in 0..<grad.count { grad[i] += g[i] } }
        }
        for o in 0..<k {
            for j in 0..<p {
                let w = theta[o * (p + 1) + j]
                loss += 0.5 * l2 * w * w
                grad[o * (p + 1) + j] += l2 * w
            }
            if !fitIntercept { grad[o * (p + 1) + p] = 0 }
        }
        return loss
    }
}

/// Logistic regression, binary or multinomial: minimises C·Σ wᵢ·loss(xᵢ) + penalty(w), with penalty
/// ½‖w‖² (L-BFGS), ‖w‖₁, or ρ‖w‖₁ + ((1 − ρ)/2)‖w‖² (accelerated proximal gradient): scikit-learn's
/// objectives; the intercept is never penalised.
public struct LogisticRegressionEstimator: Estimator {
    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model { try LogisticModel.restore(h, s, file: file) }
    public static let name = "logistic"
    public static let summary = "Logistic regression (binary or multinomial) with an L2 penalty, by L-BFGS."
    public static let task = Task.classification
    /// FLAML's space for logistic regression: the inverse penalty on a log scale.
    public static let searchSpace: [SearchDimension] = [.double("C", 0.03125...32768, log: true, start: 1)]
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("C", .double(lower: 0, upper: .infinity, lowerOpen: true), default: .double(1),
                      doc: "Inverse penalty strength: smaller is stronger regularisation."),
        ParameterSpec("penalty", .choice(["l2", "l1", "elasticnet", "none"]), default: .string("l2"),
                      doc: "Regularisation: l2 (L-BFGS), l1 or elasticnet (accelerated proximal gradient), none."),
        ParameterSpec("l1_ratio", .double(lower: 0, upper: 1), default: .double(0.5), doc: "Share of L1 in the elastic-net penalty."),
        ParameterSpec("class_weight", .choice(["none", "balanced"]), default: .string("none"),
                      doc: "balanced weights classes by n / (k · count), as scikit-learn."),
        interceptSpec,
        ParameterSpec("max_iter", .int(1...100_000), default: .int(100), doc: "L-BFGS iterations at most."),
        ParameterSpec("tol", .double(lower: 0, upper: 1, lowerOpen: true), default: .double(1e-4),
                      doc: "Stop when the largest gradient entry (of the objective scaled by 1/n) is below tol."),
    ] + featurizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let t = try TargetValues.extract(frame, target: target, task: .classification)
        let training = t.presentRows(of: frame)
        let (pipeline, x) = try featurize(training, target: target, values: t, parameters: parameters)
        let k = t.info.classes!.count
        let n = x.rows
        var weights = [Double](repeating: 1, count: n)
        if parameters.string("class_weight") == "balanced" {
            var counts = [Double](repeating: 0, count: k)
            for c in t.classes { counts[c] += 1 }
            weights = t.classes.map { Double(n) / (Double(k) * counts[$0]) }
        }
        let outputs = k <= 2 ? 1 : k
        if k == 1 {
            // A single class: predict it with certainty.
            return LogisticModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                                 target: t.info, pipeline: pipeline, theta: [Double](repeating: 0, count: x.columns + 1), outputs: 1)
        }
        let c = parameters.double("C")
        let penalty = parameters.string("penalty")
        let rho = penalty == "l1" ? 1 : penalty == "elasticnet" ? parameters.double("l1_ratio") : 0
        // Scale the objective by 1/(C·Σw) like scikit-learn so `tol` means the same thing.
        let scale = 1 / (c * weights.reduce(0, +))
        let l2 = penalty == "none" ? 0 : penalty == "l2" ? scale : scale * (1 - rho)
        let objective = LogisticObjective(x: x, y: t.classes, weights: weights.map { $0 * scale * c }, outputs: outputs,
                                          l2: l2, fitIntercept: parameters.bool("fit_intercept"), threads: defaultThreadCount())
        let start = [Double](repeating: 0, count: objective.parameterCount)
        let theta: [Double]
        if rho > 0 {
            var solver = ProximalGradient()
            solver.maxIterations = parameters.int("max_iter") * 100
            solver.tolerance = parameters.double("tol")
            let p = x.columns
            let penalised = (0..<objective.parameterCount).map { $0 % (p + 1) != p }
            theta = solver.minimize(start, l1: scale * rho, penalised: penalised) { objective.evaluate($0, &$1) }.x
        } else {
            var solver = LBFGS()
            solver.maxIterations = parameters.int("max_iter")
            solver.gradientTolerance = parameters.double("tol")
            theta = solver.minimize(start) { objective.evaluate($0, &$1) }.x
        }
        return LogisticModel(kind: Self.name, parameters: parameters, schema: FeatureSchema(frame: frame, excluding: target),
                             target: t.info, pipeline: pipeline, theta: theta, outputs: outputs)
    }
}

struct LogisticModel: Model {
    let kind: String
    let parameters: Parameters
    let schema: FeatureSchema
    let target: TargetInfo
    let pipeline: FeaturePipeline?
    /// Per output: coefficients then intercept.
    let theta: [Double]
    let outputs: Int

    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        _ = try schema.columns(of: frame)
        let x = try pipeline!.transform(frame)
        let n = x.rows, p = x.columns
        let classes = target.classes!
        var z = [Double](repeating: 0, count: n * outputs)
        for o in 0..<outputs {
            let b = theta[o * (p + 1) + p]
            for i in 0..<n { z[o * n + i] = b }
            for j in 0..<p {
                let w = theta[o * (p + 1) + j]
                if w == 0 { continue }
                for i in 0..<n { z[o * n + i] += w * x.values[j * n + i] }
            }
        }
        var probabilities: [[Double]] = []
        probabilities.reserveCapacity(n)
        for i in 0..<n {
            if classes.count == 1 { probabilities.append([1]); continue }
            if outputs == 1 {
                let p1 = 1 / (1 + exp(-z[i]))
                probabilities.append([1 - p1, p1])
            } else {
                var mx = -Double.infinity
                for o in 0..<outputs { mx = max(mx, z[o * n + i]) }
                let e = (0..<outputs).map { exp(z[$0 * n + i] - mx) }
                let s = e.reduce(0, +)
                probabilities.append(e.map { $0 / s })
            }
        }
        return .classification(classes: classes, probabilities: probabilities)
    }

    var state: ModelState { ModelState(doubles: ["theta": theta], ints: ["outputs": [Int64(outputs)]]) }

    static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline, let outputs = try s.int("outputs", file: file).first, outputs >= 1 else {
            throw .corruptModelFile(file, reason: "the preprocessing or output count is missing")
        }
        let theta = try s.double("theta", file: file)
        let k = h.target.classes?.count ?? 0
        guard outputs == 1 ? k <= 2 : Int(outputs) == k else {
            throw .corruptModelFile(file, reason: "\(outputs) outputs for \(k) classes")
        }
        guard theta.count == (pipeline.outputNames.count + 1) * Int(outputs) else {
            throw .corruptModelFile(file, reason: "coefficients do not match the preprocessing")
        }
        return LogisticModel(kind: h.kind, parameters: h.parameters, schema: h.schema, target: h.target, pipeline: pipeline,
                             theta: theta, outputs: Int(outputs))
    }
}
