// An evaluation relabelled by label spreading over the cells' own feature graph (SmearMetrics/LabelPropagation.swift):
// each cell's prediction is pulled towards its nearest cells', and given labels spread along the same graph.
import Foundation
import SmearMetrics
import SmearTensor

extension Evaluation {
    /// The same images with their propagated class distributions as predictions: the logits are their logarithm (so
    /// softmax gives them back, each at least 1e-30). Needs the features (`keepFeatures`). `anchoredOnLast` m: the last
    /// m images are cells whose labels a person gave (a run's labelled target cells); they enter the graph with their
    /// labels one-hot and are left out of the result, which holds the other images.
    public func relabelledByPropagation(anchoredOnLast m: Int = 0, settings: LabelPropagation.Settings = .init()) -> Evaluation {
        let (n, anchors) = anchoringLast(m, for: "relabelledByPropagation")
        let result = LabelPropagation.spread(features: features!.contiguous().scalars, probabilities: withNoGrad { logits.softmax(axis: 1) }.scalars,
                                             count: labels.count, anchors: anchors, settings: settings)
        return firstImages(n, logits: result.distributions.prefix(n).flatMap { $0.map { Float(Foundation.log(max($0, 1e-30))) } })
    }
}
