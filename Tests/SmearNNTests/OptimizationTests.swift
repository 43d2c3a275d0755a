// SGD semantics and the learning-rate schedules of algorithms.md §1.3.
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class OptimizationTests: XCTestCase {
    /// Hand-computed: p = 1, g = 0.5 every step, lr 0.1, momentum 0.9, wd 0.1, Nesterov.
    /// Step 1: d = 0.5 + 0.1·1 = 0.6; buf = 0.6; update d + 0.9·buf = 1.14 → p = 1 − 0.114 = 0.886.
    /// Step 2: d = 0.5 + 0.0886 = 0.5886; buf = 0.54 + 0.5886 = 1.1286; update 0.5886 + 1.01574 = 1.60434 → p = 0.725566.
    func testSGD_nesterovMomentumWeightDecay_handComputed() {
        let p = Tensor([1], shape: [1]).requiringGrad()
        let opt = SGD([p], lr: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true)
        for _ in 0..<2 { p.grad = Tensor([0.5], shape: [1]); opt.step() }
        XCTAssertEqual(p.item, 0.725566, accuracy: 1e-6)
    }

    func testSGD_groupMultipliers_scaleTheRate() {
        let backbone = Tensor([1], shape: [1]).requiringGrad(), head = Tensor([1], shape: [1]).requiringGrad()
        let opt = SGD(groups: [ParameterGroup("backbone", [backbone], lrMultiplier: 0.1), ParameterGroup("head", [head])], lr: 0.5)
        backbone.grad = Tensor([1], shape: [1]); head.grad = Tensor([1], shape: [1])
        opt.step()
        XCTAssertEqual(backbone.item, 0.95, accuracy: 1e-7)
        XCTAssertEqual(head.item, 0.5, accuracy: 1e-7)
    }

    /// A frozen group (head-only first steps) keeps its values and builds no momentum; once it thaws, its first step
    /// is a first step: p = 1, g = 0.5, lr 0.1, momentum 0.9, wd 0.1, no Nesterov: d = 0.6, buf = d → p = 0.94, where a
    /// buffer that had run on while frozen would have given a larger step.
    func testSGD_aFrozenGroup_takesNoStepAndNoMomentum_andThawsAsIfFresh() {
        let backbone = Tensor([1], shape: [1]).requiringGrad(), head = Tensor([1], shape: [1]).requiringGrad()
        let opt = SGD(groups: [ParameterGroup("backbone", [backbone]), ParameterGroup("head", [head])], lr: 0.1, momentum: 0.9, weightDecay: 0.1)
        opt.groups[0].frozen = true
        for _ in 0..<3 { backbone.grad = Tensor([0.5], shape: [1]); head.grad = Tensor([0.5], shape: [1]); opt.step() }
        XCTAssertEqual(backbone.item, 1, "frozen: no update, no weight decay")
        XCTAssertNotEqual(head.item, 1, "the other group trains")
        XCTAssertNil(opt.momentumBuffers[0], "no momentum builds while frozen")
        opt.groups[0].frozen = false
        backbone.grad = Tensor([0.5], shape: [1]); opt.step()
        XCTAssertEqual(backbone.item, 0.94, accuracy: 1e-7)
    }

    /// algorithms.md §1.3: lr_head(x) = 0.004·(1 + 2e-4·x)^−0.75.
    func testInverseDecay_matchesAlgorithmsTable() {
        let expected: [(Int, Float)] = [(0, 4.0e-3), (1000, 3.48878e-3), (5000, 2.37841e-3), (10000, 1.75477e-3),
                                        (20000, 1.19628e-3), (30000, 9.29472e-4)]
        for (x, lr) in expected {
            XCTAssertEqual(LearningRateSchedule.articleCode.rate(iteration: x, epoch: 0), lr, accuracy: lr * 1e-5, "x = \(x)")
        }
        // DANN's schedule (0.01, 1e-3, 0.75): 5.946e-3, 2.608e-3, 1.656e-3 at 1000, 5000, 10000.
        let dann = LearningRateSchedule.inverseDecay(lr: 0.01, gamma: 1e-3, decay: 0.75)
        for (x, lr) in [(1000, Float(5.946e-3)), (5000, 2.608e-3), (10000, 1.656e-3)] {
            XCTAssertEqual(dann.rate(iteration: x, epoch: 0), lr, accuracy: 1e-6, "DANN x = \(x)")
        }
    }

    /// algorithms.md §1.3: the blog's 1e-3 for epochs 0–19, 1e-4 for 20–39, 1e-5 for 40–49.
    func testStepDecay_matchesArticleText() {
        let s = LearningRateSchedule.articleText
        for (epoch, lr) in [(0, Float(1e-3)), (19, 1e-3), (20, 1e-4), (39, 1e-4), (40, 1e-5), (49, 1e-5)] {
            XCTAssertEqual(s.rate(iteration: 0, epoch: epoch), lr, accuracy: lr * 1e-5, "epoch \(epoch)")
        }
    }
}
