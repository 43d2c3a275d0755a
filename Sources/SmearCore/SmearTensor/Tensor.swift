// A Float32 tensor with reverse-mode autodiff.
//
// Shapes are logical and always in PyTorch order (NCHW for images). A 4-D tensor may be *stored*
// channels-last (NHWC), which the convolution, normalisation and pooling kernels prefer; every other
// op first asks for `contiguous()`, exactly as PyTorch's `memory_format` works.
import Foundation

/// How a tensor's elements are laid out in its storage.
public enum MemoryFormat: Sendable {
    /// Row-major in the logical shape (NCHW for 4-D).
    case contiguous
    /// 4-D only: storage order N, H, W, C for logical shape [N, C, H, W].
    case channelsLast
}

/// The record of how a tensor was computed: its inputs and the vector-Jacobian product that maps the
/// output's gradient to one gradient per input (nil where an input needs none).
final class Node {
    let op: String
    let inputs: [Tensor]
    let vjp: (Tensor) -> [Tensor?]
    init(op: String, inputs: [Tensor], vjp: @escaping (Tensor) -> [Tensor?]) {
        self.op = op; self.inputs = inputs; self.vjp = vjp
    }
}

public final class Tensor: @unchecked Sendable {
    /// Logical shape, PyTorch order.
    public let shape: [Int]
    public let storage: Storage
    public let format: MemoryFormat
    /// Whether gradients flow to this tensor. Leaves with `requiresGrad` receive `grad` on `backward()`.
    public var requiresGrad: Bool
    /// The accumulated gradient (same shape as `self`), set by `backward()` on leaves.
    public var grad: Tensor?
    var node: Node?

    public init(shape: [Int], storage: Storage, format: MemoryFormat = .contiguous, requiresGrad: Bool = false) {
        require(storage.count == shape.reduce(1, *),
                     "Tensor: storage of \(storage.count) elements cannot hold shape \(shape)")
        require(format == .contiguous || shape.count == 4, "Tensor: channelsLast needs 4-D, got \(shape)")
        self.shape = shape; self.storage = storage; self.format = format; self.requiresGrad = requiresGrad
    }

    /// Uninitialised tensor (every element must be written before it is read).
    convenience init(uninitialized shape: [Int], format: MemoryFormat = .contiguous) {
        self.init(shape: shape, storage: Storage(uninitialized: shape.reduce(1, *)), format: format)
    }

    /// A tensor from values in logical row-major order.
    public convenience init(_ values: [Float], shape: [Int]) {
        require(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) values do not fill shape \(shape)")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A scalar (0-D) tensor.
    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    public var isLeaf: Bool { node == nil }
    var data: UnsafeMutablePointer<Float> { storage.pointer }

    /// Elements in logical row-major order.
    public var scalars: [Float] {
        let c = contiguousNoGrad()
        return Array(UnsafeBufferPointer(start: c.data, count: c.count))
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        require(count == 1, "item: tensor has shape \(shape), not one element")
        return data[0]
    }

    /// The same values, cut from the graph.
    public func detach() -> Tensor { Tensor(shape: shape, storage: storage, format: format) }

    /// Makes this a leaf that collects gradients.
    @discardableResult public func requiringGrad(_ flag: Bool = true) -> Tensor { requiresGrad = flag; return self }

    /// Records a custom differentiable op (for layers and plugins outside this module): `out` holds the
    /// forward values, `vjp` maps the gradient of `out` to one gradient per input (nil for none).
    public static func recorded(_ out: Tensor, op: String, inputs: [Tensor], vjp: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        result(out, op: op, inputs: inputs, vjp: vjp)
    }

    /// Builds the result of an op, recording `vjp` when grad mode is on and an input needs gradients.
    static func result(_ out: Tensor, op: String, inputs: [Tensor], vjp: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if OpProfiler.isEnabled { OpProfiler.markForward(op) }
        if GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            out.requiresGrad = true
            out.node = Node(op: op, inputs: inputs, vjp: vjp)
        }
        return out
    }
}

/// Whether ops record the graph. Off inside `withNoGrad` (evaluation).
public enum GradMode {
    nonisolated(unsafe) static var disabledDepth = 0
    public static var isEnabled: Bool { disabledDepth == 0 }
}

/// Runs `body` without recording any graph (PyTorch's `torch.no_grad()`).
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    GradMode.disabledDepth += 1
    defer { GradMode.disabledDepth -= 1 }
    return try body()
}
