// CIE L*a*b* against scikit-image's rgb2lab, and Reinhard's colour transfer between two real labs.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class StainNormalizationTests: XCTestCase {
    /// scikit-image 0.26:
    ///   from skimage.color import rgb2lab; import numpy as np
    ///   for c in ([1,1,1], [1,0,0], [0.2,0.4,0.6]): print(np.round(rgb2lab(np.array([[c]], dtype=float))[0,0], 4))
    ///   → [100, -0.0025, 0.0047], [53.2406, 80.0923, 67.2028], [42.008, -0.154, -32.8429]
    func testLab_knownColours_matchScikitImage_andRoundTrip() {
        for (rgb, lab) in [((Float(1), Float(1), Float(1)), (Float(100), Float(0), Float(0))),
                           ((1, 0, 0), (53.2406, 80.0923, 67.2028)), ((0.2, 0.4, 0.6), (42.008, -0.154, -32.8429))] {
            let v = CIELab.fromRGB(rgb.0, rgb.1, rgb.2)
            XCTAssertEqual(v.0, lab.0, accuracy: 0.02, "L of \(rgb)"); XCTAssertEqual(v.1, lab.1, accuracy: 0.05, "a of \(rgb)")
            XCTAssertEqual(v.2, lab.2, accuracy: 0.05, "b of \(rgb)")
        }
        var g = RandomGenerator(seed: 3)
        for _ in 0..<200 {
            let (r, gr, b) = (g.nextUniform(), g.nextUniform(), g.nextUniform())
            let lab = CIELab.fromRGB(r, gr, b), back = CIELab.toRGB(lab.0, lab.1, lab.2)
            XCTAssertEqual(back.0, r, accuracy: 1e-4); XCTAssertEqual(back.1, gr, accuracy: 1e-4); XCTAssertEqual(back.2, b, accuracy: 1e-4)
        }
    }

    /// BCCD's colours moved onto PBC's: each L*a*b* channel's mean within 2 units and spread within 15% of
    /// PBC's (measured: means within 1.0, spreads within 2%, 10% and 2% for L, a, b; before the transfer the
    /// means were 8.9, 0.6 and 19.8 units apart). Not exact only because colours that leave the sRGB gamut
    /// are clipped.
    func testReinhard_bccdTowardsPBC_matchesPBCsLabStatistics() throws {
        let pbc = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let bccd = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"))
        let transfer = ReinhardTransfer(from: try ChannelStatistics.compute(bccd, space: .lab),
                                        to: try ChannelStatistics.compute(pbc, space: .lab))
        let goal = try labStatistics(pbc, nil), before = try labStatistics(bccd, nil), after = try labStatistics(bccd, transfer)
        let message = "PBC \(goal), BCCD before \(before), after \(after)"
        for c in 0..<3 {
            XCTAssertEqual(after.mean[c], goal.mean[c], accuracy: 2, "channel \(c) mean; \(message)")
            XCTAssertEqual(after.std[c], goal.std[c], accuracy: 0.15 * goal.std[c], "channel \(c) spread; \(message)")
        }
        XCTAssertGreaterThan((0..<3).map { abs(before.mean[$0] - goal.mean[$0]) }.max() ?? 0, 5, "the labs differ to begin with; \(message)")
    }
}

/// L*a*b* mean and std over every pixel of `dataset`'s images (decoded at 1/4), after `transfer`.
func labStatistics(_ dataset: ImageDataset, _ transfer: Augmentation?) throws -> (mean: [Double], std: [Double]) {
    var s = [Double](repeating: 0, count: 7)
    var rng = RandomGenerator(seed: 0)
    for sample in dataset.samples {
        var img = FloatImage(try JPEG.decode(sample.path, scaleDenominator: 4))
        transfer?.apply(&img, &rng)
        for i in 0..<(img.width * img.height) {
            let v = CIELab.fromRGB(img.data[3 * i], img.data[3 * i + 1], img.data[3 * i + 2])
            for (c, x) in [v.0, v.1, v.2].enumerated() { s[c] += Double(x); s[3 + c] += Double(x) * Double(x) }
            s[6] += 1
        }
    }
    let mean = (0..<3).map { s[$0] / s[6] }
    return (mean, (0..<3).map { (s[3 + $0] / s[6] - mean[$0] * mean[$0]).squareRoot() })
}
