// AdaBN: batch-norm statistics recomputed on the target set, as a plain average over its batches, and
// put back afterwards so that evaluation never changes the network.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class AdaBNTests: XCTestCase {
    let pipeline = ImagePipeline.evaluation(crop: 200, outputSize: 32, mean: [0.8, 0.7, 0.7], std: [0.2, 0.2, 0.1])

    func target() throws -> ImageDataset {
        try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd")).split(fraction: 0.25, seed: 1).0
    }

    /// Per-channel means of [N, C, H, W] values, from their logical (NCHW) order.
    func channelMeans(_ t: Tensor) -> [Float] {
        let (n, c, hw) = (t.shape[0], t.shape[1], t.shape[2] * t.shape[3])
        let v = t.scalars
        return (0..<c).map { ch in
            var s = 0.0
            for b in 0..<n { for i in 0..<hw { s += Double(v[(b * c + ch) * hw + i]) } }
            return Float(s / Double(n * hw))
        }
    }

    func testAdapt_firstBatchNormMean_isTheAverageOfTheTargetBatchMeans_andRestoreIsExact() throws {
        GlobalRandom.seed(4)
        let net = AdaptationNetwork(NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16))
        let data = try target()
        let before = net.stateDict().map { $0.1.scalars }
        let wasTraining = net.isTraining
        // The expectation, computed independently: conv1's per-channel means, averaged over the batches.
        let loader = DataLoader(data, pipeline: pipeline, batchSize: 8, sampling: .sequential, dropLast: false)
        var expected = [Float](repeating: 0, count: 4)
        var batches = 0
        for b in 0..<loader.batchesPerEpoch {
            let x = try loader.batch(epoch: 0, index: b).images
            guard x.shape[0] >= 2 else { continue }
            let m = channelMeans(withNoGrad { net.backbone.conv1(x) })
            for j in 0..<4 { expected[j] += m[j] }
            batches += 1
        }
        XCTAssertGreaterThan(batches, 1, "the test needs several batches")
        expected = expected.map { $0 / Float(batches) }
        let restore = try AdaBN.adapt(net, to: data, pipeline: pipeline, batchSize: 8)
        let bn1 = try XCTUnwrap(net.backbone.bn1 as? BatchNorm)
        assertClose(bn1.runningMean.scalars, expected, atol: 1e-5, rtol: 1e-4, "bn1 running mean after AdaBN")
        XCTAssertEqual(net.isTraining, wasTraining, "the network's mode is put back")
        restore()
        XCTAssertEqual(net.stateDict().map { $0.1.scalars }, before, "every parameter and buffer restored bit for bit")
    }

    func testEvaluation_withAdaBN_changesTheLogits_butNotTheNetwork() throws {
        GlobalRandom.seed(5)
        let net = AdaptationNetwork(NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16))
        let data = try target()
        let plain = try Evaluation.run(net, on: data, pipeline: pipeline, batchSize: 8)
        let adapted = try Evaluation.run(net, on: data, pipeline: pipeline, batchSize: 8, adaptBatchNorm: true)
        let again = try Evaluation.run(net, on: data, pipeline: pipeline, batchSize: 8)
        XCTAssertEqual(plain.logits.scalars, again.logits.scalars, "the network is unchanged after an AdaBN evaluation")
        let diff = zip(plain.logits.scalars, adapted.logits.scalars).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(diff, 1e-3, "target statistics differ from the initial running statistics (0 mean, 1 variance)")
    }
}
