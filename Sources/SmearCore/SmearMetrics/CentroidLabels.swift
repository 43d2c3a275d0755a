// N target images, D feature dimensions, K classes. SHOT's labels for an unlabelled target (Liang et al., ICML 2020,
// §3.2, eqs. 4–6, as its code computes them), from a model's features [N, D] and softmax probabilities [N, K]
// (row-major):
//   1. each feature gets a constant 1 appended and is scaled to unit length;
//   2. centroid c_k = Σ_i p_ik f_i / (Σ_i p_ik + 1e-8), for the classes the classifier predicts (argmax) at least once;
//   3. each image takes the class of its nearest centroid by cosine distance (1 − cos);
//   4. centroids again as plain means of the images so labelled (a class left with none drops out), and step 3 once
//      more.
// No constant to tune and no training: a transductive relabelling that trusts the target's own clusters where
// the classifier's boundary was learned on another lab. Ties go to the lower class index.
// Anchors (images whose class a person gave, e.g. a run's labelled target cells): an anchored image's probabilities
// are its label one-hot in step 2, its class takes part even if the classifier never predicts it, and it keeps its
// label in steps 3 and 4, so the centroids lean on what was labelled and only the other images are relabelled.
import Foundation

public enum CentroidLabels {
    /// The labels of step 4, one per image; the centroids they were assigned by ([K][D + 1]; nil for a class that
    /// took no part); and each image's cosine to every centroid ([N][K], −1 for a class without one), whose argmax is
    /// the label (for an anchored image, its given label may differ from the argmax).
    public struct Result: Equatable, Sendable {
        public let labels: [Int]
        public let centroids: [[Float]?]
        public let scores: [[Float]]
    }

    /// `anchors`: image index → its given class (0..<K).
    public static func assign(features: [Float], probabilities: [Float], count n: Int, anchors: [Int: Int] = [:]) -> Result {
        precondition(n > 0 && features.count % n == 0 && probabilities.count % n == 0, "CentroidLabels: \(n) images do not divide the inputs")
        let k = probabilities.count / n
        precondition(anchors.allSatisfy { (0..<n).contains($0.key) && (0..<k).contains($0.value) }, "CentroidLabels: an anchor outside the images or classes")
        let rows = unitRows(features, count: n)
        let p = (0..<n).map { i in anchors[i].map { c in (0..<k).map { $0 == c ? Float(1) : 0 } } ?? Array(probabilities[(i * k)..<(i * k + k)]) }
        let anchored = { (labels: [Int]) in labels.indices.map { anchors[$0] ?? labels[$0] } }
        var taking = Set(p.map(argmax))
        var centroids = (0..<k).map { c -> [Float]? in
            guard taking.contains(c) else { return nil }
            return weightedMean(rows, weights: p.map { $0[c] }, epsilon: 1e-8)
        }
        var labels = anchored(rows.map { nearest($0, centroids) })
        centroids = (0..<k).map { c -> [Float]? in
            guard taking.contains(c) else { return nil }
            let weights = labels.map { $0 == c ? Float(1) : 0 }
            guard weights.contains(1) else { taking.remove(c); return nil }
            return weightedMean(rows, weights: weights, epsilon: 1e-8)
        }
        labels = anchored(rows.map { nearest($0, centroids) })
        return Result(labels: labels, centroids: centroids, scores: rows.map { cosines($0, centroids) })
    }

    /// Each image's cosine similarity to every centroid [N][K] (−1 for a class without one): `Result.scores` for
    /// other features.
    public static func similarities(features: [Float], count n: Int, to centroids: [[Float]?]) -> [[Float]] {
        unitRows(features, count: n).map { cosines($0, centroids) }
    }

    /// Step 1: each of the n feature rows with a constant 1 appended, scaled to unit length.
    static func unitRows(_ features: [Float], count n: Int) -> [[Float]] {
        let d = features.count / n
        return (0..<n).map { i in unitLength(Array(features[(i * d)..<(i * d + d)]) + [1]) }
    }

    static func cosines(_ f: [Float], _ centroids: [[Float]?]) -> [Float] { centroids.map { c in c.map { cosine(f, $0) } ?? -1 } }

    static func argmax(_ v: [Float]) -> Int { v.indices.max { v[$0] < v[$1] || (v[$0] == v[$1] && $0 > $1) } ?? 0 }

    static func unitLength(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    static func weightedMean(_ rows: [[Float]], weights: [Float], epsilon: Float) -> [Float] {
        var sum = [Float](repeating: 0, count: rows[0].count)
        var total: Float = 0
        for (row, w) in zip(rows, weights) where w != 0 {
            for j in row.indices { sum[j] += w * row[j] }
            total += w
        }
        return sum.map { $0 / (total + epsilon) }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, bb: Float = 0
        for j in a.indices { dot += a[j] * b[j]; bb += b[j] * b[j] }
        return bb > 0 ? dot / bb.squareRoot() : -1   // a is unit length
    }

    /// The class of the centroid with the highest cosine (the smallest cosine distance); ties to the lower index.
    static func nearest(_ f: [Float], _ centroids: [[Float]?]) -> Int {
        var best = -1, bestCos = -Float.infinity
        for (c, centroid) in centroids.enumerated() {
            guard let centroid else { continue }
            let s = cosine(f, centroid)
            if s > bestCos { best = c; bestCos = s }
        }
        return best
    }
}
