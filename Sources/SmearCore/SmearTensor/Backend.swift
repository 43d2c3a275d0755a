// Which kernels run the convolution, batch-norm and max-pooling ops.
//
// Two back ends compute the same functions: `blas` (im2col + OpenBLAS SGEMM and smear's own loops,
// the reference) and `dnnl` (oneDNN's JIT kernels, the default: two to three times faster here).
// The choice is global and can change between steps: both read and write the same NHWC tensors.
import Foundation

public enum ComputeBackend: String, Sendable, CaseIterable {
    /// im2col + OpenBLAS SGEMM for convolutions, smear's loops for normalisation and pooling.
    case blas
    /// oneDNN (libdnnl) for convolutions, batch norm (+ReLU) and max pooling.
    case dnnl

    /// The back end in use: `SMEAR_BACKEND` (blas or dnnl) when set, else the fastest (dnnl).
    /// An unknown value in the variable is reported once on stderr and the default is used.
    nonisolated(unsafe) public static var current: ComputeBackend = fromEnvironment()

    static func fromEnvironment() -> ComputeBackend {
        guard let text = ProcessInfo.processInfo.environment["SMEAR_BACKEND"], !text.isEmpty else { return .dnnl }
        if let b = ComputeBackend(rawValue: text.lowercased()) { return b }
        FileHandle.standardError.write(Data(
            "smear: SMEAR_BACKEND=\(text) is not a back end (blas or dnnl); using dnnl\n".utf8))
        return .dnnl
    }

    /// Runs `body` with `backend` selected, then restores the previous one (for tests and benchmarks).
    public static func with<T>(_ backend: ComputeBackend, _ body: () throws -> T) rethrows -> T {
        let saved = current
        current = backend
        defer { current = saved }
        return try body()
    }

    /// One line for banners and run headers: what computes, with which kernels and threads.
    public static var summary: String {
        let blas = "OpenBLAS \(BLAS.coreName) kernel (\(BLAS.kernelOrigin))"
        switch current {
        case .dnnl: return "back end dnnl (oneDNN \(DNNL.version), \(DNNL.threads) threads; \(blas) for matrix products)"
        case .blas: return "back end blas (\(blas), \(BLAS.threads) threads)"
        }
    }
}
