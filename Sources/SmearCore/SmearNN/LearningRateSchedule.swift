// Learning-rate schedules (algorithms.md §1.3). Each maps an iteration (and its epoch) to the base lr.
import Foundation

public enum LearningRateSchedule: Sendable, Equatable {
    /// Constant rate.
    case constant(Float)
    /// The article code's inverse decay, per iteration i: `lr·(1 + gamma·i)^(−decay)` (tllib's LambdaLR).
    case inverseDecay(lr: Float, gamma: Float, decay: Float)
    /// The article text's step decay, per epoch e: `lr·factor^⌊e / every⌋` (0.001, ×0.1 every 20 epochs).
    case stepDecay(lr: Float, factor: Float, everyEpochs: Int)

    /// The article's code: 0.004, γ = 2e-4, decay 0.75.
    public static let articleCode = LearningRateSchedule.inverseDecay(lr: 0.004, gamma: 2e-4, decay: 0.75)
    /// The article's text: 0.001, ×0.1 every 20 epochs.
    public static let articleText = LearningRateSchedule.stepDecay(lr: 0.001, factor: 0.1, everyEpochs: 20)

    /// The base rate at `iteration` (counted from 0 over the whole run), which lies in `epoch`.
    public func rate(iteration: Int, epoch: Int) -> Float {
        switch self {
        case .constant(let lr): return lr
        case .inverseDecay(let lr, let gamma, let decay):
            return Float(Double(lr) * pow(1 + Double(gamma) * Double(iteration), -Double(decay)))
        case .stepDecay(let lr, let factor, let every):
            return Float(Double(lr) * pow(Double(factor), Double(epoch / every)))
        }
    }
}
