import Foundation
public import PulkFrame

/// A Gaussian mixture fitted by expectation-maximisation (scikit-learn's `GaussianMixture`): each
/// cluster a Gaussian with its weight, mean and covariance, full or diagonal. Started from a k-means
/// labelling (one restart), as scikit-learn's `init_params="kmeans"`; EM stops when the mean
/// log-likelihood gains less than `tol`. A row's cluster is its most probable component; its distance
/// is the Mahalanobis distance to that component's mean.
public struct GaussianMixtureEstimator: Estimator {
    public static let name = "gaussian-mixture"
    public static let summary = "Gaussian mixture clustering by EM (scikit-learn's GaussianMixture), full or diagonal covariances, started from k-means."
    public static let task = Task.clustering
    public static let parameterSpecs: [ParameterSpec] = [
        ParameterSpec("n_components", aliases: ["k", "n_clusters"], .int(1...1000), default: .int(3), doc: "Gaussian components (clusters)."),
        ParameterSpec("covariance_type", .choice(["full", "diag"]), default: .string("full"),
                      doc: "full: each component has its own covariance matrix; diag: only variances per feature."),
        ParameterSpec("max_iter", .int(1...100_000), default: .int(100), doc: "EM iterations at most."),
        ParameterSpec("tol", .double(lower: 0, upper: .infinity), default: .double(1e-3), doc: "Stop when the mean log-likelihood gains less than this."),
        ParameterSpec("reg_covar", .double(lower: 0, upper: .infinity), default: .double(1e-6), doc: "Added to the covariances' diagonal, so they stay invertible."),
    ] + unsupervisedFeaturizationSpecs
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        guard let pipeline = h.pipeline else { throw .corruptModelFile(file, reason: "the preprocessing is missing") }
        let names = pipeline.outputNames, d = names.count
        let weights = try s.double("weights", file: file), means = try s.double("means", file: file), covariances = try s.double("covariances", file: file)
        let k = weights.count, full = h.parameters.string("covariance_type") == "full"
        guard d > 0, k > 0, means.count == k * d, covariances.count == k * (full ? d * d : d),
              weights.allSatisfy({ $0 > 0 && $0.isFinite }), means.allSatisfy(\.isFinite),
              let mixture = Mixture(weights: weights, means: means, covariances: covariances, d: d, full: full) else {
            throw .corruptModelFile(file, reason: "the components do not match \(d) features, or a covariance is not positive definite")
        }
        return GaussianMixtureModel(parameters: h.parameters, schema: h.schema, pipeline: pipeline, names: names, mixture: mixture,
                                    iterations: Int(try s.int("iterations", file: file).first ?? 0), lowerBound: try s.double("lower_bound", file: file).first ?? .nan)
    }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let training = frame.withoutLabel(target)
        let k = parameters.int("n_components")
        guard training.rowCount >= k else {
            throw .badParameterValue(model: Self.name, name: "n_components", value: String(k), expected: "at most the \(training.rowCount) training rows")
        }
        let (pipeline, design) = try featurizeUnsupervised(training, parameters: parameters)
        let x = design.rowMajor(), n = design.rows, d = design.columns
        let start = KMeansEngine.fit(x, rows: n, columns: d, options: KMeansEngine.Options(k: k, restarts: 1, seed: seed)).labels.map(Int.init)
        let reg = parameters.double("reg_covar"), full = parameters.string("covariance_type") == "full"
        guard var mixture = Mixture.initial(x, rows: n, columns: d, labels: start, k: k, full: full, reg: reg) else {
            throw .badParameterValue(model: Self.name, name: "reg_covar", value: String(reg), expected: "a larger value: a covariance is not positive definite")
        }
        var lowerBound = -Double.infinity, iterations = 0
        for iteration in 1...parameters.int("max_iter") {
            iterations = iteration
            let previous = lowerBound
            let (bound, responsibilities) = mixture.expectation(x, rows: n)
            guard let next = Mixture.maximisation(x, rows: n, columns: d, responsibilities: responsibilities, k: k, full: full, reg: reg) else {
                throw .badParameterValue(model: Self.name, name: "reg_covar", value: String(reg), expected: "a larger value: a covariance is not positive definite")
            }
            mixture = next
            lowerBound = bound
            if abs(lowerBound - previous) < parameters.double("tol") { break }
        }
        return GaussianMixtureModel(parameters: parameters, schema: FeatureSchema(frame: training, excluding: ""), pipeline: pipeline,
                                    names: design.names, mixture: mixture, iterations: iterations, lowerBound: lowerBound)
    }
}

