// N batch, K classes. Losses with PyTorch's reduction semantics.
import Foundation
import SmearTensor

public enum Loss {
    /// Cross-entropy of logits [N, K] against class indices, PyTorch's `F.cross_entropy`.
    /// With class weights w [K] the mean is weighted: Σᵢ w[yᵢ]·CEᵢ / Σᵢ w[yᵢ].
    public static func crossEntropy(_ logits: Tensor, labels: [Int], weight: Tensor? = nil) -> Tensor {
        require(logits.rank == 2 && logits.shape[0] == labels.count,
                     "crossEntropy: logits \(logits.shape) and \(labels.count) labels do not match")
        let nll = -logits.logSoftmax(axis: 1).picking(labels)           // [N]
        guard let weight else { return nll.mean() }
        require(weight.shape == [logits.shape[1]], "crossEntropy: weight \(weight.shape) should be [\(logits.shape[1])]")
        let w = Tensor(labels.map { weight.scalars[$0] }, shape: [labels.count])
        return (nll * w).sum() / w.sum().item
    }

    /// Binary cross-entropy of probabilities in [0, 1] against targets, PyTorch's `F.binary_cross_entropy`
    /// (log clamped at −100), mean over elements, optionally weighted per element.
    public static func binaryCrossEntropy(_ probabilities: Tensor, targets: Tensor, weight: Tensor? = nil) -> Tensor {
        require(probabilities.shape == targets.shape,
                     "binaryCrossEntropy: probabilities \(probabilities.shape) and targets \(targets.shape) differ")
        let logP = probabilities.log().clamped(min: -100)
        let log1mP = (1 - probabilities).log().clamped(min: -100)
        var l = -(targets * logP + (1 - targets) * log1mP)
        if let weight { l = l * weight }
        return l.mean()
    }

    /// Mean Shannon entropy of softmax(logits) per row: mean_i −Σ_k p_ik log p_ik (differentiable).
    public static func entropy(logits: Tensor) -> Tensor {
        let logP = logits.logSoftmax(axis: 1)
        return -(logP.exp() * logP).sum(axis: 1).mean()
    }
}
