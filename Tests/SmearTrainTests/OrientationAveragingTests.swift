// Test-time augmentation: an evaluation over the 8 orientations of the square averages the class
// probabilities of 8 separate evaluations, one per fixed orientation.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class OrientationAveragingTests: XCTestCase {
    let pipeline = ImagePipeline.evaluation(crop: 200, outputSize: 32, mean: [0.8, 0.7, 0.7], std: [0.2, 0.2, 0.1])

    func testOrientations_giveTheMeanOfTheEightViewsProbabilities() throws {
        GlobalRandom.seed(7)
        let net = AdaptationNetwork(NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16))
        let data = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd")).split(fraction: 0.1, seed: 1).0
        let averaged = try Evaluation.run(net, on: data, pipeline: pipeline, batchSize: 8, keepFeatures: true, orientations: true)
        var expected = [Float](repeating: 0, count: data.count * 5), features = [Float](repeating: 0, count: data.count * 16)
        var views: [[Float]] = []
        for k in 0..<8 {
            var oriented = pipeline
            oriented.steps.append(Dihedral(fixed: k))
            let e = try Evaluation.run(net, on: data, pipeline: oriented, batchSize: 8, keepFeatures: true)
            let p = withNoGrad { e.logits.softmax(axis: 1) }.scalars
            views.append(p)
            for i in p.indices { expected[i] += p[i] / 8 }
            for (i, f) in e.features!.scalars.enumerated() { features[i] += f / 8 }
        }
        let probabilities = withNoGrad { averaged.logits.softmax(axis: 1) }.scalars
        assertClose(probabilities, expected, atol: 1e-6, "softmax of the returned logits = mean of the 8 views' probabilities")
        assertClose(averaged.features!.scalars, features, atol: 1e-5, "features: the mean of the 8 views'")
        XCTAssertGreaterThan(zip(views[0], views[5]).map { abs($0 - $1) }.max() ?? 0, 2e-5,
                             "an untrained network is not orientation-invariant, so the views differ (more than the tolerance above)")
        XCTAssertEqual(averaged.samples.map(\.path), data.samples.map(\.path))
    }
}
