// evaluate(..., centroids=true): the report's predictions are SHOT's centroid labels of the same network's features
// and probabilities on the same images, and its scores' argmax is that label; the run is not changed by it.
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
}
