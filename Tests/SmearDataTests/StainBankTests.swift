// Stain-bank recolouring: an image made by the Beer–Lambert law from two known stains is re-expressed with a
// drawn bank entry's stains, and the stains fitted on the result are the drawn ones (within 2°); the draw is
// seeded; an image without stained pixels is left alone.
import Foundation
import SmearData
import SmearTensor
import XCTest

final class StainBankTests: XCTestCase {
    static func unit(_ v: [Double]) -> [Double] { let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot(); return v.map { $0 / n } }

    /// 64×64 pixels: OD = c0·s0 + c1·s1 with concentrations spread over [0.3, 1.5] (every pixel stained).
    static func synthetic(_ s0: [Double], _ s1: [Double], seed: UInt64) -> FloatImage {
        var rng = RandomGenerator(seed: seed)
        var data: [Float] = []
        for _ in 0..<(64 * 64) {
            let c0 = 0.3 + 1.2 * Double(rng.nextUniform()), c1 = 0.3 + 1.2 * Double(rng.nextUniform())
            for c in 0..<3 { data.append(Float((256 * exp(-(s0[c] * c0 + s1[c] * c1)) - 1) / 255)) }
        }
        return FloatImage(width: 64, height: 64, data: data)
    }

    static func degrees(_ a: [Double], _ b: [Double]) -> Double {
        acos(min(1, zip(a, b).reduce(0) { $0 + $1.0 * $1.1 })) * 180 / .pi
    }

    func testRecolouredImage_hasTheDrawnStains() throws {
        let hematoxylin = Self.unit([0.65, 0.70, 0.29]), eosin = Self.unit([0.07, 0.99, 0.11])
        let otherNuclear = Self.unit([0.80, 0.55, 0.25]), otherEosin = Self.unit([0.20, 0.90, 0.40])
        let source = Self.synthetic(hematoxylin, eosin, seed: 1)
        // (Macenko's fit returns the directions at the 1st and 99th percentile of angle, not the pure stains,
        // so the image's own fit and the drawn entry are both fits: the recolouring maps one onto the other.)
        let own = try XCTUnwrap(StainVectors.fit(image: source))
        let target = try XCTUnwrap(StainVectors.fit(image: Self.synthetic(otherNuclear, otherEosin, seed: 2)))
        let bank = StainBank(entries: [target])
        var image = source
        var rng = RandomGenerator(seed: 7)
        StainBankRecolour(bank: bank).apply(&image, &rng)
        let after = try XCTUnwrap(StainVectors.fit(image: image))
        XCTAssertGreaterThan(Self.degrees(own.stains[0], target.stains[0]), 5, "the drawn stains differ from the image's own")
        XCTAssertLessThan(Self.degrees(after.stains[0], target.stains[0]), 2, "nuclear stain after: \(after.stains[0]) drawn \(target.stains[0])")
        XCTAssertLessThan(Self.degrees(after.stains[1], target.stains[1]), 2, "eosin stain after: \(after.stains[1]) drawn \(target.stains[1])")
    }

    func testDraw_isSeeded_andAnUnstainedImageIsLeftAlone() throws {
        let a = try XCTUnwrap(StainVectors.fit(image: Self.synthetic(Self.unit([0.65, 0.70, 0.29]), Self.unit([0.07, 0.99, 0.11]), seed: 3)))
        let b = try XCTUnwrap(StainVectors.fit(image: Self.synthetic(Self.unit([0.80, 0.55, 0.25]), Self.unit([0.20, 0.90, 0.40]), seed: 4)))
        let recolour = StainBankRecolour(bank: StainBank(entries: [a, b]))
        let source = Self.synthetic(Self.unit([0.6, 0.7, 0.35]), Self.unit([0.1, 0.95, 0.2]), seed: 5)
        var x = source, y = source
        var r1 = RandomGenerator(seed: 11), r2 = RandomGenerator(seed: 11)
        recolour.apply(&x, &r1); recolour.apply(&y, &r2)
        XCTAssertEqual(x, y, "the same seed draws the same entry")
        var white = FloatImage(width: 8, height: 8, data: [Float](repeating: 1, count: 8 * 8 * 3))
        let before = white
        recolour.apply(&white, &r1)
        XCTAssertEqual(white, before)
    }
}
