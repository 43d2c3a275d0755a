// N source-validation images, M target images, F feature width.
// Deep embedded validation (You et al., ICML 2019): the source-validation loss re-weighted by how target-like
// each image is, an estimate of the target risk that needs no target labels. A domain classifier on the
// network's features gives the density ratio w(x) = p_target(x) / p_source(x); the control variate η keeps
// the weighted mean's variance down:
//   DEV = mean(w·ℓ) + η·mean(w) − η,   η = −Cov(w·ℓ, w) / Var(w).   Lower is better.
import Foundation
import SmearTensor

public enum DeepEmbeddedValidation {
    /// DEV from per-image density ratios and losses (equal counts). With constant weights, the plain mean loss.
    public static func risk(weights w: [Double], losses l: [Double]) -> Double {
        precondition(w.count == l.count && !w.isEmpty, "DEV: one weight per loss")
        let n = Double(w.count)
        let weighted = zip(w, l).map { $0 * $1 }
        let (mw, ml) = (w.reduce(0, +) / n, weighted.reduce(0, +) / n)
        let varW = w.reduce(0) { $0 + ($1 - mw) * ($1 - mw) } / n
        guard varW > 1e-12 else { return ml }
        let cov = zip(weighted, w).reduce(0) { $0 + ($1.0 - ml) * ($1.1 - mw) } / n
        let eta = -cov / varW
        return ml + eta * mw - eta
    }

    /// Density ratios p_target/p_source at each source row, from an L2-regularised logistic regression
    /// (target = 1) trained with the two domains weighted equally, cross-fitted: each half of the rows is
    /// scored by a classifier trained on the other half of both domains. Features are standardised and
    /// each row scaled to unit length first; probabilities are clipped to [0.01, 0.99].
    public static func densityRatios(source: Tensor, target: Tensor, iterations: Int = 300, l2: Float = 1e-3) -> [Double] {
        precondition(source.rank == 2 && target.rank == 2 && source.shape[1] == target.shape[1], "DEV: features [N, F] and [M, F]")
        let (n, m, f) = (source.shape[0], target.shape[0], source.shape[1])
        let rows = normalisedRows(source.scalars + target.scalars, count: n + m, width: f)
        var ratios = [Double](repeating: 1, count: n)
        for fold in 0..<2 {
            let train = (0..<(n + m)).filter { $0 % 2 != fold }
            let scored = (0..<n).filter { $0 % 2 == fold }
            guard train.contains(where: { $0 < n }), train.contains(where: { $0 >= n }), !scored.isEmpty else { continue }
            let (weight, bias) = logisticRegression(rows: rows, width: f, indices: train, sourceCount: n, iterations: iterations, l2: l2)
            for i in scored {
                var z = bias
                for k in 0..<f { z += rows[i * f + k] * weight[k] }
                let p = min(0.99, max(0.01, 1 / (1 + exp(-Double(z)))))
                ratios[i] = p / (1 - p)
            }
        }
        return ratios
    }

    /// The DEV risk of a network: its features on source validation (with each image's loss) and on the target.
    public static func risk(sourceFeatures: Tensor, sourceLosses: [Double], targetFeatures: Tensor) -> Double {
        risk(weights: densityRatios(source: sourceFeatures, target: targetFeatures), losses: sourceLosses)
    }

    /// Per-column z-score, then each row to unit Euclidean length (so the logistic loss's curvature is at
    /// most 1/4 and a fixed step of 2 converges).
    static func normalisedRows(_ x: [Float], count: Int, width f: Int) -> [Float] {
        var out = x
        for k in 0..<f {
            var mean = 0.0, square = 0.0
            for i in 0..<count { let v = Double(x[i * f + k]); mean += v; square += v * v }
            mean /= Double(count)
            let std = max(1e-6, (square / Double(count) - mean * mean).squareRoot())
            for i in 0..<count { out[i * f + k] = Float((Double(x[i * f + k]) - mean) / std) }
        }
        for i in 0..<count {
            var norm: Float = 0
            for k in 0..<f { norm += out[i * f + k] * out[i * f + k] }
            let scale = 1 / max(norm.squareRoot(), 1e-6)
            for k in 0..<f { out[i * f + k] *= scale }
        }
        return out
    }

    /// Full-batch gradient descent on the class-balanced logistic loss; rows with index ≥ `sourceCount` are target.
    static func logisticRegression(rows: [Float], width f: Int, indices: [Int], sourceCount: Int,
                                   iterations: Int, l2: Float) -> (weight: [Float], bias: Float) {
        let x = Tensor(indices.flatMap { rows[($0 * f)..<($0 * f + f)] }, shape: [indices.count, f])
        let xt = x.transposed().contiguous()
        let isTarget = indices.map { $0 >= sourceCount }
        let targets = Float(isTarget.filter { $0 }.count), sources = Float(indices.count) - targets
        let sampleWeight = isTarget.map { $0 ? 0.5 / targets : 0.5 / sources }   // each domain weighs 1/2
        var weight = [Float](repeating: 0, count: f), bias: Float = 0
        let step: Float = 2
        for _ in 0..<iterations {
            let z = x.matmul(Tensor(weight, shape: [f, 1])).scalars
            var residual = [Float](repeating: 0, count: indices.count), biasGradient: Float = 0
            for i in 0..<indices.count {
                let p = 1 / (1 + exp(-(z[i] + bias)))
                residual[i] = sampleWeight[i] * (p - (isTarget[i] ? 1 : 0))
                biasGradient += residual[i]
            }
            let g = xt.matmul(Tensor(residual, shape: [indices.count, 1])).scalars
            for k in 0..<f { weight[k] -= step * (g[k] + l2 * weight[k]) }
            bias -= step * biasGradient
        }
        return (weight, bias)
    }
}
