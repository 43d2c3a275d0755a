// Crops sized as a fraction of the image's shorter side, for recipes that state their crops relative
// to the image (the PyTorch reference: resize to 72, random or centre 64, so 8/9 of the side).
import Foundation
import SmearTensor

/// The side of a `fraction` crop of this image, in its pixels: round(fraction · shorter side), at least 1.
func fractionSide(_ fraction: Double, _ image: FloatImage) -> Int {
    max(1, min(Int((fraction * Double(min(image.width, image.height))).rounded()), image.width, image.height))
}

/// Square crop of `fraction` of the shorter side, uniformly placed inside the image.
public struct RandomFractionCrop: Augmentation {
    public let fraction: Double
    public init(_ fraction: Double) {
        precondition(fraction > 0 && fraction <= 1, "RandomFractionCrop: fraction \(fraction) is not in (0, 1]")
        self.fraction = fraction
    }
    public var name: String { "RandomFractionCrop(\(fraction))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let s = fractionSide(fraction, image)
        let x0 = Int(rng.next() % UInt64(image.width - s + 1)), y0 = Int(rng.next() % UInt64(image.height - s + 1))
        image = image.cropped(x0: x0, y0: y0, w: s, h: s)
    }
}

/// Square crop of `fraction` of the shorter side at the centre (offsets rounded down, as CenterCrop).
public struct CenterFractionCrop: Augmentation {
    public let fraction: Double
    public init(_ fraction: Double) {
        precondition(fraction > 0 && fraction <= 1, "CenterFractionCrop: fraction \(fraction) is not in (0, 1]")
        self.fraction = fraction
    }
    public var name: String { "CenterFractionCrop(\(fraction))" }
    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let s = fractionSide(fraction, image)
        image = image.cropped(x0: (image.width - s) / 2, y0: (image.height - s) / 2, w: s, h: s)
    }
}
