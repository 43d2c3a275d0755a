// Macenko et al. 2009 stain normalisation, label-free and per lab: each lab's two stain colours are found
// in optical density (OD) space from its own pixels, and a target lab's images are re-expressed with the
// source lab's stains. For Romanowsky stains the two vectors are the nuclear (azure/methylene blue:
// absorbs red) and the eosin (absorbs green) components; the method does not need to know which is which
// beyond ordering them by red absorption.
//   OD = −ln((v·255 + 1) / 256) per channel (white → 0)
//   stain plane: the top-2 eigenvectors of the OD covariance of stained pixels (every OD channel ≥ 0.15)
//   stains: the directions at the 1st and 99th percentile of the angle in that plane
//   concentrations: least squares C = (SᵀS)⁻¹Sᵀ·OD; their 99th percentiles scale one lab onto another
import Foundation
import SmearTensor

/// One lab's two stain vectors (unit OD directions, R G B) and the 99th-percentile concentration of each.
public struct StainVectors: Sendable, Equatable, Codable {
    /// stains[0]: the stain that absorbs red more (nuclear); stains[1]: the other (eosin).
    public var stains: [[Double]]
    public var maxConcentration: [Double]

    public init(stains: [[Double]], maxConcentration: [Double]) {
        self.stains = stains; self.maxConcentration = maxConcentration
    }

    static let odTable: [Double] = (0...255).map { -log((Double($0) + 1) / 256) }
    static let threshold = 0.15

    /// Fits the stains of a lab from the pixels of up to `maxImages` of its images (evenly spaced, decoded
    /// at 1/4 of their size; no labels used).
    public static func fit(_ dataset: ImageDataset, maxImages: Int = 100) throws -> StainVectors {
        let step = max(1, dataset.count / max(1, maxImages))
        let picks = Swift.stride(from: 0, to: dataset.count, by: step).map { dataset.samples[$0].path }
        let perImage = try ParallelMap.map(picks.count) { i -> [Double] in
            let img = try JPEG.decode(picks[i], scaleDenominator: 4)
            var od: [Double] = []
            for p in 0..<(img.width * img.height) {
                let v = (0..<3).map { odTable[Int(img.pixels[3 * p + $0])] }
                if v.allSatisfy({ $0 >= threshold }) { od += v }
            }
            return od
        }
        return try fit(opticalDensities: perImage.flatMap { $0 })
    }

    /// Fits from stained-pixel ODs, laid out R G B R G B …
    public static func fit(opticalDensities od: [Double]) throws -> StainVectors {
        let n = od.count / 3
        guard n >= 100 else { throw DatasetError.stainFit("fewer than 100 stained pixels (\(n)) to fit stains from") }
        var mean = [0.0, 0.0, 0.0], cov = [Double](repeating: 0, count: 9)
        for p in 0..<n { for c in 0..<3 { mean[c] += od[3 * p + c] / Double(n) } }
        for p in 0..<n { for r in 0..<3 { for c in 0..<3 { cov[3 * r + c] += (od[3 * p + r] - mean[r]) * (od[3 * p + c] - mean[c]) / Double(n) } } }
        guard let (values, vectors) = LAPACK.symmetricEigen(cov, n: 3) else {
            throw DatasetError.stainFit("the optical densities' covariance has no eigen-decomposition")
        }
        let order = [0, 1, 2].sorted { values[$0] > values[$1] }
        var e1 = vectors[order[0]], e2 = vectors[order[1]]
        if e1.reduce(0, +) < 0 { e1 = e1.map { -$0 } }
        if e2.reduce(0, +) < 0 { e2 = e2.map { -$0 } }
        var angles = (0..<n).map { p -> Double in
            let x = (0..<3).reduce(0.0) { $0 + od[3 * p + $1] * e1[$1] }, y = (0..<3).reduce(0.0) { $0 + od[3 * p + $1] * e2[$1] }
            return atan2(y, x)
        }
        angles.sort()
        let (lo, hi) = (angles[Int(0.01 * Double(n - 1))], angles[Int(0.99 * Double(n - 1))])
        func direction(_ phi: Double) -> [Double] {
            let v = (0..<3).map { e1[$0] * cos(phi) + e2[$0] * sin(phi) }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
        let (a, b) = (direction(lo), direction(hi))
        let stains = a[0] > b[0] ? [a, b] : [b, a]
        var vectors2 = StainVectors(stains: stains, maxConcentration: [1, 1])
        var c0 = [Double](), c1 = [Double]()
        c0.reserveCapacity(n); c1.reserveCapacity(n)
        for p in 0..<n {
            let c = vectors2.concentrations(od[3 * p], od[3 * p + 1], od[3 * p + 2])
            c0.append(c.0); c1.append(c.1)
        }
        c0.sort(); c1.sort()
        vectors2.maxConcentration = [c0[Int(0.99 * Double(n - 1))], c1[Int(0.99 * Double(n - 1))]].map { max($0, 1e-6) }
        return vectors2
    }

    /// Least-squares concentrations of the two stains for one pixel's OD.
    @inline(__always) func concentrations(_ r: Double, _ g: Double, _ b: Double) -> (Double, Double) {
        let (s, t) = (stains[0], stains[1])
        let ss = s[0] * s[0] + s[1] * s[1] + s[2] * s[2], tt = t[0] * t[0] + t[1] * t[1] + t[2] * t[2]
        let st = s[0] * t[0] + s[1] * t[1] + s[2] * t[2]
        let so = s[0] * r + s[1] * g + s[2] * b, to = t[0] * r + t[1] * g + t[2] * b
        let det = ss * tt - st * st
        return ((tt * so - st * to) / det, (ss * to - st * so) / det)
    }
}

/// Re-expresses an image of lab `from` with the stains of lab `to` (Macenko): the concentrations of `from`'s
/// stains, scaled by the labs' 99th-percentile ratio, times `to`'s stain vectors. Deterministic.
public struct MacenkoTransfer: Augmentation {
    public let name = "MacenkoTransfer"
    public let from: StainVectors, to: StainVectors

    public init(from: StainVectors, to: StainVectors) { self.from = from; self.to = to }

    public func apply(_ image: inout FloatImage, _ rng: inout RandomGenerator) {
        let scale = (0..<2).map { to.maxConcentration[$0] / from.maxConcentration[$0] }
        let (s, t) = (to.stains[0], to.stains[1])
        image.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<(p.count / 3) {
                let od = (0..<3).map { -log((Double(min(max(p[3 * i + $0], 0), 1)) * 255 + 1) / 256) }
                var (c0, c1) = from.concentrations(od[0], od[1], od[2])
                c0 = max(0, c0) * scale[0]; c1 = max(0, c1) * scale[1]
                for c in 0..<3 {
                    let v = (256 * exp(-(s[c] * c0 + t[c] * c1)) - 1) / 255
                    p[3 * i + c] = Float(min(1, max(0, v)))
                }
            }
        }
    }
}
