// Splitting loops across the cores for the memory-bound kernels (im2col, normalisation, pooling).
// They run on the same OpenMP threads as oneDNN's kernels (`smear_parallel_for`), so that a training
// step keeps one set of threads busy instead of waking a second pool at every switch.
import CDNNL
import Foundation

public enum Parallel {
    /// Worker count for smear's own kernels and matrix products (and oneDNN's, fixed at its first use):
    /// `SMEAR_THREADS`, else the number of cores.
    nonisolated(unsafe) public static var threads = EnvironmentSetting.integer("SMEAR_THREADS", in: 1...maximumThreads)
        ?? max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// More threads than any machine smear runs on has cores; SMEAR_THREADS outside 1…this is ignored.
    public static let maximumThreads = 1024

    /// Calls `body` on disjoint sub-ranges of 0..<n, concurrently when it is worth it.
    /// `minChunk` is the smallest range worth handing to another thread.
    @inline(__always)
    public static func forRanges(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, n / max(minChunk, 1)))
        if workers <= 1 { body(0..<n); return }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { context in
                smear_parallel_for(n, Int32(workers), { context, lo, hi in
                    guard let context else { return }
                    context.assumingMemoryBound(to: ((Range<Int>) -> Void).self).pointee(lo..<hi)
                }, context)
            }
        }
    }
}
