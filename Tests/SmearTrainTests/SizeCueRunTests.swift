// The size cue (size_cue, docs/algorithms.md §1.4): with crops per image each image's clamped nucleus ratio, as
// CellZoom.sizeCue gives it, joins the backbone's features as the last input of the bottleneck's Linear. The network
// reads it exactly there, a run with it trains it (with mixup and FixMatch too), resumes as an uninterrupted one and
// evaluates with and without AdaBN, and a run or a record that asks for it without crops per image is refused.
import Foundation
import SmearAdapt
import SmearData
import SmearNN
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class SizeCueRunTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-size-cue-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func cueNetwork() -> AdaptationNetwork {
        var config = NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16)
        config.sizeCue = true
        return AdaptationNetwork(config)
    }

    /// z = W·[features, c] + b: the cue moves the bottleneck's pre-activation by c times the Linear's last column, and
    /// the rest of the network is what follows the Linear.
    func testTheCue_isTheBottlenecksLastInput() throws {
        GlobalRandom.seed(3)
        let net = cueNetwork()
        net.eval()
        let linear = try XCTUnwrap(net.bottleneck.layers.first as? Linear)
        let width = net.backbone.featureDim
        XCTAssertEqual(linear.weight.shape, [16, width + 1], "one more input than the backbone's features")
        let x = Tensor.normal([3, 3, 32, 32]), cues = Tensor([-1, 0.25, 1], shape: [3, 1])
        let features = withNoGrad { net.backbone.features(x) }
        let z = withNoGrad { linear(Tensor.concat([features, cues], axis: 1)) }.scalars
        let z0 = withNoGrad { linear(Tensor.concat([features, Tensor.zeros([3, 1])], axis: 1)) }.scalars
        let w = linear.weight.scalars
        for n in 0..<3 {
            for o in 0..<16 {
                XCTAssertEqual(z[n * 16 + o] - z0[n * 16 + o], cues.scalars[n] * w[o * (width + 1) + width], accuracy: 1e-5)
            }
        }
        let rest = Sequential(Array(net.bottleneck.layers.dropFirst()))
        let expected = withNoGrad { net.head(rest(Tensor(z, shape: [3, 16]))) }
        let (_, logits) = withNoGrad { net.featuresAndLogits(x, cellSizes: cues) }
        assertClose(logits.scalars, expected.scalars, atol: 1e-5, rtol: 1e-5, "the network's logits")
        let other = withNoGrad { net.featuresAndLogits(x, cellSizes: Tensor([1, 0.25, -1], shape: [3, 1])) }.1
        XCTAssertNotEqual(other.scalars, logits.scalars, "another cue, another reading")
        linear.weight.assign(Tensor(w.enumerated().map { $0.offset % (width + 1) == width ? 0 : $0.element }, shape: linear.weight.shape))
        let silenced = withNoGrad { net.featuresAndLogits(x, cellSizes: cues) }.1
        let silencedOther = withNoGrad { net.featuresAndLogits(x, cellSizes: Tensor([1, 0.25, -1], shape: [3, 1])) }.1
        XCTAssertEqual(silenced.scalars, silencedOther.scalars, "with its column zero the cue changes nothing")
    }

    func testImagesWithoutCues_areRefusedByName() {
        let net = cueNetwork()
        XCTAssertThrowsError(try net.featuresAndLogits([NetworkInput(images: Tensor.normal([2, 3, 32, 32]))])) { e in
            XCTAssertTrue("\(e)".contains("cell_crop"), "\(e)")
        }
        let plain = AdaptationNetwork(NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16))
        plain.eval()   // no dropout draws between the two calls
        let x = Tensor.normal([2, 3, 32, 32])
        XCTAssertEqual(try plain.featuresAndLogits([NetworkInput(images: x, cellSizes: Tensor([1, -1], shape: [2, 1]))]).1.scalars,
                       plain.featuresAndLogits(x).1.scalars, "a network without the cue ignores one")
    }

    func cueRun(_ name: String, cue: Bool = true, epochs: Int = 1) throws -> Trainer {
        try TinyRun.mddTrainer(in: dir, name, epochs: epochs) { $0.cellCrop = .image; $0.network.sizeCue = cue ? true : nil }
    }

    func testARunWithTheCue_trainsItsColumn_reproducibly_andOtherwiseThanWithout() throws {
        GlobalRandom.seed(5)
        let first = try cueRun("a")
        let linear = try XCTUnwrap(first.net.bottleneck.layers.first as? Linear)
        let width = first.net.backbone.featureDim
        let column = { (l: Linear) in stride(from: width, to: l.weight.scalars.count, by: width + 1).map { l.weight.scalars[$0] } }
        let before = column(linear)
        GlobalRandom.seed(5)
        let again = try cueRun("b")
        let plain = try cueRun("c", cue: false)
        try first.run(); try again.run(); try plain.run()
        XCTAssertTrue(first.history[0].classificationLoss.isFinite)
        XCTAssertNotEqual(column(linear), before, "the cue's column learns")
        XCTAssertEqual(TinyRun.weights(first), TinyRun.weights(again))
        XCTAssertNotEqual(first.net.bottleneck.parameters[0].shape, plain.net.bottleneck.parameters[0].shape)
    }

    /// The batches that join the step beside the source and target carry their cues too: mixup's mixed copy (each cue
    /// mixed as its image) and FixMatch's weak view.
    func testTheCue_reachesMixupsCopyAndFixMatchsWeakView() throws {
        let run = try TinyRun.mddTrainer(in: dir, "m") {
            $0.cellCrop = .image; $0.network.sizeCue = true; $0.mixupAlpha = 0.2; $0.consistencyThreshold = 0.5
        }
        try run.run()
        XCTAssertTrue(run.history[0].classificationLoss.isFinite)
        XCTAssertNotNil(run.history[0].diagnostics["consistency_confident"], "the weak view was predicted, with its cues")
        XCTAssertEqual(SourceMixup(lambda: 0.25, partner: [1, 0]).mixed(Tensor([1, -1], shape: [2, 1])).scalars, [-0.5, 0.5],
                       "a cue mixes as its image: 0.25 · 1 + 0.75 · (−1)")
    }

    func testAResumedRunWithTheCue_trainsAsAnUninterruptedOne() throws {
        try TinyRun.assertResumedRunMatchesUninterrupted { try cueRun($0, epochs: $1) }
    }

    /// Evaluation reads the cues its pipeline measures, with AdaBN too; a pipeline without crops per image has none to give.
    func testEvaluation_readsTheCues_andAPipelineWithoutThemIsRefused() throws {
        let run = try cueRun("e")
        try run.run()
        let pipeline = run.targetPipeline(training: false)
        let plain = try Evaluation.run(run.net, on: run.data.target, pipeline: pipeline)
        let adapted = try Evaluation.run(run.net, on: run.data.target, pipeline: pipeline, adaptBatchNorm: true)
        XCTAssertEqual(plain.logits.shape, [run.data.target.count, 5])
        XCTAssertNotEqual(plain.logits.scalars, adapted.logits.scalars, "AdaBN's statistics, recomputed with the cues")
        var withoutZoom = pipeline
        withoutZoom.cellZoom = nil
        XCTAssertThrowsError(try Evaluation.run(run.net, on: run.data.target, pipeline: withoutZoom)) { e in
            XCTAssertTrue("\(e)".contains("size_cue"), "\(e)")
        }
    }

    func testTheSetting_needsCropsPerImage_andARecordWithoutThemIsDamaged() throws {
        var spec = RunSpec()
        try spec.set("size_cue", .flag(true))
        XCTAssertThrowsError(try spec.trainingConfig(classes: 4)) { XCTAssertTrue("\($0)".contains("crops per image"), "\($0)") }
        try spec.set("cell_crop", .choice("halfway"))
        XCTAssertEqual(try spec.trainingConfig(classes: 4).network.sizeCue, true)
        try spec.set("bottleneck", .number(0))
        XCTAssertThrowsError(try spec.trainingConfig(classes: 4)) { XCTAssertTrue("\($0)".contains("bottleneck"), "\($0)") }
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).network.sizeCue, "no cue unless asked for")
        let run = try cueRun("r")
        var record = RunRecord(method: run.method, config: run.config, data: run.data)
        XCTAssertEqual(record.problems(), [])
        record.config.cellCrop = nil
        XCTAssertTrue(record.problems().contains { $0.contains("sizeCue") }, "\(record.problems())")
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(run.config))
        XCTAssertEqual(decoded.network.sizeCue, true, "run.json keeps it")
    }
}
