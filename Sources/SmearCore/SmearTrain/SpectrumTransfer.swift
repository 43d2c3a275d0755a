// B source images. The target's low-frequency spectrum on the source images (FDA: Yang and Soatto, CVPR 2020;
// docs/algorithms.md §1.13): in each channel, the amplitude of the source image's discrete Fourier transform in the
// square of frequencies |u|, |v| ≤ b becomes its partner target image's, the phase stays the source's, and the
// image is transformed back. Only that band changes, so only its (2b + 1)² coefficients are computed.
import Foundation
import SmearData
import SmearTensor

public struct SpectrumTransfer: Equatable, Sendable {
    /// The band's half-width b in frequencies (b = 0: the mean alone).
    public let halfWidth: Int
    /// Each source image's partner: an index into the target batch.
    public let partner: [Int]

    public init(halfWidth: Int, partner: [Int]) {
        require(halfWidth >= 0, "SpectrumTransfer: the band's half-width \(halfWidth) is negative")
        self.halfWidth = halfWidth; self.partner = partner
    }

    /// FDA's band for a frame of `side` pixels: b = max(1, ⌊β · side⌋), so the band never shrinks to the mean alone.
    public static func halfWidth(beta: Double, side: Int) -> Int { max(1, Int((beta * Double(side)).rounded(.down))) }

    /// Each of `count` source images paired with one of `targets` target images: a uniformly drawn permutation of the
    /// targets, repeated when there are fewer targets than sources.
    public init(halfWidth: Int, count: Int, targets: Int, generator g: inout RandomGenerator) {
        require(targets > 0, "SpectrumTransfer: no target image to take a spectrum from")
        var order = Array(0..<targets)
        g.shuffle(&order)
        self.init(halfWidth: halfWidth, partner: (0..<count).map { order[$0 % targets] })
    }

    /// `source` [B, C, H, W] with each image's band amplitude taken from `target` [B', C, H, W] image partner[i]
    /// (no gradient: the images are inputs).
    public func transferred(_ source: Tensor, from target: Tensor) -> Tensor {
        require(source.rank == 4 && target.rank == 4 && Array(source.shape.dropFirst()) == Array(target.shape.dropFirst()),
                "SpectrumTransfer: source \(source.shape) and target \(target.shape) are not batches of the same images' shape")
        require(source.shape[0] == partner.count, "SpectrumTransfer: \(source.shape[0]) source images for \(partner.count) partners")
        require(partner.allSatisfy { (0..<target.shape[0]).contains($0) }, "SpectrumTransfer: a partner is outside the target batch of \(target.shape[0])")
        let (c, h, w) = (source.shape[1], source.shape[2], source.shape[3])
        require(2 * halfWidth + 1 <= min(h, w), "SpectrumTransfer: a band of half-width \(halfWidth) does not fit a \(h)×\(w) image")
        let band = BandTransform(halfWidth: halfWidth, height: h, width: w)
        var out = source.contiguous().scalars
        let t = target.contiguous().scalars, plane = h * w
        for (i, j) in partner.enumerated() {
            for k in 0..<c {
                let s = (i * c + k) * plane, tt = (j * c + k) * plane
                out.withUnsafeMutableBufferPointer { o in
                    t.withUnsafeBufferPointer { tp in
                        band.transfer(UnsafeMutableBufferPointer(rebasing: o[s..<(s + plane)]),
                                      amplitudeOf: UnsafeBufferPointer(rebasing: tp[tt..<(tt + plane)]))
                    }
                }
            }
        }
        return Tensor(out, shape: source.shape)
    }
}

/// The DFT restricted to the band |u|, |v| ≤ b of an H × W plane, and the inverse of a change made there.
struct BandTransform {
    let halfWidth: Int, height: Int, width: Int
    /// cos and sin of 2π·f·m/N for each band frequency f (row-major: f index, then m).
    private let rowCos: [Double], rowSin: [Double], colCos: [Double], colSin: [Double]
    var size: Int { 2 * halfWidth + 1 }

