// B source images. Mixup on the source batch (Zhang et al., ICLR 2018; docs/algorithms.md §1.9): the source
// cross-entropy is taken on λ·x_i + (1 − λ)·x_π(i) against λ of label y_i and 1 − λ of y_π(i), λ ~ Beta(α, α).
import Foundation
import SmearNN
import SmearTensor

public struct SourceMixup: Equatable, Sendable {
    /// The weight of each image itself; 1 − λ goes to its partner.
    public let lambda: Float
    /// Each image's partner: a permutation of the batch.
    public let partner: [Int]

    public init(lambda: Float, partner: [Int]) {
        require((0...1).contains(lambda), "SourceMixup: λ \(lambda) is outside [0, 1]")
        require(partner.sorted() == Array(partner.indices), "SourceMixup: the partners \(partner) are not a permutation")
        self.lambda = lambda; self.partner = partner
    }

    /// λ ~ Beta(α, α) and a uniformly drawn permutation of `count` images.
    public init(alpha: Double, count: Int, generator g: inout RandomGenerator) {
        require(alpha > 0 && alpha.isFinite, "SourceMixup: α must be positive, got \(alpha)")
        let lambda = Float(g.nextBeta(alpha, alpha))
        var order = Array(0..<count)
        g.shuffle(&order)
        self.init(lambda: lambda, partner: order)
    }

    /// λ·x_i + (1 − λ)·x_π(i) for each image (no gradient: the images are inputs).
    public func mixed(_ images: Tensor) -> Tensor {
        require(images.rank >= 1 && images.shape[0] == partner.count,
                "SourceMixup: \(images.shape[0]) images for \(partner.count) partners")
        let x = images.contiguous().scalars, per = x.count / max(partner.count, 1)
        var out = [Float](repeating: 0, count: x.count)
        for (i, j) in partner.enumerated() {
            for k in 0..<per { out[i * per + k] = lambda * x[i * per + k] + (1 - lambda) * x[j * per + k] }
        }
        return Tensor(out, shape: images.shape)
    }

    /// λ·CE(logits, y) + (1 − λ)·CE(logits, y_π), each PyTorch's (class-weighted when `weight` is given, label-smoothed
    /// by `labelSmoothing`).
    public func crossEntropy(_ logits: Tensor, labels: [Int], weight: Tensor?, labelSmoothing: Float = 0) -> Tensor {
        require(labels.count == partner.count, "SourceMixup: \(labels.count) labels for \(partner.count) partners")
        return Loss.crossEntropy(logits, labels: labels, weight: weight, labelSmoothing: labelSmoothing) * lambda
            + Loss.crossEntropy(logits, labels: partner.map { labels[$0] }, weight: weight, labelSmoothing: labelSmoothing) * (1 - lambda)
    }
}

extension Trainer {
    /// The source mixup of step `iteration` for a batch of `count`, seeded by the run's seed and the step, so that a resumed
    /// run mixes as an uninterrupted one (nil: the run has no mixup).
    func sourceMixup(count: Int, iteration: Int) -> SourceMixup? {
        config.mixupAlpha.map { alpha in
            var g = RandomGenerator(seed: config.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(iteration) &* 0x9E37_79B9 &+ 0x5851_F42D)
            return SourceMixup(alpha: alpha, count: count, generator: &g)
        }
    }
}
