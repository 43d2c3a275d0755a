// Splitting loops across the cores for the memory-bound kernels (im2col, normalisation, pooling).
import Dispatch
import Foundation

public enum Parallel {
    /// Worker count for smear's own kernels (BLAS has its own; see `BLAS.setThreads`): `SMEAR_THREADS`,
    /// else the number of cores.
    nonisolated(unsafe) public static var threads = ProcessInfo.processInfo.environment["SMEAR_THREADS"].flatMap(Int.init)
        ?? max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on disjoint sub-ranges of 0..<n, concurrently when it is worth it.
    /// `minChunk` is the smallest range worth handing to another thread.
    @inline(__always)
    public static func forRanges(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, n / max(minChunk, 1)))
        if workers <= 1 { body(0..<n); return }
        let size = (n + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * size, hi = min(n, lo + size)
            if lo < hi { body(lo..<hi) }
        }
    }
}
