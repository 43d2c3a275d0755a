// Crops measured per image (cell_crop = "image", docs/algorithms.md §1.4): a lab's centre crop matches its *median*
// cell to the source's scale (CellScale), but cells within a lab vary about that median. With a CellZoom on a
// pipeline, each image's crop (and every size after it in the chain: random crop, blur kernels) is the lab's crop
// times dᵢ / d_lab: dᵢ the image's own central-nucleus diameter, d_lab the lab's median, both in original pixels and
// both measured as CellScale measures (NucleusMask on a decode whose shorter side is at least 128 px). So each cell's
// nucleus covers the same fraction of what the network sees. With cell_crop = "halfway" the factor is the square root of
// that (the halfway point, in log scale, between the lab's crop and the image's own), so cells keep half their
// differences in size. With size_cue the clamped ratio itself is handed to the network as a number (`sizeCue`), since
// the crop no longer shows it.
import Foundation

/// Whether a lab's images share the lab's centre crop (`lab`), each take one sized by its own nucleus (`image`), or one
/// halfway between the two in log scale (`halfway`).
public enum CellCrop: String, Sendable, Codable, CaseIterable {
    case lab, image, halfway

    /// The power the clamped ratio dᵢ / d_lab is raised to (0: the lab's crop).
    public var exponent: Double {
        switch self {
        case .lab: return 0
        case .image: return 1
        case .halfway: return 0.5
        }
    }
}

/// Each image's crop factor dᵢ / d_lab, measured once per image and kept (safe to share between loader threads).
public final class CellZoom: @unchecked Sendable {
    /// A factor outside this range is clamped to it: a nucleus mis-measured by more than half is not trusted further.
    public static let range: ClosedRange<Double> = (2.0 / 3.0)...1.5

    /// The lab's median central-nucleus diameter, original pixels.
    public let labDiameter: Double
    /// The power the clamped ratio is raised to: 1 for crops per image, ½ halfway.
    public let exponent: Double
    private var ratios: [URL: Double] = [:]
    private let lock = NSLock()

    public init(labDiameter: Double, exponent: Double = 1) {
        precondition(labDiameter > 0 && labDiameter.isFinite, "CellZoom: the lab's diameter must be positive, got \(labDiameter)")
        precondition(exponent > 0 && exponent <= 1, "CellZoom: the exponent must be in (0, 1], got \(exponent)")
        self.labDiameter = labDiameter; self.exponent = exponent
    }

    /// A zoom whose reference is `dataset`'s median nucleus, as `CellScale.measure` finds it.
    public convenience init(measuring dataset: ImageDataset, exponent: Double = 1) throws {
        self.init(labDiameter: try CellScale.measure(dataset).diameterPixels, exponent: exponent)
    }

    /// (dᵢ / d_lab)^exponent for the image at `url`, the ratio clamped to `range`; 1 when no central nucleus is found.
    public func factor(for url: URL) throws -> Double { factor(ratio: try ratio(for: url)) }

    /// The crop factor of an image whose clamped ratio is `ratio`: ratio^exponent.
    public func factor(ratio: Double) -> Double { pow(ratio, exponent) }

    /// The size cue of the image at `url`: ln(dᵢ / d_lab) / ln 1.5 of the clamped ratio, so `range` maps onto [−1, 1]
    /// (0 when no central nucleus is found).
    public func sizeCue(for url: URL) throws -> Float { Self.sizeCue(ratio: try ratio(for: url)) }

    /// The cue's rule: ln(ratio) / ln 1.5, so the clamp range 2/3…3/2, symmetric in log scale, maps onto −1…1.
    public static func sizeCue(ratio: Double) -> Float { Float(log(ratio) / log(range.upperBound)) }

    /// The clamped dᵢ / d_lab of the image at `url`, measured once.
    public func ratio(for url: URL) throws -> Double {
        lock.lock()
        let known = ratios[url]
        lock.unlock()
        if let known { return known }
        let r = Self.factor(diameter: try Self.nucleusDiameter(url), labDiameter: labDiameter)
        lock.lock()
        ratios[url] = r
        lock.unlock()
        return r
    }

    /// The rule: d / d_lab clamped to `range`, or 1 without a measured nucleus.
    public static func factor(diameter: Double?, labDiameter: Double) -> Double {
        guard let d = diameter, d > 0 else { return 1 }
        return min(max(d / labDiameter, range.lowerBound), range.upperBound)
    }

    /// The central nucleus's equivalent diameter in original pixels, measured as `CellScale.measure` measures each
    /// image (nil: none found).
    public static func nucleusDiameter(_ url: URL) throws -> Double? {
        let decoded = try JPEG.decode(url) { w, h in JPEG.scaleDenominator(side: min(w, h), minimumSide: 128) }
        return NucleusMask.find(in: FloatImage(decoded.image)).map { $0.equivalentDiameter * Double(min(decoded.width, decoded.height)) }
    }
}
