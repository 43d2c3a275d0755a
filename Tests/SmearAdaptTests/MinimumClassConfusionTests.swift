// Minimum class confusion (plugins/MCC) against numpy float64, hand-checkable limits and finite differences.
import MCCMethod
import SmearAdapt
import SmearTensor
import SmearTestSupport
import XCTest

final class MinimumClassConfusionTests: XCTestCase {
    let logits = Tensor([2, 1, 0.1, 0.5, 2.5, 0, -1, 0.3, 0.2], shape: [3, 3])

    /// numpy float64, tllib's forward written out:
    ///   z = l / T; p = softmax(z, 1); h = -(p * log(p + 1e-5)).sum(1); w = 1 + exp(-h); w = b * w / w.sum()
    ///   c = (p * w[:, None]).T @ p; c = c / c.sum(axis=1); (c.sum() - trace(c)) / k
    ///   l = [[2,1,0.1],[0.5,2.5,0],[-1,0.3,0.2]] → 0.6390481 at T = 2.5, 0.5128896 at T = 1
    func testLoss_matchesNumpyForward_atTwoTemperatures() {
        XCTAssertEqual(MinimumClassConfusion.loss(logits: logits, temperature: 2.5).item, 0.6390481, accuracy: 1e-5)
        XCTAssertEqual(MinimumClassConfusion.loss(logits: logits, temperature: 1).item, 0.5128896, accuracy: 1e-5)
    }

    /// Uniform predictions confuse every class with every other: (K − 1) / K. Confident predictions that
    /// use different classes confuse none: 0.
    func testLoss_handCheckableLimits() {
        XCTAssertEqual(MinimumClassConfusion.loss(logits: Tensor.zeros([4, 5]), temperature: 2.5).item, 0.8, accuracy: 1e-6)
        let confident = Tensor([40, 0, 0, 0, 40, 0, 0, 0, 40], shape: [3, 3])
        XCTAssertEqual(MinimumClassConfusion.loss(logits: confident, temperature: 1).item, 0, accuracy: 1e-6)
    }

    /// The images' weights carry no gradient (tllib detaches the entropy): the gradient is that of L with w
    /// held at its value, so the finite differences are taken of exactly that function.
    func testGradient_matchesFiniteDifferences_withTheWeightsHeld() {
        let x = Tensor([2, 1, 0.1, 0.5, 2.5, 0, -1, 0.3, 0.2, 0.4, -0.2, 1.1], shape: [4, 3])
        let weights = MinimumClassConfusion.imageWeights(probabilities: (x / 2.5).softmax(axis: 1))
        XCTAssertEqual(weights.sum().item, 4, accuracy: 1e-5, "the weights average 1")
        XCTAssertEqual(MinimumClassConfusion.loss(logits: x, temperature: 2.5).item,
                       MinimumClassConfusion.loss(logits: x, temperature: 2.5, weights: weights).item, accuracy: 1e-7)
        assertGradientsMatchFiniteDifferences([x], "MCC, weights held") { args in
            MinimumClassConfusion.loss(logits: args[0], temperature: 2.5, weights: weights)
        }
        // The loss training uses (weights computed inside) has that same gradient: no path through w.
        let a = x.detach().requiringGrad(), b = x.detach().requiringGrad()
        MinimumClassConfusion.loss(logits: a, temperature: 2.5).backward()
        MinimumClassConfusion.loss(logits: b, temperature: 2.5, weights: weights).backward()
        assertClose(a.grad!.scalars, b.grad!.scalars, atol: 1e-6)
    }

    /// Past its warm start the transfer loss is L; at iteration 0 its weight, and so the loss, is 0.
    func testTransferLoss_followsTheWarmStart() throws {
        func loss(_ iteration: Int) throws -> Float {
            let ctx = StepContext(sourceFeatures: Tensor.zeros([3, 4]), targetFeatures: Tensor.zeros([3, 4]), sourceLogits: logits,
                                  targetLogits: logits, sourceLabels: [0, 1, 2], modules: [:], iteration: iteration)
            return try MinimumClassConfusion(options: ["trade_off": 1, "temperature": 2.5, "warm_up_iters": 10]).transferLoss(ctx).loss.item
        }
        XCTAssertEqual(try loss(1000), 0.6390481, accuracy: 1e-5)
        XCTAssertEqual(try loss(0), 0, accuracy: 1e-7)
    }
}
