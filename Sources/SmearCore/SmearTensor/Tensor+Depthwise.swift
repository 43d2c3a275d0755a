// N batch, C channels, H×W input, OH×OW output, KH×KW kernel. Depthwise convolution (groups = C: each channel
// convolved with its own kernel, PyTorch's Conv2d(C, C, k, groups=C)), zero padding with separate amounts on each
// side (TensorFlow's "SAME" padding is asymmetric for even inputs and stride 2).
// On the oneDNN back end it is oneDNN's grouped convolution (its depthwise kernels), except for the weight gradient
// of taps other than 3×3, which oneDNN 2.6 runs with a generic grouped kernel and smear with its own C kernel
// (CKernels/depthwise_weight_grad.c); on the BLAS back end, the reference: a direct loop on channels-last data (the
// C values of a pixel are contiguous: the inner loop runs over channels and vectorises), forward and backward side by
// side. Depthwise convolution does few operations per byte it reads, which is why neither uses a matrix product.
import CKernels
import Foundation

/// Zero padding of the four sides of an image, in pixels.
public struct Padding2d: Sendable, Hashable {
    public var top, bottom, left, right: Int
    public init(top: Int, bottom: Int, left: Int, right: Int) { self.top = top; self.bottom = bottom; self.left = left; self.right = right }
    public init(_ p: Int) { self.init(top: p, bottom: p, left: p, right: p) }

    /// TensorFlow's "SAME" padding for one dimension: the output is ceil(size / stride), the extra pixel (if the
    /// total is odd) goes to the end.
    public static func same(height: Int, width: Int, kernel: Int, stride: Int) -> Padding2d {
        func split(_ size: Int) -> (Int, Int) {
            let out = (size + stride - 1) / stride
            let total = max((out - 1) * stride + kernel - size, 0)
            return (total / 2, total - total / 2)
        }
        let (t, b) = split(height), (l, r) = split(width)
        return Padding2d(top: t, bottom: b, left: l, right: r)
    }
}

