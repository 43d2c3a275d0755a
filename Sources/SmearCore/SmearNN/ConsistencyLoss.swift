// N unlabelled images, K classes. FixMatch's consistency loss (Sohn et al., NeurIPS 2020; docs/algorithms.md §1.8):
// the model's prediction on a weak view of each image, where its top probability reaches the threshold τ, is the label
// of a strong view of the same image.
import Foundation
import SmearTensor

/// The pseudo-labels a weak view gives: each image's top class where its top probability is at least the threshold.
public struct ConsistencyTargets: Equatable, Sendable {
    /// Each image's top class on the weak view, or nil where the model is less sure than the threshold.
    public let labels: [Int?]

    /// From the weak view's class probabilities [N, K] (rows summing to 1) and the threshold τ in [0, 1].
    public init(weakProbabilities p: Tensor, threshold: Float) {
        require(p.rank == 2, "ConsistencyTargets: probabilities must be [N, K], got \(p.shape)")
        require((0...1).contains(threshold), "ConsistencyTargets: threshold \(threshold) is outside [0, 1]")
        let k = p.shape[1], x = p.scalars
        labels = p.argmax(axis: 1).enumerated().map { i, top in x[i * k + top] >= threshold ? top : nil }
    }

    /// The share of images with a pseudo-label.
    public var confidentShare: Double { labels.isEmpty ? 0 : Double(labels.compactMap { $0 }.count) / Double(labels.count) }
}

extension Loss {
    /// Σ over the confident images of the cross-entropy of the strong view's logits [N, K] against their pseudo-labels,
    /// divided by N (every image of the batch, as FixMatch averages): 0 when none is confident.
    public static func consistency(strongLogits: Tensor, targets: ConsistencyTargets) -> Tensor {
        require(strongLogits.rank == 2 && strongLogits.shape[0] == targets.labels.count,
                "consistency: logits \(strongLogits.shape) and \(targets.labels.count) pseudo-labels do not match")
        let n = targets.labels.count
        let nll = -strongLogits.logSoftmax(axis: 1).picking(targets.labels.map { $0 ?? 0 })   // [N]; unconfident rows masked out
        let mask = Tensor(targets.labels.map { $0 == nil ? Float(0) : 1 }, shape: [n])
        return (nll * mask).sum() / Float(max(n, 1))
    }
}
