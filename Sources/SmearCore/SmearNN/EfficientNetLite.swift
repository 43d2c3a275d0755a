// N batch, H×W input (any size ≥ 32), F = 1280 features, K classes.
//
// EfficientNet-Lite0 and -Lite2 (Tan & Le 2019; the Lite variant for CPUs: ReLU6, no squeeze-excitation, stem and
// head not scaled) as the PyTorch port of Google's TensorFlow checkpoints defines them, with its state_dict names
// (`_conv_stem`, `_bn0`, `_blocks.<i>._expand_conv`, `_depthwise_conv`, `_project_conv`, `_bn0..2`, `_conv_head`,
// `_bn1`, `_fc`), so the ImageNet weights that scripts/weights converts load by name. Every convolution pads
// as TensorFlow's "SAME" (computed from the input's size; uneven at stride 2), batch norm has TensorFlow's
// epsilon 1e-3 and momentum 0.01.
import Foundation
import SmearTensor

/// A bias-free convolution with TensorFlow's SAME padding: ordinary (`groups` 1) or depthwise (one kernel per channel).
public final class SameConv2d: Module {
    public var weight: Tensor
    public let stride: Int, kernel: Int, depthwise: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, depthwise: Bool = false) {
        precondition(!depthwise || inChannels == outChannels, "a depthwise convolution keeps its channels")
        let fanIn = (depthwise ? 1 : inChannels) * kernel * kernel
        // An ordinary convolution's weight is stored channels-last ([O, KH, KW, C]), the layout the convolution
        // kernels read, so no step converts it.
        let w = Init.pytorchDefault([outChannels, depthwise ? 1 : inChannels, kernel, kernel], fanIn: fanIn)
        weight = (depthwise ? w : w.channelsLast()).requiringGrad()
        self.stride = stride; self.kernel = kernel; self.depthwise = depthwise
    }

    public override var ownParameters: [(String, Tensor)] { [("weight", weight)] }

    public override func forward(_ x: Tensor) -> Tensor { convolve(x, weight: weight) }

    private func convolve(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, activation: Activation = .identity) -> Tensor {
        let pad = Padding2d.same(height: x.shape[2], width: x.shape[3], kernel: kernel, stride: stride)
        if depthwise { return x.depthwiseConv2d(weight: weight, bias: bias, stride: stride, padding: pad, activation: activation) }
        let even = pad.top == pad.bottom && pad.left == pad.right && pad.top == pad.left
        return (even ? x : x.padded(pad)).conv2d(weight: weight, bias: bias, stride: stride, padding: even ? pad.top : 0,
                                                 activation: activation)
    }

    /// activation(bn(conv(x))). In evaluation on the oneDNN back end with nothing recorded (inference), the batch
    /// norm is folded into the convolution's weights and bias and the activation is the kernel's post-op: one pass
    /// over the output instead of three. Otherwise the three ops, batch norm and activation fused as one.
    public func forward(_ x: Tensor, normalizedBy bn: BatchNorm, activation: Activation) -> Tensor {
        guard bn.foldsIntoConvolution(input: x, convWeight: weight) else {
            return bn.forward(self(x), activation: activation)
        }
        let folded = bn.folded(into: weight)
        return convolve(x, weight: folded.weight, bias: folded.bias, activation: activation)
    }
}

/// One mobile inverted bottleneck: 1×1 expansion (unless the ratio is 1) → BN → ReLU6 → depthwise k×k → BN →
/// ReLU6 → 1×1 projection → BN, plus the input when the shapes allow (stride 1, same channels).
public final class MBConvBlock: Module {
    public let expandConv: SameConv2d?, bn0: BatchNorm?
    public let depthwiseConv: SameConv2d, bn1: BatchNorm
    public let projectConv: SameConv2d, bn2: BatchNorm
    public let skip: Bool

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, expandRatio: Int) {
        let hidden = inChannels * expandRatio
        expandConv = expandRatio == 1 ? nil : SameConv2d(inChannels, hidden, kernel: 1)
        bn0 = expandRatio == 1 ? nil : EfficientNetLite.batchNorm(hidden)
        depthwiseConv = SameConv2d(hidden, hidden, kernel: kernel, stride: stride, depthwise: true)
        bn1 = EfficientNetLite.batchNorm(hidden)
        projectConv = SameConv2d(hidden, outChannels, kernel: 1)
        bn2 = EfficientNetLite.batchNorm(outChannels)
        skip = stride == 1 && inChannels == outChannels
    }

    public override var children: [(String, Module)] {
        (expandConv.map { [("_expand_conv", $0 as Module)] } ?? []) + (bn0.map { [("_bn0", $0 as Module)] } ?? [])
            + [("_depthwise_conv", depthwiseConv), ("_bn1", bn1), ("_project_conv", projectConv), ("_bn2", bn2)]
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var h = x
        if let expandConv, let bn0 { h = expandConv.forward(h, normalizedBy: bn0, activation: .relu6) }
        h = depthwiseConv.forward(h, normalizedBy: bn1, activation: .relu6)
        h = projectConv.forward(h, normalizedBy: bn2, activation: .identity)
        return skip ? h + x : h
    }
}

/// EfficientNet-Lite: stem 3×3/2 → 32, MBConv blocks in seven stages (Lite0: 16 blocks; Lite2: 21), 1×1 head → 1280,
/// average pool, fc.
public final class EfficientNetLite: Module {
    public typealias Stage = (repeats: Int, kernel: Int, stride: Int, expand: Int, inChannels: Int, outChannels: Int)

