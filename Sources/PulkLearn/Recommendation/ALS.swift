import Foundation
public import PulkFrame
import PulkLearnKernels
import PulkLearnKernelsAVX512

/// Matrix factorisation by alternating least squares: user and item factors whose dot products
/// score every item for every user.
///
/// `feedback=implicit` (the default) is Hu, Koren and Volinsky's confidence-weighted model, as the
/// `implicit` package fits it: every interaction is a preference of 1 with confidence
/// `alpha × weight`, every other pair a preference of 0 with confidence 1, and each half-iteration
/// takes `cg_steps` conjugate-gradient steps per user (or item) from its current factors, using
/// YᵀY once for everyone. `feedback=explicit` fits the ratings themselves: each user's factors solve
/// (YᵤᵀYᵤ + λ·nᵤ·I) x = Yᵤᵀ rᵤ over the items they rated (Spark's weighted-λ), by Cholesky.
public struct ALSEstimator: Estimator {
    public static let name = "als"
    public static let summary = "Matrix factorisation by alternating least squares: implicit feedback (confidence-weighted, conjugate gradient) or explicit ratings."
    public static let task = Task.recommendation
    public static let parameterSpecs: [ParameterSpec] = recommenderCommonSpecs + [
        ParameterSpec("feedback", .choice(["implicit", "explicit"]), default: .string("implicit"),
                      doc: "implicit: weights are confidences in a preference (plays, clicks, purchases); explicit: the rating column holds ratings to predict."),
        ParameterSpec("factors", .int(1...1024), default: .int(64), doc: "Latent factors per user and item."),
        ParameterSpec("iterations", .int(1...1000), default: .int(15), doc: "Alternations (users, then items)."),
        ParameterSpec("regularization", aliases: ["lambda"], .double(lower: 0, upper: .infinity), default: .double(0.01),
                      doc: "L2 penalty on the factors (explicit: multiplied by each user's or item's count of ratings)."),
        ParameterSpec("alpha", .double(lower: 0, upper: .infinity, lowerOpen: true), default: .double(1),
                      doc: "Implicit feedback: confidence = alpha × weight."),
        ParameterSpec("cg_steps", .int(1...100), default: .int(3), doc: "Implicit feedback: conjugate-gradient steps per user or item and half-iteration."),
    ]
    public let parameters: Parameters
    public init(parameters: Parameters) { self.parameters = parameters }

    public func fit(_ frame: Frame, target: String, seed: UInt64) throws(LearnError) -> any Model {
        let explicit = InteractionRoles.explicit(parameters)
        if explicit, parameters.string("rating").isEmpty {
            throw .badParameterValue(model: Self.name, name: "rating", value: "", expected: "a rating column for feedback=explicit (pass --rating COLUMN)")
        }
        let (roles, raw) = try interactions(frame)
        let data = Interactions(raw, explicit: explicit)
        let f = parameters.int("factors")
        var generator = SeededGenerator(seed: seed)
        // Small positive starting factors, as `implicit` draws them.
        var x = (0..<(data.users.count * f)).map { _ in Float.random(in: 0..<1, using: &generator) * 0.01 }
        var y = (0..<(data.items.count * f)).map { _ in Float.random(in: 0..<1, using: &generator) * 0.01 }
        let lambda = parameters.double("regularization")
        for _ in 0..<parameters.int("iterations") {
            if explicit {
                ALSSolver.explicitStep(&x, fixed: y, start: data.userStart, index: data.userItems, values: data.userValues, factors: f, lambda: lambda)
                ALSSolver.explicitStep(&y, fixed: x, start: data.itemStart, index: data.itemUsers, values: data.itemValues, factors: f, lambda: lambda)
            } else {
                let alpha = parameters.double("alpha"), steps = parameters.int("cg_steps")
                ALSSolver.implicitStep(&x, fixed: y, start: data.userStart, index: data.userItems, values: data.userValues, factors: f,
                                       lambda: lambda, alpha: alpha, steps: steps)
                ALSSolver.implicitStep(&y, fixed: x, start: data.itemStart, index: data.itemUsers, values: data.itemValues, factors: f,
                                       lambda: lambda, alpha: alpha, steps: steps)
            }
        }
        return ALSModel(parameters: parameters, schema: recommenderSchema(roles, type: raw.userType, users: data.users),
                        users: data.users, items: data.items, seen: SeenItems(data), popularity: data.itemCounts.map(Double.init),
                        userFactors: x, itemFactors: y)
    }

