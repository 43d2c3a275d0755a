// Batch-norm statistics recomputed without gradients, as a plain average over batches, and put back afterwards so
// that evaluation never changes the network: AdaBN on the target set, SWA's update on a run's training batches.
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
            let m = channelMeans(withNoGrad { (net.backbone as! ResNet18).conv1(x) })
            for j in 0..<4 { expected[j] += m[j] }
            batches += 1
        }
        XCTAssertGreaterThan(batches, 1, "the test needs several batches")
        expected = expected.map { $0 / Float(batches) }
        let restore = try AdaBN.adapt(net, to: data, pipeline: pipeline, batchSize: 8)
        let bn1 = try XCTUnwrap((net.backbone as! ResNet18).bn1 as? BatchNorm)
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

    /// Per-channel unbiased variances of [N, C, H, W] values (what a batch norm's running variance averages).
    func channelVariances(_ t: Tensor) -> [Float] {
        let (n, c, hw) = (t.shape[0], t.shape[1], t.shape[2] * t.shape[3])
        let v = t.scalars, means = channelMeans(t)
        return (0..<c).map { ch in
            var s = 0.0
            for b in 0..<n { for i in 0..<hw { let d = Double(v[(b * c + ch) * hw + i] - means[ch]); s += d * d } }
            return Float(s / Double(n * hw - 1))
        }
    }

    /// The element-wise mean of equal-length rows.
    func average(_ rows: [[Float]]) -> [Float] {
        (0..<rows[0].count).map { j in rows.map { $0[j] }.reduce(0, +) / Float(rows.count) }
    }

    func testRecompute_withTwoInputsPerBatch_averagesOverEveryInput() throws {
        GlobalRandom.seed(6)
        let net = AdaptationNetwork(NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16))
        var inputs: [[Tensor]] = []
        for k in 0..<3 {   // batches of different spread and mean, two inputs each
            let x = Tensor.normal([4, 3, 32, 32], std: Float(k + 1)), y = Tensor.normal([4, 3, 32, 32], mean: Float(k))
            inputs.append([x, y])
        }
        let conv1 = inputs.flatMap { $0 }.map { x in withNoGrad { (net.backbone as! ResNet18).conv1(x) } }
        let expectedMean = average(conv1.map(channelMeans)), expectedVar = average(conv1.map(channelVariances))
        let restore = try AdaBN.recompute(net, batches: 3) { inputs[$0].map { NetworkInput(images: $0) } }
        let bn1 = try XCTUnwrap((net.backbone as! ResNet18).bn1 as? BatchNorm)
        assertClose(bn1.runningMean.scalars, expectedMean, atol: 1e-5, rtol: 1e-4, "mean of the six inputs' channel means")
        assertClose(bn1.runningVar.scalars, expectedVar, atol: 1e-5, rtol: 1e-4, "mean of the six inputs' unbiased variances")
        restore()
    }

    func testTrainingBatchNorm_averagesTheRunsMixedTrainingBatches_sameEveryTime_andIsPutBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-swa-bn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = TinyRun.config(epochs: 1)
        let t = try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        t.report = { _, _ in }
        // The expectation, from the run's definition: the epoch after the last, 4 source + 4 target images per step
        // through the network together, as trained.
        let sources = DataLoader(t.data.source, pipeline: t.sourcePipeline(training: true), batchSize: 4, seed: config.seed, workers: 1)
            .makeIterator(startEpoch: config.epochs)
        let targets = DataLoader(t.data.target, pipeline: t.targetPipeline(training: true), batchSize: 4, seed: config.seed &+ 7919, workers: 1)
            .makeIterator(startEpoch: config.epochs)
        var conv1: [Tensor] = []
        for _ in 0..<config.iterationsPerEpoch {
            let mixed = Tensor.concat([try sources.nextBatch().images, try targets.nextBatch().images], axis: 0)
            conv1.append(withNoGrad { (t.net.backbone as! ResNet18).conv1(mixed) })
        }
        let expectedMean = average(conv1.map(channelMeans)), expectedVar = average(conv1.map(channelVariances))
        let before = t.net.stateDict().map { $0.1.scalars }
        let bn1 = try XCTUnwrap((t.net.backbone as! ResNet18).bn1 as? BatchNorm)

        let restore = try t.recomputeBatchNormOnTrainingBatches()
        assertClose(bn1.runningMean.scalars, expectedMean, atol: 1e-5, rtol: 1e-4, "bn1 running mean over the mixed batches")
        assertClose(bn1.runningVar.scalars, expectedVar, atol: 1e-5, rtol: 1e-4, "bn1 running variance over the mixed batches")
        let first = t.net.stateDict().map { $0.1.scalars }
        restore()
        XCTAssertEqual(t.net.stateDict().map { $0.1.scalars }, before, "every parameter and buffer restored bit for bit")
        let again = try t.recomputeBatchNormOnTrainingBatches()
        XCTAssertEqual(t.net.stateDict().map { $0.1.scalars }, first, "the same batches every time")
        again()
    }
}
