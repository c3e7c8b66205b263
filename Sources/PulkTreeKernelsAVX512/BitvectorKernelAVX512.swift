public import PulkTreeKernels

/// `BitvectorTables.scoreBlocks` compiled for AVX-512: this module is built with `-target-cpu
/// skylake-avx512`, so the kernel inlined here uses 512-bit vectors and mask registers (sixteen
/// rows' masks of a tree are one register, a node's AND one masked instruction).
/// Call it only when `pulk_cpu_avx512()` says the CPU has them (PulkTrees' `TreeKernel` decides).
/// On other architectures the module is built for the baseline and this is the baseline kernel.
@inline(never)
public func scoreBitvectorBlocksAVX512(_ tables: BitvectorTables, _ range: Range<Int>, blockRows: Int, rows: Int, slots: Int,
                                       x: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>, scratch: BitvectorTables.Scratch) {
    tables.scoreBlocks(range, blockRows: blockRows, rows: rows, slots: slots, x: x, out: out, scratch: scratch)
}
