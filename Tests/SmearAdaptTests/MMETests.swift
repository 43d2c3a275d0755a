// Minimax entropy (plugins/MME): the cosine classifier against hand values and finite differences, the loss against
// the entropy formula, and the gradient reversal that splits its direction between the prototypes and the features.
import Foundation
import MMEMethod
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class MMETests: XCTestCase {
    func classifier(_ w: [Float], classes: Int, features: Int, temperature: Float) -> CosineClassifier {
        let c = CosineClassifier(inFeatures: features, classes: classes, temperature: temperature)
        c.fc.weight = Tensor(w, shape: [classes, features]).requiringGrad()
        return c
    }

    /// x = [3, 4] has length 5: unit vector [0.6, 0.8]; W = [[1, 0], [0, 2]], T = 0.05 → [0.6, 1.6] / 0.05 = [12, 32].
    /// A feature vector's length does not change its logits.
    func testCosineClassifier_handValues_andScaleInvariance() {
        let c = classifier([1, 0, 0, 2], classes: 2, features: 2, temperature: 0.05)
        assertClose(c(Tensor([3, 4], shape: [1, 2])).scalars, [12, 32], atol: 1e-4)
        assertClose(c(Tensor([30, 40, 0.3, 0.4], shape: [2, 2])).scalars, [12, 32, 12, 32], atol: 1e-3)
    }

    func testCosineClassifier_gradientsMatchFiniteDifferences() {
        let c = classifier([0.3, -0.2, 0.5, 0.1, 0.4, -0.6], classes: 2, features: 3, temperature: 0.5)
        let x = Tensor([0.5, -1, 2, 1.5, 0.2, -0.3, -0.7, 0.9, 0.4], shape: [3, 3])
        assertGradientsMatchFiniteDifferences([x, c.fc.weight], eps: 1e-3, "cosine classifier") { args in
            c.fc.weight = args[1]
            return c(args[0])
        }
    }

    /// With unit features and W = I, T = 1, the logits are the features: rows [1, 0] and [0.6, 0.8].
    /// H(softmax([1, 0])) = 0.582203, H(softmax([0.6, 0.8])) = 0.688172; the loss is −(their mean) = −0.635188.
    func testLoss_isMinusTheMeanTargetEntropy_throughTheClassifier() throws {
        let method = try MME.descriptor.instantiate(["temperature": 1])
        let head = classifier([1, 0, 0, 1], classes: 2, features: 2, temperature: 1)
        let x = Tensor([1, 0, 0.6, 0.8], shape: [2, 2])
        let out = try method.transferLoss(context(target: x, head: head))
        XCTAssertEqual(out.loss.item, -0.635188, accuracy: 1e-5)
        func entropy(_ z: [Double]) -> Double { let e = z.map { Foundation.exp($0) }, s = e.reduce(0, +); return -e.map { $0 / s * Foundation.log($0 / s) }.reduce(0, +) }
        XCTAssertEqual(Double(out.loss.item), -(entropy([1, 0]) + entropy([0.6, 0.8])) / 2, accuracy: 1e-6)
        XCTAssertEqual(out.diagnostics["target_entropy"]!, 0.635188, accuracy: 1e-5)
        XCTAssertEqual(method.tradeOff, 0.1, accuracy: 1e-7, "the paper's λ by default")
    }

    /// Minimising the loss raises the target's entropy through the prototypes (their gradient is that of −H) and
    /// lowers it through the features (their gradient is that of +H: reversed).
    func testGradientReversal_prototypesRaiseTheEntropy_featuresLowerIt() throws {
        let method = try MME.descriptor.instantiate(["temperature": 0.5])
        let w: [Float] = [0.3, -0.2, 0.5, 0.1, 0.4, -0.6]
        let xs: [Float] = [0.5, -1, 2, 1.5, 0.2, -0.3]
        let head = classifier(w, classes: 2, features: 3, temperature: 0.5)
        let x = Tensor(xs, shape: [2, 3]).requiringGrad()
        try method.transferLoss(context(target: x, head: head)).loss.backward()
        // The same loss without the reversal, by plain autodiff.
        let plainHead = classifier(w, classes: 2, features: 3, temperature: 0.5)
        let plainX = Tensor(xs, shape: [2, 3]).requiringGrad()
        (-Loss.entropy(logits: plainHead(plainX))).backward()
        assertClose(head.fc.weight.grad!.scalars, plainHead.fc.weight.grad!.scalars, atol: 1e-6)
        assertClose(x.grad!.scalars, plainX.grad!.scalars.map { -$0 }, atol: 1e-6)
        XCTAssertGreaterThan(plainX.grad!.scalars.map(abs).max()!, 1e-3, "a gradient worth comparing")
    }

    func testWithoutANetworkHead_theLossIsAClearError() throws {
        let method = try MME.descriptor.instantiate()
        XCTAssertThrowsError(try method.transferLoss(context(target: Tensor.zeros([2, 3]), head: nil))) { e in
            XCTAssertTrue("\(e)".contains("head"), "\(e)")
        }
    }

    func context(target: Tensor, head: Module?) -> StepContext {
        StepContext(sourceFeatures: Tensor.zeros(target.shape), targetFeatures: target, sourceLogits: Tensor.zeros([target.shape[0], 2]),
                    targetLogits: Tensor.zeros([target.shape[0], 2]), sourceLabels: Array(repeating: 0, count: target.shape[0]),
                    modules: [:], iteration: 0, head: head)
    }
}
