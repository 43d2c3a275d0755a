// B target images per step. The contrastive loss on the unlabelled target (docs/algorithms.md §1.12;
// `config.contrastiveWeight`): a second training view of each step's target batch, and SimCLR's NT-Xent between the two
// views' projections.
import SmearAdapt
import SmearData
import SmearNN
import SmearTensor

extension Trainer {
    /// What the second view's random draws are salted with: the same images, batch for batch, drawn anew.
    static let secondViewSalt: UInt64 = 0x5EC0_4D71_E3A5

    /// The second training views of the unlabelled target, batch for batch the same images as the training loader's;
    /// nil when the run has no contrastive loss.
    func secondViewLoader(matching training: DataLoader) -> DataLoader? {
        config.contrastiveWeight == nil ? nil : training.secondView(salt: Self.secondViewSalt)
    }

    /// NT-Xent between the projections of the two views' pooled backbone features [B, D] each, at the run's temperature.
    func contrastiveLoss(pooledFirstView: Tensor, pooledSecondView: Tensor) -> Tensor {
        guard let projection = net.projection else { preconditionFailure("Trainer: a contrastive run's network has a projection head") }
        return Loss.ntXent(projection(pooledFirstView), projection(pooledSecondView), temperature: TrainingConfig.contrastiveTemperature)
    }
}
