import PulkFrame
/// Inner loops of the profiler over contiguous doubles, unrolled into SIMD accumulators.
enum Kernels {
    /// Σ a[i]·b[i].
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
            s1 += ra.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
                * rb.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
            i += 8
        }
        var s = (s0 + s1).sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ (a[i] − ma)·(b[i] − mb): a covariance sum without copying centred columns.
    static func centredDot(_ a: UnsafePointer<Double>, _ ma: Double, _ b: UnsafePointer<Double>, _ mb: Double, _ n: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        let va = SIMD4<Double>(repeating: ma), vb = SIMD4<Double>(repeating: mb)
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            s0 += (ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) - va)
                * (rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) - vb)
            s1 += (ra.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self) - va)
                * (rb.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self) - vb)
            i += 8
        }
        var s = (s0 + s1).sum()
        while i < n { s += (a[i] - ma) * (b[i] - mb); i += 1 }
        return s
    }

    /// Pearson correlation of two columns over rows where both are present (not NaN).
    static func pearsonPairwise(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int) -> Double? {
        var count = 0
        var sx = 0.0, sy = 0.0
        for i in 0..<n where !x[i].isNaN && !y[i].isNaN { sx += x[i]; sy += y[i]; count += 1 }
        guard count > 1 else { return nil }
        let mx = sx / Double(count), my = sy / Double(count)
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in 0..<n where !x[i].isNaN && !y[i].isNaN {
            let dx = x[i] - mx, dy = y[i] - my
            sxx += dx * dx; syy += dy * dy; sxy += dx * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        return clamp(sxy / (sxx * syy).squareRoot())
    }

    static func clamp(_ r: Double) -> Double { max(-1, min(1, r)) }
}
