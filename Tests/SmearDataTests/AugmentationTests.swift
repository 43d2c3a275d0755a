// Augmentations: determinism under a seed, geometric invariants, photometric ranges, normalisation.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class AugmentationTests: XCTestCase {
    /// A step joins a pipeline by name, before or after its centre crop, wherever the crop stands.
    func testInsert_findsTheCentreCrop() {
        var p = ImagePipeline.articleTraining(crop: 200, outputSize: 64, mean: [0, 0, 0], std: [1, 1, 1])
        let crop = p.steps.firstIndex { $0 is CenterCrop }!
        p.insert(Dihedral(fixed: 1), .afterCentreCrop)
        p.insert(Dihedral(fixed: 2), .beforeCentreCrop)
        XCTAssertEqual(p.steps.map(\.name)[crop...crop + 2], [Dihedral(fixed: 2).name, "CenterCrop(200)", Dihedral(fixed: 1).name][...])
    }

    /// A random test image (values in [0, 1]).
    func image(_ w: Int, _ h: Int, seed: UInt64 = 1) -> FloatImage {
        var g = RandomGenerator(seed: seed)
        return FloatImage(width: w, height: h, data: (0..<(w * h * 3)).map { _ in g.nextUniform() })
    }

    func testPipeline_sameSeed_sameOutput_differentSeed_differentOutput() {
        let p = ImagePipeline.articleTraining(crop: 40, randomCrop: 30, outputSize: 16, mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2])
        let img = image(48, 50)
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5), c = RandomGenerator(seed: 6)
        let x = p.transform(img, &a), y = p.transform(img, &b), z = p.transform(img, &c)
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x.data, z.data)
        XCTAssertEqual([x.width, x.height], [16, 16])
    }

    func testFlip_twice_isIdentity_andHorizontalMirrorsColumns() {
        let img = image(7, 5)
        var rng = RandomGenerator(seed: 0)
        for axis in [Flip.Axis.horizontal, .vertical, .both] {
            var x = img
            Flip(axis).apply(&x, &rng); Flip(axis).apply(&x, &rng)
            XCTAssertEqual(x, img, "\(axis)")
        }
        var h = img
        Flip(.horizontal).apply(&h, &rng)
        XCTAssertEqual(h[0, 2, 1], img[6, 2, 1])
        XCTAssertEqual(h[6, 4, 0], img[0, 4, 0])
    }

    func testRotate_90degrees_ofASymmetricImage_isUnchanged_andOf360IsIdentity() {
        // Symmetric under 90° rotation: value depends on the distance from the centre only.
        let n = 9
        var data = [Float]()
        for y in 0..<n { for x in 0..<n { let d = Float(abs(x - 4) + abs(y - 4)) / 8; data += [d, 1 - d, 0.5] } }
        let img = FloatImage(width: n, height: n, data: data)
        assertClose(Rotate.rotated(img, degrees: 90).data, img.data, atol: 1e-5, "90°")
        let asym = image(9, 9)
        assertClose(Rotate.rotated(asym, degrees: 360).data, asym.data, atol: 1e-4, "360°")
        // 90° moves the top-left corner region to the bottom-left (counter-clockwise).
        let r = Rotate.rotated(asym, degrees: 90)
        XCTAssertEqual(r[0, 8, 0], asym[0, 0, 0], accuracy: 1e-5)
    }

    func testCrops_haveTheRightSize_andComeFromInsideTheImage() {
        var img = image(40, 30)
        // Mark each pixel with its own coordinates so that a crop's origin can be read back.
        for y in 0..<30 { for x in 0..<40 { img[x, y, 0] = Float(x); img[x, y, 1] = Float(y) } }
        var rng = RandomGenerator(seed: 3)
        for _ in 0..<20 {
            var c = img
            RandomCrop(12).apply(&c, &rng)
            XCTAssertEqual([c.width, c.height], [12, 12])
            let x0 = Int(c[0, 0, 0]), y0 = Int(c[0, 0, 1])
            XCTAssertTrue(x0 >= 0 && x0 + 12 <= 40 && y0 >= 0 && y0 + 12 <= 30)
            XCTAssertEqual(c[11, 11, 0], Float(x0 + 11)); XCTAssertEqual(c[11, 11, 1], Float(y0 + 11))
        }
        var centre = img
        CenterCrop(10).apply(&centre, &rng)
        XCTAssertEqual([centre[0, 0, 0], centre[0, 0, 1]], [15, 10])
        // Sizes are in original pixels: at DCT scale 1/2 a 10-pixel crop is 5 decoded pixels.
        var half = img; half.scale = 2
        CenterCrop(10).apply(&half, &rng)
        XCTAssertEqual(half.width, 5)
    }

    func testPhotometric_staysInUnitRange_andBlurKeepsAConstantImage() {
        var rng = RandomGenerator(seed: 4)
        for _ in 0..<10 {
            var x = image(12, 12)
            ColorJitter().apply(&x, &rng); RandomFog().apply(&x, &rng); Blur().apply(&x, &rng)
            XCTAssertTrue(x.data.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        var flat = FloatImage(width: 10, height: 10, data: [Float](repeating: 0.3, count: 300))
        Blur().apply(&flat, &rng)
        assertClose(flat.data, [Float](repeating: 0.3, count: 300), atol: 1e-6)
        var b = image(6, 6)
        ColorJitter.brightness(&b, 0.5)
        assertClose(b.data, image(6, 6).data.map { $0 * 0.5 }, atol: 1e-7)
        var grey = FloatImage(width: 1, height: 1, data: [0.2, 0.6, 1.0])
        ColorJitter.saturation(&grey, 0)   // fully desaturated: every channel the grey level
        let g: Float = 0.299 * 0.2 + 0.587 * 0.6 + 0.114 * 1.0
        assertClose(grey.data, [g, g, g], atol: 1e-6)
    }

    func testResize_ofAConstantImage_isConstant_andScaleIsTracked() {
        let flat = FloatImage(width: 37, height: 23, data: [Float](repeating: 0.7, count: 37 * 23 * 3))
        let r = flat.resized(w: 8, h: 8)
        assertClose(r.data, [Float](repeating: 0.7, count: 192), atol: 1e-6)
        XCTAssertEqual(r.scale, 37.0 / 8, accuracy: 1e-9)
    }

    func testNormalize_matchesHandComputedValues() {
        let p = ImagePipeline(steps: [], outputSize: 2, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2])
        let img = FloatImage(width: 2, height: 2, data: [1, 0.5, 0, 0, 0, 1, 0.5, 0.25, 0.5, 0.75, 1, 0])
        var out = [Float](repeating: 0, count: 12)
        out.withUnsafeMutableBufferPointer { p.writeNormalized(img, to: $0.baseAddress!) }
        // CHW: channel 0 of the 4 pixels, then channel 1, then channel 2.
        assertClose(out, [1, -1, 0, 0.5, 1, -1, 0, 3, 0, 0.5, 0.25, 0], atol: 1e-6)
    }

    func testDihedral_reachesAllEightOrientations_exactly() {
        // A 3×2 image with distinct pixels: each symmetry of the square gives a different arrangement.
        let img = FloatImage(width: 3, height: 2, data: (0..<18).map { Float($0) / 18 })
        var seen = Set<[Float]>()
        var rng = RandomGenerator(seed: 1)
        for _ in 0..<200 {
            var x = img
            Dihedral().apply(&x, &rng)
            XCTAssertEqual(x.data.sorted(), img.data.sorted(), "pixels are moved, never blended")
            seen.insert(x.data + [Float(x.width)])
        }
        XCTAssertEqual(seen.count, 8, "all 8 orientations occur")
        let t = Dihedral.transposed(img)
        XCTAssertEqual([t.width, t.height], [2, 3])
        XCTAssertEqual(t[1, 2, 0], img[2, 1, 0], "out[x, y] = in[y, x]")
        XCTAssertEqual(Dihedral.transposed(t), img, "transposing twice is the identity")
        // The fixed orientations (test-time augmentation) are the same 8, one each, 0 the identity.
        let fixed = (0..<8).map { k -> [Float] in var x = img; Dihedral(fixed: k).apply(&x, &rng); return x.data + [Float(x.width)] }
        XCTAssertEqual(Set(fixed), seen)
        XCTAssertEqual(fixed[0], img.data + [3])
    }
}
