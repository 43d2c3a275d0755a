// Head-only first steps (head_only_steps, LP-FT): the backbone is frozen for the run's first steps while the heads
// train as they would, then everything trains; a run resumed across the thaw equals an uninterrupted one.
import Foundation
import MDDMethod
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class HeadOnlyStepsTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-head-only-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func trainer(_ name: String, headOnlySteps: Int, epochs: Int = 1, iterations: Int = 3) throws -> Trainer {
        var config = TinyRun.config(epochs: epochs)
        config.iterationsPerEpoch = iterations
        config.headOnlySteps = headOnlySteps
        let t = try Trainer(config: config, method: MDD(options: try MDD.descriptor.resolve([:])), data: try TinyRun.data(),
                            directory: dir.appendingPathComponent(name))
        t.report = { _, _ in }
        return t
    }

    func scalars(_ m: Module) -> [[Float]] { m.parameters.map(\.scalars) }

    /// One step: the heads' update depends only on the gradient at the first weights, so it is the same bit for bit
    /// with the backbone frozen or not; the frozen backbone keeps its weights, and its batch-norm statistics still
    /// follow the batch.
    func testOneFrozenStep_movesTheHeadsExactlyAsAPlainStep_andLeavesTheBackboneWeights() throws {
        let frozen = try trainer("frozen", headOnlySteps: 1, iterations: 1), plain = try trainer("plain", headOnlySteps: 0, iterations: 1)
        let start = scalars(frozen.net.backbone)
        let startStatistics = frozen.net.backbone.namedBuffers().map(\.1.scalars)
        XCTAssertEqual(start, scalars(plain.net.backbone), "both runs start from the same weights")
        try frozen.run(); try plain.run()
        XCTAssertEqual(scalars(frozen.net.backbone), start, "the frozen backbone keeps every weight")
        XCTAssertNotEqual(scalars(plain.net.backbone), start, "a plain step moves the backbone")
        XCTAssertNotEqual(frozen.net.backbone.namedBuffers().map(\.1.scalars), startStatistics, "batch-norm statistics follow the batch")
        XCTAssertEqual(scalars(frozen.net.bottleneck), scalars(plain.net.bottleneck))
        XCTAssertEqual(scalars(frozen.net.head), scalars(plain.net.head))
        XCTAssertEqual(frozen.history[0].stepLosses!, plain.history[0].stepLosses!, "the same losses at the same weights")
    }

    func testTheBackboneThaws_afterTheHeadOnlySteps() throws {
        let allFrozen = try trainer("all", headOnlySteps: 3), thawed = try trainer("thawed", headOnlySteps: 2)
        let start = scalars(allFrozen.net.backbone)
        try allFrozen.run(); try thawed.run()
        XCTAssertEqual(scalars(allFrozen.net.backbone), start, "frozen for every step of the run")
        XCTAssertNotEqual(scalars(thawed.net.backbone), start, "the third step moves the backbone")
    }

    func testAResumeAcrossTheThaw_givesTheSameWeightsAsAnUninterruptedRun() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try trainer($0, headOnlySteps: 4, epochs: $1) }
    }
}
