// Stain augmentation (Tellez et al. 2018): each image's colours are moved along the haematoxylin, eosin and
// DAB optical-density axes (Ruifrok & Johnston's colour deconvolution, scikit-image's `rgb_from_hed`), so
// the network sees many plausible stain batches of the same cells. Per channel of the deconvolved image:
//   s' = s·α + β,  α ~ U[1 − σ, 1 + σ],  β ~ U[−σ, σ]
// on plain optical density, as Tellez et al. and scikit-image up to 0.18: s = −ln(max(rgb, 1e-6)) · hed_from_rgb,
// and back rgb = exp(−s' · rgb_from_hed), clipped to [0, 1]. (scikit-image ≥ 0.19 divides the density by
// −ln 1e-6 ≈ 13.8, which makes the same β 13.8× stronger; σ here is in density units, Tellez's.) Unlike
// `rgb2hed`, negative stain values are kept (not clipped to 0), so α = 1, β = 0 gives back the image.
import Foundation
import SmearTensor

public struct HEDJitter: Augmentation {
    public let sigma: Float
    public var name: String { "HEDJitter(\(sigma))" }
    public init(sigma: Float = 0.05) { self.sigma = sigma }

    /// scikit-image's rgb_from_hed rows (H, E, D) and its inverse.
    static let rgbFromHED: [Double] = [0.65, 0.70, 0.29, 0.07, 0.99, 0.11, 0.27, 0.57, 0.78]
    static let hedFromRGB: [Double] = inverse3(rgbFromHED)

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let alpha = (0..<3).map { _ in 1 + sigma * (2 * rng.nextUniform() - 1) }
        let beta = (0..<3).map { _ in sigma * (2 * rng.nextUniform() - 1) }
        Self.apply(&image, alpha: alpha, beta: beta)
    }

    /// The transform for given α and β (three each: H, E, D).
    public static func apply(_ image: inout FloatImage, alpha: [Float], beta: [Float]) {
        let (m, back) = (hedFromRGB, rgbFromHED)
        image.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<(p.count / 3) {
                let od = (0..<3).map { -log(max(Double(p[3 * i + $0]), 1e-6)) }
                let s = (0..<3).map { j in (od[0] * m[j] + od[1] * m[3 + j] + od[2] * m[6 + j]) * Double(alpha[j]) + Double(beta[j]) }
                for c in 0..<3 {
                    let logRGB = -(s[0] * back[c] + s[1] * back[3 + c] + s[2] * back[6 + c])
                    p[3 * i + c] = Float(min(1, max(0, exp(logRGB))))
                }
            }
        }
    }

    static func inverse3(_ a: [Double]) -> [Double] {
        let det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6])
        let cof: [Double] = [a[4] * a[8] - a[5] * a[7], a[2] * a[7] - a[1] * a[8], a[1] * a[5] - a[2] * a[4],
                             a[5] * a[6] - a[3] * a[8], a[0] * a[8] - a[2] * a[6], a[2] * a[3] - a[0] * a[5],
                             a[3] * a[7] - a[4] * a[6], a[1] * a[6] - a[0] * a[7], a[0] * a[4] - a[1] * a[3]]
        return cof.map { $0 / det }
    }
}
