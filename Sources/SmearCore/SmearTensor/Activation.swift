// The activations a convolution or a normalisation can apply in the same pass (oneDNN post-ops, fused loops).
// The raw value is the shim's activation code (include/smear_dnnl.h).
import Foundation

public enum Activation: Int32, Sendable, Hashable {
    case identity = 0, relu = 1, relu6 = 2

    /// The interval the output is clamped to: ReLU's [0, ∞), ReLU6's [0, 6].
    var bounds: (low: Float, high: Float) {
        switch self {
        case .identity: return (-.infinity, .infinity)
        case .relu: return (0, .infinity)
        case .relu6: return (0, 6)
        }
    }

    /// The activation as its own op (recorded for the backward pass like any other).
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .relu6: return x.relu6()
        }
    }
}

/// The element loops of the activations, written as selects on values already loaded so that the compiler
/// vectorises them (a data-dependent branch would mispredict about half the time).
private enum ClampKernel {
    /// y[i] = min(max(x[i], low), high) over `range` (x and y may be the same buffer).
    @inline(__always)
    static func clamp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ low: Float, _ high: Float) {
        for i in range { let v = x[i]; y[i] = v < low ? low : (v > high ? high : v) }
    }

    /// o[i] = g[i] where low < y[i] < high (y[i] > low alone when high is infinite), else 0, over `range`.
    @inline(__always)
    static func mask(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ range: Range<Int>,
                     _ low: Float, _ high: Float) {
        if high == .infinity {
            for i in range { let v = y[i], gi = g[i]; o[i] = v > low ? gi : 0 }
        } else {
            for i in range { let v = y[i], gi = g[i]; o[i] = v > low ? (v < high ? gi : 0) : 0 }
        }
    }
}

extension Tensor {
    /// A clamped copy into `bounds` (not recorded), in this tensor's format.
    func clampedRaw(_ bounds: (low: Float, high: Float)) -> Tensor {
        let out = Tensor(uninitialized: shape, format: format)
        let x = data, p = out.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in ClampKernel.clamp(x, p, r, bounds.low, bounds.high) }
        return out
    }

    /// `activation` as a recorded op named after it ("relu", "relu6"); the backward pass masks the gradient with the output.
    func activated(_ activation: Activation) -> Tensor {
        let bounds = activation.bounds
        let out = clampedRaw(bounds)
        return Tensor.result(out, op: "\(activation)", inputs: [self]) { g in [g.maskedByClamp(output: out, bounds)] }
    }

    /// Clamps this tensor's storage into `bounds` in place (a tensor just made by the caller, not yet shared).
    func clampInPlace(_ bounds: (low: Float, high: Float)) {
        let p = data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in ClampKernel.clamp(p, p, r, bounds.low, bounds.high) }
    }

    /// The gradient through a clamp into `bounds`, from the clamp's output `y`: g where low < y < high (an infinite
    /// upper bound always passes), else 0 (PyTorch's hardtanh and ReLU: no gradient at the bounds).
    func maskedByClamp(output y: Tensor, _ bounds: (low: Float, high: Float)) -> Tensor {
        let yc = y.format == format ? y : withNoGrad { y.converted(to: format) }
        let out = Tensor(uninitialized: shape, format: format)
        let g = data, yp = yc.data, o = out.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in ClampKernel.mask(g, yp, o, r, bounds.low, bounds.high) }
        return out
    }
}
