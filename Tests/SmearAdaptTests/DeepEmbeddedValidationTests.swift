// Deep embedded validation (You et al. 2019): the control-variate formula by hand, and density ratios from
// the cross-fitted domain classifier against the known ratio of two Gaussians.
import Foundation
import SmearMetrics
import SmearTensor
import XCTest

final class DeepEmbeddedValidationTests: XCTestCase {
    /// w = [0.5, 1, 2, 1.5], ℓ = [2, 1, 0.5, 1]: w·ℓ = [1, 1, 1, 1.5], mean 1.125; mean w 1.25, Var(w) 0.3125,
    /// Cov(w·ℓ, w) 0.03125, η = −0.1, DEV = 1.125 − 0.1·1.25 + 0.1 = 1.1. Constant weights give the mean loss.
    func testRisk_controlVariate_byHand() {
        XCTAssertEqual(DeepEmbeddedValidation.risk(weights: [0.5, 1, 2, 1.5], losses: [2, 1, 0.5, 1]), 1.1, accuracy: 1e-12)
        XCTAssertEqual(DeepEmbeddedValidation.risk(weights: [1, 1, 1], losses: [0.3, 0.6, 0.9]), 0.6, accuracy: 1e-12)
    }

    /// Source N(0, I₈), target N(e₁, I₈): the true ratio is exp(x₁ − ½). The estimated ratios rank the source
    /// points like the true ones (Spearman > 0.8) and average about 1 over the source (E_s[w] = 1; within 0.25).
    func testDensityRatios_followTheTrueRatioOfTwoGaussians() {
        var g = RandomGenerator(seed: 11)
        let (n, m, d) = (600, 600, 8)
        let source = (0..<(n * d)).map { _ in g.nextNormal() }
        let target = (0..<(m * d)).map { i in g.nextNormal() + (i % d == 0 ? 1 : 0) }
        let w = DeepEmbeddedValidation.densityRatios(source: Tensor(source, shape: [n, d]), target: Tensor(target, shape: [m, d]))
        let truth = (0..<n).map { exp(Double(source[$0 * d]) - 0.5) }
        XCTAssertGreaterThan(spearman(w, truth), 0.8)
        XCTAssertEqual(w.reduce(0, +) / Double(n), 1, accuracy: 0.25)
    }

    func spearman(_ a: [Double], _ b: [Double]) -> Double {
        func ranks(_ v: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: v.count)
            for (rank, i) in v.indices.sorted(by: { v[$0] < v[$1] }).enumerated() { r[i] = Double(rank) }
            return r
        }
        let (ra, rb) = (ranks(a), ranks(b)), n = Double(a.count), mean = (n - 1) / 2
        let cov = zip(ra, rb).reduce(0) { $0 + ($1.0 - mean) * ($1.1 - mean) }
        let va = ra.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return cov / va
    }
}
