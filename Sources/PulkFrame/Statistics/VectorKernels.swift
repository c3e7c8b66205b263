/// SIMD inner loops over contiguous doubles, shared by the profiler and the learners.
public enum VectorKernels {
    /// Σ (a[i] − ma)·(b[i] − mb), with two SIMD4 accumulators.
    @inlinable @inline(__always)
    public static func centredDot(_ a: UnsafePointer<Double>, _ ma: Double, _ b: UnsafePointer<Double>, _ mb: Double, _ n: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        let va = SIMD4<Double>(repeating: ma), vb = SIMD4<Double>(repeating: mb)
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
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

    /// y[i] += alpha · x[i].
    @inlinable @inline(__always)
    public static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        let va = SIMD4<Double>(repeating: alpha)
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        var i = 0
        while i + 4 <= n {
            let v = ry.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                + va * rx.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
            ry.storeBytes(of: v, toByteOffset: i * 8, as: SIMD4<Double>.self)
            i += 4
        }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }
}
