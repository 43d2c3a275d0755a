// N batch, C input channels, O output channels, H×W input, OH×OW output.
//
// The oneDNN back end of conv2d, batchNorm (4-D) and maxPool2d: same semantics and VJPs as the
// reference kernels in Tensor+Conv2d, Tensor+Normalization and Tensor+Pooling, on NHWC storage.
// A primitive for training (with its backward) is used only when the op records a graph.
import Foundation

extension Tensor {
    /// Whether an op on `inputs` will record a backward pass.
    public static func willRecord(_ inputs: [Tensor?]) -> Bool {
        GradMode.isEnabled && inputs.contains { $0?.requiresGrad == true }
    }

    /// conv2d through oneDNN. Weight gradients come back in the OHWI (channels-last) layout. An activation other
    /// than identity is oneDNN's post-op, for inference only (the caller applies it as its own op when recording).
    func conv2dDNNL(_ geo: Conv2dGeometry, weight: Tensor, bias: Tensor?, activation: Activation = .identity) -> Tensor {
        let x = channelsLast(), wt = weight.channelsLast()
        let training = Tensor.willRecord([x, wt, bias])
        precondition(!training || activation == .identity, "conv2dDNNL: a fused activation is for inference only")
        let conv = DNNL.convolution(geo, bias: bias != nil, training: training, activation: activation)
        let out = Tensor(uninitialized: [geo.n, geo.o, geo.oh, geo.ow], format: .channelsLast)
        DNNL.convForward(conv, x: x.data, w: wt.data, bias: bias.map { UnsafePointer($0.data) }, out: out.data)
        let inputs = bias.map { [x, wt, $0] } ?? [x, wt]
        return Tensor.result(out, op: "conv2d", inputs: inputs) { g in
            let g = g.channelsLast()
            let dx = x.requiresGrad ? Tensor(uninitialized: x.shape, format: .channelsLast) : nil
            let needWeights = wt.requiresGrad || bias?.requiresGrad == true
            let dw = needWeights ? Tensor(uninitialized: wt.shape, format: .channelsLast) : nil
            let db = needWeights ? bias.map { Tensor(uninitialized: $0.shape) } : nil
            DNNL.convBackward(conv, x: x.data, g: g.data, w: wt.data, dx: dx?.data, dw: dw?.data, dbias: db?.data)
            return bias == nil ? [dx, dw] : [dx, dw, db]
        }
    }

    /// Batch normalisation of a 4-D tensor on the oneDNN back end (see `batchNorm` for the semantics). Training (the
    /// batch's statistics) runs smear's own kernels with the activation's clamp in the same passes
    /// (`batchNorm2dTraining`, fewer passes over the activations than oneDNN's batch norm with a separate clamp);
    /// evaluation without a graph runs oneDNN's inference kernel (`batchNorm` sends evaluation that records a graph to
    /// the reference loops).
    func batchNorm2dDNNL(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor, training: Bool,
                         momentum: Float, eps: Float, activation: Activation) -> Tensor {
        if training {
            return batchNorm2dTraining(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                                       momentum: momentum, eps: eps, activation: activation)
        }
        let x = channelsLast()
        precondition(!Tensor.willRecord([x, weight, bias]), "batchNorm2dDNNL: evaluation with oneDNN records no graph")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        // oneDNN fuses ReLU into batch norm; ReLU6 is clamped here, in place
        let bn = DNNL.batchNorm(n: n, c: c, h: h, w: w, eps: eps, relu: activation == .relu)
        let mean = runningMean.contiguous(), variance = runningVar.contiguous()
        let out = Tensor(uninitialized: x.shape, format: .channelsLast)
        DNNL.batchNormForward(bn, x: x.data, scale: weight.data, shift: bias.data, mean: mean.data, variance: variance.data,
                              out: out.data)
        if activation == .relu6 { out.clampInPlace(activation.bounds) }
        return Tensor.result(out, op: Tensor.batchNormOpName(activation), inputs: []) { _ in [] }   // never recorded
    }

    /// Max pooling through oneDNN; the backward pass uses the window maxima oneDNN recorded.
    func maxPool2dDNNL(kernel: Int, stride s: Int, padding: Int, oh: Int, ow: Int) -> Tensor {
        let x = channelsLast()
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let training = Tensor.willRecord([x])
        let pool = DNNL.maxPool(n: n, c: c, h: h, w: w, kernel: kernel, stride: s, padding: padding, training: training)
        let workspace = training ? DNNL.maxPoolWorkspace(pool) : nil
        let out = Tensor(uninitialized: [n, c, oh, ow], format: .channelsLast)
        DNNL.maxPoolForward(pool, x: x.data, out: out.data, workspace: workspace)
        return Tensor.result(out, op: "maxPool2d", inputs: [x]) { g in
            let g = g.channelsLast()
            let dx = Tensor(uninitialized: x.shape, format: .channelsLast)
            DNNL.maxPoolBackward(pool, g: g.data, workspace: workspace, dx: dx.data)
            return [dx]
        }
    }
}
