// Mixup on the source (mixup=α, docs/algorithms.md §1.9): the mixed images and loss by hand, Beta(α, α)'s moments,
// the loss's gradient, and runs that mix reproducibly.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class SourceMixupTests: XCTestCase {
    func testImagesAndLoss_areTheHandCheckedValuesOfAlgorithmsMd() {
        let mix = SourceMixup(lambda: 0.75, partner: [1, 0])
        XCTAssertEqual(mix.mixed(Tensor([1, 3, 5, 7], shape: [2, 2])).scalars, [2, 4, 4, 6])
        let loss = mix.crossEntropy(Tensor([2, 0, 0, 1], shape: [2, 2]), labels: [0, 1], weight: nil)
        XCTAssertEqual(loss.item, 0.595095, accuracy: 1e-5, "0.75 · 0.220095 + 0.25 · 1.720095")
        let weighted = mix.crossEntropy(Tensor([2, 0, 0, 1], shape: [2, 2]), labels: [0, 1], weight: Tensor([1, 3], shape: [2]))
        let plain = Loss.crossEntropy(Tensor([2, 0, 0, 1], shape: [2, 2]), labels: [0, 1], weight: Tensor([1, 3], shape: [2]))
        let swapped = Loss.crossEntropy(Tensor([2, 0, 0, 1], shape: [2, 2]), labels: [1, 0], weight: Tensor([1, 3], shape: [2]))
        XCTAssertEqual(weighted.item, 0.75 * plain.item + 0.25 * swapped.item, accuracy: 1e-6, "each term the class-weighted mean")
    }

    func testTheLossGradient_matchesFiniteDifferences() {
        let mix = SourceMixup(lambda: 0.3, partner: [2, 0, 1])
        assertGradientsMatchFiniteDifferences([Tensor([0.5, -1, 2, 0, 1, 1, -2, 0.3, 0.7], shape: [3, 3])]) {
            mix.crossEntropy($0[0], labels: [0, 2, 1], weight: Tensor([0.2, 0.5, 0.3], shape: [3]))
        }
    }

    func testLambda_followsBetaAlphaAlpha_andThePartnersArePermutations() {
        for (alpha, variance) in [(0.2, 0.178571), (2.0, 0.05)] {
            var g = RandomGenerator(seed: 11)
            var draws: [Double] = []
            for _ in 0..<20_000 {
                let mix = SourceMixup(alpha: alpha, count: 6, generator: &g)
                XCTAssertEqual(mix.partner.sorted(), Array(0..<6))
                draws.append(Double(mix.lambda))
            }
            let mean = draws.reduce(0, +) / Double(draws.count)
            let v = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)
            XCTAssertEqual(mean, 0.5, accuracy: 0.01, "α \(alpha)")
            XCTAssertEqual(v, variance, accuracy: 0.05 * variance, "α \(alpha): 1/(4(2α + 1))")
        }
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
        XCTAssertEqual(SourceMixup(alpha: 0.2, count: 8, generator: &a), SourceMixup(alpha: 0.2, count: 8, generator: &b), "seeded")
    }

    func testARunWithMixup_isReproducible_andTrainsOtherwiseThanOneWithout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-mixup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ name: String, alpha: Double?) throws -> [String: [Float]] {
            var config = TinyRun.config(epochs: 1)
            config.mixupAlpha = alpha
            let t = try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent(name))
            t.report = { _, _ in }
            try t.run()
            XCTAssertTrue(t.history[0].classificationLoss.isFinite)
            return Dictionary(uniqueKeysWithValues: t.net.stateDict().map { ($0.0, $0.1.scalars) })
        }
        let first = try run("a", alpha: 0.2), again = try run("b", alpha: 0.2), plain = try run("c", alpha: nil)
        XCTAssertEqual(first, again, "λ and the partners are seeded by the run's seed and the step")
        XCTAssertNotEqual(first, plain)
    }
}
