// The target's low-frequency spectrum on the source images (spectrum_transfer=β, docs/algorithms.md §1.13): numpy's
// FFT-based reference (Tests/Fixtures/spectrum_transfer.json, written by scripts/fixtures/make_spectrum_fixtures.py),
// the hand cases of algorithms.md, the band's width, and runs that pair reproducibly.
import Foundation
import SmearAdapt
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class SpectrumTransferTests: XCTestCase {
    struct Case: Decodable {
        let shape: [Int]
        let half_width: Int
        let source: [Float], donor: [Float], transferred: [Float]
    }

    func testTransferredImages_matchNumpysFFTReference() throws {
        struct Cases: Decodable { let cases: [Case] }
        let url = fixturesDirectory.appendingPathComponent("spectrum_transfer.json")
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: url)).cases
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let shape = [1] + c.shape
            let out = SpectrumTransfer(halfWidth: c.half_width, partner: [0])
                .transferred(Tensor(c.source, shape: shape), from: Tensor(c.donor, shape: shape))
            XCTAssertEqual(out.shape, shape)
            assertClose(out.scalars, c.transferred, atol: 1e-5, rtol: 0, "shape \(c.shape), b \(c.half_width)")
            XCTAssertGreaterThan(zip(out.scalars, c.source).map { abs($0 - $1) }.max()!, 1e-3, "the case changes the image")
        }
    }

    func testTheMeanAlone_takesTheDonorsMeanMagnitude_withTheSourcesSign() {
        // b = 0: only X(0, 0) = Σx changes, to |Σ donor| with Σx's sign; each pixel moves by (|Σd| − Σx)/HW.
        let source = Tensor([1, 2, 3, 6], shape: [1, 1, 2, 2]), donor = Tensor([-4, -4, -4, -4], shape: [1, 1, 2, 2])
        let out = SpectrumTransfer(halfWidth: 0, partner: [0]).transferred(source, from: donor)
        assertClose(out.scalars, [2, 3, 4, 7], atol: 1e-6, rtol: 0, "mean 3 → 4 = |−16| / 4")
        let negative = SpectrumTransfer(halfWidth: 0, partner: [0]).transferred(Tensor([-1, -2, -3, -6], shape: [1, 1, 2, 2]), from: donor)
        assertClose(negative.scalars, [-2, -3, -4, -7], atol: 1e-6, rtol: 0, "the sign is the source's phase")
    }

    func testAWholeSpectrumBand_givesTheDonorsAmplitude_andAnImageItsOwnIsUnchanged() {
        // 3 × 3 with b = 1: the band is every frequency, so the result has the donor's amplitude at each (the 1-D
        // check: a cosine of the donor's amplitude and the source's phase).
        var g = RandomGenerator(seed: 3)
        let x = (0..<18).map { _ in g.nextUniform() * 2 - 1 }, d = (0..<18).map { _ in g.nextUniform() * 2 - 1 }
        let source = Tensor(x, shape: [1, 2, 3, 3]), donor = Tensor(d, shape: [1, 2, 3, 3])
        let whole = SpectrumTransfer(halfWidth: 1, partner: [0])
        assertClose(whole.transferred(source, from: source).scalars, x, atol: 1e-6, rtol: 0, "its own amplitude: the same image")
        let out = whole.transferred(source, from: donor)
        func energy(_ v: ArraySlice<Float>) -> Float { v.reduce(0) { $0 + $1 * $1 } }
        for channel in 0..<2 {   // Parseval: equal amplitudes at every frequency give equal energy
            let r = (channel * 9)..<(channel * 9 + 9)
            XCTAssertEqual(energy(out.scalars[r]), energy(d[r]), accuracy: 1e-4)
        }
    }

    func testPartnersAreAPermutationOfTheTargets_repeatedForALargerSourceBatch_andSeeded() {
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let first = SpectrumTransfer(halfWidth: 1, count: 6, targets: 4, generator: &a)
        XCTAssertEqual(first, SpectrumTransfer(halfWidth: 1, count: 6, targets: 4, generator: &b))
        XCTAssertEqual(Array(first.partner.prefix(4)).sorted(), [0, 1, 2, 3])
        XCTAssertEqual(Array(first.partner.suffix(2)), Array(first.partner.prefix(2)))
    }

    func testTheBand_isFDAsShareOfTheSide_neverNarrowerThanOneFrequency() {
        XCTAssertEqual(SpectrumTransfer.halfWidth(beta: 0.01, side: 64), 1)
        XCTAssertEqual(SpectrumTransfer.halfWidth(beta: 0.01, side: 224), 2)
        XCTAssertEqual(SpectrumTransfer.halfWidth(beta: 0.05, side: 64), 3)
        XCTAssertEqual(SpectrumTransfer.halfWidth(beta: 0.01, side: 512), 5, "FDA's b at its frame's short side")
    }
}
