// White balance on the slide's background: the brightest pixels found, their colour moved onto a
// reference by a gain per channel, a colour cast removed, on hand-made and on real images.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class BackgroundWhiteBalanceTests: XCTestCase {
    /// 10×10 pixels: 90 of a purple cell (0.4, 0.2, 0.5) and 10 of yellow glass (0.9, 0.9, 0.45). The
    /// brightest 5% are glass, so the background is (0.9, 0.9, 0.45); balanced onto (0.95, 0.8, 0.6) the
    /// glass becomes that colour and the cell takes the same gains: (0.4·0.95/0.9, 0.2·0.8/0.9, 0.5·0.6/0.45)
    /// = (0.4222, 0.1778, 0.6667).
    func testYellowGlassAndAPurpleCell_gainsByHand() {
        let cell: [Float] = [0.4, 0.2, 0.5], glass: [Float] = [0.9, 0.9, 0.45]
        var img = FloatImage(width: 10, height: 10, data: (0..<100).flatMap { $0 < 90 ? cell : glass })
        XCTAssertEqual(BackgroundWhiteBalance.background(of: img), glass)
        var rng = RandomGenerator(seed: 0)
        BackgroundWhiteBalance(reference: [0.95, 0.8, 0.6]).apply(&img, &rng)
        let expectedCell: [Float] = [0.4222, 0.1778, 0.6667], expectedGlass: [Float] = [0.95, 0.8, 0.6]
        for c in 0..<3 {
            XCTAssertEqual(img[0, 0, c], expectedCell[c], accuracy: 1e-4, "cell channel \(c)")
            XCTAssertEqual(img[9, 9, c], expectedGlass[c], accuracy: 1e-6, "glass channel \(c)")
        }
    }

    /// An image with no glass in it (every pixel darker than `darkestBackground` in some channel) is not
    /// balanced: gains from a dark "background" would blow it out.
    func testAnImageThatIsAllCell_isLeftAlone() {
        let original = FloatImage(width: 4, height: 4, data: (0..<16).flatMap { i in [Float(0.3), 0.1 + Float(i) * 0.001, 0.4] })
        var img = original, rng = RandomGenerator(seed: 0)
        BackgroundWhiteBalance(reference: [0.95, 0.8, 0.6]).apply(&img, &rng)
        XCTAssertEqual(img, original)
    }

    /// A real PBC image and a copy under a yellow cast (blue ×0.6, green ×0.95, as tecom_jiangxi's rapid stain
    /// looks) come out of the balance as one image: mean absolute difference below 0.005 (the cast copy
    /// is quantised to 8 bits, as a camera would store it), largest below 0.03.
    func testAYellowCastCopy_balancesToTheOriginal() throws {
        let pbc = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let balance = BackgroundWhiteBalance(reference: [0.95, 0.85, 0.8])
        for sample in pbc.samples.prefix(5) {
            let original = FloatImage(try JPEG.decode(sample.path))
            var cast = original
            let castGain: [Float] = [1, 0.95, 0.6]
            for i in 0..<(cast.width * cast.height) {
                for c in 0..<3 { cast.data[3 * i + c] = (original.data[3 * i + c] * castGain[c] * 255).rounded() / 255 }
            }
            var a = original, b = cast, rng = RandomGenerator(seed: 0)
            balance.apply(&a, &rng); balance.apply(&b, &rng)
            let differences = zip(a.data, b.data).map { abs($0 - $1) }
            let mean = differences.reduce(0, +) / Float(differences.count)
            XCTAssertLessThan(mean, 0.005, sample.path.lastPathComponent)
            XCTAssertLessThan(differences.max() ?? 1, 0.03, sample.path.lastPathComponent)
        }
    }

    /// Two real labs: BCCD's grey-blue background and PBC's pink-cream one. Before, the labs' typical
    /// backgrounds differ by more than 0.1 in some channel; after balancing BCCD's images onto PBC's typical
    /// background, every BCCD image's own background lies within 0.02 of it in every channel.
    func testBCCDOntoPBC_backgroundsAgree() throws {
        let pbc = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let bccd = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"))
        let reference = try BackgroundWhiteBalance.labBackground(pbc, scaleDenominator: 1)
        let before = try BackgroundWhiteBalance.labBackground(bccd, scaleDenominator: 1)
        XCTAssertGreaterThan((0..<3).map { abs(before[$0] - reference[$0]) }.max() ?? 0, 0.1, "PBC \(reference), BCCD \(before)")
        let balance = BackgroundWhiteBalance(reference: reference)
        for sample in bccd.samples {
            var img = FloatImage(try JPEG.decode(sample.path)), rng = RandomGenerator(seed: 0)
            balance.apply(&img, &rng)
            let after = BackgroundWhiteBalance.background(of: img)
            for c in 0..<3 { XCTAssertEqual(after[c], reference[c], accuracy: 0.02, "\(sample.path.lastPathComponent) channel \(c)") }
        }
    }
}
