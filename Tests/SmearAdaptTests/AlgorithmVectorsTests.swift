// Every test vector of docs/algorithms.md for the adaptation building blocks and methods.
import DANNMethod
import EntMinMethod
import IMMethod
import MDDMethod
import SmearAdapt
import SmearMetrics
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class AlgorithmVectorsTests: XCTestCase {
    /// §1.1: coeff(i) for MDD's GRL (hi = 0.1, N = 1000).
    func testWarmStart_mddCoefficients_matchTable() {
        let s = WarmStartSchedule(alpha: 1, lo: 0, hi: 0.1, maxIters: 1000)
        let table: [(Int, Double)] = [(0, 0), (1, 5.0e-5), (100, 0.00499584), (500, 0.02449187), (1000, 0.04621172),
                                      (2000, 0.07615942), (5000, 0.09866143), (10000, 0.09999092), (30000, 0.1)]
        for (i, c) in table { XCTAssertEqual(s.coefficient(i), c, accuracy: 1e-7, "i = \(i)") }
        // Equals (hi − lo)·tanh(α·i/(2N)) + lo.
        XCTAssertEqual(s.coefficient(700), 0.1 * tanh(0.35), accuracy: 1e-12)
    }

    /// §2.2: DANN's GRL (hi = 1).
    func testWarmStart_dannCoefficients_matchTable() {
        let s = WarmStartSchedule(hi: 1)
        for (i, c) in [(0, 0.0), (100, 0.0499584), (500, 0.2449187), (1000, 0.4621172), (2000, 0.7615942), (5000, 0.9866143)] {
            XCTAssertEqual(s.coefficient(i), c, accuracy: 1e-7, "i = \(i)")
        }
    }

    func testGradientReversal_passesValues_andReversesScaledGradients() {
        let x = Tensor([1, -2, 3], shape: [3]).requiringGrad()
        let y = x.gradientReversed(coefficient: 0.25)
        XCTAssertEqual(y.scalars, [1, -2, 3])
        (y * Tensor([1, 2, 3], shape: [3])).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [-0.25, -0.5, -0.75])
        // Finite differences of the identity give +g; the recorded gradient is exactly −coefficient times that.
        let layer = GradientReverseLayer(schedule: WarmStartSchedule(hi: 0.1), autoStep: true, iteration: 1000)
        let z = Tensor([0.5, 1.5], shape: [2]).requiringGrad()
        layer(z).sum().backward()
        assertClose(z.grad!.scalars, [-0.04621172, -0.04621172], atol: 1e-7)
        XCTAssertEqual(layer.iteration, 1001, "auto-step advances on every forward")
    }

    /// §2.1: mdd = −5.1231782 at margin 4, −1.9688441 at margin 1.
    func testMDD_disparity_matchesAlgorithmsVector() {
        let ys = Tensor([2, 1, 0.1, 0.5, 2.5, 0], shape: [2, 3]), ysAdv = Tensor([1, 0, 0, 0, 0, 1], shape: [2, 3])
        let yt = Tensor([0, 0, 3, 1, 2, 0.5], shape: [2, 3]), ytAdv = Tensor([0.2, 0.1, 2, 0.3, 0.3, 0.3], shape: [2, 3])
        XCTAssertEqual(MDD.disparity(sourceLogits: ys, sourceAdv: ysAdv, targetLogits: yt, targetAdv: ytAdv, margin: 4).item,
                       -5.1231782, accuracy: 1e-5)
        XCTAssertEqual(MDD.disparity(sourceLogits: ys, sourceAdv: ysAdv, targetLogits: yt, targetAdv: ytAdv, margin: 1).item,
                       -1.9688441, accuracy: 1e-5)
    }

    /// §2.2: d_s = [.9, .6], d_t = [.2, .7] → 0.5108256; at chance ln 2.
    func testDANN_domainLoss_matchesAlgorithmsVector() {
        XCTAssertEqual(DANN.domainLoss(source: Tensor([0.9, 0.6], shape: [2, 1]), target: Tensor([0.2, 0.7], shape: [2, 1])).item,
                       0.5108256, accuracy: 1e-6)
        XCTAssertEqual(DANN.domainLoss(source: Tensor.full([4, 1], 0.5), target: Tensor.full([4, 1], 0.5)).item,
                       0.6931472, accuracy: 1e-6)
    }

    /// §1.6 / §2.3: entropy of softmax([2,1,.1]) and softmax([.5,2.5,0]): exact 0.846738, 0.587629;
    /// the article code's quirk 0.958351, 0.803763 (mean 0.881057).
    func testEntropy_exactAndArticleQuirk_matchAlgorithmsVectors() {
        let logits = Tensor([2, 1, 0.1, 0.5, 2.5, 0], shape: [2, 3])
        XCTAssertEqual(UnsupervisedCriteria.meanEntropy(logits: logits), 0.717183, accuracy: 1e-5)
        XCTAssertEqual(Double(Loss.entropy(logits: logits).item), 0.717183, accuracy: 1e-5)
        XCTAssertEqual(UnsupervisedCriteria.articleEntropy(logits: logits), 0.881057, accuracy: 1e-5)
        // K = 11: uniform gives ln 11 both ways; one-hot gives 0 exactly and ln(e + 10) − 1 in the quirk.
        XCTAssertEqual(UnsupervisedCriteria.meanEntropy(logits: Tensor.zeros([1, 11])), 2.397895, accuracy: 1e-5)
        XCTAssertEqual(UnsupervisedCriteria.articleEntropy(logits: Tensor.zeros([1, 11])), 2.397895, accuracy: 1e-5)
        var oneHot = [Float](repeating: -1000, count: 11); oneHot[3] = 1000
        XCTAssertEqual(UnsupervisedCriteria.articleEntropy(logits: Tensor(oneHot, shape: [1, 11])), 1.543040, accuracy: 1e-5)
        XCTAssertEqual(UnsupervisedCriteria.meanEntropy(logits: Tensor(oneHot, shape: [1, 11])), 0, accuracy: 1e-6)
    }

    /// §1.6: L = [[3,0,0],[2.5,.2,.1],[0,3,0],[.1,2,.3],[0,0,1]]: original SND 0.154272 at T = 0.05 and
    /// ≈ −0.00001 at T = 0.005; the article code's quirk value 0.972861 / 0.904832 (its snd is the negative).
    func testSND_originalAndArticleVariant_matchAlgorithmsVectors() {
        let l = Tensor([3, 0, 0, 2.5, 0.2, 0.1, 0, 3, 0, 0.1, 2, 0.3, 0, 0, 1], shape: [5, 3])
        XCTAssertEqual(UnsupervisedCriteria.snd(logits: l, temperature: 0.05), 0.154272, accuracy: 2e-5)
        XCTAssertEqual(UnsupervisedCriteria.snd(logits: l, temperature: 0.005), -0.000010, accuracy: 2e-6)
        XCTAssertEqual(UnsupervisedCriteria.snd(logits: l, temperature: 0.05, variant: .articleCode), -0.972861, accuracy: 2e-5)
        XCTAssertEqual(UnsupervisedCriteria.snd(logits: l, temperature: 0.005, variant: .articleCode), -0.904832, accuracy: 2e-5)
    }

    func testEntMin_transferLoss_isTheMeanTargetEntropy() {
        let method = EntMin(options: ["trade_off": 1])
        let t = Tensor([2, 1, 0.1, 0.5, 2.5, 0], shape: [2, 3])
        let ctx = StepContext(sourceFeatures: Tensor.zeros([2, 4]), targetFeatures: Tensor.zeros([2, 4]), sourceLogits: t,
                              targetLogits: t, sourceLabels: [0, 1], modules: [:], iteration: 0)
        XCTAssertEqual(method.transferLoss(ctx).loss.item, 0.717183, accuracy: 1e-5)
    }

    /// Information maximisation (not in algorithms.md; PyTorch float64):
    ///   l = torch.tensor([[2,1,0.1],[0.5,2.5,0]], dtype=torch.float64); p = l.softmax(1); m = p.mean(0)
    ///   -(p*p.log()).sum(1).mean() → 0.717183;  -(m*m.log()).sum() → 0.909837;  difference → -0.192654
    /// Past its warm start (weight tanh(i/2N) = 1) the loss is mean entropy − entropy of the mean, which is
    /// the IM selection criterion with the sign turned; at iteration 0 the weight, and so the loss, is 0.
    func testIM_transferLoss_isMeanEntropyMinusEntropyOfTheMean_afterItsWarmStart() throws {
        let t = Tensor([2, 1, 0.1, 0.5, 2.5, 0], shape: [2, 3])
        func loss(_ iteration: Int) throws -> Float {
            let ctx = StepContext(sourceFeatures: Tensor.zeros([2, 4]), targetFeatures: Tensor.zeros([2, 4]), sourceLogits: t,
                                  targetLogits: t, sourceLabels: [0, 1], modules: [:], iteration: iteration)
            return try InformationMaximization(options: ["trade_off": 1, "diversity": 1, "warm_up_iters": 10]).transferLoss(ctx).loss.item
        }
        XCTAssertEqual(try loss(1000), -0.192654, accuracy: 1e-5)
        XCTAssertEqual(Double(try loss(1000)), -UnsupervisedCriteria.informationMaximization(logits: t), accuracy: 1e-5)
        XCTAssertEqual(try loss(0), 0, accuracy: 1e-7)
        assertGradientsMatchFiniteDifferences([Tensor([2, 1, 0.1, 0.5, 2.5, 0, -1, 0.3, 0.2], shape: [3, 3])], "IM terms") { x in
            let (h, hm) = InformationMaximization.terms(logits: x[0])
            return h - hm
        }
    }
}
