// N batch, C channels, H×W input, OH×OW output. Pooling on channels-last storage (NHWC), so every
// window reduces C contiguous values at a time.
import Foundation

extension Tensor {
    /// Max pooling, PyTorch semantics (padding counts as −∞). Input [N, C, H, W].
    /// - Returns: [N, C, OH, OW], channels-last; the gradient goes to the first maximum of each window.
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        require(rank == 4, "maxPool2d: expected [N, C, H, W], got \(shape)")
        let s = stride ?? kernel
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let oh = (h + 2 * padding - kernel) / s + 1, ow = (w + 2 * padding - kernel) / s + 1
        require(oh > 0 && ow > 0 && padding * 2 <= kernel, "maxPool2d: input \(shape) too small for kernel \(kernel)")
        let x = channelsLast()
        let out = Tensor(uninitialized: [n, c, oh, ow], format: .channelsLast)
        // Argmax positions live in pooled Float32-sized storage (no page faults per step).
        let indexStorage = Storage(uninitialized: n * oh * ow * c)
        let argmax = UnsafeMutableRawPointer(indexStorage.pointer).bindMemory(to: Int32.self, capacity: indexStorage.count)
        let xp = x.data, yp = out.data
        Parallel.forRanges(n * oh, minChunk: 8) { rows in
            for r in rows {
                let b = r / oh, y = r % oh
                for xo in 0..<ow {
                    let o = ((b * oh + y) * ow + xo) * c
                    let dst = yp + o, idx = argmax + o
                    for j in 0..<c { dst[j] = -.infinity; idx[j] = -1 }
                    for i in 0..<kernel {
                        let iy = y * s - padding + i
                        if iy < 0 || iy >= h { continue }
                        for k in 0..<kernel {
                            let ix = xo * s - padding + k
                            if ix < 0 || ix >= w { continue }
                            let base = ((b * h + iy) * w + ix) * c
                            let src = xp + base
                            for j in 0..<c where src[j] > dst[j] || src[j].isNaN { dst[j] = src[j]; idx[j] = Int32(base + j) }
                        }
                    }
                }
            }
        }
        return Tensor.result(out, op: "maxPool2d", inputs: [x]) { g in
            let g = g.channelsLast()
            let dx = Tensor(shape: x.shape, storage: Storage(repeating: 0, count: x.count), format: .channelsLast)
            let idx = UnsafeMutableRawPointer(indexStorage.pointer).bindMemory(to: Int32.self, capacity: indexStorage.count)
            for i in 0..<out.count where idx[i] >= 0 { dx.data[Int(idx[i])] += g.data[i] }
            return [dx]
        }
    }

    /// Global average pooling (`AdaptiveAvgPool2d(1)`): [N, C, H, W] → [N, C, 1, 1].
    public func adaptiveAvgPool2d() -> Tensor {
        require(rank == 4, "adaptiveAvgPool2d: expected [N, C, H, W], got \(shape)")
        let (n, c) = (shape[0], shape[1]), hw = shape[2] * shape[3]
        let x = channelsLast()
        let out = Tensor.zeros([n, c, 1, 1])
        let inv = 1 / Float(hw)
        for b in 0..<n {
            let dst = out.data + b * c
            for r in 0..<hw { let src = x.data + (b * hw + r) * c; for j in 0..<c { dst[j] += src[j] } }
            for j in 0..<c { dst[j] *= inv }
        }
        return Tensor.result(out, op: "adaptiveAvgPool2d", inputs: [x]) { g in
            let g = g.contiguous()
            let dx = Tensor(uninitialized: x.shape, format: .channelsLast)
            for b in 0..<n {
                for r in 0..<hw { let dst = dx.data + (b * hw + r) * c; for j in 0..<c { dst[j] = g.data[b * c + j] * inv } }
            }
            return [dx]
        }
    }

    /// Affine map `x·Wᵀ + b`, PyTorch's `F.linear`: x [N, in], weight [out, in], bias [out] → [N, out].
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        require(rank == 2 && weight.rank == 2 && weight.shape[1] == shape[1],
                     "linear: input \(shape) and weight \(weight.shape) do not match ([N, in] and [out, in])")
        let x = contiguous(), wt = weight.contiguous()
        let (n, i, o) = (shape[0], shape[1], weight.shape[0])
        let out = Tensor(uninitialized: [n, o])
        gemm(transB: true, m: n, n: o, k: i, a: x.data, lda: i, b: wt.data, ldb: i, c: out.data, ldc: o)
        if let bias {
            require(bias.shape == [o], "linear: bias \(bias.shape) should be [\(o)]")
            for r in 0..<n { for j in 0..<o { out.data[r * o + j] += bias.data[j] } }
        }
        let inputs = bias.map { [x, wt, $0] } ?? [x, wt]
        return Tensor.result(out, op: "linear", inputs: inputs) { g in
            let g = g.contiguous()
            var dx: Tensor? = nil, dw: Tensor? = nil
            if x.requiresGrad {
                let t = Tensor(uninitialized: x.shape)
                gemm(m: n, n: i, k: o, a: g.data, lda: o, b: wt.data, ldb: i, c: t.data, ldc: i)
                dx = t
            }
            if wt.requiresGrad {
                let t = Tensor(uninitialized: wt.shape)
                gemm(transA: true, m: o, n: i, k: n, a: g.data, lda: o, b: x.data, ldb: i, c: t.data, ldc: i)
                dw = t
            }
            var grads = [dx, dw]
            if bias != nil { grads.append(g.sum(axis: 0)) }
            return grads
        }
    }
}
