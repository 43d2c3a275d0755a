// SimCLR's NT-Xent (docs/algorithms.md §1.12): numpy's values and central-difference gradients
// (Tests/Fixtures/contrastive.json, written by scripts/fixtures/make_contrastive_fixtures.py), the hand vector of
// algorithms.md, what it does not depend on, and finite differences of smear's own.
import Foundation
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class ContrastiveLossTests: XCTestCase {
    struct Case: Decodable {
        let z1: [Float], z2: [Float], shape: [Int], temperature: Float, loss: Float, gradient1: [Float], gradient2: [Float]
    }
    struct Cases: Decodable { let cases: [Case] }

    func testLossAndGradients_matchNumpy() throws {
        let fixture = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: fixturesDirectory.appendingPathComponent("contrastive.json")))
        XCTAssertEqual(fixture.cases.count, 5)
        for c in fixture.cases {
            let z1 = Tensor(c.z1, shape: c.shape).requiringGrad(), z2 = Tensor(c.z2, shape: c.shape).requiringGrad()
            let loss = Loss.ntXent(z1, z2, temperature: c.temperature)
            XCTAssertEqual(loss.item, c.loss, accuracy: 1e-5 * max(1, abs(c.loss)), "\(c.shape), τ \(c.temperature)")
            loss.backward()
            assertClose(z1.grad!.scalars, c.gradient1, atol: 1e-5, rtol: 1e-3, "first view's gradient, \(c.shape), τ \(c.temperature)")
            assertClose(z2.grad!.scalars, c.gradient2, atol: 1e-5, rtol: 1e-3, "second view's gradient, \(c.shape), τ \(c.temperature)")
        }
    }

    func testTheHandVector_twoOrthogonalImagesSeenAlike() {
        let z = Tensor([1, 0, 0, 1], shape: [2, 2])
        XCTAssertEqual(Loss.ntXent(z, z, temperature: 0.5).item, Float(log(1 + 2 * exp(-2.0))), accuracy: 1e-6,
                       "each view: its positive at cosine 1, two negatives at 0, so −log(e² / (e² + 2))")
        XCTAssertEqual(Loss.ntXent(z, z, temperature: 0.2).item, Float(log(1 + 2 * exp(-5.0))), accuracy: 1e-6)
    }

    func testOneImage_givesZero_andTheLengthOfAProjectionDoesNotMatter() {
        let a = Tensor([0.3, -1, 2], shape: [1, 3]), b = Tensor([1, 1, 0], shape: [1, 3])
        XCTAssertEqual(Loss.ntXent(a, b, temperature: 0.2).item, 0, accuracy: 1e-6, "a view's only candidate is its positive")
        let z1 = Tensor([0.5, -1, 2, 0, 1, 1, -2, 0.3, 0.7], shape: [3, 3]), z2 = Tensor([0.4, -0.8, 2.2, 0.1, 1, 0.7, -1.5, 0.2, 1], shape: [3, 3])
        let scaled = z1 * Tensor([3, 3, 3, 0.5, 0.5, 0.5, 10, 10, 10], shape: [3, 3])
        XCTAssertEqual(Loss.ntXent(z1, z2, temperature: 0.2).item, Loss.ntXent(scaled, z2, temperature: 0.2).item, accuracy: 1e-5,
                       "cosine similarity: each row is normalised first")
        XCTAssertLessThan(Loss.ntXent(z1, z2, temperature: 0.2).item, Loss.ntXent(z1, z2.flippedRows(), temperature: 0.2).item,
                          "views that match their own image score lower than views paired with other images")
    }

    func testGradients_matchFiniteDifferences() {
        let z1 = Tensor([0.5, -1, 2, 0, 1, 1, -2, 0.3, 0.7, 0.1, 0.2, -0.4], shape: [4, 3])
        let z2 = Tensor([0.3, -0.7, 1.5, 0.2, 0.8, 1.1, -1.6, 0.5, 0.4, 0.3, -0.1, -0.6], shape: [4, 3])
        assertGradientsMatchFiniteDifferences([z1, z2], "NT-Xent") { Loss.ntXent($0[0], $0[1], temperature: 0.5) }
    }
}

private extension Tensor {
    /// The rows in reverse order.
    func flippedRows() -> Tensor {
        let n = shape[0], d = shape[1], x = scalars
        return Tensor((0..<n).reversed().flatMap { Array(x[($0 * d)..<(($0 + 1) * d)]) }, shape: [n, d])
    }
}
