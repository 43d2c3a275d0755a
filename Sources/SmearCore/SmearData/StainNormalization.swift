// Colour differences between labs (stain batch, scanner, white balance): CIE L*a*b* and Reinhard's
// colour transfer, which moves each L*a*b* channel of a lab's images to another lab's mean and spread.
import Foundation
import SmearTensor

/// Label-free colour normalisation of one lab towards another, applied to every image of that lab.
public enum StainNormalization: String, Sendable, Codable, CaseIterable {
    /// Reinhard et al. 2001: per-channel affine map in L*a*b* from the lab's pixel statistics onto the
    /// source lab's (both computed over all pixels of all images, without labels).
    case reinhard
    /// Macenko et al. 2009: the lab's two stain vectors and concentration range, found in optical density
    /// from its own pixels (StainVectors), re-expressed with the source lab's.
    case macenko
    /// Reinhard's transfer image by image (its original use): every image of both labs, measured over the
    /// crop the network sees, is moved onto the source lab's L*a*b* mean and spread. Labs whose images
    /// differ among themselves (two stain protocols, a yellow and a white background) become one look.
    case reinhardImage = "reinhard_image"
    /// The per-image transfer's shift alone: every image's L*a*b* mean moved onto the source lab's, its
    /// spread kept. A colour cast (a yellow background) is an offset; stretching pale images to the
    /// source's spread saturates them (tecom's white-background neutrophils then look eosinophilic).
    case labMeanImage = "lab_mean_image"
    /// The per-image mean shift of L* with the hue taken away: every pixel's a*, b* become the source lab's
    /// mean a*, b*, so each image is its own lightness pattern in the source's average colour. A stain that
    /// gives one class's cytoplasm another class's hue (tecom's rapid stain: neutrophils tan like PBC's
    /// eosinophils) cannot mislead a network that never sees hue; granules, nuclei and size remain.
    case luminanceImage = "luminance_image"
    /// Every image of both labs white-balanced on its own background (its brightest pixels) onto the source
    /// lab's typical background (`BackgroundWhiteBalance`), measured on the whole image. A cast of the light or
    /// the plasma stain is a per-channel gain; the cells' colours relative to the glass are kept.
    case whiteBalanceImage = "white_balance_image"
    /// The background's white balance, then each lab z-scored with its own channel statistics of the
    /// balanced images (the article's per-lab standardisation): the balance makes a lab of two looks one
    /// look; the z-score then aligns the labs' colour distributions without imposing the source's.
    case whiteBalanceZScore = "white_balance_zscore"
}

/// sRGB in [0, 1] ↔ CIE L*a*b* (D65 white, 2° observer), the definitions of scikit-image's `rgb2lab`.
public enum CIELab {
    static let white: (Float, Float, Float) = (0.95047, 1.0, 1.08883)

    @inline(__always) static func linear(_ c: Float) -> Float { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
    @inline(__always) static func gamma(_ c: Float) -> Float { c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1 / 2.4) - 0.055 }
    @inline(__always) static func f(_ t: Float) -> Float { t > 216 / 24389 ? cbrt(t) : (24389 / 27 * t + 16) / 116 }
    @inline(__always) static func fInverse(_ t: Float) -> Float { t > 6 / 29 ? t * t * t : (116 * t - 16) * 27 / 24389 }

    /// L in [0, 100], a and b roughly in [−128, 127].
    public static func fromRGB(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let (lr, lg, lb) = (linear(r), linear(g), linear(b))
        let x = 0.412453 * lr + 0.357580 * lg + 0.180423 * lb
        let y = 0.212671 * lr + 0.715160 * lg + 0.072169 * lb
        let z = 0.019334 * lr + 0.119193 * lg + 0.950227 * lb
        let (fx, fy, fz) = (f(x / white.0), f(y / white.1), f(z / white.2))
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// The inverse of `fromRGB`, clamped to [0, 1] (colours outside the sRGB gamut are clipped).
    public static func toRGB(_ l: Float, _ a: Float, _ b: Float) -> (Float, Float, Float) {
        let fy = (l + 16) / 116, fx = fy + a / 500, fz = fy - b / 200
        let (x, y, z) = (white.0 * fInverse(fx), white.1 * fInverse(fy), white.2 * fInverse(fz))
        let r = 3.240481 * x - 1.537151 * y - 0.498536 * z
        let g = -0.969256 * x + 1.875990 * y + 0.041556 * z
        let bl = 0.055647 * x - 0.204041 * y + 1.057311 * z
        func clamp(_ v: Float) -> Float { Swift.min(1, Swift.max(0, gamma(Swift.max(0, v)))) }
        return (clamp(r), clamp(g), clamp(bl))
    }
}

/// Reinhard's colour transfer: for each L*a*b* channel c, v ← (v − μ_from,c)·σ_to,c/σ_from,c + μ_to,c.
/// Deterministic (no random draw), so equal for any thread count and seed.
public struct ReinhardTransfer: Augmentation {
    public let name = "ReinhardTransfer"
    /// L*a*b* statistics of the lab the images come from, and of the lab to look like.
    public let from: ChannelStatistics, to: ChannelStatistics

