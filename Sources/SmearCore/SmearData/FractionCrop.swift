// Crops sized as a fraction of the image's shorter side, for recipes that state their crops relative
// to the image (the PyTorch reference: resize to 72, random or centre 64, so 8/9 of the side).
import Foundation
import SmearTensor

/// Square crop of `fraction` of the shorter side (round(fraction · side) pixels, at least 1), at the centre
/// (offsets rounded down, as CenterCrop) or uniformly placed inside the image.
public struct FractionCrop: Augmentation {
    public enum Placement: String, Sendable { case centre, random }
    public let fraction: Double, placement: Placement

    public init(_ fraction: Double, _ placement: Placement) {
        precondition(fraction > 0 && fraction <= 1, "FractionCrop: fraction \(fraction) is not in (0, 1]")
        self.fraction = fraction; self.placement = placement
    }
    public var name: String { "FractionCrop(\(fraction), \(placement.rawValue))" }

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let s = max(1, min(Int((fraction * Double(min(image.width, image.height))).rounded()), image.width, image.height))
        switch placement {
        case .centre: image = image.cropped(x0: (image.width - s) / 2, y0: (image.height - s) / 2, w: s, h: s)
        case .random:
            let x0 = Int(rng.next() % UInt64(image.width - s + 1)), y0 = Int(rng.next() % UInt64(image.height - s + 1))
            image = image.cropped(x0: x0, y0: y0, w: s, h: s)
        }
    }
}
