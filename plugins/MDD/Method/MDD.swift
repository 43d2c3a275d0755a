// B batch per domain, F features, K classes.
//
// MDD: margin disparity discrepancy (Zhang et al., "Bridging Theory and Algorithm for Domain
// Adaptation", ICML 2019), as in tllib's ClassificationMarginDisparityDiscrepancy and the article's
// code (algorithms.md §2.1). An adversarial head f' reads GRL(features); with ŷ = argmax of the main
// head's logits,
//   D = mean_i [ −γ·(−log softmax(f'(x_s))[ŷ_s]) + log(1 − softmax(f'(x_t))[ŷ_t] + 1e-6) ]
// and the transfer loss is −D: the adversarial head maximises D, the features (through the GRL,
// coefficient warm-started to hi = 0.1) minimise it. Defaults: margin γ = 4, trade-off η = 1.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

public final class MDD: AdaptationMethod {
    public let name = "mdd"
    public let options: MethodOptions
    let margin: Float
    let grl: WarmStartSchedule

    static let marginOption = MethodOption("margin", default: 4, range: 0...1000, help: "γ, the margin factor on the source disparity")
    static let headWidth = MethodOption("head_width", default: 1024, range: 0...65_536, whole: true,
                                        help: "hidden width of the adversarial head (0: linear)")
    static let warmStart = WarmStartOptions(hi: 0.1)
    /// The checkpoint name of the adversarial head f'.
    static let adversarialHead = "adv_head"

    public static let descriptor = MethodDescriptor(
        name: "mdd", summary: "margin disparity discrepancy with an adversarial head (Zhang et al. 2019)",
        options: [marginOption, .tradeOff, headWidth] + warmStart.all) { MDD(options: $0) }

    public init(options: MethodOptions) {
        self.options = options
        margin = Float(options[MDD.marginOption])
        grl = MDD.warmStart.schedule(options)
    }

    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] {
        [MDD.adversarialHead: ClassifierHead(inFeatures: featureDim, classes: classes, hidden: Int(options[MDD.headWidth]))]
    }

    public func transferLoss(_ step: StepContext) throws -> MethodOutput {
        let head = try step.module(MDD.adversarialHead)
        let coefficient = grl.coefficient(step.iteration)
        let (sourceAdv, targetAdv) = step.adversarial(head, coefficient: coefficient)
        let d = MDD.disparity(sourceLogits: step.sourceLogits, sourceAdv: sourceAdv, targetLogits: step.targetLogits,
                              targetAdv: targetAdv, margin: margin)
        return MethodOutput(loss: -d, diagnostics: ["mdd": Double(d.item), "grl_coefficient": coefficient])
    }

    /// D_γ for logits of the main and adversarial heads ([B, K] each; the main logits only through argmax).
    public static func disparity(sourceLogits: Tensor, sourceAdv: Tensor, targetLogits: Tensor, targetAdv: Tensor,
                                 margin: Float) -> Tensor {
        let ys = sourceLogits.argmax(axis: 1), yt = targetLogits.argmax(axis: 1)
        let sourceCE = -sourceAdv.logSoftmax(axis: 1).picking(ys)                                    // [B]
        let targetTerm = ((1 - targetAdv.softmax(axis: 1)) + 1e-6).clamped(max: 1).log().picking(yt)   // [B]
        return (sourceCE * -margin + targetTerm).mean()
    }
}
