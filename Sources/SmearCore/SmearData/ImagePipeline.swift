// From a decoded image to a normalised [3, S, S] input: the augmentation chain, resize, normalisation.
import Foundation
import SmearTensor

/// Which training augmentations a run uses: the article's (albumentations chain, the default) or the
/// PyTorch reference's (random 8/9 crop, colour jitter, the 8 orientations).
public enum AugmentationRecipe: String, Sendable, Codable, CaseIterable {
    case article, reference
}

/// A sequence of augmentations ending in a resize to `outputSize` and per-channel normalisation.
public struct ImagePipeline: Sendable {
    public var steps: [Augmentation]
    public var outputSize: Int
    /// Per-channel mean and standard deviation of [0, 1] RGB (albumentations `Normalize`, max 255).
    public var mean: [Float], std: [Float]
    /// Side, in original pixels, of the region that becomes the output (the first crop), which decides
    /// how far the JPEG may be downscaled while decoding. nil: the whole image.
    public var regionSide: Int?
    /// Each image's crop sized by its own central nucleus (cell_crop = "image"); nil: every image takes the crops above.
    public var cellZoom: CellZoom?

    /// Where a step joins a pipeline: before its centre crop (measured on the whole frame) or right after it
    /// (measured on the region the network sees).
    public enum InsertionPoint: Sendable { case beforeCentreCrop, afterCentreCrop }

    /// Inserts `step` at `point`; every pipeline smear builds for a lab has a centre crop.
    public mutating func insert(_ step: Augmentation, _ point: InsertionPoint) {
        guard let crop = steps.firstIndex(where: { $0 is CenterCrop }) else {
            preconditionFailure("ImagePipeline.insert: the pipeline (\(steps.map(\.name))) has no centre crop")
        }
        steps.insert(step, at: point == .beforeCentreCrop ? crop : crop + 1)
    }

    public init(steps: [Augmentation], outputSize: Int, mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1],
                regionSide: Int? = nil) {
        precondition(mean.count == 3 && std.count == 3 && std.allSatisfy { $0 > 0 }, "ImagePipeline: mean and std need 3 positive values")
        self.steps = steps; self.outputSize = outputSize; self.mean = mean; self.std = std; self.regionSide = regionSide
    }

    /// The article's training chain (algorithms.md §1.4): CenterCrop(crop) → RandomCrop(randomCrop) →
    /// Blur → RandomFog → ColorJitter → Flip → Rotate(±180) → RandomScale(±0.2), each with p = 0.5 after
    /// the crops, → Resize(outputSize) → Normalize. Crop sizes are in original pixels.
    public static func articleTraining(crop: Int, randomCrop: Int = 224, outputSize: Int, mean: [Float], std: [Float],
                                       probability p: Float = 0.5) -> ImagePipeline {
        ImagePipeline(steps: [CenterCrop(crop), RandomCrop(min(randomCrop, crop)),
                              WithProbability(p, Blur()), WithProbability(p, RandomFog()), WithProbability(p, ColorJitter()),
                              WithProbability(p, Flip()), WithProbability(p, Rotate()), WithProbability(p, RandomScale())],
                      outputSize: outputSize, mean: mean, std: std, regionSide: min(randomCrop, crop))
    }

    /// The PyTorch reference's training chain (pytorch-reference.md): CenterCrop(crop), then a random square of
    /// 8/9 of it (its random 64 of 72), ColorJitter with p = 0.5 (brightness ×U[0.7, 1.3], contrast and
    /// saturation U[0.5, 1.5]), one of the 8 orientations uniformly, → Resize(outputSize) → Normalize.
    public static func referenceTraining(crop: Int, outputSize: Int, mean: [Float], std: [Float]) -> ImagePipeline {
        ImagePipeline(steps: [CenterCrop(crop), FractionCrop(referenceCropFraction, .random), WithProbability(0.5, ColorJitter()), Dihedral()],
                      outputSize: outputSize, mean: mean, std: std, regionSide: crop)
    }

    /// The reference's evaluation: CenterCrop(crop), its centre 8/9 (64 of 72), → Resize(outputSize) → Normalize.
    public static func referenceEvaluation(crop: Int, outputSize: Int, mean: [Float], std: [Float]) -> ImagePipeline {
        ImagePipeline(steps: [CenterCrop(crop), FractionCrop(referenceCropFraction, .centre)], outputSize: outputSize, mean: mean, std: std,
                      regionSide: crop)
    }

    /// 64 of 72: the share of the resized image the reference's crops keep.
    public static let referenceCropFraction = 64.0 / 72.0

    /// The evaluation transform: CenterCrop(crop) → Resize(outputSize) → Normalize.
    public static func evaluation(crop: Int, outputSize: Int, mean: [Float], std: [Float]) -> ImagePipeline {
        ImagePipeline(steps: [CenterCrop(crop)], outputSize: outputSize, mean: mean, std: std, regionSide: crop)
    }

    /// The same pipeline with every centre crop's side (and the region it decodes) scaled by `factor`: the cells seen
    /// larger (factor below 1) or smaller than at the lab's matched scale, as test-time scales read them.
    public func centreCropScaled(by factor: Double) -> ImagePipeline {
        func scaled(_ side: Int) -> Int { max(1, Int((Double(side) * factor).rounded())) }
        var p = mappingCentreCrops { CenterCrop(scaled($0.size), padsSmallFrames: $0.padsSmallFrames) }
        p.regionSide = regionSide.map(scaled)
        return p
    }

    /// The same pipeline with every centre crop padding frames smaller than it (SmallFrames.pad) instead of clamping.
    public func paddingSmallFrames() -> ImagePipeline { mappingCentreCrops { CenterCrop($0.size, padsSmallFrames: true) } }

    /// The same pipeline with each centre crop replaced by `change(crop)`, every other step kept.
    private func mappingCentreCrops(_ change: (CenterCrop) -> CenterCrop) -> ImagePipeline {
        var p = self
        p.steps = steps.map { step in (step as? CenterCrop).map(change) ?? step }
        return p
    }

    /// The DCT scale denominator for an image of this size.
    public func decodeScale(width: Int, height: Int) -> Int {
        JPEG.scaleDenominator(side: min(regionSide ?? Int.max, width, height), minimumSide: outputSize)
    }

    /// Runs the augmentations and the resize. `zoom` (the image's CellZoom factor) scales every size in original pixels
    /// (crops, blur kernels) by telling the steps each pixel covers 1/zoom as many original pixels.
    public func transform(_ image: FloatImage, zoom: Double = 1, _ rng: inout RandomGenerator) -> FloatImage {
        var img = image
        img.scale /= zoom
        for step in steps { step.apply(&img, &rng) }
        return img.resized(w: outputSize, h: outputSize)
    }

    /// Writes the normalised image as [3, S, S] (CHW) at `out`.
    public func writeNormalized(_ image: FloatImage, to out: UnsafeMutablePointer<Float>) {
        let s = outputSize
        precondition(image.width == s && image.height == s, "writeNormalized: image is \(image.width)x\(image.height), not \(s)")
        for c in 0..<3 {
            let inv = 1 / std[c], m = mean[c]
            for i in 0..<(s * s) { out[c * s * s + i] = (image.data[3 * i + c] - m) * inv }
        }
    }
}
