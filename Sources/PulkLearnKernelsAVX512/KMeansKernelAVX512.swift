public import PulkLearnKernels

/// k-means' loops compiled for AVX-512: this module is built with `-target-cpu skylake-avx512`, so the
/// kernels inlined here keep eight centers' distances in one 512-bit register. Call them only when
/// `pulk_cpu_avx512()` says the CPU has them (PulkLearn's `KMeansEngine` decides). On other
/// architectures the module is built for the baseline and these are the baseline kernels.
@inline(never)
public func kmeansAssignAVX512(_ block: KMeansBlock, _ range: Range<Int>) -> Int { block.assign(range) }

@inline(never)
public func kmeansNearestAVX512(_ x: UnsafePointer<Double>, _ range: Range<Int>, d: Int, packed: UnsafePointer<Double>, k: Int,
                                labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Double>) {
    KMeansKernel.nearest(x, range, d: d, packed: packed, k: k, labels: labels, distances: distances)
}

@inline(never)
public func kmeansDistancesAVX512(_ x: UnsafePointer<Double>, _ range: Range<Int>, d: Int, to point: UnsafePointer<Double>,
                                  out: UnsafeMutablePointer<Double>) {
    KMeansKernel.distances(x, range, d: d, to: point, out: out)
}
