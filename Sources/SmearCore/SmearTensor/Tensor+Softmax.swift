// Softmax family along an axis. logSoftmax is a primitive (stable forward, exact VJP); softmax and
// logSumExp are composed from it and other primitives, so their gradients come for free.
import Foundation

extension Tensor {
    /// log(softmax(x)) along `axis`, computed as x − max − log Σ exp(x − max).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let a = shapeRule { try ShapeRules.axis(axis, rank: rank, op: "logSoftmax") }
        let src = contiguous()
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        let out = Tensor(uninitialized: shape)
        let x = src.data, y = out.data
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, x[base + k * inner]) }
                var s: Float = 0
                for k in 0..<n { s += Foundation.exp(x[base + k * inner] - m) }
                let lse = m + Foundation.log(s)
                for k in 0..<n { y[base + k * inner] = x[base + k * inner] - lse }
            }
        }
        return Tensor.result(out, op: "logSoftmax", inputs: [src]) { g in
            // dx = g − softmax · Σ g
            let g = g.contiguous()
            let dx = Tensor(uninitialized: out.shape)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * n * inner + i
                    var s: Float = 0
                    for k in 0..<n { s += g.data[base + k * inner] }
                    for k in 0..<n {
                        let j = base + k * inner
                        dx.data[j] = g.data[j] - Foundation.exp(y[j]) * s
                    }
                }
            }
            return [dx]
        }
    }

    /// Softmax along `axis`.
    public func softmax(axis: Int = -1) -> Tensor { logSoftmax(axis: axis).exp() }

    /// log Σ exp(x) along `axis`, stable.
    public func logSumExp(axis: Int = -1, keepDims: Bool = false) -> Tensor {
        let m = withNoGrad { self.max(axis: axis, keepDims: true) }
        let masked = m.mapRaw { $0.isFinite ? $0 : 0 }
        let r = (self - masked).exp().sum(axis: axis, keepDims: true).log() + masked
        return keepDims ? r : r.squeezed(axis)
    }
}
