// The module tree: named children, parameters and buffers with PyTorch's state_dict paths.
import Foundation
import SmearTensor

/// A network component. Subclasses list their children, parameters and buffers by name, so that
/// paths such as `layer1.0.conv1.weight` equal PyTorch's `state_dict` keys.
open class Module {
    /// Training mode (batch statistics, dropout) versus evaluation mode.
    public private(set) var isTraining = true

    public init() {}

    /// Direct sub-modules, in registration order, with their names.
    open var children: [(String, Module)] { [] }
    /// This module's own trainable tensors (not its children's).
    open var ownParameters: [(String, Tensor)] { [] }
    /// This module's own non-trainable state (running statistics), saved in checkpoints.
    open var ownBuffers: [(String, Tensor)] { [] }

    /// The forward pass.
    open func forward(_ x: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not implement forward(_:)")
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

    /// Every trainable tensor with its dotted path.
    public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
        ownParameters.map { (prefix + $0.0, $0.1) }
            + children.flatMap { $0.1.namedParameters(prefix: prefix + $0.0 + ".") }
    }

    public func namedBuffers(prefix: String = "") -> [(String, Tensor)] {
        ownBuffers.map { (prefix + $0.0, $0.1) }
            + children.flatMap { $0.1.namedBuffers(prefix: prefix + $0.0 + ".") }
    }

    public var parameters: [Tensor] { namedParameters().map(\.1) }

    /// Parameters and buffers in PyTorch's `state_dict` order (per module: parameters, then buffers).
    public func stateDict(prefix: String = "") -> [(String, Tensor)] {
        ownParameters.map { (prefix + $0.0, $0.1) } + ownBuffers.map { (prefix + $0.0, $0.1) }
            + children.flatMap { $0.1.stateDict(prefix: prefix + $0.0 + ".") }
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// This module and its descendants that are of type `T`, depth first, in `children` order.
    public func modules<T: Module>(of type: T.Type) -> [T] {
        ((self as? T).map { [$0] } ?? []) + children.flatMap { $0.1.modules(of: type) }
    }

    /// Sets training (`true`) or evaluation mode on this module and all its children.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, c) in children { c.train(on) }
    }

    public func eval() { train(false) }

    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Kaiming (He) and PyTorch-default initialisers.
public enum Init {
    /// PyTorch's default for Linear and Conv2d: U(−1/√fanIn, 1/√fanIn) (kaiming_uniform with a = √5).
    public static func pytorchDefault(_ shape: [Int], fanIn: Int) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return Tensor.uniform(shape, low: -bound, high: bound)
    }

    /// kaiming_normal_(mode="fan_out", nonlinearity="relu"): N(0, √(2/fanOut)), torchvision's ResNet conv init.
    public static func kaimingNormalFanOut(_ shape: [Int], fanOut: Int) -> Tensor {
        Tensor.normal(shape, std: (2 / Float(fanOut)).squareRoot())
    }
}
