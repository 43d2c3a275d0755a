// N batch, C channels, H×W spatial, M = N·H·W values per channel, G groups.
//
// Batch and group normalisation as primitives with hand-written VJPs (llm.c's layernorm style).
// Both work on a "rows × C" view: channels-last 4-D storage is [N·H·W, C]; 2-D input is [N, C].
import Foundation

extension Tensor {
    /// The rows × C view this kernel works on: channels-last for 4-D, the tensor itself for 2-D.
    private func rowsByChannels() -> (Tensor, rows: Int, channels: Int) {
        require(rank == 2 || rank == 4, "norm: expected [N, C] or [N, C, H, W], got \(shape)")
        let x = rank == 4 ? channelsLast() : contiguous()
        return (x, count / shape[1], shape[1])
    }

    /// Batch normalisation, PyTorch semantics (`F.batch_norm`).
    ///
    /// Training: normalises with the batch's mean and biased variance over M, and updates the running
    /// statistics in place: `r ← (1−momentum)·r + momentum·s`, with the unbiased variance M/(M−1).
    /// Evaluation: normalises with the running statistics.
    /// With an `activation`, returns activation(batchNorm(x)) from the same op (one pass where the back end allows;
    /// the backward pass masks the gradient with the output).
    /// - Parameters: weight, bias, runningMean, runningVar: [C].
    /// - Returns: the same shape (channels-last when 4-D).
    public func batchNorm(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                          training: Bool, momentum: Float = 0.1, eps: Float = 1e-5, activation: Activation = .identity) -> Tensor {
        let (x, m, c) = rowsByChannels()
        require(weight.shape == [c] && bias.shape == [c], "batchNorm: weight/bias should be [\(c)] for input \(shape)")
        if training { require(m > 1, "batchNorm: training needs more than one value per channel, got input \(shape)") }
        if ComputeBackend.current == .dnnl && rank == 4 && (training || !Tensor.willRecord([x, weight, bias])) {
            return batchNorm2dDNNL(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                                   training: training, momentum: momentum, eps: eps, activation: activation)
        }
        let (mean, invStd) = Tensor.batchNormStatistics(x, rows: m, channels: c, training: training, runningMean: runningMean,
                                                       runningVar: runningVar, momentum: momentum, eps: eps)
        // y = x·scale + shift with scale = γ·invStd, shift = β − mean·scale
        let scale = [Float](unsafeUninitializedCapacity: c) { b, n in
            for j in 0..<c { b[j] = weight.data[j] * invStd.data[j] }; n = c }
        let shift = [Float](unsafeUninitializedCapacity: c) { b, n in
            for j in 0..<c { b[j] = bias.data[j] - mean.data[j] * scale[j] }; n = c }
        let out = Tensor(uninitialized: x.shape, format: x.format)
        let xp = x.data, yp = out.data
        let (low, high) = activation.bounds
        Parallel.forRanges(m, minChunk: 1024) { rows in
            scale.withUnsafeBufferPointer { s in shift.withUnsafeBufferPointer { t in
                if activation == .identity {
                    for r in rows { let xr = xp + r * c, yr = yp + r * c; for j in 0..<c { yr[j] = xr[j] * s[j] + t[j] } }
                } else {
                    for r in rows {
                        let xr = xp + r * c, yr = yp + r * c
                        for j in 0..<c { yr[j] = Swift.min(high, Swift.max(low, xr[j] * s[j] + t[j])) }
                    }
                }
            } }
        }
        return Tensor.result(out, op: Tensor.batchNormOpName(activation), inputs: [x, weight, bias]) { g in
            var g = g.format == x.format ? g : g.converted(to: x.format)
            if activation != .identity { g = g.maskedByClamp(output: out, activation.bounds) }   // through the activation first
            let gp = g.data
            // Per channel: Σg and Σg·x̂ with x̂ = (x − mean)·invStd.
            var sumG = [Double](repeating: 0, count: c), sumGX = [Double](repeating: 0, count: c)
            for r in 0..<m {
                let gr = gp + r * c, xr = xp + r * c
                for j in 0..<c {
                    sumG[j] += Double(gr[j])
                    sumGX[j] += Double(gr[j] * (xr[j] - mean.data[j]) * invStd.data[j])
                }
            }
            let dWeight = Tensor(sumGX.map(Float.init), shape: [c])
            let dBias = Tensor(sumG.map(Float.init), shape: [c])
            var dx: Tensor? = nil
            if x.requiresGrad {
                let d = Tensor(uninitialized: x.shape, format: x.format)
                let dp = d.data
                if training {   // dx = γ·invStd/M · (M·g − Σg − x̂·Σg·x̂)
                    let a = (0..<c).map { scale[$0] }                                  // γ·invStd
                    let mG = (0..<c).map { Float(sumG[$0] / Double(m)) }
                    let mGX = (0..<c).map { Float(sumGX[$0] / Double(m)) * invStd.data[$0] }
                    let mu = (0..<c).map { mean.data[$0] }
                    Parallel.forRanges(m, minChunk: 1024) { rows in
                        for r in rows {
                            let gr = gp + r * c, xr = xp + r * c, dr = dp + r * c
                            for j in 0..<c { dr[j] = a[j] * (gr[j] - mG[j] - (xr[j] - mu[j]) * mGX[j]) }
                        }
                    }
                } else {
                    for r in 0..<m { let gr = gp + r * c, dr = dp + r * c; for j in 0..<c { dr[j] = gr[j] * scale[j] } }
                }
                dx = d
            }
            return [dx, dWeight, dBias]
        }
    }

