// The contrastive loss in a run (contrastive=w, docs/algorithms.md §1.12): the network gains a projection head that is
// saved with it and never changes a prediction's shape, the loss is recorded each epoch, and the run is reproducible,
// resumes as an uninterrupted one, and trains otherwise than one without it.
import Foundation
import SmearAdapt
import SmearData
import SmearTrain
import XCTest

final class ContrastiveRunTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-contrastive-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func contrastive(_ name: String, weight: Float?, epochs: Int = 1) throws -> Trainer {
        try TinyRun.mddTrainer(in: dir, name, epochs: epochs) {
            $0.contrastiveWeight = weight; $0.network.projection = weight == nil ? nil : true
        }
    }

    func testARunWithTheContrastiveLoss_isReproducible_recordsIt_andTrainsOtherwiseThanOneWithout() throws {
        let first = try contrastive("a", weight: 1), again = try contrastive("b", weight: 1), plain = try contrastive("c", weight: nil)
        XCTAssertNil(plain.net.projection, "no projection head without the loss")
        let widths = NetworkConfig.projectionWidths
        let saved = first.net.stateDict().filter { $0.0.hasPrefix("projection.") }.map { "\($0.1.shape)" }.sorted()
        XCTAssertEqual(saved, ["\([widths.hidden, first.net.backbone.featureDim])", "\([widths.hidden])", "\([widths.output, widths.hidden])",
                               "\([widths.output])"].sorted(), "Linear(D, 256), ReLU, Linear(256, 128), saved under projection")
        try first.run(); try again.run(); try plain.run()
        let recorded = try XCTUnwrap(first.history[0].diagnostics["contrastive"], "the epoch's mean NT-Xent is recorded")
        XCTAssertTrue(recorded > 0 && recorded.isFinite, "\(recorded)")
        XCTAssertNil(plain.history[0].diagnostics["contrastive"])
        XCTAssertEqual(TinyRun.weights(first), TinyRun.weights(again), "the second view's draws are seeded by the run's seed")
        XCTAssertNotEqual(TinyRun.weights(first).filter { !$0.key.hasPrefix("projection.") },
                          TinyRun.weights(plain), "the loss reaches the backbone")
    }

    func testAResumedRunWithTheContrastiveLoss_trainsAsAnUninterruptedOne() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try contrastive($0, weight: 1, epochs: $1) }
    }
}
