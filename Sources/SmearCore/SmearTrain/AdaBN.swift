// N images, C channels. AdaBN (Li et al. 2016, "Revisiting batch normalization for practical domain
// adaptation"): evaluate with batch-norm statistics of the target domain instead of the source's.
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
    public static func adapt(_ net: Module, to dataset: ImageDataset, pipeline: ImagePipeline,
                             batchSize: Int = 64) throws -> () -> Void {
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
        let loader = DataLoader(dataset, pipeline: pipeline, batchSize: batchSize, sampling: .sequential, dropLast: false)
        var seen = 0
        do {
            for b in 0..<loader.batchesPerEpoch {
                let batch = try loader.batch(epoch: 0, index: b)
                if batch.images.shape[0] < 2 { continue }
                for bn in norms { bn.momentum = 1 / Float(seen + 1) }   // batch k gets weight 1/(k+1)
                _ = withNoGrad { net(batch.images) }
                seen += 1
            }
        } catch { restore(); throw error }
        net.train(wasTraining)
        for (bn, s) in zip(norms, saved) { bn.momentum = s.3; bn.train(s.4) }
        return restore
    }
}
