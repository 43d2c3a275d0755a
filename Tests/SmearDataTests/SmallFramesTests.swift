// Frames smaller than their centre crop (small_frames = "pad", SmallFrames, docs/algorithms.md §1.4): the fill is the
// median of the frame's outermost ring, the frame sits in the canvas's centre unchanged, the crop that follows has the
// crop's side (so the cell keeps the lab's matched scale), and a frame at least as large as the crop is cropped exactly
// as without padding.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class SmallFramesTests: XCTestCase {
    /// A w×h image whose pixel (x, y) channel c holds f(x, y, c).
    func image(_ w: Int, _ h: Int, scale: Double = 1, _ f: (Int, Int, Int) -> Float) -> FloatImage {
        var data = [Float](); data.reserveCapacity(w * h * 3)
        for y in 0..<h { for x in 0..<w { for c in 0..<3 { data.append(f(x, y, c)) } } }
        return FloatImage(width: w, height: h, data: data, scale: scale)
    }

    /// 3×3: the ring is the eight pixels around the centre; their red values 1…8 have lower median 4, the centre (100) is
    /// not part of it.
    func testTheFill_isTheMedianOfTheOutermostRing() {
        let ring: [Int: Float] = [0: 1, 1: 2, 2: 3, 3: 8, 5: 4, 6: 7, 7: 6, 8: 5]   // index y·3 + x
        let img = image(3, 3) { x, y, c in c == 0 ? (ring[y * 3 + x] ?? 100) : Float(c) / 10 }
        XCTAssertEqual(img.borderMedian(), [4, 0.1, 0.2])
    }

    func testASmallFrame_sitsUnchangedInTheCentreOfAFilledCanvas() {
        let img = image(2, 2) { x, y, c in Float(1 + x + 2 * y) / 10 + Float(c) }   // ring = all four pixels
        let canvas = img.centred(onCanvasOfAtLeast: 4)
        XCTAssertEqual(canvas.width, 4); XCTAssertEqual(canvas.height, 4)
        let fill = img.borderMedian()
        for y in 0..<4 { for x in 0..<4 { for c in 0..<3 {
            let inside = (1...2).contains(x) && (1...2).contains(y)
            XCTAssertEqual(canvas[x, y, c], inside ? img[x - 1, y - 1, c] : fill[c], "(\(x), \(y), \(c))")
        } } }
        XCTAssertEqual(img.centred(onCanvasOfAtLeast: 2), img, "a frame as large as the side is returned as it is")
    }

    /// A crop far larger than the frame (a mistaken crop of 100,000 px) pads only to four times the frame's longer side.
    func testTheCanvas_isAtMostFourTimesTheFramesLongerSide() {
        let img = image(10, 8) { _, _, _ in 0.5 }
        let canvas = img.centred(onCanvasOfAtLeast: 100_000)
        XCTAssertEqual(canvas.width, 40); XCTAssertEqual(canvas.height, 40)
        var rng = RandomGenerator(seed: 1), cropped = img
        CenterCrop(100_000, padsSmallFrames: true).apply(&cropped, &rng)
        XCTAssertEqual(cropped.width, 40, "the crop then clamps to the canvas")
    }

    func testANarrowFrame_isPaddedOnlyWhereItIsNarrow() {
        let img = image(6, 3) { x, _, _ in Float(x) / 10 }
        let canvas = img.centred(onCanvasOfAtLeast: 4)
        XCTAssertEqual(canvas.width, 6); XCTAssertEqual(canvas.height, 4)
        // one row to add: the frame's offset is ⌊(4 − 3) / 2⌋ = 0, so the added row is the last
        XCTAssertEqual((0..<6).map { canvas[$0, 3, 0] }, [Float](repeating: img.borderMedian()[0], count: 6), "the added row is the fill")
        for y in 0..<3 { XCTAssertEqual((0..<6).map { canvas[$0, y, 0] }, (0..<6).map { Float($0) / 10 }, "row \(y) is the frame's") }
    }

    /// The crop is in original pixels: an image decoded at half size (scale 2) and a crop of 100 original pixels make 50
    /// of its pixels, padded from 30; clamping would have given 30.
    func testTheCropAfterPadding_hasTheCropsSide_inOriginalPixels() {
        var rng = RandomGenerator(seed: 1)
        var padded = image(30, 30, scale: 2) { _, _, _ in 0.5 }, clamped = padded
        CenterCrop(100, padsSmallFrames: true).apply(&padded, &rng)
        CenterCrop(100).apply(&clamped, &rng)
        XCTAssertEqual(padded.width, 50); XCTAssertEqual(padded.height, 50)
        XCTAssertEqual(clamped.width, 30)
    }

    /// Every sample image is larger than a 150 px crop: the padded pipeline's batch is the clamped one's, value for value.
    func testFramesLargerThanTheCrop_areCroppedExactlyAsWithoutPadding() throws {
        let lab = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let clamped = ImagePipeline.articleTraining(crop: 150, outputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
        let a = try DataLoader(lab, pipeline: clamped, batchSize: lab.count, sampling: .sequential).batch(epoch: 0, index: 0)
        let b = try DataLoader(lab, pipeline: clamped.paddingSmallFrames(), batchSize: lab.count, sampling: .sequential).batch(epoch: 0, index: 0)
        XCTAssertEqual(a.images.scalars, b.images.scalars)
        let tight = ImagePipeline.evaluation(crop: 1000, outputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
        let c = try DataLoader(lab, pipeline: tight, batchSize: lab.count, sampling: .sequential).batch(epoch: 0, index: 0)
        let d = try DataLoader(lab, pipeline: tight.paddingSmallFrames(), batchSize: lab.count, sampling: .sequential).batch(epoch: 0, index: 0)
        XCTAssertNotEqual(c.images.scalars, d.images.scalars, "a crop larger than every frame pads them all")
    }
}
