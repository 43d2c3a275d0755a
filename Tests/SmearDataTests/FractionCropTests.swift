// Crops stated as a fraction of the image: the reference's 64 of 72.
import Foundation
import SmearData
import SmearTensor
import XCTest

final class FractionCropTests: XCTestCase {
    /// A 90×72 image whose red channel is x/100 and green y/100: 8/9 of the shorter side is 64, so the centre
    /// crop starts at ((90 − 64)/2, (72 − 64)/2) = (13, 4) and is 64×64.
    func testCentreFractionCrop_sideAndOffsetByHand() {
        var img = coordinates(width: 90, height: 72), rng = RandomGenerator(seed: 0)
        FractionCrop(64.0 / 72.0, .centre).apply(&img, &rng)
        XCTAssertEqual([img.width, img.height], [64, 64])
        XCTAssertEqual(img[0, 0, 0], 0.13, accuracy: 1e-6); XCTAssertEqual(img[0, 0, 1], 0.04, accuracy: 1e-6)
        XCTAssertEqual(img[63, 63, 0], 0.76, accuracy: 1e-6); XCTAssertEqual(img[63, 63, 1], 0.67, accuracy: 1e-6)
    }

    /// The random crop is 64×64 on a 72×72 image and its corner takes every position 0…8 on both axes over 400
    /// draws, never one outside; the same seed gives the same crops.
    func testRandomFractionCrop_coversEveryPosition_andIsSeeded() {
        var rng = RandomGenerator(seed: 5), xs = Set<Int>(), ys = Set<Int>(), corners: [[Float]] = []
        for _ in 0..<400 {
            var img = coordinates(width: 72, height: 72)
            FractionCrop(64.0 / 72.0, .random).apply(&img, &rng)
            XCTAssertEqual([img.width, img.height], [64, 64])
            xs.insert(Int((img[0, 0, 0] * 100).rounded())); ys.insert(Int((img[0, 0, 1] * 100).rounded()))
            corners.append([img[0, 0, 0], img[0, 0, 1]])
        }
        XCTAssertEqual(xs, Set(0...8)); XCTAssertEqual(ys, Set(0...8))
        var again = RandomGenerator(seed: 5)
        for k in 0..<5 {
            var img = coordinates(width: 72, height: 72)
            FractionCrop(64.0 / 72.0, .random).apply(&img, &again)
            XCTAssertEqual([img[0, 0, 0], img[0, 0, 1]], corners[k], "draw \(k)")
        }
    }

    func coordinates(width: Int, height: Int) -> FloatImage {
        FloatImage(width: width, height: height, data: (0..<(width * height)).flatMap { i in [Float(i % width) / 100, Float(i / width) / 100, 0] })
    }
}
