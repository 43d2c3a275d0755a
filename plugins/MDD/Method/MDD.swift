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
    public let options: [String: Double]
    let margin: Float
    let grl: WarmStartSchedule

    public static let descriptor = MethodDescriptor(
        name: "mdd", summary: "margin disparity discrepancy with an adversarial head (Zhang et al. 2019)",
        options: [MethodOption("margin", default: 4, range: 0...1000, help: "γ, the margin factor on the source disparity"),
                  MethodOption("trade_off", default: 1, range: 0...1000, help: "η, weight of the transfer loss"),
                  MethodOption("head_width", default: 1024, range: 0...65_536, whole: true, help: "hidden width of the adversarial head (0: linear)")]
            + WarmStartSchedule.options(hi: 0.1)) { MDD(options: $0) }

    public init(options: [String: Double]) {
        self.options = options
        margin = Float(options["margin"] ?? 4)
        grl = WarmStartSchedule(options: options, defaultHi: 0.1)
    }

    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] {
        ["adv_head": ClassifierHead(inFeatures: featureDim, classes: classes, hidden: Int(options["head_width"] ?? 1024))]
    }

    public func transferLoss(_ step: StepContext) -> MethodOutput {
        guard let head = step.modules["adv_head"] else { fatalError("mdd: the adversarial head is missing") }
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
