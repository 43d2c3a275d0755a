// Equal shapes, any layout (the result takes self's memory format).
//
// relu(a + b) as one op: a residual block's join. One pass forward and one backward instead of an add
// and a ReLU (each a pass over the whole activation), and no intermediate sum tensor.
import Foundation

extension Tensor {
    /// relu(self + other), differentiable; the gradient g·[y > 0] goes to both inputs.
    public func addingThenReLU(_ other: Tensor) -> Tensor {
        require(shape == other.shape, "addingThenReLU: shapes \(shape) and \(other.shape) differ")
        let b = other.format == format ? other : other.converted(to: format)
        let out = Tensor(uninitialized: shape, format: format)
        let xp = data, bp = b.data, yp = out.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in
            for i in r { let s = xp[i] + bp[i]; yp[i] = s > 0 ? s : 0 }
        }
        return Tensor.result(out, op: "addReLU", inputs: [self, b]) { g in
            let g = g.format == out.format ? g : g.converted(to: out.format)
            let d = Tensor(uninitialized: out.shape, format: out.format)   // captures out: yp stays valid
            let gp = g.data, dp = d.data
            Parallel.forRanges(out.count, minChunk: elementwiseChunk) { r in
                for i in r { dp[i] = yp[i] > 0 ? gp[i] : 0 }
            }
            return [d, d]
        }
    }
}
