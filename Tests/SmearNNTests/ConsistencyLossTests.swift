// FixMatch's consistency loss (docs/algorithms.md §1.8): which images the weak view labels, the loss on the strong
// view against numpy's values, and its gradient.
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class ConsistencyLossTests: XCTestCase {
    let weak = Tensor([0.97, 0.02, 0.01, 0.5, 0.4, 0.1, 0.01, 0.01, 0.98, 0.95, 0.03, 0.02], shape: [4, 3])
    /// The strong view's logits, a fresh leaf each time.
    var strong: Tensor { Tensor([2, 0, 0, 0, 1, 0, 0.5, -1, 3, 1, 1, 1], shape: [4, 3]) }

    func testTheWeakViewLabelsTheImagesAtOrAboveTheThreshold_withTheirTopClass() {
        let targets = ConsistencyTargets(weakProbabilities: weak, threshold: 0.95)
        XCTAssertEqual(targets.labels, [0, nil, 2, 0], "0.95 itself reaches τ = 0.95; 0.5 does not")
        XCTAssertEqual(targets.confidentShare, 0.75)
        XCTAssertEqual(ConsistencyTargets(weakProbabilities: weak, threshold: 0.5).labels, [0, 0, 2, 0])
        XCTAssertEqual(ConsistencyTargets(weakProbabilities: weak, threshold: 1).labels, [nil, nil, nil, nil])
    }

    func testTheLoss_isTheConfidentImagesCrossEntropyOverTheWholeBatch_asAlgorithmsMdComputes() {
        let loss = Loss.consistency(strongLogits: strong, targets: ConsistencyTargets(weakProbabilities: weak, threshold: 0.95))
        XCTAssertEqual(loss.item, 0.358458, accuracy: 1e-5, "(0.239545 + 0.095674 + 1.098612) / 4")
    }

    func testNoConfidentImage_givesZeroLossAndNoGradient() {
        let x = strong
        x.requiresGrad = true
        let loss = Loss.consistency(strongLogits: x, targets: ConsistencyTargets(weakProbabilities: weak, threshold: 0.99))
        XCTAssertEqual(loss.item, 0)
        loss.backward()
        XCTAssertEqual(x.grad?.scalars, [Float](repeating: 0, count: 12))
    }

    func testGradient_matchesFiniteDifferences_andIsZeroOnTheUnconfidentRow() {
        let targets = ConsistencyTargets(weakProbabilities: weak, threshold: 0.95)
        assertGradientsMatchFiniteDifferences([strong]) { Loss.consistency(strongLogits: $0[0], targets: targets) }
        let x = strong
        x.requiresGrad = true
        Loss.consistency(strongLogits: x, targets: targets).backward()
        let g = x.grad!.scalars
        XCTAssertEqual(Array(g[3..<6]), [0, 0, 0], "the second image is not confident")
        // softmax − one-hot, over the batch of 4, on the first row: softmax([2, 0, 0]) = (0.786986, 0.106507, 0.106507)
        assertClose(Array(g[0..<3]), [(0.786986 - 1) / 4, 0.106507 / 4, 0.106507 / 4], atol: 1e-5)
    }
}
