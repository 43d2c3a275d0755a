// Matrix multiplication through OpenBLAS `cblas_sgemm`. With BLASKernel.swift, the only files that import
// COpenBLAS. M, K, N: a is [M, K], b is [K, N], the result [M, N] (optionally batched).
//
// OpenBLAS runs single-threaded and smear splits large products by rows of C over its own threads (the
// OpenMP pool that oneDNN's kernels use): OpenBLAS's own pool busy-waits after each call and then
// competes with oneDNN's threads for the cores.
import COpenBLAS
import Foundation

/// C = alpha·op(A)·op(B) + beta·C for row-major matrices (op = transpose when the flag is set).
/// A is M×K after op, B is K×N after op; lda/ldb/ldc are row strides as stored.
@inline(__always)
func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
          beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    BLAS.singleThreaded
    // Rows per thread: at least 16, and only for products worth splitting (about 2 MFLOP or more).
    let workers = m * n * k >= 1 << 20 ? min(Parallel.threads, m / 16) : 1
    if workers <= 1 {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        return
    }
    Parallel.forRanges(m, minChunk: (m + workers - 1) / workers) { rows in
        // Row r of op(A) starts at a + r·lda, or at column r (a + r) when A is stored transposed.
        let aRows = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(rows.count), Int32(n), Int32(k), alpha, aRows, Int32(lda), b, Int32(ldb), beta,
                    c + rows.lowerBound * ldc, Int32(ldc))
    }
}

/// Facts about the BLAS library, for benchmark output.
public enum BLAS {
    /// The OpenBLAS kernel in use (e.g. "Haswell", "SkylakeX").
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// Who chose the kernel: the user's OPENBLAS_CORETYPE, smear (see `BLASKernel`), or OpenBLAS itself.
    public static var kernelOrigin: String { BLASKernel.origin }
    /// Threads that share a matrix product: smear's (`Parallel.threads`), each running OpenBLAS on one.
    public static var threads: Int { Parallel.threads }
    /// Makes OpenBLAS run each call on the calling thread (once, before the first product).
    static let singleThreaded: Void = { openblas_set_num_threads(1) }()
}

extension Tensor {
    /// Matrix product: [M, K] @ [K, N] → [M, N]; with leading batch dimensions on both sides
    /// ([..., M, K] @ [..., K, N], equal batch shapes) it multiplies each pair.
    public func matmul(_ other: Tensor) -> Tensor {
        let outShape = shapeRule { try ShapeRules.matmul(shape, other.shape) }
        let a = contiguous(), b = other.contiguous()
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[rank - 1]
        let batch = shape.dropLast(2).reduce(1, *)
        let out = Tensor(uninitialized: outShape)
        for i in 0..<batch {
            gemm(m: m, n: n, k: k, a: a.data + i * m * k, lda: k, b: b.data + i * k * n, ldb: n,
                 c: out.data + i * m * n, ldc: n)
        }
        return Tensor.result(out, op: "matmul", inputs: [a, b]) { g in
            let g = g.contiguous()
            var da: Tensor? = nil, db: Tensor? = nil
            if a.requiresGrad {   // dA = dC · Bᵀ
                let t = Tensor(uninitialized: a.shape)
                for i in 0..<batch {
                    gemm(transB: true, m: m, n: k, k: n, a: g.data + i * m * n, lda: n, b: b.data + i * k * n, ldb: n,
                         c: t.data + i * m * k, ldc: k)
                }
                da = t
            }
            if b.requiresGrad {   // dB = Aᵀ · dC
                let t = Tensor(uninitialized: b.shape)
                for i in 0..<batch {
                    gemm(transA: true, m: k, n: n, k: m, a: a.data + i * m * k, lda: k, b: g.data + i * m * n, ldb: n,
                         c: t.data + i * k * n, ldc: n)
                }
                db = t
            }
            return [da, db]
        }
    }

    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }
}

