// Per-layer timing of ResNet-18's convolutions: where the training step's time goes.
import Foundation
import SmearNN
import SmearTensor

/// Times forward and backward of each distinct convolution in ResNet-18 at `size` px, batch `batch`,
/// and prints GFLOP/s (2·N·P·O·K flops forward; twice that backward).
func profileConvolutions(size: Int, batch: Int, repeats: Int = 3) {
    // (in, out, kernel, stride, input spatial)
    var s = size / 2
    var shapes: [(Int, Int, Int, Int, Int)] = [(3, 64, 7, 2, size)]
    s = s / 2
    shapes += [(64, 64, 3, 1, s), (64, 128, 3, 2, s), (128, 128, 3, 1, s / 2), (64, 128, 1, 2, s),
               (128, 256, 3, 2, s / 2), (256, 256, 3, 1, s / 4), (128, 256, 1, 2, s / 2),
               (256, 512, 3, 2, s / 4), (512, 512, 3, 1, s / 8), (256, 512, 1, 2, s / 4)]
    let counts = [1, 4, 1, 3, 1, 1, 3, 1, 1, 3, 1]   // occurrences in ResNet-18
    var totalF = 0.0, totalB = 0.0
    print("conv profile \(size)px b\(batch): in→out k/s @HxW: forward ms (GFLOP/s), backward ms (GFLOP/s), ×count")
    for ((cin, cout, k, st, hw), count) in zip(shapes, counts) {
        let conv = Conv2d(cin, cout, kernelSize: k, stride: st, padding: k / 2, bias: false)
        let x = Tensor.normal([batch, cin, hw, hw]).channelsLast().requiringGrad()
        let oh = (hw + 2 * (k / 2) - k) / st + 1
        let flops = 2.0 * Double(batch * oh * oh * cout * cin * k * k)
        var tf = 0.0, tb = 0.0
        for r in 0...repeats {
            let t0 = Date()
            let y = conv(x)
            let t1 = Date()
            y.backward(gradient: Tensor.ones(y.shape))
            let t2 = Date()
            if r > 0 { tf += t1.timeIntervalSince(t0); tb += t2.timeIntervalSince(t1) }
            x.zeroGrad(); conv.zeroGrad()
        }
        tf /= Double(repeats); tb /= Double(repeats)
        totalF += tf * Double(count); totalB += tb * Double(count)
        print(String(format: "  %3d→%3d %d/%d @%3d: %7.2f ms (%5.1f), %7.2f ms (%5.1f) ×%d", cin, cout, k, st, hw,
                     tf * 1000, flops / tf / 1e9, tb * 1000, 2 * flops / tb / 1e9, count))
    }
    print(String(format: "  all convolutions: forward %.1f ms, backward %.1f ms", totalF * 1000, totalB * 1000))
}

/// GFLOP/s of plain matmuls of the shapes the convolutions produce.
func profileGemm() {
    for (m, k, n) in [(8192, 576, 64), (2048, 1152, 128), (512, 2304, 256), (128, 4608, 512), (32768, 147, 64), (2048, 2048, 2048)] {
        let a = Tensor.normal([m, k]), b = Tensor.normal([k, n])
        _ = withNoGrad { a.matmul(b) }
        let reps = 5
        let t0 = Date()
        for _ in 0..<reps { _ = withNoGrad { a.matmul(b) } }
        let dt = Date().timeIntervalSince(t0) / Double(reps)
        print(String(format: "  gemm %5d×%4d · %4d×%4d: %7.2f ms, %6.1f GFLOP/s", m, k, k, n, dt * 1000, 2.0 * Double(m * k * n) / dt / 1e9))
    }
}

/// Times forward and backward of EfficientNet-Lite0's depthwise convolutions at `size` px, batch `batch`, on each
/// back end (oneDNN's grouped convolution and the direct reference loop) alternately, and names oneDNN's kernels.
func profileDepthwise(size: Int, batch: Int, repeats: Int = 3) {
    // (channels, kernel, stride, input side, occurrences in Lite0)
    let s = size / 2
    let layers = [(32, 3, 1, s, 1), (96, 3, 2, s, 1), (144, 3, 1, s / 2, 1), (144, 5, 2, s / 2, 1), (240, 5, 1, s / 4, 1),
                  (240, 3, 2, s / 4, 1), (480, 3, 1, s / 8, 2), (480, 5, 1, s / 8, 1), (672, 5, 1, s / 8, 2), (672, 5, 2, s / 8, 1),
                  (1152, 5, 1, s / 16, 3), (1152, 3, 1, s / 16, 1)]
    print("depthwise profile \(size)px b\(batch): channels k/s @HxW: forward + backward ms per back end, ×count; oneDNN's kernels")
    var totals: [ComputeBackend: Double] = [:]
    for (c, k, st, hw, count) in layers {
        let x = Tensor.normal([batch, c, hw, hw]).channelsLast().requiringGrad()
        let wt = (Tensor.normal([c, 1, k, k]) * 0.1).requiringGrad()
        let pad = Padding2d.same(height: hw, width: hw, kernel: k, stride: st)
        var line = String(format: "  %4d %d/%d @%3d:", c, k, st, hw)
        for backend in [ComputeBackend.dnnl, .blas] {
            var t = 0.0
            ComputeBackend.with(backend) {
                for r in 0...repeats {
                    let t0 = Date()
                    let y = x.depthwiseConv2d(weight: wt, stride: st, padding: pad)
                    y.backward(gradient: Tensor.ones(y.shape))
                    if r > 0 { t += Date().timeIntervalSince(t0) }
                    x.zeroGrad(); wt.zeroGrad()
                }
            }
            t /= Double(repeats)
            totals[backend, default: 0] += t * Double(count)
            line += String(format: " %@ %7.2f ms", backend.rawValue, t * 1000)
        }
        print(line + " ×\(count)  " + DNNL.depthwiseKernels(n: batch, c: c, h: hw, w: hw, kernel: k, stride: st).joined(separator: ", "))
    }
    print(String(format: "  all depthwise layers, forward + backward: dnnl %.1f ms, blas (direct loop) %.1f ms",
                 (totals[.dnnl] ?? 0) * 1000, (totals[.blas] ?? 0) * 1000))
}
