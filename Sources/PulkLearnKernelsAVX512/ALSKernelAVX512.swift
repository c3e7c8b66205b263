public import PulkLearnKernels

/// Implicit ALS's conjugate-gradient rows, compiled for AVX-512 (see `ALSKernel.solveRows`).
@inline(never)
public func alsSolveRowsAVX512(_ rows: Range<Int>, _ x: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                               _ start: UnsafePointer<Int>, _ index: UnsafePointer<Int32>, _ values: UnsafePointer<Double>, _ f: Int,
                               _ alpha: Float, _ steps: Int, _ scratch: UnsafeMutablePointer<Float>) {
    ALSKernel.solveRows(rows, x, g, y, start, index, values, f, alpha, steps, scratch)
}

/// YᵀY's partial sums over rows `range`, compiled for AVX-512 (see `ALSKernel.gram`).
@inline(never)
public func alsGramAVX512(_ y: UnsafePointer<Float>, _ range: Range<Int>, _ f: Int, _ g: UnsafeMutablePointer<Float>) {
    ALSKernel.gram(y, range, f, g)
}

/// A user's score of every item, compiled for AVX-512 (see `ALSKernel.scoreAll`).
@inline(never)
public func alsScoreAllAVX512(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int, _ f: Int, _ out: UnsafeMutablePointer<Double>) {
    ALSKernel.scoreAll(x, y, count, f, out)
}
