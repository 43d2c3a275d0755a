// B batch, K classes.
//
// Information maximisation (Krause, Perona & Gomes 2010, "regularized information maximization"; the
// target loss of SHOT, Liang et al. 2020): with p = softmax(target logits) [B, K] and p̄ its batch mean,
//   L = mean_i H(p_i) − H(p̄)
// Entropy minimisation alone rewards putting every target image in one class (the collapse the PyTorch
// reference saw on two of three labs); the second term, the entropy of the batch's mean prediction,
// rewards using the classes. Its weight follows the GRL's warm start (0 → trade_off over grl_max_iters),
// so a network trained from scratch is not pushed to confident guesses before it classifies the source.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

public final class InformationMaximization: AdaptationMethod {
    public let name = "im"
    public let options: MethodOptions
    let warmStart: WarmStartSchedule

    static let diversity = MethodOption("diversity", default: 1, range: 0...100, help: "weight of −H(mean prediction), the term against collapse")

    public static let descriptor = MethodDescriptor(
        name: "im", summary: "information maximisation: confident and diverse target predictions (Krause et al. 2010; SHOT)",
        options: [.tradeOff, diversity, .warmUpIters]) { InformationMaximization(options: $0) }

    public init(options: MethodOptions) {
        self.options = options
        warmStart = WarmStartSchedule(alpha: 1, lo: 0, hi: 1, maxIters: options[.warmUpIters])
    }

    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] { [:] }

    public func transferLoss(_ step: StepContext) throws -> MethodOutput {
        let (meanEntropy, entropyOfMean) = InformationMaximization.terms(logits: step.targetLogits)
        let weight = warmStart.coefficient(step.iteration)
        let loss = (meanEntropy - entropyOfMean * Float(options[InformationMaximization.diversity])) * Float(weight)
        return MethodOutput(loss: loss, diagnostics: ["target_entropy": Double(meanEntropy.item),
                                                      "entropy_of_mean": Double(entropyOfMean.item), "im_weight": weight])
    }

    /// mean_i H(softmax(logits_i)) and H(mean_i softmax(logits_i)) for logits [B, K] (scalars, differentiable).
    public static func terms(logits: Tensor) -> (meanEntropy: Tensor, entropyOfMean: Tensor) {
        let mean = logits.softmax(axis: 1).mean(axis: 0)                  // [K]
        return (Loss.entropy(logits: logits), -(mean * (mean + 1e-8).log()).sum())
    }
}
