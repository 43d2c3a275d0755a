// Element-wise ops with NumPy/PyTorch broadcasting. Each forward is followed by its VJP.
// Tensors of equal shape and memory format are combined storage-to-storage and keep their format.
import Foundation

// MARK: raw kernels (no recording)

/// Element-wise loops shorter than this run on one thread (thread hand-off costs more).
let elementwiseChunk = 1 << 16

extension Tensor {
    @inline(__always)
    func mapRaw(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitialized: shape, format: format)
        let x = data, y = out.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in for i in r { y[i] = f(x[i]) } }
        return out
    }

    /// `f(self, other)` for equal shapes; `other` is converted to `self`'s format.
    @inline(__always)
    func zipRaw(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let o = other.format == format ? other : withNoGrad { other.converted(to: format) }
        let out = Tensor(uninitialized: shape, format: format)
        let a = data, b = o.data, c = out.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in for i in r { c[i] = f(a[i], b[i]) } }
        return out
    }

    /// `f(self, other, third)` for equal shapes, in `self`'s format.
    @inline(__always)
    func zip3Raw(_ other: Tensor, _ third: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        let o = other.format == format ? other : withNoGrad { other.converted(to: format) }
        let t = third.format == format ? third : withNoGrad { third.converted(to: format) }
        let out = Tensor(uninitialized: shape, format: format)
        let a = data, b = o.data, c = t.data, d = out.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in for i in r { d[i] = f(a[i], b[i], c[i]) } }
        return out
    }
}

/// The broadcast shape of two shapes, or a stop naming both (`ShapeRules.broadcast`).
public func broadcastShape(_ a: [Int], _ b: [Int], op: String) -> [Int] { shapeRule { try ShapeRules.broadcast(a, b, op: op) } }

// MARK: binary ops

extension Tensor {
    /// Applies a binary op with broadcasting; `da`/`db` give the local derivatives from (g, a, b, out).
    private static func binary(_ op: String, _ a: Tensor, _ b: Tensor,
                               _ f: @escaping (Float, Float) -> Float,
                               da: @escaping (Tensor, Tensor, Tensor, Tensor) -> Tensor,
                               db: @escaping (Tensor, Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        var a = a, b = b
        if a.shape != b.shape {
            let s = broadcastShape(a.shape, b.shape, op: op)
            if a.shape != s { a = a.expanded(s) }
            if b.shape != s { b = b.expanded(s) }
        }
        let out = withNoGrad { a.zipRaw(b, f) }
        return result(out, op: op, inputs: [a, b]) { g in
            let g = g.format == out.format ? g : g.converted(to: out.format)
            return [a.requiresGrad ? da(g, a, b, out) : nil, b.requiresGrad ? db(g, a, b, out) : nil]
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary("add", a, b, +, da: { g, _, _, _ in g }, db: { g, _, _, _ in g })
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary("sub", a, b, -, da: { g, _, _, _ in g }, db: { g, _, _, _ in g.mapRaw { -$0 } })
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary("mul", a, b, *, da: { g, _, b, _ in g.zipRaw(b, *) }, db: { g, a, _, _ in g.zipRaw(a, *) })
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary("div", a, b, /, da: { g, _, b, _ in g.zipRaw(b, /) },
               db: { g, _, b, out in g.zip3Raw(out, b) { g, y, b in -g * y / b } })
    }

    /// Element-wise maximum; the gradient goes to `a` where a ≥ b.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary("maximum", a, b, { Swift.max($0, $1) },
               da: { g, a, b, _ in g.zip3Raw(a, b) { g, x, y in x >= y ? g : 0 } },
               db: { g, a, b, _ in g.zip3Raw(a, b) { g, x, y in x >= y ? 0 : g } })
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a.unary("addScalar", { $0 + s }) { g, _, _ in g } }
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (s: Float, a: Tensor) -> Tensor { (-a) + s }
    public static func * (a: Tensor, s: Float) -> Tensor { a.unary("mulScalar", { $0 * s }) { g, _, _ in g.mapRaw { $0 * s } } }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }
}

// MARK: unary ops

extension Tensor {
    /// Applies `f`; `vjp(g, x, y)` returns the input gradient from the output gradient, input and output.
    private func unary(_ op: String, _ f: @escaping (Float) -> Float,
                       vjp: @escaping (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        let out = withNoGrad { mapRaw(f) }
        return Tensor.result(out, op: op, inputs: [self]) { [self] g in
            let g = g.format == out.format ? g : g.converted(to: out.format)
            return [vjp(g, self, out)]
        }
    }

    public func exp() -> Tensor { unary("exp", { Foundation.exp($0) }) { g, _, y in g.zipRaw(y, *) } }
    public func log() -> Tensor { unary("log", { Foundation.log($0) }) { g, x, _ in g.zipRaw(x, /) } }
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }) { g, _, y in g.zipRaw(y) { g, y in g / (2 * y) } } }

    public func pow(_ p: Float) -> Tensor {
        unary("pow", { Foundation.pow($0, p) }) { g, x, _ in g.zipRaw(x) { g, x in g * p * Foundation.pow(x, p - 1) } }
    }

    /// Clamps into [low, high]; the gradient passes where the input is inside the range.
    public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        unary("clamp", { Swift.min(Swift.max($0, low), high) }) { g, x, _ in
            g.zipRaw(x) { g, x in (x >= low && x <= high) ? g : 0 }
        }
    }

    public func relu() -> Tensor { activated(.relu) }

    /// min(max(x, 0), 6), the activation of MobileNet and EfficientNet-Lite; the gradient passes where 0 < x < 6
    /// (PyTorch's hardtanh).
    public func relu6() -> Tensor { activated(.relu6) }

    public func sigmoid() -> Tensor {
        unary("sigmoid", { 1 / (1 + Foundation.exp(-$0)) }) { g, _, y in g.zipRaw(y) { g, y in g * y * (1 - y) } }
    }

    public func tanh() -> Tensor { unary("tanh", { Foundation.tanh($0) }) { g, _, y in g.zipRaw(y) { g, y in g * (1 - y * y) } } }

    public func abs() -> Tensor { unary("abs", { Swift.abs($0) }) { g, x, _ in g.zipRaw(x) { g, x in x > 0 ? g : (x < 0 ? -g : 0) } } }
}
