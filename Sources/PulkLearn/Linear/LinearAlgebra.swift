import PulkFrame

/// Small dense linear algebra for the linear models (no BLAS dependency).
enum LinearAlgebra {
    static func centredDot(_ a: UnsafePointer<Double>, _ ma: Double, _ b: UnsafePointer<Double>, _ mb: Double, _ n: Int) -> Double {
        VectorKernels.centredDot(a, ma, b, mb, n)
    }

    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        VectorKernels.axpy(alpha, x, y, n)
    }

    /// Gram matrix of the centred columns (p × p, row-major) and their products with the centred
    /// target, without copying X. Rows are processed in cache-sized blocks (X is read once, not once
    /// per column pair), blocks split across cores.
    static func centredGram(_ x: DesignMatrix, _ y: [Double], xm: [Double], ym: Double) -> (gram: [Double], xty: [Double]) {
        let n = x.rows, p = x.columns
        let block = 2048
        let blocks = (n + block - 1) / block
        let workers = max(1, min(defaultThreadCount(), blocks))
        let partial = ResultSlots<[Double]>(count: workers)
        x.values.withUnsafeBufferPointer { xv in
            y.withUnsafeBufferPointer { yv in
                let xb = SharedPointer(UnsafeMutablePointer(mutating: xv.baseAddress!))
                let yb = SharedPointer(UnsafeMutablePointer(mutating: yv.baseAddress!))
                parallelFor(workers) { w in
                    // Accumulates the (p + 1) × (p + 1) upper triangle, the last column being y.
                    var acc = [Double](repeating: 0, count: (p + 1) * (p + 1))
                    var centred = [Double](repeating: 0, count: (p + 1) * block)
                    var blockIndex = w
                    while blockIndex < blocks {
                        let lo = blockIndex * block, m = min(block, n - lo)
                        centred.withUnsafeMutableBufferPointer { cb in
                            for j in 0...p {
                                let src = j == p ? UnsafePointer(yb.base) + lo : UnsafePointer(xb.base + j * n + lo)
                                let mean = j == p ? ym : xm[j]
                                let dst = cb.baseAddress! + j * block
                                for i in 0..<m { dst[i] = src[i] - mean }
                            }
                            acc.withUnsafeMutableBufferPointer { ab in
                                for a in 0...p {
                                    let ca = UnsafePointer(cb.baseAddress! + a * block)
                                    for b in a...p {
                                        ab[a * (p + 1) + b] += centredDot(ca, 0, UnsafePointer(cb.baseAddress! + b * block), 0, m)
                                    }
                                }
                            }
                        }
                        blockIndex += workers
                    }
                    partial[w] = acc
                }
            }
        }
        var total = [Double](repeating: 0, count: (p + 1) * (p + 1))
        for w in 0..<workers { for (i, v) in partial[w]!.enumerated() { total[i] += v } }
        var gram = [Double](repeating: 0, count: p * p)
        var xty = [Double](repeating: 0, count: p)
        for a in 0..<p {
            xty[a] = total[a * (p + 1) + p]
            for b in a..<p { gram[a * p + b] = total[a * (p + 1) + b]; gram[b * p + a] = total[a * (p + 1) + b] }
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

    /// Factors symmetric positive definite A (row-major n × n) in place as L Lᵀ: L is written over
    /// the lower triangle and the diagonal; the upper triangle is left as it was. False when A is not
    /// positive definite (a pivot at or below zero, or not finite).
    static func choleskyInPlace(_ a: inout [Double], _ n: Int) -> Bool {
        for j in 0..<n {
            var d = a[j * n + j]
            for k in 0..<j { d -= a[j * n + k] * a[j * n + k] }
            guard d > 0, d.isFinite else { return false }
            let l = d.squareRoot()
            a[j * n + j] = l
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for k in 0..<j { s -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = s / l
            }
        }
        return true
    }

    /// Solves L Lᵀ x = b in place (b becomes x), L the lower triangle of `l` (from `choleskyInPlace`).
    static func choleskySubstitute(_ l: [Double], _ b: inout [Double], _ n: Int) {
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i * n + k] * b[k] }
            b[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = b[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * b[k] }
            b[i] = s / l[i * n + i]
        }
    }
}
