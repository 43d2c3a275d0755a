// N images seen twice, D projection width. SimCLR's NT-Xent (Chen et al., ICML 2020; docs/algorithms.md §1.12): each
// view's positive is the other view of its image, the other 2N − 2 views are its negatives.
import Foundation
import SmearTensor

extension Loss {
    /// NT-Xent of two views' projections z₁, z₂ [N, D] (row i of each the same image), temperature τ > 0. Every row of
    /// [z₁; z₂] is divided by its length √(Σ z² + 10⁻¹²); their cosine similarities over τ, each row's similarity to
    /// itself left out, are the logits of a cross-entropy whose class is the row's other view; the mean over the 2N rows.
    /// N = 1 gives 0 (a view's only candidate is its positive).
    public static func ntXent(_ z1: Tensor, _ z2: Tensor, temperature: Float) -> Tensor {
        require(z1.rank == 2 && z1.shape == z2.shape, "ntXent: the two views' projections must be [N, D] alike, got \(z1.shape) and \(z2.shape)")
        require(temperature > 0 && temperature.isFinite, "ntXent: temperature \(temperature) must be positive")
        let n = z1.shape[0]
        let z = Tensor.concat([z1, z2], axis: 0)                                   // [2N, D]
        let unit = z / ((z * z).sum(axis: 1, keepDims: true) + 1e-12).sqrt()      // rows of length 1
        let similarities = unit.matmul(unit.transposed()) / temperature            // [2N, 2N]
        var selfMask = [Float](repeating: 0, count: 4 * n * n)
        for i in 0..<(2 * n) { selfMask[i * 2 * n + i] = -1e9 }                   // exp(−10⁹) is 0: a row never picks itself
        let logits = similarities + Tensor(selfMask, shape: [2 * n, 2 * n])
        return crossEntropy(logits, labels: (0..<(2 * n)).map { $0 < n ? $0 + n : $0 - n })
    }
}