    init(halfWidth: Int, height: Int, width: Int) {
        self.halfWidth = halfWidth; self.height = height; self.width = width
        func table(_ n: Int, _ f: (Double) -> Double) -> [Double] {
            (-halfWidth...halfWidth).flatMap { u in (0..<n).map { m in f(2 * Double.pi * Double(u * m % n) / Double(n)) } }
        }
        rowCos = table(height, cos); rowSin = table(height, sin); colCos = table(width, cos); colSin = table(width, sin)
    }

    /// The band's coefficients X(u, v) = Σ x(m, n)·e^{−2πi(um/H + vn/W)}, as (re, im) arrays indexed [u + b][v + b].
    func coefficients(_ x: UnsafeBufferPointer<Float>) -> (re: [Double], im: [Double]) {
        let k = size
        var rowRe = [Double](repeating: 0, count: height * k), rowIm = rowRe   // R(m, v) = Σ_n x(m, n) e^{−2πi vn/W}
        for m in 0..<height {
            for v in 0..<k {
                var re = 0.0, im = 0.0
                for n in 0..<width {
                    let xv = Double(x[m * width + n])
                    re += xv * colCos[v * width + n]; im -= xv * colSin[v * width + n]
                }
                rowRe[m * k + v] = re; rowIm[m * k + v] = im
            }
        }
        var re = [Double](repeating: 0, count: k * k), im = re
        for u in 0..<k {
            for v in 0..<k {
                var a = 0.0, b = 0.0
                for m in 0..<height {   // (R_re + i R_im)(cos − i sin)
                    let cr = rowCos[u * height + m], sr = rowSin[u * height + m]
                    a += rowRe[m * k + v] * cr + rowIm[m * k + v] * sr
                    b += rowIm[m * k + v] * cr - rowRe[m * k + v] * sr
                }
                re[u * k + v] = a; im[u * k + v] = b
            }
        }
        return (re, im)
    }

    /// Gives `x` the band amplitude of `donor`, keeping x's phase (a coefficient of amplitude 0 has phase 0, as numpy's angle).
    func transfer(_ x: UnsafeMutableBufferPointer<Float>, amplitudeOf donor: UnsafeBufferPointer<Float>) {
        let k = size
        let own = coefficients(UnsafeBufferPointer(x)), theirs = coefficients(donor)
        var dRe = [Double](repeating: 0, count: k * k), dIm = dRe
        for i in 0..<(k * k) {
            let amplitude = hypot(theirs.re[i], theirs.im[i]), phase = atan2(own.im[i], own.re[i])
            dRe[i] = amplitude * cos(phase) - own.re[i]; dIm[i] = amplitude * sin(phase) - own.im[i]
        }
        // x(m, n) += Re Σ_{u,v} D(u, v) e^{2πi(um/H + vn/W)} / (HW), by rows then columns.
        let scale = 1 / Double(height * width)
        for m in 0..<height {
            var sRe = [Double](repeating: 0, count: k), sIm = sRe   // S(m, v) = Σ_u D(u, v) e^{2πi um/H}
            for u in 0..<k {
                let cr = rowCos[u * height + m], sr = rowSin[u * height + m]
                for v in 0..<k {
                    sRe[v] += dRe[u * k + v] * cr - dIm[u * k + v] * sr
                    sIm[v] += dRe[u * k + v] * sr + dIm[u * k + v] * cr
                }
            }
            for n in 0..<width {
                var acc = 0.0
                for v in 0..<k { acc += sRe[v] * colCos[v * width + n] - sIm[v] * colSin[v * width + n] }
                x[m * width + n] += Float(acc * scale)
            }
        }
    }
}

extension Trainer {
    /// The source batch of step `iteration` with the target's band amplitude (nil: the run has no spectrum transfer). The
    /// pairing is seeded by the run's seed and the step, so that a resumed run pairs as an uninterrupted one.
    func spectrumTransferred(_ source: Batch, target: Batch, iteration: Int) -> Batch {
        guard let beta = config.spectrumTransferBeta else { return source }
        var g = RandomGenerator(seed: config.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(iteration) &* 0xBF58_476D &+ 0xFDA0_0001)
        let side = min(source.images.shape[2], source.images.shape[3])
        let transfer = SpectrumTransfer(halfWidth: SpectrumTransfer.halfWidth(beta: beta, side: side), count: source.images.shape[0],
                                        targets: target.images.shape[0], generator: &g)
        return source.withImages(transfer.transferred(source.images, from: target.images))
    }
}
