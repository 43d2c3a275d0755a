// Settings that change how a run trains, in a run: MixStyle (mixstyle=p, docs/algorithms.md §1.10), whose draws are
// seeded by the run's seed and the step, label smoothing on the source (label_smoothing=ε, §1.11) and crops measured
// per image (cell_crop="image", §1.4), scale jitter (scale_jitter=s, §1.4), padded small frames (small_frames="pad",
// §1.4), the contrastive loss on the target (contrastive=w, §1.12) and the target's low-frequency spectrum on the
// source images (spectrum_transfer=β, §1.13). Each run is reproducible, resumes as an
// uninterrupted one, and with the setting on trains otherwise than without.
import Foundation
import SmearAdapt
import SmearData
import SmearTrain
import XCTest

final class TrainingSettingRunTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-setting-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func mixStyle(_ name: String, probability: Double?, epochs: Int = 1) throws -> Trainer {
        try TinyRun.mddTrainer(in: dir, name, epochs: epochs) { $0.mixStyleProbability = probability }
    }

    func smoothed(_ name: String, smoothing: Float?, epochs: Int = 1) throws -> Trainer {
        try TinyRun.mddTrainer(in: dir, name, epochs: epochs) { $0.labelSmoothing = smoothing }
    }

    func contrastive(_ name: String, weight: Float?, epochs: Int = 1) throws -> Trainer {
        try TinyRun.mddTrainer(in: dir, name, epochs: epochs) {
            $0.contrastiveWeight = weight; $0.network.projection = weight == nil ? nil : true
        }
    }

    func spectrum(_ name: String, beta: Double?, epochs: Int = 1) throws -> Trainer {
        try TinyRun.mddTrainer(in: dir, name, epochs: epochs) { $0.spectrumTransferBeta = beta }
    }

    /// Trains the two runs with a setting and the one without it: the first trains finitely, the two with it end with
    /// the same weights, and the one without it with others.
    func assertRunsWithTheSetting(_ first: Trainer, _ again: Trainer, trainAlike seeded: String, butNot plain: Trainer,
                                  _ differs: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try first.run(); try again.run(); try plain.run()
        XCTAssertTrue(first.history[0].classificationLoss.isFinite, file: file, line: line)
        XCTAssertEqual(TinyRun.weights(first), TinyRun.weights(again), seeded, file: file, line: line)
        XCTAssertNotEqual(TinyRun.weights(first), TinyRun.weights(plain), differs, file: file, line: line)
    }

    func testARunWithMixStyle_isReproducible_andTrainsOtherwiseThanOneWithout() throws {
        let first = try mixStyle("a", probability: 1), again = try mixStyle("b", probability: 1), plain = try mixStyle("c", probability: nil)
        XCTAssertEqual(first.net.backbone.mixStyle.count, 2, "the backbone's two points")
        XCTAssertTrue(plain.net.backbone.mixStyle.isEmpty)
        try assertRunsWithTheSetting(first, again, trainAlike: "λ, the partners and the coin are seeded by the run's seed and the step",
                                     butNot: plain, "")
    }

    func testAResumedRunWithMixStyle_drawsAsAnUninterruptedOne() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try mixStyle($0, probability: 0.5, epochs: $1) }
    }

    func testARunWithLabelSmoothing_isReproducible_andTrainsOtherwiseThanOneWithout() throws {
        let first = try smoothed("a", smoothing: 0.1), again = try smoothed("b", smoothing: 0.1), plain = try smoothed("c", smoothing: nil)
        try assertRunsWithTheSetting(first, again, trainAlike: "", butNot: plain, "the source's cross-entropy is the smoothed one")
    }

    func testAResumedRunWithLabelSmoothing_trainsAsAnUninterruptedOne() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try smoothed($0, smoothing: 0.1, epochs: $1) }
    }

    func testCropsPerImage_reachEveryPipelineOfBothLabs_measuredAgainstEachLabsMedian() throws {
        let perImage = try TinyRun.mddTrainer(in: dir, "a") { $0.cellCrop = .image }
        let plain = try TinyRun.mddTrainer(in: dir, "b") { $0.cellCrop = nil }
        let sourceMedian = try CellScale.measure(perImage.data.source).diameterPixels
        let targetMedian = try CellScale.measure(perImage.data.target).diameterPixels
        for training in [true, false] {
            XCTAssertEqual(perImage.sourcePipeline(training: training).cellZoom?.labDiameter, sourceMedian)
            XCTAssertEqual(perImage.targetPipeline(training: training).cellZoom?.labDiameter, targetMedian)
            XCTAssertNil(plain.sourcePipeline(training: training).cellZoom)
            XCTAssertNil(plain.targetPipeline(training: training).cellZoom)
        }
        XCTAssertNotNil(perImage.weakTargetPipeline().cellZoom, "FixMatch's weak view crops as the evaluation does")
        XCTAssertEqual(perImage.targetPipeline(training: true).cellZoom?.exponent, 1)
        let halfway = try TinyRun.mddTrainer(in: dir, "h") { $0.cellCrop = .halfway }
        for training in [true, false] {
            XCTAssertEqual(halfway.sourcePipeline(training: training).cellZoom?.exponent, 0.5)
            XCTAssertEqual(halfway.targetPipeline(training: training).cellZoom?.labDiameter, targetMedian, "the same median, halfway")
        }
        try perImage.run(); try plain.run()
        XCTAssertTrue(perImage.history[0].classificationLoss.isFinite)
        XCTAssertNotEqual(TinyRun.weights(perImage), TinyRun.weights(plain), "the network saw other crops")
    }

    func testPaddedSmallFrames_reachEveryCentreCropOfBothLabs_inTrainingAndEvaluation() throws {
        let padded = try TinyRun.mddTrainer(in: dir, "a") { $0.smallFrames = .pad }
        let plain = try TinyRun.mddTrainer(in: dir, "b") { $0.smallFrames = nil }
        for training in [true, false] {
            for (lab, pipeline) in [("source", padded.sourcePipeline(training: training)), ("target", padded.targetPipeline(training: training))] {
                let crops = pipeline.steps.compactMap { $0 as? CenterCrop }
                XCTAssertFalse(crops.isEmpty, lab)
                XCTAssertTrue(crops.allSatisfy(\.padsSmallFrames), "\(lab), training \(training)")
                XCTAssertTrue(pipeline.centreCropScaled(by: 1.15).steps.compactMap { $0 as? CenterCrop }.allSatisfy(\.padsSmallFrames),
                              "\(lab): test-time scales pad too")
            }
            XCTAssertFalse(plain.targetPipeline(training: training).steps.contains { ($0 as? CenterCrop)?.padsSmallFrames ?? false })
        }
    }

    func testScaleJitter_precedesTheCentreCropOfBothLabsTrainingPipelines_andNeverTheEvaluations() throws {
        let jittered = try TinyRun.mddTrainer(in: dir, "a") { $0.scaleJitter = 0.25 }
        let again = try TinyRun.mddTrainer(in: dir, "b") { $0.scaleJitter = 0.25 }
        let plain = try TinyRun.mddTrainer(in: dir, "c") { $0.scaleJitter = nil }
        for (lab, pipeline, unjittered) in [("source", jittered.sourcePipeline, plain.sourcePipeline), ("target", jittered.targetPipeline, plain.targetPipeline)] {
            let training = pipeline(true), evaluation = pipeline(false)
            let crop = try XCTUnwrap(training.steps.firstIndex { $0 is CenterCrop }, lab)
            XCTAssertEqual((training.steps[crop - 1] as? ScaleJitter)?.spread, 0.25, lab)
            XCTAssertEqual(training.steps.filter { $0 is ScaleJitter }.count, 1, lab)
            XCTAssertFalse(evaluation.steps.contains { $0 is ScaleJitter }, "\(lab): evaluation reads each image at its lab's scale")
            let region = try XCTUnwrap(unjittered(true).regionSide)
            XCTAssertEqual(training.regionSide, Int((Double(region) / 1.25).rounded(.down)), "\(lab): the narrowest view decodes enough pixels")
        }
        XCTAssertFalse(plain.sourcePipeline(training: true).steps.contains { $0 is ScaleJitter })
        try jittered.run(); try again.run(); try plain.run()
        XCTAssertTrue(jittered.history[0].classificationLoss.isFinite)
        XCTAssertEqual(TinyRun.weights(jittered), TinyRun.weights(again), "z is drawn from the loader's seeded stream")
        XCTAssertNotEqual(TinyRun.weights(jittered), TinyRun.weights(plain), "the network saw other fields of view")
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

    func testARunWithTheSpectrumTransfer_isReproducible_andTrainsOtherwiseThanOneWithout() throws {
        let first = try spectrum("a", beta: 0.01), again = try spectrum("b", beta: 0.01), plain = try spectrum("c", beta: nil)
        try assertRunsWithTheSetting(first, again, trainAlike: "the partners are seeded by the run's seed and the step",
                                     butNot: plain, "the source images are the transferred ones")
    }

    func testAResumedRunWithTheSpectrumTransfer_trainsAsAnUninterruptedOne() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try spectrum($0, beta: 0.01, epochs: $1) }
    }
}
