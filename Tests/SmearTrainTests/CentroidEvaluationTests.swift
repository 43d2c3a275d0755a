// evaluate(..., centroids=true): the report's predictions are SHOT's centroid labels of the same network's features
// and probabilities on the same images, and its scores' argmax is that label; the run is not changed by it. A run with
// labelled target cells anchors the centroids on them and scores only the other cells.
import Foundation
import SmearAdapt
import SmearData
import SmearMetrics
import SmearTensor
import SmearTrain
import SmearTestSupport
import XCTest

final class CentroidEvaluationTests: XCTestCase {
    func testCentroidEvaluation_predictsShotsLabelsOfThePlainEvaluationsFeatures() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-centroids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        t.report = { _, _ in }
        try t.run()
        let plain = try Evaluation.run(t.net, on: t.data.target, pipeline: t.targetPipeline(training: false), keepFeatures: true)
        let n = plain.labels.count
        let features = plain.features!.contiguous().scalars
        let expected = CentroidLabels.assign(features: features, probabilities: withNoGrad { plain.logits.softmax(axis: 1) }.scalars, count: n)
        let relabelled = try t.evaluate(t.data.target, checkpoint: nil, lab: .target, options: EvaluationOptions(centroids: true))
        XCTAssertEqual(relabelled.predictions, expected.labels)
        assertClose(relabelled.logits.scalars, CentroidLabels.similarities(features: features, count: n, to: expected.centroids).flatMap { $0 },
                    atol: 1e-6, "the scores are the cosines to the centroids, not the classifier's logits")
        XCTAssertEqual(relabelled.samples.map(\.path), plain.samples.map(\.path))
        XCTAssertEqual(relabelled.labels, plain.labels, "the true labels stay for scoring")
        let again = try t.evaluate(t.data.target, checkpoint: nil, lab: .target)
        assertClose(again.logits.scalars, plain.logits.scalars, atol: 0, "the network is unchanged by the relabelling")
        XCTAssertTrue(t.reportTitle(t.data.target, scored: n, checkpoint: "latest", options: EvaluationOptions(centroids: true))
                        .contains("relabelled by the target's centroids"))
    }

    func testARunsLabelledCells_anchorTheCentroids_andAreNotScored() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-centroids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (t, whole, labelled) = try TinyRun.withFourLabelledCells(in: dir)
        // by hand: the scored cells then the labelled ones, one plain evaluation, the labelled ones as anchors
        let plain = try TinyRun.scoredThenLabelled(t)
        let n = t.data.target.count
        let anchors = TinyRun.labelledAsAnchors(t)
        let expected = CentroidLabels.assign(features: plain.features!.contiguous().scalars,
                                             probabilities: withNoGrad { plain.logits.softmax(axis: 1) }.scalars, count: n + 4, anchors: anchors)
        let unanchored = CentroidLabels.assign(features: withNoGrad { plain.features!.sliced(axis: 0, 0, n) }.contiguous().scalars,
                                               probabilities: withNoGrad { plain.logits.sliced(axis: 0, 0, n).softmax(axis: 1) }.scalars, count: n)
        let relabelled = try t.evaluate(whole, checkpoint: nil, lab: .target, options: EvaluationOptions(centroids: true))
        XCTAssertEqual(relabelled.samples.map(\.path), t.data.target.samples.map(\.path), "the labelled cells are not scored")
        XCTAssertEqual(relabelled.predictions, Array(expected.labels.prefix(n)))
        XCTAssertNotEqual(expected.centroids.map { $0 ?? [] }, unanchored.centroids.map { $0 ?? [] }, "the anchors move the centroids")
        assertClose(relabelled.logits.scalars, expected.scores.prefix(n).flatMap { $0 }, atol: 1e-6)
        let source = try Evaluation.run(t.net, on: t.data.source, pipeline: t.targetPipeline(training: false), keepFeatures: true)
        let other = try t.evaluate(t.data.source, checkpoint: nil, lab: .target, options: EvaluationOptions(centroids: true))
        XCTAssertThrowsError(try t.evaluate(labelled, checkpoint: nil, lab: .target, options: EvaluationOptions(centroids: true)),
                             "only labelled cells: nothing to score, an error rather than a crash")
        XCTAssertEqual(other.predictions, CentroidLabels.assign(features: source.features!.contiguous().scalars,
                                                                probabilities: withNoGrad { source.logits.softmax(axis: 1) }.scalars,
                                                                count: t.data.source.count).labels,
                       "another lab's images are relabelled without this lab's anchors")
    }
}