extension Tensor {
    /// Depthwise convolution: input [N, C, H, W], weight [C, 1, KH, KW], bias [C].
    /// `activation` is applied to the output: inside oneDNN's kernel when nothing is recorded (inference), as its own
    /// op otherwise.
    /// - Returns: [N, C, OH, OW] stored channels-last, OH = (H + top + bottom − KH) / stride + 1.
    public func depthwiseConv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding2d = Padding2d(0),
                                activation: Activation = .identity) -> Tensor {
        require(rank == 4 && weight.rank == 4 && weight.shape[0] == shape[1] && weight.shape[1] == 1,
                "depthwiseConv2d: input \(shape) and weight \(weight.shape) do not match ([N, C, H, W] and [C, 1, KH, KW])")
        require(stride > 0 && min(padding.top, padding.bottom, padding.left, padding.right) >= 0,
                "depthwiseConv2d: stride \(stride) must be positive and padding not negative")
        let (c, h, w, kh, kw) = (shape[1], shape[2], shape[3], weight.shape[2], weight.shape[3])
        let oh = (h + padding.top + padding.bottom - kh) / stride + 1, ow = (w + padding.left + padding.right - kw) / stride + 1
        require(oh > 0 && ow > 0, "depthwiseConv2d: input \(shape) is smaller than kernel \(weight.shape) with its padding")
        if let bias { require(bias.shape == [c], "depthwiseConv2d: bias \(bias.shape) should be [\(c)]") }
        let x = channelsLast()
        let taps = weight.permuted([2, 3, 0, 1]).contiguous()   // [KH, KW, C, 1]: a tap's C weights contiguous
        if ComputeBackend.current == .dnnl {
            if !Tensor.willRecord([x, taps, bias]) {
                return depthwiseDNNL(x, taps: taps, bias: bias, kh: kh, kw: kw, stride: stride, padding: padding, oh: oh, ow: ow,
                                     activation: activation)
            }
            return activation.apply(depthwiseDNNL(x, taps: taps, bias: bias, kh: kh, kw: kw, stride: stride, padding: padding, oh: oh, ow: ow))
        }
        return activation.apply(depthwiseDirect(x, taps: taps, bias: bias, kh: kh, kw: kw, stride: stride, padding: padding, oh: oh, ow: ow))
    }

    /// The direct loop (the BLAS back end's reference kernel), forward and backward.
    private func depthwiseDirect(_ x: Tensor, taps: Tensor, bias: Tensor?, kh: Int, kw: Int, stride: Int, padding: Padding2d,
                                 oh: Int, ow: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let out = Tensor(uninitialized: [n, c, oh, ow], format: .channelsLast)
        let xp = x.data, tp = taps.data, yp = out.data
        let bp = bias?.data
        /// The (input offset, tap offset) pairs of output pixel (b, y, xo), each offset to C contiguous values.
        @inline(__always) func window(_ b: Int, _ y: Int, _ xo: Int, _ body: (Int, Int) -> Void) {
            for i in 0..<kh {
                let iy = y * stride - padding.top + i
                if iy < 0 || iy >= h { continue }
                for j in 0..<kw {
                    let ix = xo * stride - padding.left + j
                    if ix >= 0 && ix < w { body(((b * h + iy) * w + ix) * c, (i * kw + j) * c) }
                }
            }
        }
        Parallel.forRanges(n * oh, minChunk: 2) { rows in
            for r in rows {
                let b = r / oh, y = r % oh
                for xo in 0..<ow {
                    let dst = yp + ((b * oh + y) * ow + xo) * c
                    if let bp { dst.update(from: bp, count: c) } else { dst.update(repeating: 0, count: c) }
                    window(b, y, xo) { xi, ti in
                        let src = xp + xi, k = tp + ti
                        for ch in 0..<c { dst[ch] += src[ch] * k[ch] }
                    }
                }
            }
        }
        let inputs = bias.map { [x, taps, $0] } ?? [x, taps]
        return Tensor.result(out, op: "depthwiseConv2d", inputs: inputs) { g in
            let g = g.channelsLast()
            let gp = g.data
            var dx: Tensor? = nil
            if x.requiresGrad {   // images write disjoint parts of dx
                let t = Tensor(shape: x.shape, storage: Storage(repeating: 0, count: x.count), format: .channelsLast)
                let dp = t.data
                Parallel.forRanges(n) { images in
                    for b in images {
                        for y in 0..<oh {
                            for xo in 0..<ow {
                                let go = gp + ((b * oh + y) * ow + xo) * c
                                window(b, y, xo) { xi, ti in
                                    let d = dp + xi, k = tp + ti
                                    for ch in 0..<c { d[ch] += go[ch] * k[ch] }
                                }
                            }
                        }
                    }
                }
                dx = t
            }
            var dTaps: Tensor? = nil
            if taps.requiresGrad {   // threads take disjoint channel ranges: a tap's sums never meet
                let t = Tensor.zeros(taps.shape)
                let dp = t.data
                Parallel.forRanges(c, minChunk: 16) { channels in
                    for b in 0..<n {
                        for y in 0..<oh {
                            for xo in 0..<ow {
                                let go = gp + ((b * oh + y) * ow + xo) * c
                                window(b, y, xo) { xi, ti in
                                    let src = xp + xi, a = dp + ti
                                    for ch in channels { a[ch] += go[ch] * src[ch] }
                                }
                            }
                        }
                    }
                }
                dTaps = t
            }
            var grads: [Tensor?] = [dx, dTaps]
            if let bias {
                guard bias.requiresGrad else { grads.append(nil); return grads }
                let db = Tensor.zeros([c])
                for r in 0..<(n * oh * ow) { let row = gp + r * c; for ch in 0..<c { db.data[ch] += row[ch] } }
                grads.append(db)
            }
            return grads
        }
    }

    /// depthwiseConv2d through oneDNN, on the same channels-last input and [KH, KW, C, 1] taps.
    private func depthwiseDNNL(_ x: Tensor, taps: Tensor, bias: Tensor?, kh: Int, kw: Int, stride: Int, padding: Padding2d,
                               oh: Int, ow: Int, activation: Activation = .identity) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let d = DNNL.depthwise(n: n, c: c, h: h, w: w, kh: kh, kw: kw, stride: stride, padding: padding, bias: bias != nil,
                               training: Tensor.willRecord([x, taps, bias]), activation: activation)
        let out = Tensor(uninitialized: [n, c, oh, ow], format: .channelsLast)
        DNNL.depthwiseForward(d, x: x.data, taps: taps.data, bias: bias.map { UnsafePointer($0.data) }, out: out.data)
        let inputs = bias.map { [x, taps, $0] } ?? [x, taps]
        return Tensor.result(out, op: "depthwiseConv2d", inputs: inputs) { g in
            let g = g.channelsLast()
            let dx = x.requiresGrad ? Tensor(uninitialized: x.shape, format: .channelsLast) : nil
            let needTaps = taps.requiresGrad || bias?.requiresGrad == true
            let dTaps = needTaps ? Tensor(uninitialized: taps.shape) : nil
            let db = needTaps ? bias.map { Tensor(uninitialized: $0.shape) } : nil
            // oneDNN's own depthwise kernel for the weight gradient covers 3×3 taps; other sizes take smear's
            let oneDNNTaps = kh == 3 && kw == 3
            if dx != nil || oneDNNTaps {
                DNNL.depthwiseBackward(d, x: x.data, g: g.data, taps: taps.data, dx: dx?.data, dTaps: oneDNNTaps ? dTaps?.data : nil,
                                       dBias: oneDNNTaps ? db?.data : nil)
            }
            if let dTaps, !oneDNNTaps {
                Tensor.depthwiseWeightGradient(x, g, into: dTaps, bias: db, kh: kh, kw: kw, stride: stride, padding: padding, oh: oh, ow: ow)
            }
            return bias == nil ? [dx, dTaps] : [dx, dTaps, db]
        }
    }

    /// The taps' (and bias's) gradient by smear's C kernel: threads take disjoint blocks of 16 channels, and each
    /// channel's sums run in one order, so the result is the same for any thread count.
    private static func depthwiseWeightGradient(_ x: Tensor, _ g: Tensor, into dTaps: Tensor, bias db: Tensor?, kh: Int, kw: Int,
                                                stride: Int, padding: Padding2d, oh: Int, ow: Int) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let xp = x.data, gp = g.data, tp = dTaps.data, bp = db?.data
        Parallel.forRanges((c + 15) / 16) { blocks in
            smear_depthwise_weight_grad(xp, gp, tp, bp, Int32(n), Int32(c), Int32(h), Int32(w), Int32(kh), Int32(kw), Int32(stride),
                                        Int32(padding.top), Int32(padding.left), Int32(oh), Int32(ow),
                                        Int32(blocks.lowerBound * 16), Int32(min(c, blocks.upperBound * 16)))
        }
    }

    /// Zero padding of an image batch [N, C, H, W] → [N, C, H + top + bottom, W + left + right], channels-last.
    public func padded(_ p: Padding2d) -> Tensor {
        require(rank == 4 && min(p.top, p.bottom, p.left, p.right) >= 0, "padded: expected [N, C, H, W] and padding ≥ 0, got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let ph = h + p.top + p.bottom, pw = w + p.left + p.right
        let x = channelsLast()
        let out = Tensor(shape: [n, c, ph, pw], storage: Storage(repeating: 0, count: n * c * ph * pw), format: .channelsLast)
        let xp = x.data, yp = out.data
        Parallel.forRanges(n * h, minChunk: 8) { rows in
            for r in rows {
                let b = r / h, y = r % h
                (yp + ((b * ph + y + p.top) * pw + p.left) * c).update(from: xp + (b * h + y) * w * c, count: w * c)
            }
        }
        return Tensor.result(out, op: "padded", inputs: [x]) { g in
            let g = g.channelsLast()
            let dx = Tensor(uninitialized: [n, c, h, w], format: .channelsLast)
            let gp = g.data, dp = dx.data
            for b in 0..<n {
                for y in 0..<h { (dp + (b * h + y) * w * c).update(from: gp + ((b * ph + y + p.top) * pw + p.left) * c, count: w * c) }
            }
            return [dx]
        }
    }
}
