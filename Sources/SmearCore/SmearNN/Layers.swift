// N batch, C channels, H×W spatial, F features. The basic layers, PyTorch semantics and parameter names.
import Foundation
import SmearTensor

/// `y = x·Wᵀ + b`: [N, in] → [N, out]. Parameters `weight` [out, in], `bias` [out].
public final class Linear: Module {
    public var weight: Tensor
    public var bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        weight = Init.pytorchDefault([outFeatures, inFeatures], fanIn: inFeatures).requiringGrad()
        self.bias = bias ? Init.pytorchDefault([outFeatures], fanIn: inFeatures).requiringGrad() : nil
    }

    public override var ownParameters: [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public override func forward(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }
}

/// 2-D convolution: [N, C, H, W] → [N, O, OH, OW] (stored channels-last). `weight` [O, C, KH, KW]
/// (logical shape, as in PyTorch; stored channels-last).
public final class Conv2d: Module {
    public var weight: Tensor
    public var bias: Tensor?
    public let stride: Int, padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true) {
        let fanIn = inChannels * kernelSize * kernelSize
        // Stored channels-last ([O, KH, KW, C]), the order the convolution's GEMM reads.
        weight = Init.pytorchDefault([outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn)
            .channelsLast().requiringGrad()
        self.bias = bias ? Init.pytorchDefault([outChannels], fanIn: fanIn).requiringGrad() : nil
        self.stride = stride; self.padding = padding
    }

    public override var ownParameters: [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public override func forward(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// Batch normalisation over [N, C] (BatchNorm1d) or [N, C, H, W] (BatchNorm2d); momentum 0.1, eps 1e-5.
/// Parameters `weight`, `bias`; buffers `running_mean`, `running_var`, `num_batches_tracked`.
public final class BatchNorm: Module {
    public var weight: Tensor, bias: Tensor
    public var runningMean: Tensor, runningVar: Tensor
    public var numBatchesTracked = Tensor(scalar: 0)
    /// Weight of the newest batch in the running statistics (AdaBN sets 1/(k+1) for a plain average).
    public var momentum: Float
    public let eps: Float

    public init(_ channels: Int, momentum: Float = 0.1, eps: Float = 1e-5) {
        weight = Tensor.ones([channels]).requiringGrad(); bias = Tensor.zeros([channels]).requiringGrad()
        runningMean = Tensor.zeros([channels]); runningVar = Tensor.ones([channels])
        self.momentum = momentum; self.eps = eps
    }

    public override var ownParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }
    public override var ownBuffers: [(String, Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    public override func forward(_ x: Tensor) -> Tensor { forward(x, activation: .identity) }

    /// The normalisation, followed by `activation` in the same op.
    public func forward(_ x: Tensor, activation: Activation) -> Tensor {
        if isTraining { numBatchesTracked = Tensor(scalar: numBatchesTracked.item + 1) }
        return x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                           training: isTraining, momentum: momentum, eps: eps, activation: activation)
    }

    /// Whether inference may fold this normalisation into the convolution before it (`folded(into:)`): in evaluation,
    /// on the oneDNN back end, with nothing recorded for the convolution's input and weight or this layer's parameters.
    public func foldsIntoConvolution(input: Tensor, convWeight: Tensor) -> Bool {
        !isTraining && ComputeBackend.current == .dnnl && !Tensor.willRecord([input, convWeight, weight, bias])
    }

    /// Evaluation's normalisation folded into the convolution weight before it (see `Tensor.batchNormFolded`).
    public func folded(into convWeight: Tensor) -> (weight: Tensor, bias: Tensor) {
        Tensor.batchNormFolded(into: convWeight, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar, eps: eps)
    }
}

public typealias BatchNorm1d = BatchNorm
public typealias BatchNorm2d = BatchNorm

/// Group normalisation of [N, C, H, W] in `groups` groups; parameters `weight`, `bias` [C].
public final class GroupNorm: Module {
    public var weight: Tensor, bias: Tensor
    public let groups: Int, eps: Float

    public init(groups: Int, channels: Int, eps: Float = 1e-5) {
        require(channels % groups == 0, "GroupNorm: \(channels) channels do not divide into \(groups) groups")
        weight = Tensor.ones([channels]).requiringGrad(); bias = Tensor.zeros([channels]).requiringGrad()
        self.groups = groups; self.eps = eps
    }

    public override var ownParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }
    public override func forward(_ x: Tensor) -> Tensor { x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps) }
}

public final class ReLU: Module {
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
}

public final class MaxPool2d: Module {
    public let kernel: Int, stride: Int, padding: Int
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        kernel = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    public override func forward(_ x: Tensor) -> Tensor { x.maxPool2d(kernel: kernel, stride: stride, padding: padding) }
}

/// Global average pooling: [N, C, H, W] → [N, C, 1, 1].
public final class AdaptiveAvgPool2d: Module {
    public override func forward(_ x: Tensor) -> Tensor { x.adaptiveAvgPool2d() }
}

/// [N, ...] → [N, F].
public final class Flatten: Module {
    public override func forward(_ x: Tensor) -> Tensor { x.flattened(startDim: 1) }
}

/// Zeroes each element with probability p in training and scales the rest by 1/(1−p).
public final class Dropout: Module {
    public let p: Float
    public var generator: RandomGenerator

    public init(_ p: Float = 0.5, seed: UInt64? = nil) {
        require(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p
        generator = RandomGenerator(seed: seed ?? GlobalRandom.generator.next())
    }

    public override func forward(_ x: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return x }
        let keep = 1 / (1 - p)
        let mask = Tensor.uniform(x.shape, generator: &generator)
        var values = mask.scalars
        for i in 0..<values.count { values[i] = values[i] < p ? 0 : keep }
        return x * Tensor(values, shape: x.shape)
    }
}

/// Runs children in order; they are named "0", "1", ... as in PyTorch.
public final class Sequential: Module {
    public var layers: [Module]
    public init(_ layers: [Module]) { self.layers = layers }
    public convenience init(_ layers: Module...) { self.init(layers) }
    public override var children: [(String, Module)] { layers.enumerated().map { (String($0.offset), $0.element) } }
    public override func forward(_ x: Tensor) -> Tensor { layers.reduce(x) { $1($0) } }
}
