// N batch, C channels, H×W input, OH×OW output. Pooling on channels-last storage (NHWC), so every
// window reduces C contiguous values at a time.
import Foundation

extension Tensor {
    /// Max pooling, PyTorch semantics (padding counts as −∞). Input [N, C, H, W].
    /// - Returns: [N, C, OH, OW], channels-last; the gradient goes to the first maximum of each window
    ///   (found again in the backward pass, so the forward pass only compares).
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        require(rank == 4, "maxPool2d: expected [N, C, H, W], got \(shape)")
        let s = stride ?? kernel
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let oh = (h + 2 * padding - kernel) / s + 1, ow = (w + 2 * padding - kernel) / s + 1
        require(oh > 0 && ow > 0 && padding * 2 <= kernel, "maxPool2d: input \(shape) too small for kernel \(kernel)")
        if ComputeBackend.current == .dnnl { return maxPool2dDNNL(kernel: kernel, stride: s, padding: padding, oh: oh, ow: ow) }
        let x = channelsLast()
        let out = Tensor(uninitialized: [n, c, oh, ow], format: .channelsLast)
        let xp = x.data, yp = out.data
        /// Calls `body(base)` for every input pixel (its NHWC offset) in the window of output (b, y, xo).
        @inline(__always) func window(_ b: Int, _ y: Int, _ xo: Int, _ body: (Int) -> Void) {
            for i in 0..<kernel {
                let iy = y * s - padding + i
                if iy < 0 || iy >= h { continue }
                for k in 0..<kernel {
                    let ix = xo * s - padding + k
                    if ix >= 0 && ix < w { body(((b * h + iy) * w + ix) * c) }
                }
            }
        }
        Parallel.forRanges(n * oh, minChunk: 8) { rows in
            for r in rows {
                let b = r / oh, y = r % oh
                for xo in 0..<ow {
                    let dst = yp + ((b * oh + y) * ow + xo) * c
                    dst.update(repeating: -.infinity, count: c)
                    window(b, y, xo) { base in
                        let src = xp + base
                        for j in 0..<c { let v = src[j]; dst[j] = (v > dst[j] || v.isNaN) ? v : dst[j] }
                    }
                }
            }
        }
        return Tensor.result(out, op: "maxPool2d", inputs: [x]) { [x, out] g in
            let xp = x.data, yp = out.data   // from the captured tensors, which keep the memory alive
            let g = g.channelsLast()
            let dx = Tensor(shape: x.shape, storage: Storage(repeating: 0, count: x.count), format: .channelsLast)
            let gp = g.data, dp = dx.data
            // Images write disjoint parts of dx.
            Parallel.forRanges(n) { images in
                var found = [Bool](repeating: false, count: c)
                for b in images {
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            let o = ((b * oh + y) * ow + xo) * c
                            for j in 0..<c { found[j] = false }
                            window(b, y, xo) { base in
                                for j in 0..<c where !found[j] && (xp[base + j] == yp[o + j] || (xp[base + j].isNaN && yp[o + j].isNaN)) {
                                    dp[base + j] += gp[o + j]; found[j] = true
                                }
                            }
                        }
                    }
                }
            }
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
