// Crops measured per image (cell_crop = "image" or "halfway", CellZoom): the factor's rule, its agreement with the lab measurement it
// divides by, what a factor does to a pipeline's crop, and that the loader crops each image by its own factor.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class CellZoomTests: XCTestCase {
    let pbc = sampleDirectory.appendingPathComponent("pbc_barcelona")

    func testTheFactor_isTheDiameterRatio_keptWithinTwoThirdsAndThreeHalves_andOneWithoutANucleus() {
        XCTAssertEqual(CellZoom.factor(diameter: 60, labDiameter: 50), 1.2, accuracy: 1e-12)
        XCTAssertEqual(CellZoom.factor(diameter: 40, labDiameter: 50), 0.8, accuracy: 1e-12)
        XCTAssertEqual(CellZoom.factor(diameter: 10, labDiameter: 50), 2.0 / 3.0, accuracy: 1e-12, "clamped below")
        XCTAssertEqual(CellZoom.factor(diameter: 500, labDiameter: 50), 1.5, accuracy: 1e-12, "clamped above")
        XCTAssertEqual(CellZoom.factor(diameter: nil, labDiameter: 50), 1, "no nucleus found: the lab's crop")
    }

    /// The per-image diameter is the one the lab's median is taken over: a one-image lab's median is that image's.
    func testEachImage_isMeasuredAsCellScaleMeasuresTheLab() throws {
        let lab = try ImageDataset.folder(pbc)
        for sample in lab.samples.prefix(3) {
            let one = ImageDataset(name: "one", samples: [sample], classes: lab.classes)
            let d = try XCTUnwrap(try CellZoom.nucleusDiameter(sample.path), "the sample's cells have nuclei")
            XCTAssertEqual(d, try CellScale.measure(one).diameterPixels, accuracy: 1e-9, sample.path.lastPathComponent)
            let zoom = CellZoom(labDiameter: d * 0.8)
            XCTAssertEqual(try zoom.factor(for: sample.path), 1.25, accuracy: 1e-9)
            XCTAssertEqual(try zoom.factor(for: sample.path), 1.25, accuracy: 1e-9, "kept, and the same")
            XCTAssertEqual(try CellZoom(labDiameter: d * 0.8, exponent: CellCrop.halfway.exponent).factor(for: sample.path), 1.25.squareRoot(),
                           accuracy: 1e-9, "halfway: the square root of the ratio")
            XCTAssertEqual(try CellZoom(labDiameter: d / 10, exponent: 0.5).factor(for: sample.path), 1.5.squareRoot(), accuracy: 1e-9,
                           "the ratio is clamped before the root")
        }
    }

    /// A factor f makes the pipeline crop f times the lab's crop: the same output as a pipeline whose crop is that.
    func testAFactor_scalesTheCentreCrop() {
        var rng = RandomGenerator(seed: 1)
        let image = FloatImage(width: 200, height: 200, data: (0..<(200 * 200 * 3)).map { Float(($0 * 7919) % 1000) / 1000 })
        let lab = ImagePipeline.evaluation(crop: 100, outputSize: 30, mean: [0, 0, 0], std: [1, 1, 1])
        for (f, side) in [(1.5, 150), (0.8, 80), (1.0, 100)] {
            var again = RandomGenerator(seed: 1)
            let zoomed = lab.transform(image, zoom: f, &rng)
            let cropped = ImagePipeline.evaluation(crop: side, outputSize: 30, mean: [0, 0, 0], std: [1, 1, 1]).transform(image, &again)
            XCTAssertEqual(zoomed.data, cropped.data, "factor \(f): the same pixels")
            XCTAssertEqual(zoomed.scale * f, cropped.scale, accuracy: 1e-12, "and each pixel stands for 1/f as many original pixels")
        }
    }

    /// Every image with a nucleus, its factor clamped to 3/2 by a tiny reference, is cropped as by a 3/2 larger crop from
    /// the same decode.
    func testTheLoader_cropsEachImageByItsOwnFactor() throws {
        let lab = try ImageDataset.folder(pbc)
        let measured = try lab.samples.filter { try CellZoom.nucleusDiameter($0.path) != nil }
        XCTAssertGreaterThan(measured.count, 10)
        let images = ImageDataset(name: "measured", samples: measured, classes: lab.classes)
        var zoomed = ImagePipeline.evaluation(crop: 150, outputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
        zoomed.cellZoom = CellZoom(labDiameter: 1e-6)
        let larger = ImagePipeline(steps: [CenterCrop(225)], outputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], regionSide: 150)
        let a = try DataLoader(images, pipeline: zoomed, batchSize: measured.count, sampling: .sequential).batch(epoch: 0, index: 0)
        let b = try DataLoader(images, pipeline: larger, batchSize: measured.count, sampling: .sequential).batch(epoch: 0, index: 0)
        XCTAssertEqual(a.images.scalars, b.images.scalars)
        let plain = try DataLoader(images, pipeline: .evaluation(crop: 150, outputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]),
                                   batchSize: measured.count, sampling: .sequential).batch(epoch: 0, index: 0)
        XCTAssertNotEqual(a.images.scalars, plain.images.scalars, "the zoom changes what the network sees")
    }
}

