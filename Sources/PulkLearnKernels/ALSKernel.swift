/// Implicit ALS's inner loops over contiguous float factors, all @inlinable: inlined into PulkLearn
/// for the baseline CPU, and into PulkLearnKernelsAVX512, compiled for AVX-512 (PulkLearn picks one
/// at run time, as for k-means). Vectors are eight floats wide; a remainder is done one by one.
public enum ALSKernel {
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var k = 0
        while k &+ 16 <= n {
            s0 += load(a + k) * load(b + k)
            s1 += load(a + (k &+ 8)) * load(b + (k &+ 8))
            k &+= 16
        }
        if k &+ 8 <= n { s0 += load(a + k) * load(b + k); k &+= 8 }
        var s = (s0 + s1).sum()
        while k < n { s += a[k] * b[k]; k &+= 1 }
        return s
    }

    /// y += alpha · x.
    @inlinable @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let a = SIMD8<Float>(repeating: alpha)
        var k = 0
        while k &+ 8 <= n {
            UnsafeMutableRawPointer(y + k).storeBytes(of: load(UnsafePointer(y + k)) + a * load(x + k), as: SIMD8<Float>.self)
            k &+= 8
        }
        while k < n { y[k] += alpha * x[k]; k &+= 1 }
    }

    /// out[i] = x · yᵢ for the `count` rows of `y` (f floats each): a user's score of every item.
    @inlinable @inline(__always)
    public static func scoreAll(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int, _ f: Int, _ out: UnsafeMutablePointer<Double>) {
        for i in 0..<count { out[i] = Double(dot(x, y + i &* f, f)) }
    }

    /// out = G v for the f × f row-major `g`.
    @inlinable @inline(__always)
    public static func multiply(_ g: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ f: Int) {
        for a in 0..<f { out[a] = dot(g + a &* f, v, f) }
    }

    /// Adds yᵢyᵢᵀ of rows `range` of `y` (f floats each) to the f × f `g`.
    @inlinable @inline(__always)
    public static func gram(_ y: UnsafePointer<Float>, _ range: Range<Int>, _ f: Int, _ g: UnsafeMutablePointer<Float>) {
        for i in range {
            let row = y + i &* f
            for a in 0..<f where row[a] != 0 { axpy(row[a], row, g + a &* f, f) }
        }
    }

    /// `steps` conjugate-gradient steps for one user (or item) `x` towards the solution of
    /// (G + Σ (cᵢ − 1) yᵢyᵢᵀ) x = Σ cᵢ yᵢ over its interactions `range` (items `index`, weights
    /// `values`, confidence c = alpha · weight; non-positive confidences are skipped), G = YᵀY + λI.
    /// `r`, `p` and `ap` are scratch vectors of f floats.
    @inlinable @inline(__always)
    public static func conjugateGradient(_ x: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>,
                                         _ index: UnsafePointer<Int32>, _ values: UnsafePointer<Double>, _ f: Int, _ alpha: Float, _ steps: Int,
                                         _ r: UnsafeMutablePointer<Float>, _ p: UnsafeMutablePointer<Float>, _ ap: UnsafeMutablePointer<Float>) {
        multiply(g, x, r, f)
        for a in 0..<f { r[a] = -r[a] }
        for k in range {
            let c = alpha * Float(values[k])
            guard c > 0 else { continue }
            let yi = y + Int(index[k]) &* f
            axpy(c - (c - 1) * dot(yi, x, f), yi, r, f)
        }
        for a in 0..<f { p[a] = r[a] }
        var rsOld = dot(r, r, f)
        if rsOld < 1e-20 { return }
        for _ in 0..<steps {
            multiply(g, p, ap, f)
            for k in range {
                let c = alpha * Float(values[k])
                guard c > 0 else { continue }
                let yi = y + Int(index[k]) &* f
                axpy((c - 1) * dot(yi, p, f), yi, ap, f)
            }
            let pap = dot(p, ap, f)
            guard pap > 0 else { return }
            let step = rsOld / pap
            axpy(step, p, x, f)
            axpy(-step, ap, r, f)
            let rsNew = dot(r, r, f)
            if rsNew < 1e-20 { return }
            let beta = rsNew / rsOld
            for a in 0..<f { p[a] = r[a] + beta * p[a] }
            rsOld = rsNew
        }
    }

    /// Conjugate gradient for rows `rows` of `x` (f floats each), with their interactions from
    /// `start` (CSR), as `conjugateGradient`.
    @inlinable @inline(__always)
    public static func solveRows(_ rows: Range<Int>, _ x: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                 _ start: UnsafePointer<Int>, _ index: UnsafePointer<Int32>, _ values: UnsafePointer<Double>, _ f: Int,
                                 _ alpha: Float, _ steps: Int, _ scratch: UnsafeMutablePointer<Float>) {
        for u in rows {
            conjugateGradient(x + u &* f, g, y, start[u]..<start[u &+ 1], index, values, f, alpha, steps, scratch, scratch + f, scratch + 2 &* f)
        }
    }
}
