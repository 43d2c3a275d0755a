// Scale jitter (scale_jitter = s, ScaleJitter, docs/algorithms.md §1.4): z is log-uniform in [1/(1+s), 1+s], and the
// centre crop after it is z times the lab's crop (clamped to the frame as every crop is), from the same draw.
import Foundation
import SmearData
import SmearTensor
import XCTest

final class ScaleJitterTests: XCTestCase {
    let jitter = ScaleJitter(spread: 0.25)

    func testTheFactor_spansOneOverOnePlusSToOnePlusS_symmetricInLog() {
        XCTAssertEqual(jitter.factor(uniform: 0), 0.8, accuracy: 1e-12, "1 / 1.25")
        XCTAssertEqual(jitter.factor(uniform: 0.5), 1, accuracy: 1e-12, "the middle draw keeps the lab's scale")
        XCTAssertEqual(jitter.factor(uniform: 1), 1.25, accuracy: 1e-12)
        XCTAssertEqual(jitter.factor(uniform: 0.75), 1.25.squareRoot(), accuracy: 1e-12, "halfway up in log")
        for u: Float in [0.1, 0.3, 0.9] {
            XCTAssertEqual(jitter.factor(uniform: u) * jitter.factor(uniform: 1 - u), 1, accuracy: 1e-6, "u and 1 − u are reciprocal")
        }
    }

    /// Many draws: every factor in range, ln z uniform on [−ln 1.25, ln 1.25] (mean 0, variance (ln 1.25)² / 3).
    func testDraws_areLogUniformOverTheRange() {
        var rng = RandomGenerator(seed: 7)
        let logs = (0..<20_000).map { _ -> Double in
            var image = FloatImage(width: 4, height: 4, data: [Float](repeating: 0, count: 48))
            jitter.apply(&image, &rng)
            return log(1 / image.scale)
        }
        let a = log(1.25)
        XCTAssertTrue(logs.allSatisfy { abs($0) <= a + 1e-9 })
        let mean = logs.reduce(0, +) / Double(logs.count)
        let variance = logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count)
        XCTAssertEqual(mean, 0, accuracy: 4 * a / (3.0.squareRoot() * Double(logs.count).squareRoot()), "four standard errors")
        XCTAssertEqual(variance, a * a / 3, accuracy: 0.03 * a * a / 3)
    }

    /// Before a centre crop of 100 px, the crop is 100·z px of the frame, z from the step's own draw; a field of view
    /// wider than the frame is the whole frame.
    func testTheCentreCropAfterIt_isZTimesTheLabsCrop_clampedToTheFrame() {
        for (frame, expectedSide) in [(200, { (z: Double) in Int((100 * z).rounded()) }), (110, { z in min(110, Int((100 * z).rounded())) })] {
            let chain = ImagePipeline(steps: [jitter, CenterCrop(100)], outputSize: 16)
            for seed in UInt64(1)...UInt64(40) {
                var rng = RandomGenerator(seed: seed), replay = RandomGenerator(seed: seed)
                let z = jitter.factor(uniform: replay.nextUniform())
                var image = FloatImage(width: frame, height: frame, data: [Float](repeating: 0.5, count: frame * frame * 3))
                for step in chain.steps { step.apply(&image, &rng) }
                XCTAssertEqual(image.width, expectedSide(z), "frame \(frame), z \(z)")
                XCTAssertEqual(image.height, image.width)
            }
        }
    }
}
