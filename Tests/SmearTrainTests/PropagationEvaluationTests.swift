// evaluate(..., propagate=true): the report's predictions are label spreading over the same network's features and
// probabilities on the same images, its logits the log of the spread distributions; the run is not changed by it. A run
// with labelled target cells puts them in the graph with their labels and scores only the other cells.
import Foundation
import SmearAdapt
import SmearData
import SmearMetrics
import SmearTensor
import SmearTrain
import SmearTestSupport
import XCTest

final class PropagationEvaluationTests: XCTestCase {
    func testPropagatedEvaluation_spreadsThePlainEvaluationsProbabilities() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-propagation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        t.report = { _, _ in }
        try t.run()
        let plain = try Evaluation.run(t.net, on: t.data.target, pipeline: t.targetPipeline(training: false), keepFeatures: true)
        let n = plain.labels.count
        let expected = LabelPropagation.spread(features: plain.features!.contiguous().scalars,
                                               probabilities: withNoGrad { plain.logits.softmax(axis: 1) }.scalars, count: n)
        let spread = try t.evaluate(t.data.target, checkpoint: nil, lab: .target, options: EvaluationOptions(propagate: true))
        XCTAssertEqual(spread.predictions, expected.labels)
        assertClose(withNoGrad { spread.logits.softmax(axis: 1) }.scalars, expected.distributions.flatMap { $0 }.map(Float.init), atol: 1e-6,
                    "softmax of the logits gives the spread distributions back")
        XCTAssertEqual(spread.samples.map(\.path), plain.samples.map(\.path))
        XCTAssertEqual(spread.labels, plain.labels, "the true labels stay for scoring")
        let again = try t.evaluate(t.data.target, checkpoint: nil, lab: .target)
        assertClose(again.logits.scalars, plain.logits.scalars, atol: 0, "the network is unchanged by the spreading")
        XCTAssertThrowsError(try t.evaluate(t.data.target, checkpoint: nil, lab: .target, options: EvaluationOptions(centroids: true, propagate: true)))
    }

    func testARunsLabelledCells_enterTheGraphWithTheirLabels_andAreNotScored() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-propagation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (t, whole, labelled) = try TinyRun.withFourLabelledCells(in: dir)
        // by hand: the scored cells then the labelled ones, one plain evaluation, the labelled ones as anchors
        let plain = try TinyRun.scoredThenLabelled(t)
        let n = t.data.target.count
        let anchors = TinyRun.labelledAsAnchors(t)
        let expected = LabelPropagation.spread(features: plain.features!.contiguous().scalars,
                                               probabilities: withNoGrad { plain.logits.softmax(axis: 1) }.scalars, count: n + 4, anchors: anchors)
        let spread = try t.evaluate(whole, checkpoint: nil, lab: .target, options: EvaluationOptions(propagate: true))
        XCTAssertEqual(spread.samples.map(\.path), t.data.target.samples.map(\.path), "the labelled cells are not scored")
        XCTAssertEqual(spread.predictions, Array(expected.labels.prefix(n)))
        assertClose(withNoGrad { spread.logits.softmax(axis: 1) }.scalars, expected.distributions.prefix(n).flatMap { $0 }.map(Float.init), atol: 1e-6)
        XCTAssertThrowsError(try t.evaluate(labelled, checkpoint: nil, lab: .target, options: EvaluationOptions(propagate: true)),
                             "only labelled cells: nothing to score, an error rather than a crash")
    }
}
