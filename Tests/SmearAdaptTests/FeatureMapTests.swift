// PCA through LAPACK and the proxy A-distance, on data whose answers are known.
import Foundation
import SmearMetrics
import SmearTensor
import XCTest

final class FeatureMapTests: XCTestCase {
    /// [[2, 1], [1, 2]]: eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
    func testSymmetricEigen_twoByTwo_byHand() throws {
        let (values, vectors) = try XCTUnwrap(LAPACK.symmetricEigen([Float]([2, 1, 1, 2]), n: 2))
        XCTAssertEqual(values[0], 1, accuracy: 1e-5); XCTAssertEqual(values[1], 3, accuracy: 1e-5)
        XCTAssertEqual(abs(vectors[1][0]), 1 / Float(2).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(vectors[1][0] * vectors[1][1], 0.5, accuracy: 1e-5, "same signs: (1, 1)/√2")
        XCTAssertEqual(vectors[0][0] * vectors[0][1], -0.5, accuracy: 1e-5, "opposite signs: (1, −1)/√2")
    }

    /// Points spread along (1, 2, 0) with small noise: the first component is that direction (|corr| > 0.99
    /// with the position along it), the second carries far less spread.
    func testPrincipalComponents_findTheLongAxis() {
        var g = RandomGenerator(seed: 2)
        let n = 300
        var t = [Float](), x = [Float]()
        for _ in 0..<n {
            let s = g.nextNormal() * 3
            t.append(s)
            x += [s + 0.05 * g.nextNormal(), 2 * s + 0.05 * g.nextNormal(), 0.05 * g.nextNormal()]
        }
        let p = FeatureMap.principalComponents(x, rows: n, width: 3)
        let first = p.map { $0[0] }, second = p.map { $0[1] }
        func corr(_ a: [Float], _ b: [Float]) -> Float {
            let ma = a.reduce(0, +) / Float(a.count), mb = b.reduce(0, +) / Float(b.count)
            let c = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            return c / (a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }.squareRoot() * b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }.squareRoot())
        }
        XCTAssertGreaterThan(abs(corr(first, t)), 0.99)
        XCTAssertLessThan(second.map { $0 * $0 }.reduce(0, +), 0.01 * first.map { $0 * $0 }.reduce(0, +))
    }

    /// Two samples of one distribution: about 0; two distributions 6σ apart: about 2.
    func testProxyADistance_sameAndSeparatedDomains() {
        var g = RandomGenerator(seed: 4)
        func sample(_ shift: Float) -> Tensor { Tensor((0..<(400 * 8)).map { i in g.nextNormal() + (i % 8 == 0 ? shift : 0) }, shape: [400, 8]) }
        let same = FeatureMap.proxyADistance(sample(0), sample(0))
        XCTAssertLessThan(abs(same), 0.3, "\(same)")
        let apart = FeatureMap.proxyADistance(sample(0), sample(6))
        XCTAssertGreaterThan(apart, 1.8, "\(apart)")
    }
}
