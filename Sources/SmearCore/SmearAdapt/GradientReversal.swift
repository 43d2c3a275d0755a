// The gradient-reversal layer (Ganin & Lempitsky 2015) with the warm-start schedule of tllib's
// WarmStartGradientReverseLayer (algorithms.md §1.1).
import Foundation
import SmearNN
import SmearTensor

/// λ(i) = 2(hi − lo)/(1 + exp(−α·i/N)) − (hi − lo) + lo  =  (hi − lo)·tanh(α·i/(2N)) + lo.
public struct WarmStartSchedule: Sendable, Equatable {
    public var alpha: Double, lo: Double, hi: Double, maxIters: Double
    public init(alpha: Double = 1, lo: Double = 0, hi: Double = 1, maxIters: Double = 1000) {
        self.alpha = alpha; self.lo = lo; self.hi = hi; self.maxIters = maxIters
    }
    public func coefficient(_ iteration: Int) -> Double {
        2 * (hi - lo) / (1 + exp(-alpha * Double(iteration) / maxIters)) - (hi - lo) + lo
    }
}

extension Tensor {
    /// Identity forward; backward multiplies the gradient by −coefficient.
    public func gradientReversed(coefficient: Float) -> Tensor {
        // A distinct output node over the same values, so that only gradients passing here are reversed.
        let out = Tensor(shape: shape, storage: storage, format: format)
        guard requiresGrad && GradMode.isEnabled else { return out }
        return Tensor.recorded(out, op: "gradientReversal", inputs: [self]) { g in [g * -coefficient] }
    }
}

/// A gradient-reversal module whose coefficient follows a warm-start schedule, stepped by hand (`step()`)
/// or on every forward call (`autoStep`), as tllib's WarmStartGradientReverseLayer, for a plugin that keeps
/// the layer as a module. MDD and DANN instead compute the coefficient from the step's iteration
/// (`StepContext.adversarial`), which a resumed run gets right without saving the layer's counter.
public final class GradientReverseLayer: Module {
    public let schedule: WarmStartSchedule
    public let autoStep: Bool
    public var iteration: Int

    public init(schedule: WarmStartSchedule, autoStep: Bool = false, iteration: Int = 0) {
        self.schedule = schedule; self.autoStep = autoStep; self.iteration = iteration
    }

    public var coefficient: Double { schedule.coefficient(iteration) }

    public override func forward(_ x: Tensor) -> Tensor {
        let y = x.gradientReversed(coefficient: Float(coefficient))
        if autoStep { iteration += 1 }
        return y
    }

    public func step() { iteration += 1 }
}

/// The options every GRL-based method offers (each method with its own default ceiling), and the
/// schedule they describe (α = 1, lo = 0).
public struct WarmStartOptions: Sendable {
    public let hi: MethodOption, maxIters: MethodOption
    public init(hi: Double) {
        self.hi = MethodOption("grl_hi", default: hi, range: 0...100, help: "final gradient-reversal coefficient")
        maxIters = MethodOption("grl_max_iters", default: 1000, range: 1...1e9, whole: true, help: "warm-start length of the coefficient")
    }
    public var all: [MethodOption] { [hi, maxIters] }
    public func schedule(_ options: MethodOptions) -> WarmStartSchedule {
        WarmStartSchedule(alpha: 1, lo: 0, hi: options[hi], maxIters: options[maxIters])
    }
}

extension StepContext {
    /// `head` applied to GRL(cat(source features, target features)), split back into the source and
    /// target halves: the adversarial step shared by MDD and DANN.
    public func adversarial(_ head: Module, coefficient: Double) -> (source: Tensor, target: Tensor) {
        let b = sourceFeatures.shape[0]
        let out = head(Tensor.concat([sourceFeatures, targetFeatures], axis: 0).gradientReversed(coefficient: Float(coefficient)))
        return (out.sliced(axis: 0, 0, b), out.sliced(axis: 0, b, out.shape[0]))
    }
}
