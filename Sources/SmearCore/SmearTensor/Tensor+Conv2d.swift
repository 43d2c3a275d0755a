// N batch, C input channels, O output channels, H×W input, P = OH×OW output pixels, K = KH·KW·C.
//
// 2-D convolution as one GEMM per chunk of images on channels-last data (NHWC storage):
//   col[N·P, K]  = im2col(x)                       (patch rows, (kh, kw, c) order: contiguous copies)
//   out[N·P, O]  = col · Wᵀ,  W viewed as [O, K]   (weights permuted [O, C, KH, KW] → [O, KH, KW, C])
// The output is channels-last, which is NHWC storage of the logical [N, O, OH, OW].
// Backward recomputes col instead of storing it: dW = gᵀ·col. The input gradient of a stride-1
// convolution is itself a convolution (of g with the flipped, transposed kernel, padding KH−1−p), which
// keeps the GEMM's inner dimension large; other strides use dcol = g·W, dx = col2im(dcol).
import Foundation

/// Geometry of one convolution.
public struct Conv2dGeometry: Sendable, Hashable {
    public var n, c, h, w, o, kh, kw, stride, padding: Int
    public var oh: Int { (h + 2 * padding - kh) / stride + 1 }
    public var ow: Int { (w + 2 * padding - kw) / stride + 1 }
    public var k: Int { kh * kw * c }
    var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padding == 0 }
}

/// Largest number of col elements materialised at once (bounds memory at 224 px).
let im2colChunkElements = 1 << 23

extension Conv2dGeometry {
    /// Images per chunk so that one chunk's col matrix stays under `im2colChunkElements`.
    var imagesPerChunk: Int { max(1, min(n, im2colChunkElements / max(1, oh * ow * k))) }

