// White balance on the slide's background, image by image: the brightest pixels of a smear are the
// glass between the cells, whose colour is the light and the plasma stain, not the cells. A per-channel
// gain that moves them onto the source lab's background removes a colour cast (a yellow rapid-stain
// background, a grey-blue camera) whatever fraction of the frame the cell covers, which a mean-based
// transfer (Reinhard) cannot: its statistics mix cast and content.
import Foundation
import SmearTensor

/// Per-image von Kries white balance: every channel multiplied by `reference[c] / background[c]`, where
/// `background` is the mean sRGB colour of the image's brightest `brightestFraction` of pixels (by luma)
/// and `reference` the source lab's typical background. Applied to the whole image, before any crop;
/// deterministic (no random draw). Gains act on sRGB values: sRGB is a power law of light, so a gain in
/// light is a gain in sRGB (up to the exponent, which the matched background absorbs). Values clip at 1.
public struct BackgroundWhiteBalance: Augmentation {
    public let name = "BackgroundWhiteBalance"
    /// The sRGB background colour (R, G, B in (0, 1]) every image's background is moved onto.
    public let reference: [Float]
    /// The share of an image's pixels, brightest first, taken as its background.
    public let brightestFraction: Float
    public static let defaultBrightestFraction: Float = 0.05
    /// A background channel darker than this is not glass (an image that is all cell): left unbalanced.
    public static let darkestBackground: Float = 0.2

    public init(reference: [Float], brightestFraction: Float = defaultBrightestFraction) {
        precondition(reference.count == 3 && reference.allSatisfy { $0 > 0 && $0 <= 1 }, "BackgroundWhiteBalance: reference \(reference)")
        precondition(brightestFraction > 0 && brightestFraction <= 1, "BackgroundWhiteBalance: fraction \(brightestFraction)")
        self.reference = reference; self.brightestFraction = brightestFraction
    }

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let background = Self.background(of: image, brightestFraction: brightestFraction)
        guard background.allSatisfy({ $0 >= Self.darkestBackground }) else { return }
        let gain = (0..<3).map { reference[$0] / background[$0] }
        image.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<(image.width * image.height) {
                for c in 0..<3 { p[3 * i + c] = Swift.min(1, p[3 * i + c] * gain[c]) }
            }
        }
    }

    /// Rec. 709 luma of sRGB values: the brightness that orders pixels.
    @inline(__always) static func luma(_ r: Float, _ g: Float, _ b: Float) -> Float { 0.2126 * r + 0.7152 * g + 0.0722 * b }

    /// The mean sRGB colour of the brightest `brightestFraction` of the image's pixels by luma (at least
    /// one pixel). The threshold comes from a 4,096-bin histogram of luma, so one pass finds it; every
    /// pixel in the threshold's bin and above is averaged (ties at the threshold are kept, not split).
    public static func background(of image: FloatImage, brightestFraction: Float = defaultBrightestFraction) -> [Float] {
        let n = image.width * image.height
        guard n > 0 else { return [1, 1, 1] }
        let bins = 4096
        var histogram = [Int](repeating: 0, count: bins)
        @inline(__always) func bin(_ y: Float) -> Int { Swift.min(bins - 1, Swift.max(0, Int(y * Float(bins)))) }
        image.data.withUnsafeBufferPointer { p in
            for i in 0..<n { histogram[bin(luma(p[3 * i], p[3 * i + 1], p[3 * i + 2]))] += 1 }
        }
        let wanted = Swift.max(1, Int((Float(n) * brightestFraction).rounded()))
        var threshold = bins - 1, counted = histogram[bins - 1]
        while counted < wanted && threshold > 0 { threshold -= 1; counted += histogram[threshold] }
        var sum: [Double] = [0, 0, 0], count = 0
        image.data.withUnsafeBufferPointer { p in
            for i in 0..<n where bin(luma(p[3 * i], p[3 * i + 1], p[3 * i + 2])) >= threshold {
                sum[0] += Double(p[3 * i]); sum[1] += Double(p[3 * i + 1]); sum[2] += Double(p[3 * i + 2]); count += 1
            }
        }
        return sum.map { Float($0 / Double(count)) }
    }

    /// A lab's typical background: the per-channel median of its images' backgrounds (robust to the
    /// images that are all cell), each image decoded at 1/`scaleDenominator`. No labels are used.
    public static func labBackground(_ dataset: ImageDataset, scaleDenominator: Int = 4,
                                     brightestFraction: Float = defaultBrightestFraction) throws -> [Float] {
        guard dataset.count > 0 else { throw DatasetError.noImages(dataset.name) }
        let backgrounds = try ParallelMap.map(dataset.count) { i -> [Float] in
            background(of: FloatImage(try JPEG.decode(dataset.samples[i].path, scaleDenominator: scaleDenominator)),
                       brightestFraction: brightestFraction)
        }
        return (0..<3).map { c in median(backgrounds.map { $0[c] }) }
    }

    /// The middle value (the mean of the two middle values for an even count).
    static func median(_ values: [Float]) -> Float {
        let s = values.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// `labBackground`, cached on disk for exactly this list of files (beside the channel statistics).
    public static func cachedLabBackground(_ dataset: ImageDataset, in directory: URL = ChannelStatistics.cacheDirectory) throws -> [Float] {
        let colour = try cachedValue(of: dataset, in: directory, prefix: "background") { try labBackground(dataset) }
        return colour.count == 3 ? colour : try labBackground(dataset)   // a damaged cache file: measure again
    }
}
