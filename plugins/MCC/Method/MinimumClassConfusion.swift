// B batch, K classes.
//
// Minimum class confusion (Jin, Wang, Long & Wang 2020, "Minimum Class Confusion for Versatile Domain
// Adaptation"; tllib's MinimumClassConfusionLoss). With p = softmax(target logits / T) [B, K]:
//   h_i = −Σ_k p_ik log(p_ik + 1e-5)            each image's entropy (no gradient)
//   w_i = B · (1 + e^{−h_i}) / Σ_j (1 + e^{−h_j})   confident images weigh more, mean weight 1
//   C   = pᵀ diag(w) p                           [K, K], the batch's class confusion (symmetric)
//   C̃_jk = C_jk / Σ_i C_ik                       each class normalised by its own mass
//   L   = (Σ_jk C̃_jk − Σ_j C̃_jj) / K             the off-diagonal mass, per class
// Unlike entropy minimisation, which pulls a lab's uncertain images into its majority class (the collapse
// the PyTorch reference and this project saw on bccd), the class normalisation weighs a rare class's
// confusion as much as a common one's; the price is the opposite bias: on labs far from balanced (peripheral
// blood, 59% neutrophils) it pushes the largest class into the rare ones (measured with scripts/adapt on three labs; docs/notebook/). Its weight
// follows the GRL's warm start (0 → 1 over warm_up_iters), as information maximisation's does, so a network
// trained from scratch is not pushed to confident guesses before it classifies the source.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

public final class MinimumClassConfusion: AdaptationMethod {
    public let name = "mcc"
    public let options: MethodOptions
    let warmStart: WarmStartSchedule

    static let temperature = MethodOption("temperature", default: 2.5, range: 0.01...100,
                                          help: "T, the softmax temperature (tllib's default, 2.5)")

    public static let descriptor = MethodDescriptor(
        name: "mcc", summary: "minimum class confusion of target predictions (Jin et al. 2020)",
        options: [.tradeOff, temperature, .warmUpIters]) { MinimumClassConfusion(options: $0) }

    public init(options: MethodOptions) {
        self.options = options
        warmStart = WarmStartSchedule(alpha: 1, lo: 0, hi: 1, maxIters: options[.warmUpIters])
    }

    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] { [:] }

    public func transferLoss(_ step: StepContext) throws -> MethodOutput {
        let confusion = MinimumClassConfusion.loss(logits: step.targetLogits,
                                                   temperature: Float(options[MinimumClassConfusion.temperature]))
        let weight = warmStart.coefficient(step.iteration)
        return MethodOutput(loss: confusion * Float(weight),
                            diagnostics: ["class_confusion": Double(confusion.item), "mcc_weight": weight])
    }

    /// L for logits [B, K] (a differentiable scalar; the images' weights w carry no gradient, as in tllib).
    public static func loss(logits: Tensor, temperature: Float) -> Tensor {
        let p = (logits / temperature).softmax(axis: 1)                                  // [B, K]
        return offDiagonalMass(probabilities: p, weights: imageWeights(probabilities: p))
    }

    /// L with the images' weights w [B, 1] given.
    public static func loss(logits: Tensor, temperature: Float, weights: Tensor) -> Tensor {
        offDiagonalMass(probabilities: (logits / temperature).softmax(axis: 1), weights: weights)
    }

    /// w [B, 1] for probabilities p [B, K]: B · (1 + e^{−h_i}) / Σ_j (1 + e^{−h_j}), computed without recording
    /// a gradient, so it is a constant to whatever uses it.
    public static func imageWeights(probabilities p: Tensor) -> Tensor {
        withNoGrad {
            let entropy = -(p * (p + 1e-5).log()).sum(axis: 1, keepDims: true)         // [B, 1]
            let certainty = (-entropy).exp() + 1
            return certainty * (Float(p.shape[0]) / certainty.sum().item)
        }
    }

    /// (Σ_jk C̃_jk − Σ_j C̃_jj) / K for p [B, K] and w [B, 1].
    static func offDiagonalMass(probabilities p: Tensor, weights: Tensor) -> Tensor {
        let classes = p.shape[1]
        let confusion = (p * weights).transposed().matmul(p)                              // [K, K]
        let normalised = confusion / confusion.sum(axis: 0, keepDims: true)               // columns sum to 1
        let identity = Tensor((0..<classes * classes).map { $0 % (classes + 1) == 0 ? 1 : 0 }, shape: [classes, classes])
        return (normalised.sum() - (normalised * identity).sum()) / Float(classes)
    }
}
