// Eigen-decomposition of a symmetric matrix with LAPACK's dsyevd (shipped in OpenBLAS): PCA of features,
// Macenko's stain plane.
import COpenBLAS
import Foundation

public enum LAPACK {
    /// Eigenvalues in ascending order and the matching unit eigenvectors, of the symmetric n×n `matrix`
    /// (row-major; only symmetric input is meaningful). vectors[k] belongs to values[k]. nil when LAPACK fails.
    public static func symmetricEigen(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [[Double]])? {
        precondition(matrix.count == n * n, "symmetricEigen: \(matrix.count) values for \(n)x\(n)")
        guard n > 0 else { return ([], []) }
        var a = matrix   // column-major equals row-major for a symmetric matrix
        var w = [Double](repeating: 0, count: n)
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workSize: Double = 0, iworkSize: Int32 = 0
        dsyevd_("V", "U", &nn, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1)   // size query
        guard info == 0 else { return nil }
        lwork = Int32(workSize); liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_("V", "U", &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else { return nil }
        // Column k of the column-major result is eigenvector k.
        return (w, (0..<n).map { k in Array(a[(k * n)..<(k * n + n)]) })
    }

    /// The same for a Float matrix (computed in Double).
    public static func symmetricEigen(_ matrix: [Float], n: Int) -> (values: [Float], vectors: [[Float]])? {
        guard let (values, vectors) = symmetricEigen(matrix.map(Double.init), n: n) else { return nil }
        return (values.map(Float.init), vectors.map { $0.map(Float.init) })
    }
}
