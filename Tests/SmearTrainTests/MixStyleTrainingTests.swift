// MixStyle in a run (mixstyle=p, docs/algorithms.md §1.10): its draws are seeded by the run's seed and the step, so a
// run is reproducible and resumes as an uninterrupted one, and with the setting on it trains otherwise than without.
import Foundation
import MDDMethod
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class MixStyleTrainingTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-mixstyle-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func trainer(_ name: String, probability: Double?, epochs: Int = 1) throws -> Trainer {
        var config = TinyRun.config(epochs: epochs)
        config.iterationsPerEpoch = 3
        config.mixStyleProbability = probability
        let t = try Trainer(config: config, method: MDD(options: try MDD.descriptor.resolve([:])), data: try TinyRun.data(),
                            directory: dir.appendingPathComponent(name))
        t.report = { _, _ in }
        return t
    }

    func weights(_ t: Trainer) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: t.net.stateDict().map { ($0.0, $0.1.scalars) }) }

    func testARunWithMixStyle_isReproducible_andTrainsOtherwiseThanOneWithout() throws {
        let first = try trainer("a", probability: 1), again = try trainer("b", probability: 1), plain = try trainer("c", probability: nil)
        XCTAssertEqual(first.net.backbone.mixStyle.count, 2, "the backbone's two points")
        XCTAssertTrue(plain.net.backbone.mixStyle.isEmpty)
        try first.run(); try again.run(); try plain.run()
        XCTAssertTrue(first.history[0].classificationLoss.isFinite)
        XCTAssertEqual(weights(first), weights(again), "λ, the partners and the coin are seeded by the run's seed and the step")
        XCTAssertNotEqual(weights(first), weights(plain))
    }

    func testAResumedRun_drawsAsAnUninterruptedOne() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try trainer($0, probability: 0.5, epochs: $1) }
    }
}
