// Test-time scales (evaluate(..., scales=true)): each image is also read with its lab's centre crop about a seventh smaller
// and larger, and the class probabilities are averaged over the three crops' evaluations.
import Foundation
import SmearAdapt
import SmearData
import SmearNN
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class TestScalesTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-test-scales-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testAScaledPipeline_scalesItsCentreCropAndRegion_andKeepsEveryOtherStep() {
        var p = ImagePipeline.evaluation(crop: 200, outputSize: 32, mean: [0.8, 0.7, 0.7], std: [0.2, 0.2, 0.1])
        p.steps.append(Dihedral(fixed: 3))
        let zoomedOut = p.centreCropScaled(by: 1.15), zoomedIn = p.centreCropScaled(by: 1 / 1.15)
        XCTAssertEqual(zoomedOut.steps.map(\.name), ["CenterCrop(230)", p.steps[1].name])
        XCTAssertEqual(zoomedIn.steps.map(\.name), ["CenterCrop(174)", p.steps[1].name], "200 / 1.15 = 173.9")
        XCTAssertEqual(zoomedOut.regionSide, 230); XCTAssertEqual(zoomedIn.regionSide, 174)
        XCTAssertEqual(zoomedOut.outputSize, 32, "still resized to the working size")
        XCTAssertEqual(p.centreCropScaled(by: 1).steps.map(\.name), p.steps.map(\.name))
    }

    func testScales_giveTheMeanOfTheThreeCropsProbabilities_andTheReportSaysSo() throws {
        var config = TinyRun.config(epochs: 1)
        config.iterationsPerEpoch = 1
        config.targetCrop = 120   // inside the sample's frames at every scale, so no crop is clamped to the image
        let t = try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        t.report = { _, _ in }
        try t.run()
        // a fresh head's weights are small, so every view's probabilities are near 1/5; larger weights let them differ
        withNoGrad { for p in t.net.head.parameters where p.shape.count == 2 { p.assign(p * 100) } }
        let target = t.data.target
        let e = try t.evaluate(target, checkpoint: nil, lab: .target, options: EvaluationOptions(tta: true, scales: true))
        var expected = [Float](repeating: 0, count: target.count * 5)
        var views: [[Float]] = []
        for s in [1 / 1.15, 1, 1.15] {
            let view = try Evaluation.run(t.net, on: target, pipeline: t.targetPipeline(training: false).centreCropScaled(by: s), orientations: true)
            let p = withNoGrad { view.logits.softmax(axis: 1) }.scalars
            views.append(p)
            for i in p.indices { expected[i] += p[i] / 3 }
        }
        assertClose(withNoGrad { e.logits.softmax(axis: 1) }.scalars, expected, atol: 1e-6, "the mean of the three crops' probabilities")
        XCTAssertGreaterThan(zip(views[0], views[2]).map { abs($0 - $1) }.max() ?? 0, 2e-5, "the crops are different views (by more than the tolerance above)")
        XCTAssertTrue(t.reportTitle(target, scored: e.predictions.count, checkpoint: "latest", options: EvaluationOptions(tta: true, scales: true))
            .contains("8 orientations at 3 scales"))
    }
}