    public init(from: ChannelStatistics, to: ChannelStatistics) {
        precondition(from.std.allSatisfy { $0 > 0 }, "ReinhardTransfer: a lab with no colour spread")
        self.from = from; self.to = to
    }

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let scale = (0..<3).map { to.std[$0] / from.std[$0] }
        let shift = (0..<3).map { to.mean[$0] - from.mean[$0] * scale[$0] }
        image.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<(image.width * image.height) {
                let (l, a, b) = CIELab.fromRGB(p[3 * i], p[3 * i + 1], p[3 * i + 2])
                let rgb = CIELab.toRGB(l * scale[0] + shift[0], a * scale[1] + shift[1], b * scale[2] + shift[2])
                p[3 * i] = rgb.0; p[3 * i + 1] = rgb.1; p[3 * i + 2] = rgb.2
            }
        }
    }
}

/// Reinhard's transfer measured on each image: the image's own L*a*b* mean and spread are mapped onto
/// `to`'s, channel by channel (or only the mean, or only L*'s mean with the hue removed: `Match`). Deterministic (no random draw). A channel with a spread below `minimumSpread`
/// (a flat image) is only shifted, never stretched, so noise is not amplified.
public struct ImageReinhardTransfer: Augmentation {
    public let name = "ImageReinhardTransfer"
    /// The L*a*b* statistics every image is moved onto (the source lab's).
    public let to: ChannelStatistics
    /// What is matched: mean and spread (Reinhard), the mean only, or the mean of L* with a* and b* flat.
    public enum Match: Sendable { case meanAndSpread, mean, luminance }
    public let match: Match
    public static let minimumSpread: Float = 1

    public init(to: ChannelStatistics, match: Match = .meanAndSpread) { self.to = to; self.match = match }

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let n = image.width * image.height
        guard n > 0 else { return }
        var lab = [Float](repeating: 0, count: 3 * n)
        var sum: [Double] = [0, 0, 0], squares: [Double] = [0, 0, 0]
        image.data.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let (l, a, b) = CIELab.fromRGB(p[3 * i], p[3 * i + 1], p[3 * i + 2])
                lab[3 * i] = l; lab[3 * i + 1] = a; lab[3 * i + 2] = b
                sum[0] += Double(l); sum[1] += Double(a); sum[2] += Double(b)   // no array per pixel: this runs in the loader
                squares[0] += Double(l) * Double(l); squares[1] += Double(a) * Double(a); squares[2] += Double(b) * Double(b)
            }
        }
        let mean = sum.map { Float($0 / Double(n)) }
        let spread = (0..<3).map { Float(Swift.max(0, squares[$0] / Double(n) - Double(mean[$0]) * Double(mean[$0])).squareRoot()) }
        // luminance: a* and b* scaled by 0, so every pixel takes the reference's mean a*, b*.
        let scale = (0..<3).map { c -> Float in
            switch match {
            case .meanAndSpread: return spread[c] < Self.minimumSpread ? 1 : to.std[c] / spread[c]
            case .mean: return 1
            case .luminance: return c == 0 ? 1 : 0
            }
        }
        let shift = (0..<3).map { to.mean[$0] - mean[$0] * scale[$0] }
        image.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let rgb = CIELab.toRGB(lab[3 * i] * scale[0] + shift[0], lab[3 * i + 1] * scale[1] + shift[1],
                                       lab[3 * i + 2] * scale[2] + shift[2])
                p[3 * i] = rgb.0; p[3 * i + 1] = rgb.1; p[3 * i + 2] = rgb.2
            }
        }
    }
}