    public static func restore(_ h: ModelHeader, _ s: ModelState, file: String) throws(LearnError) -> any Model {
        let r = try restoreRecommender(h, s, file: file)
        let f = h.parameters.int("factors")
        let x = try s.double("user_factors", file: file), y = try s.double("item_factors", file: file)
        guard x.count == r.users.count * f, y.count == r.items.count * f else {
            throw .corruptModelFile(file, reason: "the factors do not match \(r.users.count) users, \(r.items.count) items and \(f) factors")
        }
        return ALSModel(parameters: h.parameters, schema: h.schema, users: r.users, items: r.items, seen: r.seen, popularity: r.popularity,
                        userFactors: x.map(Float.init), itemFactors: y.map(Float.init))
    }
}

public struct ALSModel: RecommenderModel {
    public let kind = ALSEstimator.name
    public let parameters: Parameters
    public let schema: FeatureSchema
    public let ids: RecommenderIDs
    public let seen: SeenItems
    public let popularity: [Double]
    /// Row-major factors, `factors` per user and per item.
    let userFactors: [Float]
    let itemFactors: [Float]

    init(parameters: Parameters, schema: FeatureSchema, users: [String], items: [String], seen: SeenItems, popularity: [Double],
         userFactors: [Float], itemFactors: [Float]) {
        self.parameters = parameters
        self.schema = schema
        ids = RecommenderIDs(users: users, items: items)
        self.seen = seen
        self.popularity = popularity
        self.userFactors = userFactors
        self.itemFactors = itemFactors
    }

    public func scoreItems(user: Int, into out: UnsafeMutableBufferPointer<Double>) {
        let f = parameters.int("factors")
        userFactors.withUnsafeBufferPointer { xs in
            itemFactors.withUnsafeBufferPointer { ys in
                let x = xs.baseAddress! + user * f
                if cpuHasAVX512 {
                    alsScoreAllAVX512(x, ys.baseAddress!, items.count, f, out.baseAddress!)
                } else {
                    ALSKernel.scoreAll(x, ys.baseAddress!, items.count, f, out.baseAddress!)
                }
            }
        }
    }

    public func similar(item: Int, k: Int) -> [(item: Int, score: Double)] {
        let f = parameters.int("factors")
        return itemFactors.withUnsafeBufferPointer { ys -> [(item: Int, score: Double)] in
            let base = ys.baseAddress!
            let norms = (0..<items.count).map { sqrt(Double(ALSSolver.dot(base + $0 * f, base + $0 * f, f))) }
            let me = base + item * f
            let cosine = (0..<items.count).map { j in norms[j] > 0 && norms[item] > 0 ? Double(ALSSolver.dot(me, base + j * f, f)) / (norms[j] * norms[item]) : 0 }
            return Self.top(cosine, k: k, excluding: [Int32(item)][...]).map { ($0.0, $0.1) }
        }
    }

    public var state: ModelState {
        var s = recommenderState
        s.doubles["user_factors"] = userFactors.map(Double.init)
        s.doubles["item_factors"] = itemFactors.map(Double.init)
        return s
    }
}

/// The least-squares half-steps of ALS over contiguous factors, one row (user or item) per task on
/// every core.
enum ALSSolver {
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float { ALSKernel.dot(a, b, n) }

    /// FᵀF + λI of the fixed side (f × f, row-major): float partial sums over blocks of rows on
    /// every core, added up in double.
    static func gram(_ fixed: UnsafePointer<Float>, rows: Int, factors f: Int, lambda: Double) -> [Float] {
        let blocks = min(max(1, rows / 512), 4 * defaultThreadCount())
        let partials = ResultSlots<[Float]>(count: blocks)
        let source = UncheckedSendable(fixed)
        parallelFor(blocks) { b in
            var g = [Float](repeating: 0, count: f * f)
            let range = (rows * b / blocks)..<(rows * (b + 1) / blocks)
            g.withUnsafeMutableBufferPointer { gp in
                if cpuHasAVX512 { alsGramAVX512(source.value, range, f, gp.baseAddress!) } else { ALSKernel.gram(source.value, range, f, gp.baseAddress!) }
            }
            partials[b] = g
        }
        var g = [Double](repeating: 0, count: f * f)
        for p in partials.values { for k in 0..<(f * f) { g[k] += Double(p![k]) } }
        for a in 0..<f { g[a * f + a] += lambda }
        return g.map(Float.init)
    }

