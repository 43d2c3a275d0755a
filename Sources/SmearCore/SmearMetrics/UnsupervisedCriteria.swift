// N samples, K classes. Label-free model-selection criteria on target logits: mean prediction entropy,
// soft neighbourhood density (SND, Saito et al. 2021) with the article code's variants (algorithms.md
// §1.6), information maximisation, and the share of the most predicted class (the collapse guard).
import Foundation
import SmearTensor

public enum UnsupervisedCriteria {
    /// Mean Shannon entropy of softmax(logits): mean_i −Σ_k p_ik log p_ik (lower = more confident).
    public static func meanEntropy(logits: Tensor) -> Double {
        withNoGrad {
            let logP = logits.logSoftmax(axis: 1)
            return Double(-(logP.exp() * logP).sum(axis: 1).mean().item)
        }
    }

    /// The article code's "entropy": `F.cross_entropy(p, p)` with p = softmax(logits), i.e.
    /// mean_i [logsumexp(p_i) − Σ_k p_ik²] (it applies log_softmax to probabilities).
    public static func articleEntropy(logits: Tensor) -> Double {
        withNoGrad {
            let p = logits.softmax(axis: 1)
            return Double(-(p * p.logSoftmax(axis: 1)).sum(axis: 1).mean().item)
        }
    }

    /// Information maximisation (Gomes et al. 2010; Liang et al. 2020, SHOT): H(mean_i p_i) − mean_i H(p_i)
    /// with p = softmax(logits) (higher is better; at most log K). Confident predictions spread over the
    /// classes score high; a model that predicts one class for everything scores near 0, however
    /// confident, which is what entropy and SND reward.
    public static func informationMaximization(logits: Tensor) -> Double {
        withNoGrad {
            let logP = logits.logSoftmax(axis: 1)
            let p = logP.exp()
            let meanP = p.mean(axis: 0).scalars.map(Double.init)
            let marginal = -meanP.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
            return marginal - Double(-(p * logP).sum(axis: 1).mean().item)
        }
    }

    /// The fraction of samples predicted as the most predicted class (1/K for a uniform histogram, 1 for
    /// a model that predicts one class).
    public static func largestClassShare(logits: Tensor) -> Double {
        let predictions = logits.argmax(axis: 1)
        guard !predictions.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: logits.shape[1])
        for p in predictions { counts[p] += 1 }
        return Double(counts.max() ?? 0) / Double(predictions.count)
    }

    /// The predicted class proportions: mean_i softmax(logits_i), one share per class, summing to 1 (the soft
    /// histogram of the predictions; what a run with `target_prior` source sampling draws the next epoch's classes by).
    public static func predictedClassShares(logits: Tensor) -> [Double] {
        guard logits.shape[0] > 0 else { return [Double](repeating: 1 / Double(logits.shape[1]), count: logits.shape[1]) }
        return withNoGrad { logits.softmax(axis: 1).mean(axis: 0).scalars.map(Double.init) }
    }

    /// The collapse guard: a checkpoint whose largest predicted class holds more than this share of the
    /// target is never selected by a label-free criterion. One value for every lab: the most imbalanced
    /// of our labs (BCCD) has 59% neutrophils, so a model predicting that lab's true histogram passes.
    public static let collapseShare = 0.8

    /// Which SND definition.
    public enum SNDVariant: Sendable { case original, articleCode }

    /// SND: p = softmax(logits), f = p/‖p‖, M = f·fᵀ/T with M_ii = −1/T, s = row softmax of M.
    /// Original (higher is better): mean_i −Σ_j s_ij log(s_ij + 1e-5).
    /// Article code: the value it logs is −mean_i [−Σ_j s_ij log_softmax(s_i)_j] (lower is better there).
    /// Rows are processed in blocks, so N may be large.
    public static func snd(logits: Tensor, temperature: Float = 0.05, variant: SNDVariant = .original) -> Double {
        withNoGrad {
            let p = logits.softmax(axis: 1)
            let norm = (p * p).sum(axis: 1, keepDims: true).sqrt()
            let f = p / norm
            let n = f.shape[0]
            let ft = f.transposed()
            var total = 0.0
            let block = 512
            for start in stride(from: 0, to: n, by: block) {
                let end = min(n, start + block)
                let rows = f.sliced(axis: 0, start, end).matmul(ft) * (1 / temperature)   // [b, N]
                var values = rows.scalars
                for r in 0..<(end - start) { values[r * n + start + r] = -1 / temperature }
                let s = Tensor(values, shape: [end - start, n]).softmax(axis: 1)
                switch variant {
                case .original:
                    let h = -(s * (s + 1e-5).log()).sum(axis: 1)
                    total += Double(h.sum().item)
                case .articleCode:
                    let h = -(s * s.logSoftmax(axis: 1)).sum(axis: 1)
                    total -= Double(h.sum().item)
                }
            }
            return total / Double(n)
        }
    }
}
