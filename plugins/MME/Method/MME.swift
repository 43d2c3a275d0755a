// B batch, F features, K classes.
//
// Minimax entropy (MME, Saito et al. ICCV 2019), for semi-supervised adaptation: the classifier is a cosine
// classifier (unit-length features, prototypes W, temperature T = 0.05) trained by cross-entropy on the labelled
// images (source and any labelled target cells, as every run does), and on the unlabelled target
//   L = −λ · H(p),   p = softmax(C(R(f_t))),   H(p) = mean_i −Σ_k p_ik log p_ik
// with R a gradient reversal of coefficient 1: minimising L moves the prototypes to *raise* the target's entropy
// (towards the target's features), while the reversed gradient moves the features to *lower* it (clustering them
// around the prototypes). λ = 0.1 (the trade-off), the paper's value.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

public final class MME: AdaptationMethod {
    public let name = "mme"
    public let options: MethodOptions

    public static let temperature = MethodOption("temperature", default: 0.05, range: 1e-4...10,
                                                 help: "T of the cosine classifier: logits = (x/‖x‖)·Wᵀ / T")
    public static let descriptor = MethodDescriptor(
        name: "mme", summary: "minimax entropy with a cosine classifier (Saito et al. 2019), for runs with labelled target cells",
        options: [MethodOption("trade_off", default: 0.1, range: 0...1000, help: "λ, weight of the target entropy"), temperature]) { MME(options: $0) }

    public init(options: MethodOptions) { self.options = options }

    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] { [:] }

    public func makeClassifier(featureDim: Int, classes: Int) -> Module? {
        CosineClassifier(inFeatures: featureDim, classes: classes, temperature: Float(options[Self.temperature]))
    }

    public func transferLoss(_ step: StepContext) throws -> MethodOutput {
        let logits = try step.classifier()(step.targetFeatures.gradientReversed(coefficient: 1))
        let h = Loss.entropy(logits: logits)
        return MethodOutput(loss: -h, diagnostics: ["target_entropy": Double(h.item)])
    }
}
