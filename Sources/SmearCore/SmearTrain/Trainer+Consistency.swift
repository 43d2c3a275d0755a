// FixMatch's consistency on the unlabelled target (docs/algorithms.md §1.8; `config.consistencyThreshold`): the
// weak view each step's target batch is also loaded in, and the loss it gives the target training view.
import SmearData
import SmearNN
import SmearTensor

extension Trainer {
    /// The weak view: the target's evaluation pipeline (its crop, colour moves and z-score) and one random exact orientation.
    public func weakTargetPipeline() -> ImagePipeline {
        var p = targetPipeline(training: false)
        p.steps.append(Dihedral())
        return p
    }

    /// The weak views of the unlabelled target, batch for batch the same images as the training loader's; nil when the
    /// run has no consistency.
    public func weakTargetLoader(matching training: DataLoader) -> DataLoader? {
        config.consistencyThreshold == nil ? nil : training.withPipeline(weakTargetPipeline())
    }

    /// The consistency loss of the target training view's logits, labelled by the weak view's confident predictions
    /// (predicted in evaluation mode, without a gradient), and the share of the batch that was confident.
    func consistencyLoss(weak: Batch, target: Batch, targetLogits: Tensor, threshold: Float) throws -> (loss: Tensor, confidentShare: Double) {
        precondition(weak.indices == target.indices, "Trainer: the weak view's batch holds other images than the target batch")
        let probabilities = try withNoGrad { () -> Tensor in
            net.eval()
            defer { net.train() }
            return try net.featuresAndLogits([NetworkInput(weak)]).1.softmax(axis: 1)
        }
        let targets = ConsistencyTargets(weakProbabilities: probabilities, threshold: threshold)
        return (Loss.consistency(strongLogits: targetLogits, targets: targets), targets.confidentShare)
    }
}