/// The size cue (size_cue): the clamped ratio dᵢ / d_lab handed to the network as a number, since crops per image hide it.
final class SizeCueTests: XCTestCase {
    let pbc = sampleDirectory.appendingPathComponent("pbc_barcelona")

    func testTheCue_isTheRatiosLogarithmInUnitsOfTheClamp() {
        XCTAssertEqual(CellZoom.sizeCue(ratio: 1), 0, "a cell of the lab's median size")
        XCTAssertEqual(CellZoom.sizeCue(ratio: 1.5), 1, accuracy: 1e-6, "the clamp's upper end")
        XCTAssertEqual(CellZoom.sizeCue(ratio: 2.0 / 3.0), -1, accuracy: 1e-6, "the clamp's lower end")
        XCTAssertEqual(CellZoom.sizeCue(ratio: 1.2), 0.449_652, accuracy: 1e-5, "ln 1.2 / ln 1.5")
        XCTAssertEqual(CellZoom.sizeCue(ratio: 1.2), -CellZoom.sizeCue(ratio: 1 / 1.2), accuracy: 1e-6, "symmetric in log scale")
    }

    /// Each batch carries, image by image, the cue of the image's own clamped ratio, whatever the crop's exponent; a
    /// pipeline without crops per image gives none.
    func testTheLoader_givesEachImageItsOwnCue() throws {
        let lab = try ImageDataset.folder(pbc)
        let median = try CellScale.measure(lab).diameterPixels
        for exponent in [1.0, 0.5] {
            var pipeline = ImagePipeline.evaluation(crop: 150, outputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
            pipeline.cellZoom = CellZoom(labDiameter: median, exponent: exponent)
            let batch = try DataLoader(lab, pipeline: pipeline, batchSize: lab.count, sampling: .sequential).batch(epoch: 0, index: 0)
            let cues = try XCTUnwrap(batch.cellSizes)
            XCTAssertEqual(cues.shape, [lab.count, 1])
            let expected = try batch.indices.map { i -> Float in
                let d = try CellZoom.nucleusDiameter(lab.samples[i].path)
                return CellZoom.sizeCue(ratio: CellZoom.factor(diameter: d, labDiameter: median))
            }
            XCTAssertEqual(cues.scalars, expected, "exponent \(exponent)")
            XCTAssertTrue(cues.scalars.allSatisfy { (-1...1).contains($0) })
            XCTAssertGreaterThan(Set(cues.scalars).count, lab.count / 2, "cells differ in size")
        }
        let plain = try DataLoader(lab, pipeline: .evaluation(crop: 150, outputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]),
                                   batchSize: 4, sampling: .sequential).batch(epoch: 0, index: 0)
        XCTAssertNil(plain.cellSizes)
    }
}