    /// Fills col rows for images n0..<n1 from NHWC `x`.
    func im2col(_ x: UnsafePointer<Float>, images: Range<Int>, _ col: UnsafeMutablePointer<Float>) {
        let (oh, ow, k) = (self.oh, self.ow, self.k)
        Parallel.forRanges(images.count * oh, minChunk: 4) { rows in
            for r in rows {
                let b = images.lowerBound + r / oh, y = r % oh
                for xo in 0..<ow {
                    var dst = col + ((r * ow) + xo) * k
                    for i in 0..<kh {
                        let iy = y * stride - padding + i
                        for j in 0..<kw {
                            let ix = xo * stride - padding + j
                            if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                dst.update(from: x + ((b * h + iy) * w + ix) * c, count: c)
                            } else {
                                dst.update(repeating: 0, count: c)
                            }
                            dst += c
                        }
                    }
                }
            }
        }
    }

    /// Adds col rows for images n0..<n1 back into NHWC `dx` (which must be zeroed first).
    func col2im(_ col: UnsafePointer<Float>, images: Range<Int>, _ dx: UnsafeMutablePointer<Float>) {
        let (oh, ow, k) = (self.oh, self.ow, self.k)
        Parallel.forRanges(images.count) { imgs in   // images write disjoint parts of dx
            for li in imgs {
                let b = images.lowerBound + li
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var src = col + ((li * oh + y) * ow + xo) * k
                        for i in 0..<kh {
                            let iy = y * stride - padding + i
                            for j in 0..<kw {
                                let ix = xo * stride - padding + j
                                if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                    let d = dx + ((b * h + iy) * w + ix) * c
                                    for ch in 0..<c { d[ch] += src[ch] }
                                }
                                src += c
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Conv2dGeometry {
    /// out[N·P, O] = im2col(x)·wtᵀ for NHWC `x` and `wt` [O, K], chunked over images.
    func forward(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let p = oh * ow
        let chunk = imagesPerChunk
        let col = isPointwise ? nil : Storage(uninitialized: chunk * p * k)
        for n0 in Swift.stride(from: 0, to: n, by: chunk) {
            let imgs = n0..<min(n, n0 + chunk)
            let a: UnsafePointer<Float>
            if let col { im2col(x, images: imgs, col.pointer); a = UnsafePointer(col.pointer) }
            else { a = x + n0 * p * c }
            gemm(transB: true, m: imgs.count * p, n: o, k: k, a: a, lda: k, b: wt, ldb: k, c: out + n0 * p * o, ldc: o)
        }
    }

    /// For stride 1: the geometry of dx = conv(g, flipped kernel) and that kernel, [C, KH, KW, O] = [C, KH·KW·O].
    func inputGradientAsConvolution(_ wt: UnsafePointer<Float>) -> (Conv2dGeometry, Storage) {
        let flipped = Storage(uninitialized: o * k)
        let f = flipped.pointer
        for co in 0..<o {
            for i in 0..<kh {
                for j in 0..<kw {
                    let src = wt + ((co * kh + i) * kw + j) * c
                    let fi = kh - 1 - i, fj = kw - 1 - j
                    for ci in 0..<c { f[((ci * kh + fi) * kw + fj) * o + co] = src[ci] }
                }
            }
        }
        let g = Conv2dGeometry(n: n, c: o, h: oh, w: ow, o: c, kh: kh, kw: kw, stride: 1, padding: kh - 1 - padding)
        return (g, flipped)
    }
}

extension Tensor {
    /// Convolution, PyTorch semantics: input [N, C, H, W], weight [O, C, KH, KW], bias [O].
    /// Runs on `ComputeBackend.current` (oneDNN or im2col + OpenBLAS); both give the same values to
    /// float32 rounding. `activation` is applied to the output: inside oneDNN's kernel when nothing is recorded
    /// (inference), as its own op otherwise.
    /// - Returns: [N, O, OH, OW], stored channels-last.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       activation: Activation = .identity) -> Tensor {
        require(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d: input \(shape) and weight \(weight.shape) do not match ([N, C, H, W] and [O, C, KH, KW])")
        require(stride > 0 && padding >= 0, "conv2d: stride \(stride) must be positive and padding \(padding) not negative")
        let geo = Conv2dGeometry(n: shape[0], c: shape[1], h: shape[2], w: shape[3], o: weight.shape[0],
                                 kh: weight.shape[2], kw: weight.shape[3], stride: stride, padding: padding)
        require(geo.oh > 0 && geo.ow > 0, "conv2d: input \(shape) is smaller than kernel \(weight.shape) with padding \(padding)")
        if let bias { require(bias.shape == [geo.o], "conv2d: bias \(bias.shape) should be [\(geo.o)]") }
        switch ComputeBackend.current {
        case .dnnl where !Tensor.willRecord([self, weight, bias]): return conv2dDNNL(geo, weight: weight, bias: bias, activation: activation)
        case .dnnl: return activation.apply(conv2dDNNL(geo, weight: weight, bias: bias))
        case .blas: return activation.apply(conv2dIm2col(geo, weight: weight, bias: bias))
        }
    }

    /// The im2col + OpenBLAS convolution (the reference back end).
    func conv2dIm2col(_ geo: Conv2dGeometry, weight: Tensor, bias: Tensor?) -> Tensor {
        let x = channelsLast()
        // The GEMM wants the kernel stored [O, KH, KW, C] = [O, K]: a channels-last weight already is
        // (Conv2d keeps its weight so), a 1×1 kernel needs no reordering, others are permuted.
        let wt: Tensor
        if weight.format == .channelsLast || (geo.kh == 1 && geo.kw == 1) { wt = weight }
        else { wt = weight.permuted([0, 2, 3, 1]) }
        let out = Tensor(uninitialized: [geo.n, geo.o, geo.oh, geo.ow], format: .channelsLast)
        let p = geo.oh * geo.ow
        let chunk = geo.imagesPerChunk
        geo.forward(x.data, wt.data, out.data)
        if let bias {
            let y = out.data, bv = bias.data
            for r in 0..<(geo.n * p) { let row = y + r * geo.o; for j in 0..<geo.o { row[j] += bv[j] } }
        }
        let inputs = bias.map { [x, wt, $0] } ?? [x, wt]
        return Tensor.result(out, op: "conv2d", inputs: inputs) { g in
            let g = g.channelsLast()
            let rows = geo.n * p
            var grads: [Tensor?] = [nil, nil]
            // Same storage order as wt: [O, KH, KW, C].
            let dwt = wt.requiresGrad ? Tensor(shape: wt.shape, storage: Storage(repeating: 0, count: wt.count), format: wt.format) : nil
            // Worth it where activations outweigh the kernel (flipping the kernel is a strided copy).
            let dataAsConvolution = x.requiresGrad && geo.stride == 1 && !geo.isPointwise && 2 * geo.padding < geo.kh
                && x.count > geo.o * geo.k
            var dx: Tensor? = nil
            if dataAsConvolution {
                let t = Tensor(uninitialized: x.shape, format: .channelsLast)
                let (dgeo, flipped) = geo.inputGradientAsConvolution(wt.data)
                dgeo.forward(g.data, flipped.pointer, t.data)
                grads[0] = t
            } else if x.requiresGrad {
                dx = Tensor(shape: x.shape, storage: Storage(repeating: 0, count: x.count), format: .channelsLast)
            }
            let col = (dwt != nil && !geo.isPointwise) ? Storage(uninitialized: chunk * p * geo.k) : nil
            let dcol = (dx != nil && !geo.isPointwise) ? Storage(uninitialized: chunk * p * geo.k) : nil
            for n0 in Swift.stride(from: 0, to: geo.n, by: chunk) {
                let imgs = n0..<min(geo.n, n0 + chunk)
                let m = imgs.count * p
                let gChunk = g.data + n0 * p * geo.o
                var a: UnsafePointer<Float> = UnsafePointer(x.data + n0 * p * geo.c)
                if let dwt {
                    if let col { geo.im2col(x.data, images: imgs, col.pointer); a = UnsafePointer(col.pointer) }
                    gemm(transA: true, m: geo.o, n: geo.k, k: m, a: gChunk, lda: geo.o, b: a, ldb: geo.k,
                         beta: 1, c: dwt.data, ldc: geo.k)
                }
                if let dx {
                    if let dcol {
                        gemm(m: m, n: geo.k, k: geo.o, a: gChunk, lda: geo.o, b: wt.data, ldb: geo.k,
                             c: dcol.pointer, ldc: geo.k)
                        geo.col2im(dcol.pointer, images: imgs, dx.data)
                    } else {
                        gemm(m: m, n: geo.k, k: geo.o, a: gChunk, lda: geo.o, b: wt.data, ldb: geo.k,
                             c: dx.data + n0 * p * geo.c, ldc: geo.k)
                    }
                }
            }
            grads = [grads[0] ?? dx, dwt]
            if let bias, bias.requiresGrad {
                let db = Tensor.zeros([geo.o])
                for r in 0..<rows { let row = g.data + r * geo.o; for j in 0..<geo.o { db.data[j] += row[j] } }
                grads.append(db)
            } else if bias != nil { grads.append(nil) }
            return grads
        }
    }
}
