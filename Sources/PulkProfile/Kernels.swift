import PulkFrame
/// Inner loops of the profiler over contiguous doubles, unrolled into SIMD accumulators.
enum Kernels {
    /// Σ (a[i] − ma)·(b[i] − mb): a covariance sum without copying centred columns.
    static func centredDot(_ a: UnsafePointer<Double>, _ ma: Double, _ b: UnsafePointer<Double>, _ mb: Double, _ n: Int) -> Double {
        VectorKernels.centredDot(a, ma, b, mb, n)
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
