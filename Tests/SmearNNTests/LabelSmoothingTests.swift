// Label-smoothed cross-entropy (label_smoothing=ε, docs/algorithms.md §1.11): PyTorch's formula against numpy
// (Tests/Fixtures/label_smoothing.json, written by scripts/fixtures/make_label_smoothing_fixtures.py), the hand vector
// of algorithms.md, its two ends, and finite differences.
import Foundation
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class LabelSmoothingTests: XCTestCase {
    struct Case: Decodable {
        let logits: [Float], shape: [Int], labels: [Int], weight: [Float]?, smoothing: Float, loss: Float, gradient: [Float]
    }
    struct Cases: Decodable { let cases: [Case] }

    func testLossAndGradient_matchNumpysTranscriptionOfPyTorch_withAndWithoutClassWeights() throws {
        let fixture = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: fixturesDirectory.appendingPathComponent("label_smoothing.json")))
        XCTAssertEqual(fixture.cases.filter { $0.weight != nil && $0.smoothing > 0 }.count, 2, "weighted cases are what the denominator is checked on")
        for c in fixture.cases {
            let z = Tensor(c.logits, shape: c.shape).requiringGrad()
            let loss = Loss.crossEntropy(z, labels: c.labels, weight: c.weight.map { Tensor($0, shape: [c.shape[1]]) }, labelSmoothing: c.smoothing)
            XCTAssertEqual(loss.item, c.loss, accuracy: 1e-5, "\(c.shape), ε \(c.smoothing), weighted \(c.weight != nil)")
            loss.backward()
            assertClose(z.grad!.scalars, c.gradient, atol: 1e-6, rtol: 1e-4, "gradient, \(c.shape), ε \(c.smoothing)")
        }
    }

    func testTheHandVector_ofAlgorithmsMd() {
        let z = Tensor([2, 0, 0, 1], shape: [2, 2])
        let loss = Loss.crossEntropy(z, labels: [0, 1], labelSmoothing: 0.1).item
        XCTAssertEqual(loss, 0.295095, accuracy: 1e-5, "0.9 · 0.220095 + 0.1/2 · 1.940190")
        XCTAssertEqual(Loss.crossEntropy(z, labels: [0, 1]).item, 0.220095, accuracy: 1e-5, "the plain cross-entropy")
    }

    func testNoSmoothing_isThePlainLoss_andFullSmoothing_ignoresTheLabels() {
        let z = Tensor([0.5, -1, 2, 0, 1, 1, -2, 0.3, 0.7], shape: [3, 3]), w = Tensor([0.2, 0.5, 0.3], shape: [3])
        XCTAssertEqual(Loss.crossEntropy(z, labels: [0, 2, 1], weight: w, labelSmoothing: 0).item,
                       Loss.crossEntropy(z, labels: [0, 2, 1], weight: w).item)
        XCTAssertEqual(Loss.crossEntropy(z, labels: [0, 0, 0], labelSmoothing: 1).item,
                       Loss.crossEntropy(z, labels: [2, 1, 0], labelSmoothing: 1).item, accuracy: 1e-6,
                       "with ε 1 and no weights every label gives the uniform target")
    }

    func testGradients_matchFiniteDifferences() {
        let z = Tensor([0.5, -1, 2, 0, 1, 1, -2, 0.3, 0.7, 0.1, 0.2, -0.4], shape: [4, 3])
        assertGradientsMatchFiniteDifferences([z], "smoothed CE") { Loss.crossEntropy($0[0], labels: [0, 2, 1, 2], labelSmoothing: 0.1) }
        assertGradientsMatchFiniteDifferences([z], "weighted smoothed CE") {
            Loss.crossEntropy($0[0], labels: [0, 2, 1, 2], weight: Tensor([0.2, 0.5, 0.3], shape: [3]), labelSmoothing: 0.25)
        }
    }
}
