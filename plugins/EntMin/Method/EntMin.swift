// B batch, K classes.
//
// Entropy minimisation (Grandvalet & Bengio 2005; tllib's AFN example `--trade-off-entropy`):
//   L = mean_i −Σ_k p_ik log p_ik,  p = softmax(target logits)
// which pushes target predictions away from class boundaries. Default trade-off 1; no extra modules.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

public final class EntMin: AdaptationMethod {
    public let name = "entmin"
    public let options: MethodOptions

    public static let descriptor = MethodDescriptor(
        name: "entmin", summary: "entropy minimisation of target predictions (Grandvalet & Bengio 2005)",
        options: [.tradeOff]) { EntMin(options: $0) }

    public init(options: MethodOptions) { self.options = options }

    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] { [:] }

    public func transferLoss(_ step: StepContext) -> MethodOutput {
        let h = Loss.entropy(logits: step.targetLogits)
        return MethodOutput(loss: h, diagnostics: ["target_entropy": Double(h.item)])
    }
}
