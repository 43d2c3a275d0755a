// N images, C channels. Batch-norm statistics recomputed without gradients: AdaBN (Li et al. 2016, "Revisiting
// batch normalization for practical domain adaptation") over the target domain, and SWA's recomputation
// (Izmailov et al. 2018) over a run's own training batches, for weights that were never trained as they are
// (a moving average of the iterates).
import Foundation
import SmearAdapt
import SmearData
import SmearNN
import SmearTensor

public enum AdaBN {
    /// Replaces every batch norm's running mean and variance by the plain average, over the batches of
    /// `dataset` (no augmentation, no gradient), of the batch statistics (PyTorch's cumulative average,
    /// `momentum=None`: mean of batch means, mean of unbiased batch variances). Only the batch norms run in
    /// training mode; dropout stays off. Batches of one image are skipped (a 1-D batch norm needs two).
    /// - Returns: a closure that puts the previous statistics and modes back, bit for bit.
    public static func adapt(_ net: AdaptationNetwork, to dataset: ImageDataset, pipeline: ImagePipeline,
                             batchSize: Int = 64) throws -> () -> Void {
        guard dataset.count > 0 else { throw DatasetError.emptyDataset(name: dataset.name, use: "used to adapt batch norm") }
        let loader = DataLoader(dataset, pipeline: pipeline, batchSize: batchSize, sampling: .sequential, dropLast: false)
        return try recompute(net, batches: loader.batchesPerEpoch) { [NetworkInput(try loader.batch(epoch: 0, index: $0))] }
    }

    /// The same average over `batches` batches that `next(k)` gives, each as one or more inputs (images [N, C, H, W],
    /// with their size cues when the network reads them) that the network sees one after the other (several: labs
    /// passed through separately, as trained).
    /// Inputs of one image are skipped.
    public static func recompute(_ net: AdaptationNetwork, batches: Int, next: (Int) throws -> [NetworkInput]) throws -> () -> Void {
        let norms = net.modules(of: BatchNorm.self)
        let saved = norms.map { ($0.runningMean.scalars, $0.runningVar.scalars, $0.numBatchesTracked, $0.momentum, $0.isTraining) }
        let wasTraining = net.isTraining
        let restore = {
            for (bn, s) in zip(norms, saved) {
                bn.runningMean.assign(Tensor(s.0, shape: bn.runningMean.shape))
                bn.runningVar.assign(Tensor(s.1, shape: bn.runningVar.shape))
                bn.numBatchesTracked = s.2; bn.momentum = s.3
            }
            net.train(wasTraining)
            for (bn, s) in zip(norms, saved) { bn.train(s.4) }
        }
        net.eval()
        for bn in norms { bn.train(true) }
        var seen = 0
        do {
            for b in 0..<batches {
                for input in try next(b) where input.images.shape[0] >= 2 {
                    for bn in norms { bn.momentum = 1 / Float(seen + 1) }   // input k gets weight 1/(k+1)
                    _ = try withNoGrad { try net.featuresAndLogits([input]) }
                    seen += 1
                }
            }
        } catch { restore(); throw error }
        net.train(wasTraining)
        for (bn, s) in zip(norms, saved) { bn.momentum = s.3; bn.train(s.4) }
        return restore
    }
}

extension Trainer {
    /// SWA's batch-norm update: the running statistics recomputed (as `AdaBN.recompute`) over `steps` of this
    /// run's own training batches, source and target with their training augmentations, through the network
    /// together or separately as the run trained (batch statistics of the mixed batch, or of each lab's). The
    /// batches are those of the epoch after the last (seeded, so the same every time). Default: one epoch.
    /// - Returns: a closure that puts the previous statistics back, bit for bit.
    public func recomputeBatchNormOnTrainingBatches(steps: Int? = nil) throws -> () -> Void {
        let sources = DataLoader(data.source, pipeline: sourcePipeline(training: true), batchSize: config.batchSize,
                                 seed: config.seed, workers: config.workers)
        let targets = DataLoader(data.target, pipeline: targetPipeline(training: true), batchSize: config.batchSize,
                                 seed: config.seed &+ 7919, workers: config.workers)
        let epoch = config.epochs
        let s = sources.makeIterator(startEpoch: epoch), t = targets.makeIterator(startEpoch: epoch)
        return try AdaBN.recompute(net, batches: steps ?? config.iterationsPerEpoch) { _ in
            let (x, y) = (NetworkInput(try s.nextBatch()), NetworkInput(try t.nextBatch()))
            return config.forwardTogether ? [NetworkInput.joined([x, y])] : [x, y]
        }
    }
}
