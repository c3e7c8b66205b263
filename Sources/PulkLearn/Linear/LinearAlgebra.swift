/// Small dense linear algebra for the linear models (no BLAS dependency).
enum LinearAlgebra {
    /// Gram matrix XᵀX (p × p, row-major) and Xᵀy of column-major X after subtracting column means
    /// `xm` and `ym` (for fitting an intercept).
    static func centredGram(_ x: DesignMatrix, _ y: [Double], xm: [Double], ym: Double) -> (gram: [Double], xty: [Double]) {
        let n = x.rows, p = x.columns
        var centred = x.values
        for j in 0..<p { for i in 0..<n { centred[j * n + i] -= xm[j] } }
        let yc = y.map { $0 - ym }
        var gram = [Double](repeating: 0, count: p * p)
        var xty = [Double](repeating: 0, count: p)
        centred.withUnsafeBufferPointer { c in
            yc.withUnsafeBufferPointer { yb in
                for a in 0..<p {
                    let ca = c.baseAddress! + a * n
                    var s = 0.0
                    for i in 0..<n { s += ca[i] * yb[i] }
                    xty[a] = s
                    for b in a..<p {
                        let cb = c.baseAddress! + b * n
                        var g = 0.0
                        for i in 0..<n { g += ca[i] * cb[i] }
                        gram[a * p + b] = g
                        gram[b * p + a] = g
                    }
                }
            }
        }
        return (gram, xty)
    }

    /// Solves A w = b for symmetric positive semi-definite A (p × p, row-major) by Cholesky
    /// factorisation; directions with a negligible pivot (collinear columns) get weight 0, which
    /// leaves predictions unchanged.
    static func solvePSD(_ a: [Double], _ b: [Double], p: Int) -> [Double] {
        var l = [Double](repeating: 0, count: p * p)
        var skip = [Bool](repeating: false, count: p)
        let scale = (0..<p).map { a[$0 * p + $0] }.max() ?? 1
        for j in 0..<p {
            var d = a[j * p + j]
            for k in 0..<j where !skip[k] { d -= l[j * p + k] * l[j * p + k] }
            if d <= 1e-12 * max(scale, 1e-300) { skip[j] = true; continue }
            let root = d.squareRoot()
            l[j * p + j] = root
            for i in (j + 1)..<max(j + 1, p) {
                var s = a[i * p + j]
                for k in 0..<j where !skip[k] { s -= l[i * p + k] * l[j * p + k] }
                l[i * p + j] = s / root
            }
        }
        // Forward then backward substitution over the kept directions.
        var z = [Double](repeating: 0, count: p)
        for i in 0..<p where !skip[i] {
            var s = b[i]
            for k in 0..<i where !skip[k] { s -= l[i * p + k] * z[k] }
            z[i] = s / l[i * p + i]
        }
        var w = [Double](repeating: 0, count: p)
        for i in stride(from: p - 1, through: 0, by: -1) where !skip[i] {
            var s = z[i]
            for k in (i + 1)..<max(i + 1, p) where !skip[k] { s -= l[k * p + i] * w[k] }
            w[i] = s / l[i * p + i]
        }
        return w
    }
}