    /// One implicit half-iteration: every row of `solve` takes `steps` conjugate-gradient steps
    /// towards the minimiser of Σ cᵢ(pᵢ − x·yᵢ)² + λ|x|² (c = alpha·w on its interactions, 1
    /// elsewhere), from where it is (the `implicit` package's solver), rows in chunks on every core.
    static func implicitStep(_ solve: inout [Float], fixed: [Float], start: [Int], index: [Int32], values: [Double], factors f: Int,
                             lambda: Double, alpha: Double, steps: Int) {
        let rows = start.count - 1
        fixed.withUnsafeBufferPointer { fb in
            let yty = gram(fb.baseAddress!, rows: fixed.count / f, factors: f, lambda: lambda)
            yty.withUnsafeBufferPointer { g in
                start.withUnsafeBufferPointer { sp in
                    index.withUnsafeBufferPointer { ip in
                        values.withUnsafeBufferPointer { vp in
                            solve.withUnsafeMutableBufferPointer { sb in
                                let out = SharedPointer(sb.baseAddress!)
                                let shared = UncheckedSendable((fb.baseAddress!, g.baseAddress!, sp.baseAddress!, ip.baseAddress!, vp.baseAddress!))
                                let chunk = 64
                                parallelFor((rows + chunk - 1) / chunk) { c in
                                    let (y, g, sp, ip, vp) = shared.value
                                    var scratch = [Float](repeating: 0, count: 3 * f)
                                    let range = (c * chunk)..<min(rows, (c + 1) * chunk)
                                    scratch.withUnsafeMutableBufferPointer { s in
                                        if cpuHasAVX512 {
                                            alsSolveRowsAVX512(range, out.base, g, y, sp, ip, vp, f, Float(alpha), steps, s.baseAddress!)
                                        } else {
                                            ALSKernel.solveRows(range, out.base, g, y, sp, ip, vp, f, Float(alpha), steps, s.baseAddress!)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One explicit half-iteration: each row with ratings solves its ridge system exactly (rows
    /// without any keep their factors).
    static func explicitStep(_ solve: inout [Float], fixed: [Float], start: [Int], index: [Int32], values: [Double], factors f: Int, lambda: Double) {
        let rows = start.count - 1
        fixed.withUnsafeBufferPointer { fb in
            solve.withUnsafeMutableBufferPointer { sb in
                let out = SharedPointer(sb.baseAddress!)
                let y = UncheckedSendable(fb.baseAddress!)
                let shared = UncheckedSendable((start, index, values))
                let chunk = 32
                parallelFor((rows + chunk - 1) / chunk) { c in
                    let (start, index, values) = shared.value
                    var a = [Double](repeating: 0, count: f * f), b = [Double](repeating: 0, count: f)
                    for u in (c * chunk)..<min(rows, (c + 1) * chunk) {
                        let range = start[u]..<start[u + 1]
                        guard !range.isEmpty else { continue }
                        for k in 0..<(f * f) { a[k] = 0 }
                        for k in 0..<f { b[k] = 0 }
                        for k in range {
                            let yi = y.value + Int(index[k]) * f
                            let rating = values[k]
                            for s in 0..<f {
                                let ys = Double(yi[s])
                                b[s] += rating * ys
                                for t in s..<f { a[s * f + t] += ys * Double(yi[t]) }
                            }
                        }
                        let ridge = lambda * Double(range.count)
                        for s in 0..<f { a[s * f + s] += ridge; for t in 0..<s { a[s * f + t] = a[t * f + s] } }
                        // A tiny ridge keeps a user with fewer ratings than factors solvable when lambda is 0; a
                        // system that is still not positive definite leaves the row as it was.
                        if lambda == 0 { for s in 0..<f { a[s * f + s] += 1e-9 } }
                        guard choleskySolve(&a, &b, f) else { continue }
                        for s in 0..<f { out.base[u * f + s] = Float(b[s]) }
                    }
                }
            }
        }
    }

    /// Solves A x = b in place (b becomes x) for symmetric positive definite A (row-major n × n,
    /// overwritten by its Cholesky factor); false when A is not positive definite.
    static func choleskySolve(_ a: inout [Double], _ b: inout [Double], _ n: Int) -> Bool {
        guard LinearAlgebra.choleskyInPlace(&a, n) else { return false }
        LinearAlgebra.choleskySubstitute(a, &b, n)
        return true
    }
}