    /// Evaluation's batch norm (running statistics) folded into the convolution before it, for inference:
    /// weight'[o] = weight[o]·s[o] and bias'[o] = β[o] − mean[o]·s[o] with s = γ/√(var + eps), so that
    /// conv(x, weight', bias') = batchNorm(conv(x, weight)). The output channel is the convolution weight's outermost
    /// dimension in either memory format. Not recorded.
    public static func batchNormFolded(into convWeight: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor,
                                       runningVar: Tensor, eps: Float) -> (weight: Tensor, bias: Tensor) {
        let o = convWeight.shape[0]
        require(weight.shape == [o] && bias.shape == [o] && runningMean.shape == [o] && runningVar.shape == [o],
                "batchNormFolded: the batch norm's [C] parameters do not match the convolution's \(o) outputs")
        let scale = (0..<o).map { weight.data[$0] / (runningVar.data[$0] + eps).squareRoot() }
        let shift = (0..<o).map { bias.data[$0] - runningMean.data[$0] * scale[$0] }
        let folded = Tensor(uninitialized: convWeight.shape, format: convWeight.format)
        let perOutput = convWeight.count / o, w = convWeight.data, f = folded.data
        for j in 0..<o { for i in 0..<perOutput { f[j * perOutput + i] = w[j * perOutput + i] * scale[j] } }
        return (folded, Tensor(shift, shape: [o]))
    }

    /// The op's name in profiles: "batchNorm", "batchNormReLU", "batchNormReLU6".
    static func batchNormOpName(_ activation: Activation) -> String {
        switch activation {
        case .identity: return "batchNorm"
        case .relu: return "batchNormReLU"
        case .relu6: return "batchNormReLU6"
        }
    }

    /// Per channel of `x` ([M, C] rows): the mean and 1/√(var + eps) to normalise with. Training: the batch's
    /// (biased variance), and the running statistics updated in place with the unbiased variance; evaluation:
    /// the running statistics.
    static func batchNormStatistics(_ x: Tensor, rows m: Int, channels c: Int, training: Bool, runningMean: Tensor,
                                    runningVar: Tensor, momentum: Float, eps: Float) -> (mean: Tensor, invStd: Tensor) {
        let mean = Tensor(uninitialized: [c]), invStd = Tensor(uninitialized: [c])
        if training {
            var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
            let xp = x.data
            for r in 0..<m { let row = xp + r * c; for j in 0..<c { sum[j] += Double(row[j]) } }
            for j in 0..<c { mean.data[j] = Float(sum[j] / Double(m)) }
            for r in 0..<m { let row = xp + r * c; for j in 0..<c { let d = Double(row[j] - mean.data[j]); sq[j] += d * d } }
            for j in 0..<c {
                let variance = sq[j] / Double(m)
                invStd.data[j] = Float(1 / (variance + Double(eps)).squareRoot())
                runningMean.data[j] = (1 - momentum) * runningMean.data[j] + momentum * mean.data[j]
                runningVar.data[j] = (1 - momentum) * runningVar.data[j] + momentum * Float(sq[j] / Double(m - 1))
            }
        } else {
            for j in 0..<c {
                mean.data[j] = runningMean.data[j]
                invStd.data[j] = 1 / (runningVar.data[j] + eps).squareRoot()
            }
        }
        return (mean, invStd)
    }

