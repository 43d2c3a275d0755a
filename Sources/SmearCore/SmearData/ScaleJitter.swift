// Scale jitter (scale_jitter = s, docs/algorithms.md §1.4): the training chain otherwise shows every image at exactly
// its lab's matched scale. Placed before the centre crop, this step draws z log-uniformly in [1/(1+s), 1+s] and tells
// the steps after it that each pixel covers 1/z as many original pixels, so the centre crop and every size after it
// in original pixels (random crop, blur kernels) become z times as large: the field of view is z times the lab's, and
// the cells look 1/z as large once resized. A crop larger than the frame is clamped to it, as every crop is.
import Foundation
import SmearTensor

public struct ScaleJitter: Augmentation {
    /// s: z ranges over [1/(1+s), 1+s].
    public let spread: Double
    public init(spread: Double) {
        precondition(spread > 0 && spread.isFinite, "ScaleJitter: the spread must be a positive number, got \(spread)")
        self.spread = spread
    }
    public var name: String { "ScaleJitter(×1/\(1 + spread)…×\(1 + spread))" }

    /// The field-of-view factor for a uniform draw u in [0, 1): exp((2u − 1) · ln(1 + s)).
    public func factor(uniform u: Float) -> Double { exp((2 * Double(u) - 1) * log1p(spread)) }

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        image.scale /= factor(uniform: rng.nextUniform())
    }
}
