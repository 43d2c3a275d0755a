// Cell scale without labels: how large a lab's white cells are in its frames, and the centre crops that
// give two labs the same scale at the working resolution. The article fixes its crops by hand per lab
// (300 / 345 / 288 px); a lab nobody tuned on needs them measured. The measure is the central nucleus's
// equivalent diameter (NucleusMask: optical density, so it holds across stains), as a fraction of each
// frame's shorter side, with the median over the lab's images.
import Foundation

public enum CellScale {
    public struct Measurement: Sendable, Equatable {
        /// Median central-nucleus diameter over the images, as a fraction of the frame's shorter side.
        public var diameter: Double
        /// Median shorter side of the frames, in original pixels.
        public var side: Int
        /// Images measured, and those in which no central nucleus was found (left out of the median).
        public var images: Int, missed: Int
        /// The median nucleus diameter in original pixels.
        public var diameterPixels: Double { diameter * Double(side) }

        public init(diameter: Double, side: Int, images: Int = 1, missed: Int = 0) {
            self.diameter = diameter; self.side = side; self.images = images; self.missed = missed
        }
    }

    /// The nucleus-to-crop ratio that the matched crops aim at: the article's and the PyTorch reference's
    /// PBC crop (200 px of 360, where PBC's median central nucleus measures 0.289 of the frame) gives
    /// 0.289 × 360 / 200 ≈ 0.52. Chosen once, from the source lab of the reference, for every lab.
    public static let nucleusToCrop = 0.52

    /// Measures up to `maxImages` images of the dataset, evenly spaced; no labels used. Large frames are
    /// decoded at a reduced DCT scale (the diameter is a fraction, so it does not depend on it).
    public static func measure(_ dataset: ImageDataset, maxImages: Int = 200) throws -> Measurement {
        guard dataset.count > 0 else { throw DatasetError.noImages("the dataset given to cell_scale") }
        let step = max(1, dataset.count / max(1, maxImages))
        let picks = Swift.stride(from: 0, to: dataset.count, by: step).map { dataset.samples[$0].path }
        let results = try ParallelMap.map(picks.count) { i -> (Double?, Int) in
            let decoded = try JPEG.decode(picks[i]) { w, h in JPEG.scaleDenominator(side: min(w, h), minimumSide: 128) }
            return (NucleusMask.find(in: FloatImage(decoded.image))?.equivalentDiameter, min(decoded.width, decoded.height))
        }
        let diameters = results.compactMap(\.0).sorted(), sides = results.map(\.1).sorted()
        guard !diameters.isEmpty else {
            throw DatasetError.noNucleus(images: picks.count)
        }
        return Measurement(diameter: diameters[diameters.count / 2], side: sides[sides.count / 2],
                           images: picks.count, missed: picks.count - diameters.count)
    }

    /// Centre crops (original pixels) for a source and a target lab at which the central nucleus covers the
    /// same fraction of the crop: `nucleusToCrop`, or more when either lab's nuclei already cover more of
    /// the whole frame (then that lab keeps its whole frame and the other is cropped to match). So the crop
    /// zooms whichever side has the smaller cells, in either direction.
    public static func matchedCrops(source: Measurement, target: Measurement,
                                    nucleusToCrop: Double = nucleusToCrop) -> (source: Int, target: Int) {
        let ratio = matchedRatio(source, target, nucleusToCrop)
        return (crop(source, ratio), crop(target, ratio))
    }

    /// Crops for further labs (a run's more_sources) at the scale `source` and `target` were matched at: each lab's
    /// nuclei cover the pair's fraction of its crop, or its whole frame when they already cover more of it (the
    /// pair's crops never change for a further lab).
    public static func matchedCrops(_ others: [Measurement], source: Measurement, target: Measurement,
                                    nucleusToCrop: Double = nucleusToCrop) -> [Int] {
        let ratio = matchedRatio(source, target, nucleusToCrop)
        return others.map { crop($0, ratio) }
    }

    /// The nucleus / crop fraction two labs are matched at: `nucleusToCrop`, or either lab's whole-frame fraction if larger.
    static func matchedRatio(_ source: Measurement, _ target: Measurement, _ nucleusToCrop: Double) -> Double {
        max(nucleusToCrop, source.diameter, target.diameter)
    }

    static func crop(_ m: Measurement, _ ratio: Double) -> Int { min(m.side, max(1, Int((m.diameterPixels / ratio).rounded()))) }

    /// A warning when a crop has fewer original pixels than the working resolution (the image is then
    /// enlarged, and detail the network expects is missing), else nil.
    public static func upsamplingWarning(crop: Int, workingSize: Int, lab: String) -> String? {
        crop < workingSize
            ? "\(lab): the matched crop is \(crop) px, below the working resolution of \(workingSize) px; its images are enlarged \(String(format: "%.2f", Double(workingSize) / Double(crop)))×"
            : nil
    }
}
