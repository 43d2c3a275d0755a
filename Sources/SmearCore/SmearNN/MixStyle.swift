// N images, C channels, H×W positions. MixStyle (Zhou et al., ICLR 2021; docs/algorithms.md §1.10): between early
// blocks, in training, each image's per-channel feature statistics are replaced by a mixture of its own and another
// image's of the batch, so the layers after it see an image's content in other images' styles.
//   μ, σ per image and channel over H×W (σ² with Bessel's correction, + ε), both taken without gradient;
//   out = (x − μ) / σ · (λσ + (1 − λ)σ_π) + (λμ + (1 − λ)μ_π),   λ ~ Beta(α, α) per image, π a permutation.
// With μ and σ constants the op is x·a + b per image and channel, so its gradient is the upstream one times a.
import Foundation
import SmearTensor

/// One draw of MixStyle for a batch: each image's weight on its own statistics and its partner.
public struct StyleMixture: Equatable, Sendable {
    /// λ per image; 1 − λ goes to the partner's statistics.
    public let lambdas: [Float]
    /// Each image's partner: a permutation of the batch.
    public let partner: [Int]

    public init(lambdas: [Float], partner: [Int]) {
        require(lambdas.count == partner.count, "StyleMixture: \(lambdas.count) weights for \(partner.count) partners")
        require(lambdas.allSatisfy { (0...1).contains($0) }, "StyleMixture: a weight is outside [0, 1]: \(lambdas)")
        require(partner.sorted() == Array(partner.indices), "StyleMixture: the partners \(partner) are not a permutation")
        self.lambdas = lambdas; self.partner = partner
    }

    /// x with each image's channel statistics mixed with its partner's ([N, C, H, W], any memory format).
    public func apply(_ x: Tensor, eps: Float = MixStyle.eps) -> Tensor {
        require(x.rank == 4 && x.shape[0] == partner.count,
                "StyleMixture: input \(x.shape) is not [N, C, H, W] with N = \(partner.count)")
        let (n, c, positions) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let values = x.scalars
        var mean = [Float](repeating: 0, count: n * c), std = [Float](repeating: 0, count: n * c)
        for i in 0..<(n * c) {
            let v = values[(i * positions)..<((i + 1) * positions)]
            let m = v.reduce(0, +) / Float(positions)
            let squares = v.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            mean[i] = m
            std[i] = (squares / Float(Swift.max(positions - 1, 1)) + eps).squareRoot()
        }
        var scale = [Float](repeating: 0, count: n * c), shift = [Float](repeating: 0, count: n * c)
        for image in 0..<n {
            let l = lambdas[image], other = partner[image]
            for channel in 0..<c {
                let i = image * c + channel, j = other * c + channel
                let mixedMean = l * mean[i] + (1 - l) * mean[j], mixedStd = l * std[i] + (1 - l) * std[j]
                scale[i] = mixedStd / std[i]
                shift[i] = mixedMean - mean[i] * scale[i]
            }
        }
        return x * Tensor(scale, shape: [n, c, 1, 1]) + Tensor(shift, shape: [n, c, 1, 1])
    }
}

/// MixStyle at one point of a network: with probability `probability` per training forward pass, a fresh
/// StyleMixture (λ ~ Beta(α, α) per image, a uniform permutation) from `generator`, which the trainer reseeds each step.
public final class MixStyle {
    /// The paper's constants: Beta(0.1, 0.1) and ε 1e-6.
    public static let alpha = 0.1
    public static let eps: Float = 1e-6

    public let probability: Double
    public var generator: RandomGenerator

    public init(probability: Double, seed: UInt64 = 0) {
        require(probability > 0 && probability <= 1, "MixStyle: the probability must be in (0, 1], got \(probability)")
        self.probability = probability
        generator = RandomGenerator(seed: seed)
    }

    /// The next draw for a batch of `count` images, or nil when this pass is left as it is.
    public func nextMixture(count: Int) -> StyleMixture? {
        guard Double(generator.nextUniform()) < probability else { return nil }
        let lambdas = (0..<count).map { _ in Float(generator.nextBeta(Self.alpha, Self.alpha)) }
        var order = Array(0..<count)
        generator.shuffle(&order)
        return StyleMixture(lambdas: lambdas, partner: order)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { nextMixture(count: x.shape[0]).map { $0.apply(x) } ?? x }
}