    /// Group normalisation, PyTorch semantics (`F.group_norm`): per image and group of C/G channels,
    /// normalise over (C/G)·H·W values with the biased variance, then scale and shift per channel.
    /// Images are processed in parallel; within an image, rows of C channels are walked group by group.
    /// - Parameters: weight, bias: [C]. Input [N, C, H, W]; C divisible by `groups`.
    public func groupNorm(groups: Int, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
        require(rank == 4 && shape[1] % groups == 0, "groupNorm: \(shape) channels not divisible into \(groups) groups")
        let (n, c) = (shape[0], shape[1])
        let x = channelsLast()
        let hw = shape[2] * shape[3], cg = c / groups
        let count = Double(hw * cg)
        let mean = Storage(uninitialized: n * groups), invStd = Storage(uninitialized: n * groups)
        let xp = x.data, mp = mean.pointer, ip = invStd.pointer, wp = weight.data, bp = bias.data
        let out = Tensor(uninitialized: x.shape, format: .channelsLast)
        let yp = out.data
        Parallel.forRanges(n) { images in
            for b in images {
                let img = xp + b * hw * c
                for g in 0..<groups {
                    var s = 0.0
                    for r in 0..<hw { let row = img + r * c + g * cg; for k in 0..<cg { s += Double(row[k]) } }
                    let m = s / count
                    var q = 0.0
                    for r in 0..<hw { let row = img + r * c + g * cg; for k in 0..<cg { let d = Double(row[k]) - m; q += d * d } }
                    mp[b * groups + g] = Float(m)
                    ip[b * groups + g] = Float(1 / (q / count + Double(eps)).squareRoot())
                }
                for r in 0..<hw {
                    let xr = img + r * c, yr = yp + (b * hw + r) * c
                    for g in 0..<groups {
                        let m = mp[b * groups + g], inv = ip[b * groups + g]
                        for k in 0..<cg { let j = g * cg + k; yr[j] = (xr[j] - m) * inv * wp[j] + bp[j] }
                    }
                }
            }
        }
        return Tensor.result(out, op: "groupNorm", inputs: [x, weight, bias]) { [mean, invStd] gOut in
            // The statistics' storages are captured, so the pointers below stay valid.
            let mp = mean.pointer, ip = invStd.pointer
            let gt = gOut.channelsLast()
            let gp = gt.data
            let dx = Tensor(uninitialized: x.shape, format: .channelsLast)
            let dxp = dx.data
            // Per-image partial sums of dγ and dβ, added up after the parallel loop.
            let partial = Storage(repeating: 0, count: n * 2 * c)
            let pp = partial.pointer
            Parallel.forRanges(n) { images in
                for b in images {
                    let img = xp + b * hw * c, gimg = gp + b * hw * c, dimg = dxp + b * hw * c
                    let dW = pp + b * 2 * c, dB = dW + c
                    for g in 0..<groups {
                        let m = mp[b * groups + g], inv = ip[b * groups + g]
                        // Σ dx̂ and Σ dx̂·x̂ over the group, with dx̂ = g·γ.
                        var sd = 0.0, sdx = 0.0
                        for r in 0..<hw {
                            let xr = img + r * c, gr = gimg + r * c
                            for k in 0..<cg {
                                let j = g * cg + k
                                let xh = (xr[j] - m) * inv
                                dW[j] += gr[j] * xh; dB[j] += gr[j]
                                let dxh = gr[j] * wp[j]
                                sd += Double(dxh); sdx += Double(dxh * xh)
                            }
                        }
                        let a = Float(sd / count), bb = Float(sdx / count)
                        for r in 0..<hw {
                            let xr = img + r * c, gr = gimg + r * c, dr = dimg + r * c
                            for k in 0..<cg {
                                let j = g * cg + k
                                let xh = (xr[j] - m) * inv
                                dr[j] = inv * (gr[j] * wp[j] - a - xh * bb)
                            }
                        }
                    }
                }
            }
            let dWeight = Tensor.zeros([c]), dBias = Tensor.zeros([c])
            for b in 0..<n {
                for j in 0..<c { dWeight.data[j] += pp[b * 2 * c + j]; dBias.data[j] += pp[b * 2 * c + c + j] }
            }
            return [dx, dWeight, dBias]
        }
    }
}
