// FixMatch's consistency in a run (consistency=τ, docs/algorithms.md §1.8): the weak views hold the training batches'
// images, the loss joins the classification loss, and the weak pass itself changes nothing.
import Foundation
import SmearAdapt
import SmearData
import SmearNN
import SmearTestSupport
import SmearTrain
import XCTest

final class ConsistencyTrainingTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-consistency-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A one-step run, each lab through the network on its own (the source's logits do not depend on the target's).
    func trainer(_ name: String, threshold: Float?) throws -> Trainer {
        var config = TinyRun.config(epochs: 1)
        config.iterationsPerEpoch = 1
        config.forwardTogether = false
        config.consistencyThreshold = threshold
        let t = try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent(name))
        t.report = { _, _ in }
        return t
    }

    func testTheWeakViews_holdTheTrainingBatchesImagesInTheirOrder_epochAfterEpoch() throws {
        let t = try trainer("order", threshold: 0.95)
        let training = DataLoader(t.data.target, pipeline: t.targetPipeline(training: true), batchSize: 4, seed: 7, workers: 1)
        let weak = try XCTUnwrap(t.weakTargetLoader(matching: training))
        XCTAssertNil(try trainer("off", threshold: nil).weakTargetLoader(matching: training), "no weak views without consistency")
        for epoch in 0..<2 {
            for b in 0..<training.batchesPerEpoch {
                XCTAssertEqual(try weak.batch(epoch: epoch, index: b).indices, try training.batch(epoch: epoch, index: b).indices)
            }
        }
    }

    func testAThresholdEveryImageReaches_labelsTheWholeBatch_andItsLossJoinsTheClassificationLoss() throws {
        let with = try trainer("with", threshold: 0.2), without = try trainer("without", threshold: nil)   // 5 classes: top p ≥ 0.2
        try with.run(); try without.run()
        let d = with.history[0].diagnostics
        XCTAssertEqual(d["consistency_confident"], 1)
        let consistency = try XCTUnwrap(d["consistency_cls"])
        XCTAssertGreaterThan(consistency, 0.5, "an untrained network's cross-entropy on 5 classes is near log 5")
        XCTAssertNil(without.history[0].diagnostics["consistency_cls"])
        let (a, b) = (with.history[0].stepLosses![0][0], without.history[0].stepLosses![0][0])
        XCTAssertEqual(a, b + consistency, accuracy: 1e-4 * (1 + a), "classification loss = source CE + consistency")
    }

    func testAThresholdNoImageReaches_trainsExactlyAsARunWithoutConsistency() throws {
        var config = TinyRun.config(epochs: 1)
        config.consistencyThreshold = 1
        let with = try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent("τ1"))
        config.consistencyThreshold = nil
        let without = try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent("none"))
        with.report = { _, _ in }; without.report = { _, _ in }
        try with.run(); try without.run()
        XCTAssertEqual(with.history[0].diagnostics["consistency_confident"], 0)
        XCTAssertEqual(with.history[0].diagnostics["consistency_cls"], 0)
        let (a, b) = (Dictionary(uniqueKeysWithValues: with.net.stateDict()), Dictionary(uniqueKeysWithValues: without.net.stateDict()))
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (name, w) in a { XCTAssertEqual(w.scalars, b[name]!.scalars, "\(name): the weak pass (evaluation mode, no gradient) changes no weight or statistic") }
    }
}
