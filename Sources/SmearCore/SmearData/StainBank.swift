// Stain-bank augmentation (SADA, Li et al. 2024), label-free: the Macenko stain vectors of many single images of
// both labs are kept as a bank; each source training image is re-expressed (MacenkoTransfer) from its own stain
// vectors to a bank entry drawn at random, so the classifier sees the source cells in the target lab's stains
// (and the source's own range). No labels are used: the bank holds stain colours only.
import Foundation
import SmearTensor

extension StainVectors {
    /// The stain vectors of one image (its stained pixels: every OD channel ≥ 0.15), or nil when it has too few.
    public static func fit(image: FloatImage) -> StainVectors? {
        var od: [Double] = []
        od.reserveCapacity(image.data.count)
        for p in 0..<(image.width * image.height) {
            let v = (0..<3).map { odTable[Int((min(max(image.data[3 * p + $0], 0), 1) * 255).rounded())] }
            if v.allSatisfy({ $0 >= threshold }) { od += v }
        }
        return try? fit(opticalDensities: od)
    }
}

public struct StainBank: Sendable, Codable, Equatable {
    public var entries: [StainVectors]

    public init(entries: [StainVectors]) { self.entries = entries }

    /// The stain vectors of up to `perLab` images of each lab (evenly spaced, decoded at 1/4 of their size); images
    /// with too few stained pixels are left out.
    public static func build(from labs: [ImageDataset], perLab: Int = 100) throws -> StainBank {
        var entries: [StainVectors] = []
        for lab in labs where lab.count > 0 {
            let step = max(1, lab.count / max(1, perLab))
            let picks = Swift.stride(from: 0, to: lab.count, by: step).prefix(perLab).map { lab.samples[$0].path }
            let fitted = try ParallelMap.map(picks.count) { i -> StainVectors? in
                StainVectors.fit(image: FloatImage(try JPEG.decode(picks[i], scaleDenominator: 4)))
            }
            entries += fitted.compactMap { $0 }
        }
        guard !entries.isEmpty else { throw DatasetError.stainFit("no image of \(labs.map(\.name).joined(separator: ", ")) has enough stained pixels for a stain bank") }
        return StainBank(entries: entries)
    }
}

/// Re-expresses an image with stains drawn from a bank (from its own, fitted on the image); an image whose
/// stains cannot be fitted is left as it is. The draw uses the pipeline's generator: seeded, the same for any
/// number of loader threads.
public struct StainBankRecolour: Augmentation {
    public let name = "StainBankRecolour"
    public let bank: StainBank

    public init(bank: StainBank) { self.bank = bank }

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let drawn = bank.entries[Int(rng.next() % UInt64(bank.entries.count))]
        guard let own = StainVectors.fit(image: image) else { return }
        MacenkoTransfer(from: own, to: drawn).apply(&image, &rng)
    }
}
