// B batch per domain, F features.
//
// DANN: domain-adversarial training (Ganin et al., JMLR 2016), as tllib's DomainAdversarialLoss with a
// sigmoid DomainDiscriminator (algorithms.md §2.2). With d = D(GRL(features)),
//   L = ½·[BCE(d_s, 1) + BCE(d_t, 0)]
// the discriminator minimises L; through the GRL (coefficient warm-started to hi = 1) the features
// maximise it. Defaults: trade-off 1, discriminator width 1024 with batch norm.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

public final class DANN: AdaptationMethod {
    public let name = "dann"
    public let options: MethodOptions
    let grl: WarmStartSchedule

    static let hidden = MethodOption("hidden", default: 1024, range: 1...65_536, whole: true, help: "width of the domain discriminator")
    static let warmStart = WarmStartOptions(hi: 1)
    /// The checkpoint name of the domain discriminator.
    static let discriminatorName = "discriminator"

    public static let descriptor = MethodDescriptor(
        name: "dann", summary: "domain-adversarial training with a sigmoid domain discriminator (Ganin et al. 2016)",
        options: [.tradeOff, hidden] + warmStart.all) { DANN(options: $0) }

    public init(options: MethodOptions) {
        self.options = options
        grl = DANN.warmStart.schedule(options)
    }

    public func makeModules(featureDim: Int, classes: Int) -> [String: Module] {
        [DANN.discriminatorName: DomainDiscriminator(inFeatures: featureDim, hidden: Int(options[DANN.hidden]))]
    }

    public func transferLoss(_ step: StepContext) throws -> MethodOutput {
        let discriminator = try step.module(DANN.discriminatorName)
        let coefficient = grl.coefficient(step.iteration)
        let (ds, dt) = step.adversarial(discriminator, coefficient: coefficient)
        let loss = DANN.domainLoss(source: ds, target: dt)
        let accuracy = 0.5 * (Double(ds.scalars.filter { $0 >= 0.5 }.count) / Double(ds.count)
                              + Double(dt.scalars.filter { $0 < 0.5 }.count) / Double(dt.count))
        return MethodOutput(loss: loss, diagnostics: ["domain_accuracy": accuracy, "grl_coefficient": coefficient])
    }

    /// ½·[BCE(d_s, 1) + BCE(d_t, 0)] for discriminator probabilities of each domain.
    public static func domainLoss(source: Tensor, target: Tensor) -> Tensor {
        (Loss.binaryCrossEntropy(source, targets: Tensor.ones(source.shape))
            + Loss.binaryCrossEntropy(target, targets: Tensor.zeros(target.shape))) * 0.5
    }
}
