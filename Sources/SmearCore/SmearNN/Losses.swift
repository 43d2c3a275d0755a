// N batch, K classes. Losses with PyTorch's reduction semantics.
import Foundation
import SmearTensor

public enum Loss {
    /// Cross-entropy of logits [N, K] against class indices, PyTorch's `F.cross_entropy`.
    /// With class weights w [K] the mean is weighted: Σᵢ w[yᵢ]·CEᵢ / Σᵢ w[yᵢ].
    /// With label smoothing ε (docs/algorithms.md §1.11), PyTorch's `label_smoothing=ε`: (1 − ε)·that loss
    /// + ε/K · Σᵢ Σₖ wₖ·(−log pᵢₖ) / Σᵢ w[yᵢ] (w ≡ 1 and the denominator N without weights).
    public static func crossEntropy(_ logits: Tensor, labels: [Int], weight: Tensor? = nil, labelSmoothing: Float = 0) -> Tensor {
        require(logits.rank == 2 && logits.shape[0] == labels.count,
                     "crossEntropy: logits \(logits.shape) and \(labels.count) labels do not match")
        require((0...1).contains(labelSmoothing), "crossEntropy: label smoothing \(labelSmoothing) is outside [0, 1]")
        let k = logits.shape[1]
        let logP = logits.logSoftmax(axis: 1)
        let nll = -logP.picking(labels)                                  // [N]
        if let weight {
            require(weight.shape == [k], "crossEntropy: weight \(weight.shape) should be [\(k)]")
        }
        let w = weight.map { weight in Tensor(labels.map { weight.scalars[$0] }, shape: [labels.count]) }
        let hard = w.map { (nll * $0).sum() / $0.sum().item } ?? nll.mean()
        guard labelSmoothing > 0 else { return hard }
        let everyClass = -(weight.map { logP * $0.reshaped([1, k]) } ?? logP).sum(axis: 1)   // [N]: Σₖ wₖ·(−log pᵢₖ)
        let smooth = w.map { everyClass.sum() / $0.sum().item } ?? everyClass.mean()
        return hard * (1 - labelSmoothing) + smooth * (labelSmoothing / Float(k))
    }

    /// Binary cross-entropy of probabilities in [0, 1] against targets, PyTorch's `F.binary_cross_entropy`:
    /// each log is clamped at −100, the mean is over elements (optionally weighted per element), and the
    /// gradient is (p − t)/max(p(1 − p), 1e-12) as in PyTorch, so saturated probabilities (exactly 0 or
    /// 1) give a finite loss and gradient instead of NaN.
    public static func binaryCrossEntropy(_ probabilities: Tensor, targets: Tensor, weight: Tensor? = nil) -> Tensor {
        require(probabilities.shape == targets.shape,
                "binaryCrossEntropy: probabilities \(probabilities.shape) and targets \(targets.shape) differ")
        let p = probabilities.scalars, t = targets.scalars
        let w = weight.map { $0.expanded(probabilities.shape).scalars } ?? [Float](repeating: 1, count: p.count)
        let n = Float(max(p.count, 1))
        var total: Double = 0
        for i in 0..<p.count {
            let logP = max(Foundation.log(p[i]), -100), log1mP = max(Foundation.log(1 - p[i]), -100)
            total += Double(-w[i] * (t[i] * logP + (1 - t[i]) * log1mP))
        }
        let out = Tensor(scalar: Float(total / Double(n)))
        let shape = probabilities.shape
        return Tensor.recorded(out, op: "binaryCrossEntropy", inputs: [probabilities]) { g in
            let scale = g.item / n
            let grad = (0..<p.count).map { i in scale * w[i] * (p[i] - t[i]) / max(p[i] * (1 - p[i]), 1e-12) }
            return [Tensor(grad, shape: shape)]
        }
    }

    /// Mean Shannon entropy of softmax(logits) per row: mean_i −Σ_k p_ik log p_ik (differentiable).
    public static func entropy(logits: Tensor) -> Tensor {
        let logP = logits.logSoftmax(axis: 1)
        return -(logP.exp() * logP).sum(axis: 1).mean()
    }
}
