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
        let (n, anchors) = anchoringLast(m, for: "relabelledByCentroids")
        let result = CentroidLabels.assign(features: features!.contiguous().scalars,
                                           probabilities: withNoGrad { logits.softmax(axis: 1) }.scalars, count: labels.count, anchors: anchors)
        return firstImages(n, logits: result.scores.prefix(n).flatMap { $0 })
    }
}
