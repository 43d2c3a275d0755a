// Cell scale without labels: how much of a lab's frames the stained nuclei cover, and the centre crop
// that gives every lab the same nucleus-to-frame ratio (the article fixes its crops by hand:
// 300 / 345 / 288 px). Nuclei (Romanowsky stains: purple) absorb green light strongly, so the pixels
// darker in the green channel than an Otsu threshold of that image are taken as nucleus.
import Foundation

public enum CellScale {
    /// Otsu's threshold of 8-bit values (the level that best separates two classes).
    static func otsu(_ histogram: [Int]) -> Int {
        let total = histogram.reduce(0, +)
        let sumAll = histogram.enumerated().reduce(0.0) { $0 + Double($1.offset * $1.element) }
        var weightB = 0, sumB = 0.0, best = 0.0, threshold = 0
        for t in 0..<256 {
            weightB += histogram[t]
            guard weightB > 0 else { continue }
            let weightF = total - weightB
            if weightF == 0 { break }
            sumB += Double(t * histogram[t])
            let meanB = sumB / Double(weightB), meanF = (sumAll - sumB) / Double(weightF)
            let between = Double(weightB) * Double(weightF) * (meanB - meanF) * (meanB - meanF)
            if between > best { best = between; threshold = t }
        }
        return threshold
    }

    /// Fraction of an image's pixels darker in green than its Otsu threshold.
    public static func nucleusFraction(_ image: RGBImage) -> Double {
        var histogram = [Int](repeating: 0, count: 256)
        let n = image.width * image.height
        for i in 0..<n { histogram[Int(image.pixels[3 * i + 1])] += 1 }
        let t = otsu(histogram)
        return Double(histogram[0...t].reduce(0, +)) / Double(max(n, 1))
    }

    /// Median nucleus fraction and median shorter image side (original pixels) over up to
    /// `maxImages` images of the dataset (evenly spaced; no labels used).
    public static func measure(_ dataset: ImageDataset, maxImages: Int = 200) throws -> (fraction: Double, side: Int) {
        let step = max(1, dataset.count / maxImages)
        let picks = Swift.stride(from: 0, to: dataset.count, by: step).map { dataset.samples[$0].path }
        var fractions = [Double](repeating: 0, count: picks.count), sides = [Int](repeating: 0, count: picks.count)
        var failure: Error? = nil
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: picks.count) { i in
            do {
                let img = try JPEG.decode(picks[i], scaleDenominator: 2)
                fractions[i] = nucleusFraction(img)
                sides[i] = min(img.width, img.height) * img.scale
            } catch { lock.lock(); failure = failure ?? error; lock.unlock() }
        }
        if let failure { throw failure }
        return (fractions.sorted()[fractions.count / 2], sides.sorted()[sides.count / 2])
    }

    /// The centre-crop side that makes nuclei cover `reference` of the crop, given that they cover
    /// `fraction` of a `side`-pixel frame: side·√(fraction/reference), kept within [side/3, side].
    public static func matchedCrop(side: Int, fraction: Double, reference: Double) -> Int {
        guard fraction > 0, reference > 0 else { return side }
        let c = Double(side) * (fraction / reference).squareRoot()
        return Int(min(Double(side), max(Double(side) / 3, c)).rounded())
    }
}
