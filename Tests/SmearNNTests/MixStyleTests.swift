// MixStyle (mixstyle=p, docs/algorithms.md §1.10): the op against numpy (Tests/Fixtures/mixstyle.json, written by
// scripts/fixtures/make_mixstyle_fixtures.py), its two hand-checkable ends, its draws, and where the backbones apply it.
import Foundation
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class MixStyleTests: XCTestCase {
    struct Case: Decodable { let shape: [Int], lambdas: [Float], partner: [Int], x: [Float], w: [Float], out: [Float], grad: [Float] }
    struct Cases: Decodable { let eps: Float, cases: [Case] }

    func cases() throws -> Cases {
        try JSONDecoder().decode(Cases.self, from: Data(contentsOf: fixturesDirectory.appendingPathComponent("mixstyle.json")))
    }

    func testOutputAndGradient_matchNumpy_inEitherMemoryFormat() throws {
        let fixture = try cases()
        XCTAssertEqual(fixture.eps, MixStyle.eps)
        for c in fixture.cases {
            let mixture = StyleMixture(lambdas: c.lambdas, partner: c.partner)
            for channelsLast in [false, true] {
                let plain = Tensor(c.x, shape: c.shape)
                let x = (channelsLast ? plain.channelsLast() : plain).requiringGrad()
                let out = mixture.apply(x)
                assertClose(out.scalars, c.out, atol: 1e-5, rtol: 1e-5, "output, channels-last \(channelsLast)")
                (out * Tensor(c.w, shape: c.shape)).sum().backward()
                assertClose(x.grad!.scalars, c.grad, atol: 1e-5, rtol: 1e-5, "gradient, channels-last \(channelsLast)")
            }
        }
    }

    func testAWeightOfOne_leavesTheFeatures_andZero_givesThePartnersStatistics() {
        let x = Tensor((0..<48).map { Float($0 % 7) * 0.5 + Float($0 / 16) }, shape: [3, 2, 2, 4])
        assertClose(StyleMixture(lambdas: [1, 1, 1], partner: [1, 2, 0]).apply(x).scalars, x.scalars, atol: 1e-5, rtol: 0, "λ = 1")
        let swapped = StyleMixture(lambdas: [0, 0, 0], partner: [1, 2, 0]).apply(x).scalars
        func stats(_ v: [Float], _ image: Int, _ channel: Int) -> (Float, Float) {
            let s = Array(v[(image * 2 + channel) * 8..<((image * 2 + channel) * 8 + 8)])
            let m = s.reduce(0, +) / 8
            return (m, (s.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 7).squareRoot())
        }
        for image in 0..<3 {
            for channel in 0..<2 {
                let (m, s) = stats(swapped, image, channel), (pm, ps) = stats(x.scalars, [1, 2, 0][image], channel)
                XCTAssertEqual(m, pm, accuracy: 1e-4, "image \(image) takes its partner's mean")
                XCTAssertEqual(s, ps, accuracy: 1e-4, "and its partner's standard deviation")
            }
        }
    }

    func testDraws_areSeeded_gatedByTheProbability_andBetaOfOneTenth() {
        let a = MixStyle(probability: 0.5, seed: 3), b = MixStyle(probability: 0.5, seed: 3)
        for _ in 0..<20 { XCTAssertEqual(a.nextMixture(count: 5), b.nextMixture(count: 5)) }
        let always = MixStyle(probability: 1, seed: 4), half = MixStyle(probability: 0.5, seed: 5)
        var mixed = 0, lambdas: [Double] = []
        for _ in 0..<4000 {
            let m = always.nextMixture(count: 4)
            XCTAssertNotNil(m)
            XCTAssertEqual(m?.partner.sorted(), [0, 1, 2, 3])
            lambdas += m?.lambdas.map(Double.init) ?? []
            if half.nextMixture(count: 4) != nil { mixed += 1 }
        }
        XCTAssertEqual(Double(mixed) / 4000, 0.5, accuracy: 0.03, "p 0.5: about half the passes mix")
        let mean = lambdas.reduce(0, +) / Double(lambdas.count)
        let variance = lambdas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(lambdas.count - 1)
        XCTAssertEqual(mean, 0.5, accuracy: 0.01)
        XCTAssertEqual(variance, 1 / (4 * (2 * MixStyle.alpha + 1)), accuracy: 0.01, "Beta(0.1, 0.1): 1/(4·1.2)")
    }

    func testBackbones_mixAfterTheirStrideFourAndEightBlocks_inTrainingOnly() {
        XCTAssertEqual(EfficientNetLite(.lite0, numClasses: nil).mixStyleBlocks, [2, 4], "24 and 40 channels")
        XCTAssertEqual(EfficientNetLite(.lite2, numClasses: nil).mixStyleBlocks, [3, 6])
        GlobalRandom.seed(1)
        let backbones: [any Backbone] = [EfficientNetLite(.lite0, numClasses: nil), ResNet18(numClasses: nil, width: 8)]
        let x = Tensor.normal([4, 3, 32, 32], std: 1)
        for net in backbones {
            net.eval()
            let before = net.features(x).scalars
            net.mixStyle = [MixStyle(probability: 1, seed: 1), MixStyle(probability: 1, seed: 2)]
            XCTAssertEqual(net.features(x).scalars, before, "\(type(of: net)): evaluation never mixes")
            net.train()
            let mixedOnce = net.features(x).scalars
            net.mixStyle = []
            XCTAssertNotEqual(mixedOnce, net.features(x).scalars, "\(type(of: net)): training with p 1 mixes")
        }
    }
}