/// The components: weights, means and covariances, with each covariance's Cholesky factor (full)
/// or standard deviations (diag) for the densities.
struct Mixture: Sendable {
    let weights: [Double]
    let means: [Double]
    let covariances: [Double]
    let d: Int
    let full: Bool
    /// Full: the lower Cholesky factor of each covariance (k × d × d); diag: √variance (k × d).
    let factors: [Double]
    /// log|Σ| of each component.
    let logDeterminants: [Double]

    var k: Int { weights.count }

    init?(weights: [Double], means: [Double], covariances: [Double], d: Int, full: Bool) {
        self.weights = weights
        self.means = means
        self.covariances = covariances
        self.d = d
        self.full = full
        var factors: [Double] = [], logDets: [Double] = []
        for c in 0..<weights.count {
            if full {
                guard let l = Self.cholesky(Array(covariances[(c * d * d)..<((c + 1) * d * d)]), d) else { return nil }
                factors += l
                logDets.append((0..<d).reduce(0.0) { $0 + 2 * log(l[$1 * d + $1]) })
            } else {
                let v = covariances[(c * d)..<((c + 1) * d)]
                guard v.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
                factors += v.map { $0.squareRoot() }
                logDets.append(v.reduce(0.0) { $0 + log($1) })
            }
        }
        self.factors = factors
        logDeterminants = logDets
    }

