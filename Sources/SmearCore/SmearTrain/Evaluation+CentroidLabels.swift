// An evaluation relabelled by SHOT's target centroids (SmearMetrics/CentroidLabels.swift): the classifier's
// probabilities weight the first centroids, the target's own feature clusters decide the labels.
import SmearMetrics
import SmearTensor

extension Evaluation {
    /// The same images with SHOT's centroid labels as predictions. Its logits are each image's cosine to every class
    /// centroid (−1 for a class without one): their argmax is the centroid label, their softmax is not a calibrated
    /// probability. Needs the features (`keepFeatures`).
    public func relabelledByCentroids() -> Evaluation {
        guard let features else { preconditionFailure("relabelledByCentroids: the evaluation kept no features") }
        let n = labels.count, k = logits.shape[1]
        let result = CentroidLabels.assign(features: features.contiguous().scalars,
                                           probabilities: withNoGrad { logits.softmax(axis: 1) }.scalars, count: n)
        var e = Evaluation(logits: Tensor(result.scores.flatMap { $0 }, shape: [n, k]), labels: labels, samples: samples, classes: classes)
        e.features = features
        return e
    }
}
