/// Limited-memory BFGS for smooth convex objectives (the solver scikit-learn's `LogisticRegression`
/// uses by default): two-loop recursion over the last `memory` steps and a backtracking line search
/// satisfying the Armijo condition.
struct LBFGS {
    var memory = 10
    var maxIterations = 100
    /// Stop when the largest absolute gradient entry is below this (scikit-learn's `tol` for lbfgs).
    var gradientTolerance = 1e-4

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Minimises `f`, which returns the value and fills the gradient.
    func minimize(_ x0: [Double], _ f: ([Double], inout [Double]) -> Double) -> Result {
        let n = x0.count
        var x = x0
        var g = [Double](repeating: 0, count: n)
        var fx = f(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var iteration = 0
        while iteration < maxIterations {
            if (g.map(abs).max() ?? 0) <= gradientTolerance { return Result(x: x, value: fx, iterations: iteration, converged: true) }
            iteration += 1
            // Two-loop recursion: d = −H g.
            var q = g
            var alphas = [Double](repeating: 0, count: s.count)
            for k in stride(from: s.count - 1, through: 0, by: -1) {
                alphas[k] = rho[k] * dot(s[k], q)
                for i in 0..<n { q[i] -= alphas[k] * y[k][i] }
            }
            if let ls = s.last, let ly = y.last {
                let gamma = dot(ls, ly) / dot(ly, ly)
                for i in 0..<n { q[i] *= gamma }
            }
            for k in 0..<s.count {
                let beta = rho[k] * dot(y[k], q)
                for i in 0..<n { q[i] += s[k][i] * (alphas[k] - beta) }
            }
            var d = q.map { -$0 }
            var slope = dot(g, d)
            if slope >= 0 { // not a descent direction: restart from steepest descent
                d = g.map { -$0 }
                slope = dot(g, d)
                s.removeAll(); y.removeAll(); rho.removeAll()
            }
            // Backtracking line search (Armijo).
            var step = s.isEmpty ? min(1, 1 / max(g.map(abs).reduce(0, +), 1e-12)) : 1.0
            var xNew = x, gNew = g, fNew = fx
            var accepted = false
            for _ in 0..<60 {
                for i in 0..<n { xNew[i] = x[i] + step * d[i] }
                fNew = f(xNew, &gNew)
                if fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted { return Result(x: x, value: fx, iterations: iteration, converged: false) }
            let sk = (0..<n).map { xNew[$0] - x[$0] }, yk = (0..<n).map { gNew[$0] - g[$0] }
            let sy = dot(sk, yk)
            if sy > 1e-12 {
                s.append(sk); y.append(yk); rho.append(1 / sy)
                if s.count > memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
            let improvement = fx - fNew
            x = xNew; g = gNew; fx = fNew
            if improvement <= 1e-16 * max(abs(fx), 1) && (g.map(abs).max() ?? 0) <= gradientTolerance * 10 { break }
        }
        return Result(x: x, value: fx, iterations: iteration, converged: (g.map(abs).max() ?? 0) <= gradientTolerance)
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }
}
