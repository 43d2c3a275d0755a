// N samples, K classes. Label-free model-selection criteria on target logits: mean prediction entropy
// and soft neighbourhood density (SND, Saito et al. 2021), plus the article code's variants
// (algorithms.md §1.6).
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