    /// Which scaling of the network: its width and depth coefficients, as TensorFlow's efficientnet_lite_builder names them.
    public enum Variant: String, Sendable, CaseIterable {
        case lite0, lite2
        var width: Double { self == .lite0 ? 1.0 : 1.1 }
        var depth: Double { self == .lite0 ? 1.0 : 1.2 }

        /// Each stage's (repeats, kernel, stride, expansion, input channels, output channels): B0's stages with the
        /// channels scaled by `width` (rounded to a multiple of 8, never below 90 %) and the repeats by `depth` (rounded
        /// up), except the first and last stage's repeats, which Lite keeps, as it keeps the stem and head.
        public var stages: [Stage] {
            let b0: [Stage] = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                               (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]
            func filters(_ c: Int) -> Int {
                let scaled = Double(c) * width
                var rounded = max(8, Int(scaled + 4) / 8 * 8)
                if Double(rounded) < 0.9 * scaled { rounded += 8 }
                return rounded
            }
            return b0.enumerated().map { i, s in
                let repeats = i == 0 || i == b0.count - 1 ? s.repeats : Int((Double(s.repeats) * depth).rounded(.up))
                return (repeats, s.kernel, s.stride, s.expand, filters(s.inChannels), filters(s.outChannels))
            }
        }
    }

    public static let featureDim = 1280
    public var featureDim: Int { Self.featureDim }

    /// TensorFlow's batch-norm constants, as the converted checkpoint was trained with.
    static func batchNorm(_ channels: Int) -> BatchNorm { BatchNorm(channels, momentum: 0.01, eps: 1e-3) }

    public let convStem: SameConv2d, bn0: BatchNorm
    public let blocks: [MBConvBlock]
    public let convHead: SameConv2d, bn1: BatchNorm
    public let avgpool = AdaptiveAvgPool2d()
    /// The ImageNet classifier; nil when built as a feature extractor (`numClasses: nil`).
    public let fc: Linear?

    public let variant: Variant
    /// MixStyle after the last block at stride 4 and the last at stride 8 (`mixStyleBlocks`), in training only; empty: none.
    public var mixStyle: [MixStyle] = []
    /// The blocks MixStyle follows: the last whose output is at stride 4 and the last at stride 8 (Lite0: 2 and 4).
    public let mixStyleBlocks: [Int]

    public init(_ variant: Variant = .lite0, numClasses: Int? = 1000) {
        self.variant = variant
        let stages = variant.stages
        convStem = SameConv2d(3, 32, kernel: 3, stride: 2)
        bn0 = Self.batchNorm(32)
        var blocks: [MBConvBlock] = [], lastAtStride: [Int: Int] = [:], stride = 2   // the stem's
        for s in stages {
            stride *= s.stride
            for r in 0..<s.repeats {
                blocks.append(MBConvBlock(inChannels: r == 0 ? s.inChannels : s.outChannels, outChannels: s.outChannels,
                                          kernel: s.kernel, stride: r == 0 ? s.stride : 1, expandRatio: s.expand))
                lastAtStride[stride] = blocks.count - 1
            }
        }
        self.blocks = blocks
        mixStyleBlocks = [lastAtStride[4]!, lastAtStride[8]!]
        convHead = SameConv2d(stages.last!.outChannels, Self.featureDim, kernel: 1)
        bn1 = Self.batchNorm(Self.featureDim)
        fc = numClasses.map { Linear(Self.featureDim, $0) }
        super.init()
    }

    public override var children: [(String, Module)] {
        [("_conv_stem", convStem as Module), ("_bn0", bn0)] + blocks.enumerated().map { ("_blocks.\($0.offset)", $0.element as Module) }
            + [("_conv_head", convHead), ("_bn1", bn1)] + (fc.map { [("_fc", $0 as Module)] } ?? [])
    }

    /// [N, 3, H, W] → [N, 1280, H/32, W/32] (rounded up), channels-last.
    public func featureMap(_ x: Tensor) -> Tensor {
        require(x.rank == 4 && x.shape[1] == 3 && x.shape[2] >= 32 && x.shape[3] >= 32,
                "EfficientNetLite: input must be [N, 3, H, W] with H, W ≥ 32, got \(x.shape)")
        var h = convStem.forward(x, normalizedBy: bn0, activation: .relu6)
        for (i, b) in blocks.enumerated() {
            h = b(h)
            if isTraining, let point = mixStyleBlocks.firstIndex(of: i), point < mixStyle.count { h = mixStyle[point](h) }
        }
        return convHead.forward(h, normalizedBy: bn1, activation: .relu6)
    }

    /// Pooled features: [N, 3, H, W] → [N, 1280].
    public func features(_ x: Tensor) -> Tensor { avgpool(featureMap(x)).flattened(startDim: 1) }

    public override func forward(_ x: Tensor) -> Tensor {
        guard let fc else { return features(x) }
        return fc(features(x))
    }

    /// Loads the converted ImageNet weights (scripts/weights): every name and shape must match; the file keeps no
    /// `num_batches_tracked` (integer buffers), which start at 0. A network without `fc` leaves `_fc.*` out.
    public func loadPretrained(from url: URL) throws {
        var state = try SafeTensors.read(url).tensors
        if fc == nil { state = state.filter { !$0.key.hasPrefix("_fc.") } }
        for (name, t) in stateDict() where name.hasSuffix("num_batches_tracked") && state[name] == nil { state[name] = t }
        try load(state, strict: true, source: url.path)
    }
}
