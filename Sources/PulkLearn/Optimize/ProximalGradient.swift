/// Accelerated proximal gradient (FISTA with backtracking) for a smooth convex loss plus an L1
/// penalty on some coordinates: minimises f(x) + λ·Σ_{j ∈ penalised} |x_j|.
struct ProximalGradient {
    var maxIterations = 10_000
    /// Stop when no coordinate moves by more than tol·max(1, ‖x‖∞) in an iteration.
    var tolerance = 1e-6

    struct Result {
        var x: [Double]
        var iterations: Int
        var converged: Bool
    }

    func minimize(_ x0: [Double], l1: Double, penalised: [Bool], _ f: ([Double], inout [Double]) -> Double) -> Result {
        let n = x0.count
        var x = x0, y = x0, t = 1.0
        var lipschitz = 1.0
        var g = [Double](repeating: 0, count: n)
        var gNew = g
        func prox(_ v: [Double], _ step: Double) -> [Double] {
            (0..<n).map { j in
                guard penalised[j] else { return v[j] }
                let shrink = l1 * step
                return v[j] > shrink ? v[j] - shrink : (v[j] < -shrink ? v[j] + shrink : 0)
            }
        }
        for iteration in 1...maxIterations {
            let fy = f(y, &g)
            var candidate: [Double]
            while true {
                let step = 1 / lipschitz
                candidate = prox((0..<n).map { y[$0] - step * g[$0] }, step)
                let fc = f(candidate, &gNew)
                var model = fy
                for j in 0..<n {
                    let d = candidate[j] - y[j]
                    model += g[j] * d + 0.5 * lipschitz * d * d
                }
                if fc <= model + 1e-12 * max(1, abs(fy)) { break }
                lipschitz *= 2
            }
            let tNext = (1 + (1 + 4 * t * t).squareRoot()) / 2
            var change = 0.0, size = 1.0
            for j in 0..<n {
                change = max(change, abs(candidate[j] - x[j]))
                size = max(size, abs(candidate[j]))
                y[j] = candidate[j] + (t - 1) / tNext * (candidate[j] - x[j])
            }
            x = candidate
            t = tNext
            lipschitz /= 1.5 // let the step grow again
            if change <= tolerance * size { return Result(x: x, iterations: iteration, converged: true) }
        }
        return Result(x: x, iterations: maxIterations, converged: false)
    }
}
