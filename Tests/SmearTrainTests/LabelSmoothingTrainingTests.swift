// Label smoothing in a run (label_smoothing=ε, docs/algorithms.md §1.11): the source's cross-entropy takes it, so a run
// trains otherwise than without it, reproducibly, and resumes as an uninterrupted one.
import Foundation
import MDDMethod
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class LabelSmoothingTrainingTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-smoothing-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func trainer(_ name: String, smoothing: Float?, epochs: Int = 1) throws -> Trainer {
        var config = TinyRun.config(epochs: epochs)
        config.iterationsPerEpoch = 3
        config.labelSmoothing = smoothing
        let t = try Trainer(config: config, method: MDD(options: try MDD.descriptor.resolve([:])), data: try TinyRun.data(),
                            directory: dir.appendingPathComponent(name))
        t.report = { _, _ in }
        return t
    }

    func weights(_ t: Trainer) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: t.net.stateDict().map { ($0.0, $0.1.scalars) }) }

    func testARunWithLabelSmoothing_isReproducible_andTrainsOtherwiseThanOneWithout() throws {
        let first = try trainer("a", smoothing: 0.1), again = try trainer("b", smoothing: 0.1), plain = try trainer("c", smoothing: nil)
        try first.run(); try again.run(); try plain.run()
        XCTAssertTrue(first.history[0].classificationLoss.isFinite)
        XCTAssertEqual(weights(first), weights(again))
        XCTAssertNotEqual(weights(first), weights(plain), "the source's cross-entropy is the smoothed one")
    }

    func testAResumedRun_trainsAsAnUninterruptedOne() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try trainer($0, smoothing: 0.1, epochs: $1) }
    }
}
