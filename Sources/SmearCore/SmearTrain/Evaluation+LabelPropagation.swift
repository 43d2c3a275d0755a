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
        guard let features else { preconditionFailure("relabelledByPropagation: the evaluation kept no features") }
        let all = labels.count, n = all - m, k = logits.shape[1]
        precondition(m >= 0 && n > 0, "relabelledByPropagation: \(m) anchored of \(all) images leave none to relabel")
        let anchors = Dictionary(uniqueKeysWithValues: (n..<all).map { i -> (Int, Int) in
            guard let label = labels[i] else { preconditionFailure("relabelledByPropagation: an anchored image without a label") }
            return (i, label)
        })
        let result = LabelPropagation.spread(features: features.contiguous().scalars, probabilities: withNoGrad { logits.softmax(axis: 1) }.scalars,
                                             count: all, anchors: anchors, settings: settings)
        let logProbabilities = result.distributions.prefix(n).flatMap { $0.map { Float(Foundation.log(max($0, 1e-30))) } }
        var e = Evaluation(logits: Tensor(logProbabilities, shape: [n, k]), labels: Array(labels.prefix(n)),
                           samples: Array(samples.prefix(n)), classes: classes)
        e.features = m == 0 ? features : withNoGrad { features.sliced(axis: 0, 0, n) }
        return e
    }
}
