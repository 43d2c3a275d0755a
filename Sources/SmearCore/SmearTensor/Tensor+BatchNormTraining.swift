// M = N·H·W rows of C channels (channels-last).
//
// Training batch normalisation (the batch's statistics) with the clamp of its activation, by smear's C kernels
// (CKernels/batch_norm_clamp.c): the same semantics and VJP as the reference `batchNorm` followed by the activation, in
// two passes over the activations forward (statistics; output) and two backward (the gradient's sums; the input's
// gradient), the clamp's mask recomputed from the input. The oneDNN back end trains with it; evaluation keeps oneDNN's
// kernel (or the batch norm folded into the convolution before it).
import CKernels
import Foundation

extension Tensor {
    /// Rows per range of partial sums: set by the channel count alone, never by the thread count, so that the ranges'
    /// sums are added in the same order, and give the same bits, on any number of threads.
    public static func batchNormRowsPerRange(channels c: Int) -> Int { Swift.max(16, 16_384 / Swift.max(c, 1)) }

    /// Training batch norm of a 4-D tensor followed by `activation`, one recorded op. Updates the running statistics
    /// in place (unbiased variance, as PyTorch does).
    func batchNorm2dTraining(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor, momentum: Float,
                             eps: Float, activation: Activation) -> Tensor {
        let x = channelsLast()
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let m = n * h * w
        let (low, high) = activation.bounds
        let xp = x.data
        let sums = Tensor.rowRangeSums(rows: m, channels: c) { r0, r1, s1, s2 in
            smear_bn_sums(xp, Int64(c), Int64(r0), Int64(r1), xp, s1, s2)   // the first row as the pivot
        }
        let mean = Tensor(uninitialized: [c]), a = Tensor(uninitialized: [c]), b = Tensor(uninitialized: [c])
        var invStd = [Double](repeating: 0, count: c)
        for j in 0..<c {
            let shift = sums.first[j] / Double(m)
            let batchMean = Double(xp[j]) + shift
            let variance = Swift.max(0, sums.second[j] / Double(m) - shift * shift)
            invStd[j] = 1 / (variance + Double(eps)).squareRoot()
            mean.data[j] = Float(batchMean)
            let scale = Double(weight.data[j]) * invStd[j]
            a.data[j] = Float(scale)
            b.data[j] = Float(Double(bias.data[j]) - batchMean * scale)
            runningMean.data[j] = (1 - momentum) * runningMean.data[j] + momentum * Float(batchMean)
            runningVar.data[j] = (1 - momentum) * runningVar.data[j] + momentum * Float(variance * Double(m) / Double(m - 1))
        }
        let out = Tensor(uninitialized: x.shape, format: .channelsLast)
        let yp = out.data, ap = a.data, bp = b.data
        Parallel.forRanges(m, minChunk: Tensor.batchNormRowsPerRange(channels: c)) { rows in
            smear_bn_clamp_apply(xp, Int64(c), Int64(rows.lowerBound), Int64(rows.upperBound), ap, bp, low, high, yp)
        }
        return Tensor.result(out, op: Tensor.batchNormOpName(activation), inputs: [x, weight, bias]) { [x, a, b, mean] gOut in
            // pointers taken here, from the captured tensors: their storage must outlive the forward pass
            let g = gOut.channelsLast()
            let xp = x.data, gp = g.data, mp = mean.data, ap = a.data, bp = b.data
            let grads = Tensor.rowRangeSums(rows: m, channels: c) { r0, r1, sg, sgx in
                smear_bn_clamp_grad_sums(xp, gp, Int64(c), Int64(r0), Int64(r1), ap, bp, mp, low, high, sg, sgx)
            }
            let dWeight = Tensor(uninitialized: [c]), dBias = Tensor(uninitialized: [c])
            let kG = Tensor(uninitialized: [c]), kX = Tensor(uninitialized: [c]), k0 = Tensor(uninitialized: [c])
            for j in 0..<c {
                // dx = γ·inv·(g' − Σg'/M − x̂·Σg'x̂/M), x̂ = (x − mean)·inv
                let gamma = Double(weight.data[j]), inv = invStd[j], sg = grads.first[j], sgx = grads.second[j]
                dWeight.data[j] = Float(sgx * inv)
                dBias.data[j] = Float(sg)
                kG.data[j] = Float(gamma * inv)
                kX.data[j] = Float(-gamma * inv * inv * inv * sgx / Double(m))
                k0.data[j] = Float(-gamma * inv * sg / Double(m))
            }
            guard x.requiresGrad else { return [nil, dWeight, dBias] }
            let dx = Tensor(uninitialized: x.shape, format: .channelsLast)
            let dp = dx.data, kg = kG.data, kx = kX.data, kz = k0.data
            Parallel.forRanges(m, minChunk: Tensor.batchNormRowsPerRange(channels: c)) { rows in
                smear_bn_clamp_grad_apply(xp, gp, Int64(c), Int64(rows.lowerBound), Int64(rows.upperBound), ap, bp, mp, kg, kx, kz,
                                          low, high, dp)
            }
            return [dx, dWeight, dBias]
        }
    }

    /// Two per-channel sums over `rows` rows, computed by `kernel(r0, r1, first, second)` on fixed row ranges in
    /// parallel and added up in range order.
    private static func rowRangeSums(rows m: Int, channels c: Int,
                                     _ kernel: (Int, Int, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void)
        -> (first: [Double], second: [Double]) {
        let per = batchNormRowsPerRange(channels: c)
        let ranges = (m + per - 1) / per
        // from the tensor pool (two floats per double): the same sizes come back every step
        let buffer = Storage(uninitialized: ranges * 2 * c * 2)
        let partial = UnsafeMutableRawPointer(buffer.pointer).bindMemory(to: Double.self, capacity: ranges * 2 * c)
        defer { withExtendedLifetime(buffer) {} }
        Parallel.forRanges(ranges) { chunk in
            for k in chunk { kernel(k * per, Swift.min(m, (k + 1) * per), partial + k * 2 * c, partial + k * 2 * c + c) }
        }
        var first = [Double](repeating: 0, count: c), second = [Double](repeating: 0, count: c)
        for k in 0..<ranges {
            let p = partial + k * 2 * c
            for j in 0..<c { first[j] += p[j]; second[j] += p[c + j] }
        }
        return (first, second)
    }
}
