// Source batches drawn by the target's predicted class prior (`source_sampling = "target_prior"`): the first epoch
// draws the classes evenly, each later one by the shares the target was predicted in at the end of the epoch before,
// the cross-entropy is unweighted, and a resumed run draws exactly what an uninterrupted one did.
import Foundation
import MDDMethod
import SmearAdapt
import SmearMetrics
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class SourceSamplingTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-sampling-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func config(epochs: Int = 2) -> TrainingConfig {
        var c = TinyRun.config(epochs: epochs)
        c.sourceSampling = .targetPrior
        return c
    }

    func trainer(_ c: TrainingConfig, _ folder: String) throws -> Trainer {
        let t = try Trainer(config: c, method: MDD(options: try MDD.descriptor.resolve([:])), data: try TinyRun.data(),
                            directory: dir.appendingPathComponent(folder))
        t.report = { _, _ in }
        return t
    }

    func testEachEpoch_drawsBy_theSharesTheTargetWasPredictedIn_theEpochBefore() throws {
        let t = try trainer(config(epochs: 3), "run")
        XCTAssertEqual(t.sourceClassShares(epoch: 0), [0.2, 0.2, 0.2, 0.2, 0.2], "evenly before any prediction")
        XCTAssertEqual(t.classWeights.scalars, [0.2, 0.2, 0.2, 0.2, 0.2], "unweighted: the batches carry the prior")
        try t.run()
        for record in t.history {
            let shares = try XCTUnwrap(record.targetClassShares)
            XCTAssertEqual(shares.reduce(0, +), 1, accuracy: 1e-5)
            XCTAssertEqual(t.sourceClassShares(epoch: record.epoch), shares, "epoch \(record.epoch + 1) draws by epoch \(record.epoch)'s")
        }
        // The recorded shares are the mean softmax of the model's target predictions at the end of the epoch.
        let e = try Evaluation.run(t.net, on: t.data.target, pipeline: t.targetPipeline(training: false))
        for (a, b) in zip(try XCTUnwrap(t.history.last?.targetClassShares), UnsupervisedCriteria.predictedClassShares(logits: e.logits)) {
            XCTAssertEqual(a, b, accuracy: 1e-6)
        }
        let shuffled = try Trainer(config: TinyRun.config(), method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent("s"))
        XCTAssertNil(shuffled.sourceClassShares(epoch: 1))
        XCTAssertEqual(shuffled.classWeights.scalars, try TinyRun.data().source.inverseFrequencyWeights())
    }

    /// docs/algorithms.md §1.7: π = (0.4, 0.25, 0.35), K = 3 → (0.3667, 0.2917, 0.3417) for half_target_prior.
    func testHalfTargetPrior_drawsByTheMeanOfThePredictedShareAndAnEvenOne() throws {
        let half = try XCTUnwrap(SourceSampling.halfTargetPrior.classShares(predicted: [0.4, 0.25, 0.35], classes: 3))
        for (got, want) in zip(half, [0.3666667, 0.2916667, 0.3416667]) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        XCTAssertEqual(SourceSampling.halfTargetPrior.classShares(predicted: [0, 0, 1], classes: 3)?.min() ?? 0, 1.0 / 6, accuracy: 1e-12,
                       "a class predicted nowhere keeps half its even share")
        XCTAssertEqual(SourceSampling.halfTargetPrior.classShares(predicted: nil, classes: 4), [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(SourceSampling.targetPrior.classShares(predicted: [0.4, 0.25, 0.35], classes: 3), [0.4, 0.25, 0.35])
        XCTAssertNil(SourceSampling.shuffled.classShares(predicted: [0.4, 0.25, 0.35], classes: 3))
        var c = config(epochs: 2)
        c.sourceSampling = .halfTargetPrior
        let t = try trainer(c, "half")
        XCTAssertEqual(t.classWeights.scalars, [0.2, 0.2, 0.2, 0.2, 0.2], "unweighted: the batches carry the prior")
        try t.run()
        let predicted = try XCTUnwrap(t.history[0].targetClassShares)
        XCTAssertEqual(t.sourceClassShares(epoch: 1), predicted.map { ($0 + 0.2) / 2 })
    }

    func testResume_drawsTheSameBatches_asAnUninterruptedRun() throws {
        let savedThreads = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = savedThreads }
        let whole = try TinyRun.assertResumedRunMatchesUninterrupted { try trainer(config(epochs: $1), $0) }
        let shuffled = try Trainer(config: TinyRun.config(epochs: 2), method: MDD(options: try MDD.descriptor.resolve([:])), data: try TinyRun.data(),
                                   directory: dir.appendingPathComponent("shuffled"))
        shuffled.report = { _, _ in }
        try shuffled.run()
        XCTAssertNotEqual(shuffled.net.stateDict().last?.1.scalars, whole.net.stateDict().last?.1.scalars, "the sampling changes the run")
    }
}
