// The colour moves a stain normalisation setting makes, built from the labs' images (no labels): one that moves the
// target lab onto the source lab as a whole, and one applied to every image of both labs on its own.
import Foundation

public struct ColourTransforms {
    /// Applied to every target image before its centre crop: the target lab moved onto the source lab (Reinhard,
    /// Macenko). nil for the other settings.
    public let targetLab: Augmentation?
    /// Applied to every image of both labs, measured on itself (per-image Reinhard, L*a*b* mean, luminance, white balance).
    public let perImage: Augmentation?
    /// The white balance of `.whiteBalanceImage` / `.whiteBalanceZScore` (also what their channel statistics are measured after).
    public let whiteBalance: BackgroundWhiteBalance?

    /// The transforms of `setting` (nil: none) between `source` and `target`, with the L*a*b* statistics measured over
    /// each lab's centre `sourceRegion` / `targetRegion` px (nil: whole frames). Cached like the channel statistics.
    public static func make(_ setting: StainNormalization?, source: ImageDataset, target: ImageDataset,
                            sourceRegion: Int?, targetRegion: Int?) throws -> ColourTransforms {
        let sourceLab = { try ChannelStatistics.cached(source, space: .lab, crop: sourceRegion) }
        switch setting {
        case nil: return ColourTransforms(targetLab: nil, perImage: nil, whiteBalance: nil)
        case .reinhard?:
            let move = ReinhardTransfer(from: try ChannelStatistics.cached(target, space: .lab, crop: targetRegion), to: try sourceLab())
            return ColourTransforms(targetLab: move, perImage: nil, whiteBalance: nil)
        case .macenko?:
            return ColourTransforms(targetLab: MacenkoTransfer(from: try StainVectors.fit(target), to: try StainVectors.fit(source)),
                                    perImage: nil, whiteBalance: nil)
        case .reinhardImage?: return ColourTransforms(targetLab: nil, perImage: ImageReinhardTransfer(to: try sourceLab()), whiteBalance: nil)
        case .labMeanImage?:
            return ColourTransforms(targetLab: nil, perImage: ImageReinhardTransfer(to: try sourceLab(), match: .mean), whiteBalance: nil)
        case .luminanceImage?:
            return ColourTransforms(targetLab: nil, perImage: ImageReinhardTransfer(to: try sourceLab(), match: .luminance), whiteBalance: nil)
        case .whiteBalanceImage?, .whiteBalanceZScore?:
            let balance = BackgroundWhiteBalance(reference: try BackgroundWhiteBalance.cachedLabBackground(source))
            return ColourTransforms(targetLab: nil, perImage: balance, whiteBalance: balance)
        }
    }
}
