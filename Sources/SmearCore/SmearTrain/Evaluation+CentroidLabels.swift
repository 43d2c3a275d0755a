// An evaluation relabelled by SHOT's target centroids (SmearMetrics/CentroidLabels.swift): the classifier's
// probabilities weight the first centroids, the target's own feature clusters decide the labels.
import SmearMetrics
import SmearTensor

extension Evaluation {
    /// The same images with SHOT's centroid labels as predictions. Its logits are each image's cosine to every class
    /// centroid (−1 for a class without one): their argmax is the centroid label, their softmax is not a calibrated
    /// probability. Needs the features (`keepFeatures`). `anchoredOnLast` m: the last m images are cells whose labels
    /// a person gave (a run's labelled target cells); they anchor the centroids (CentroidLabels' anchors) and are
    /// left out of the result, which holds the other images.
    public func relabelledByCentroids(anchoredOnLast m: Int = 0) -> Evaluation {
        guard let features else { preconditionFailure("relabelledByCentroids: the evaluation kept no features") }
        let all = labels.count, n = all - m, k = logits.shape[1]
        precondition(m >= 0 && n > 0, "relabelledByCentroids: \(m) anchored of \(all) images leave none to relabel")
        let anchors = Dictionary(uniqueKeysWithValues: (n..<all).map { i -> (Int, Int) in
            guard let label = labels[i] else { preconditionFailure("relabelledByCentroids: an anchored image without a label") }
            return (i, label)
        })
        let result = CentroidLabels.assign(features: features.contiguous().scalars,
                                           probabilities: withNoGrad { logits.softmax(axis: 1) }.scalars, count: all, anchors: anchors)
        var e = Evaluation(logits: Tensor(result.scores.prefix(n).flatMap { $0 }, shape: [n, k]), labels: Array(labels.prefix(n)),
                           samples: Array(samples.prefix(n)), classes: classes)
        e.features = m == 0 ? features : withNoGrad { features.sliced(axis: 0, 0, n) }
        return e
    }
}