    /// The lower Cholesky factor of `a` (n × n, zeros above the diagonal), nil when `a` is not
    /// positive definite.
    static func cholesky(_ a: [Double], _ n: Int) -> [Double]? {
        var l = a
        guard LinearAlgebra.choleskyInPlace(&l, n) else { return nil }
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { l[i * n + j] = 0 } }
        return l
    }

    /// The squared Mahalanobis distance of `row` to component `c`.
    func mahalanobis(_ row: UnsafePointer<Double>, _ c: Int, _ z: inout [Double]) -> Double {
        var total = 0.0
        if full {
            let l = c * d * d
            for i in 0..<d {
                var t = row[i] - means[c * d + i]
                for p in 0..<i { t -= factors[l + i * d + p] * z[p] }
                z[i] = t / factors[l + i * d + i]
                total += z[i] * z[i]
            }
        } else {
            for i in 0..<d { let t = (row[i] - means[c * d + i]) / factors[c * d + i]; total += t * t }
        }
        return total
    }

    /// log(weight) + log density of every row under every component (n × k).
    func weightedLogDensities(_ x: [Double], rows n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * k)
        let constant = Double(d) * log(2 * Double.pi)
        let logWeights = weights.map { log($0) }
        x.withUnsafeBufferPointer { xb in
            out.withUnsafeMutableBufferPointer { ob in
                let (xs, o) = (UncheckedSendable(xb.baseAddress!), SharedPointer(ob.baseAddress!))
                let chunk = 256
                parallelFor((n + chunk - 1) / chunk) { part in
                    var z = [Double](repeating: 0, count: d)
                    for i in (part * chunk)..<min(n, (part + 1) * chunk) {
                        for c in 0..<k {
                            o.base[i * k + c] = logWeights[c] - 0.5 * (constant + logDeterminants[c] + mahalanobis(xs.value + i * d, c, &z))
                        }
                    }
                }
            }
        }
        return out
    }

    /// The mean log-likelihood and each row's responsibilities (n × k).
    func expectation(_ x: [Double], rows n: Int) -> (Double, [Double]) {
        var r = weightedLogDensities(x, rows: n)
        var total = 0.0
        for i in 0..<n {
            var top = -Double.infinity
            for c in 0..<k { top = max(top, r[i * k + c]) }
            var s = 0.0
            for c in 0..<k { s += exp(r[i * k + c] - top) }
            let norm = top + log(s)
            total += norm
            for c in 0..<k { r[i * k + c] = exp(r[i * k + c] - norm) }
        }
        return (total / Double(n), r)
    }

    /// The parameters of hard labels (scikit-learn's start from k-means).
    static func initial(_ x: [Double], rows n: Int, columns d: Int, labels: [Int], k: Int, full: Bool, reg: Double) -> Mixture? {
        var r = [Double](repeating: 0, count: n * k)
        for i in 0..<n { r[i * k + labels[i]] = 1 }
        return maximisation(x, rows: n, columns: d, responsibilities: r, k: k, full: full, reg: reg)
    }

    /// Weights, means and covariances from responsibilities, as scikit-learn estimates them
    /// (each component's total responsibility plus 10 machine epsilons; `reg` on the diagonal).
    static func maximisation(_ x: [Double], rows n: Int, columns d: Int, responsibilities r: [Double], k: Int, full: Bool, reg: Double) -> Mixture? {
        var nk = [Double](repeating: 10 * Double.ulpOfOne, count: k), means = [Double](repeating: 0, count: k * d)
        for i in 0..<n { for c in 0..<k { let w = r[i * k + c]; nk[c] += w; for j in 0..<d { means[c * d + j] += w * x[i * d + j] } } }
        for c in 0..<k { for j in 0..<d { means[c * d + j] /= nk[c] } }
        var covariances = [Double](repeating: 0, count: k * (full ? d * d : d))
        if full {
            for c in 0..<k {
                let base = c * d * d
                for i in 0..<n {
                    let w = r[i * k + c]
                    if w == 0 { continue }
                    for a in 0..<d {
                        let da = x[i * d + a] - means[c * d + a]
                        for b in 0...a { covariances[base + a * d + b] += w * da * (x[i * d + b] - means[c * d + b]) }
                    }
                }
                for a in 0..<d {
                    for b in 0...a { covariances[base + a * d + b] /= nk[c]; covariances[base + b * d + a] = covariances[base + a * d + b] }
                    covariances[base + a * d + a] += reg
                }
            }
        } else {
            // scikit-learn's E[x²] − 2·E[x]·μ + μ² + reg.
            for c in 0..<k {
                var squares = [Double](repeating: 0, count: d)
                for i in 0..<n { let w = r[i * k + c]; for j in 0..<d { squares[j] += w * x[i * d + j] * x[i * d + j] } }
                for j in 0..<d {
                    let m = means[c * d + j]
                    covariances[c * d + j] = squares[j] / nk[c] - 2 * m * m + m * m + reg
                }
            }
        }
        return Mixture(weights: nk.map { $0 / Double(n) }, means: means, covariances: covariances, d: d, full: full)
    }
}

struct GaussianMixtureModel: PreprocessedClusterModel {
    var kind: String { GaussianMixtureEstimator.name }
    let parameters: Parameters
    let schema: FeatureSchema
    let pipeline: FeaturePipeline?
    let names: [String]
    let mixture: Mixture
    let iterations: Int
    let lowerBound: Double

    var clusterCount: Int { mixture.k }
    var hasCenters: Bool { false }

    /// Each row's most probable component, its Mahalanobis distance to that component, and its
    /// membership probabilities (scikit-learn's `predict_proba`).
    func predict(_ frame: Frame) throws(LearnError) -> Predictions {
        let (x, _) = try points(frame)
        let n = frame.rowCount, k = mixture.k, d = names.count
        let (_, memberships) = mixture.expectation(x, rows: n)
        var clusters = [Int](repeating: 0, count: n), distances = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: d)
        x.withUnsafeBufferPointer { xb in
            for i in 0..<n {
                var best = 0
                for c in 1..<max(1, k) where memberships[i * k + c] > memberships[i * k + best] { best = c }
                clusters[i] = best
                distances[i] = mixture.mahalanobis(xb.baseAddress! + i * d, best, &z).squareRoot()
            }
        }
        return .clustering(clusters: clusters, distances: distances, memberships: ClassProbabilities(values: memberships, width: k, rows: n))
    }

    var state: ModelState {
        ModelState(doubles: ["weights": mixture.weights, "means": mixture.means, "covariances": mixture.covariances, "lower_bound": [lowerBound]],
                   ints: ["iterations": [Int64(iterations)]])
    }
}
