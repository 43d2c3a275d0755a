// N batch, C channels, H×W spatial (any H, W ≥ 32), K classes, F = 8·width feature dim (512 by default).
//
// ResNet-18 exactly as torchvision's (BasicBlock, 1×1 downsample shortcuts), with parameter paths
// equal to torchvision's state_dict keys, a choice of batch or group normalisation and a width multiplier.
import Foundation
import SmearTensor

/// Which normalisation the network uses after each convolution.
public enum Normalization: Sendable, Equatable {
    /// BatchNorm2d (torchvision's choice).
    case batch
    /// GroupNorm with at most this many groups per layer (32 as in Wu & He); robust under lab shift.
    case group(maxGroups: Int)

    func make(_ channels: Int) -> Module {
        switch self {
        case .batch: return BatchNorm2d(channels)
        case .group(let g):
            var groups = min(g, channels)
            while channels % groups != 0 { groups -= 1 }
            return GroupNorm(groups: groups, channels: channels)
        }
    }
}

/// activation(norm(conv(x))), activation ReLU or none. Batch norm and its activation run as one op; in evaluation on
/// the oneDNN back end with nothing recorded (inference) the batch norm is folded into the convolution's weights and
/// bias and the activation is the kernel's post-op, one pass over the output instead of two (as EfficientNet-Lite's).
func convNorm(_ conv: Conv2d, _ norm: Module, _ x: Tensor, activation: Activation) -> Tensor {
    guard let bn = norm as? BatchNorm else {
        let y = norm(conv(x))
        return activation == .relu ? y.relu() : y
    }
    guard conv.bias == nil, bn.foldsIntoConvolution(input: x, convWeight: conv.weight) else {
        return bn.forward(conv(x), activation: activation)
    }
    let folded = bn.folded(into: conv.weight)
    return x.conv2d(weight: folded.weight, bias: folded.bias, stride: conv.stride, padding: conv.padding, activation: activation)
}

/// conv3x3 → norm → ReLU → conv3x3 → norm, plus the (possibly downsampled) input, then ReLU.
public final class BasicBlock: Module {
    public let conv1: Conv2d, bn1: Module, conv2: Conv2d, bn2: Module
    public let downsample: Sequential?

    public init(inPlanes: Int, planes: Int, stride: Int, norm: Normalization) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn1 = norm.make(planes)
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: 1, padding: 1, bias: false)
        bn2 = norm.make(planes)
        shortcut = (stride != 1 || inPlanes != planes)
            ? (Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false), norm.make(planes)) : nil
        downsample = shortcut.map { Sequential($0.conv, $0.norm) }
    }

    /// The downsample's two layers, typed (torchvision's parameter paths come from `downsample`).
    private let shortcut: (conv: Conv2d, norm: Module)?

    public override var children: [(String, Module)] {
        [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] + (downsample.map { [("downsample", $0)] } ?? [])
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let out = convNorm(conv2, bn2, convNorm(conv1, bn1, x, activation: .relu), activation: .identity)
        let identity = shortcut.map { convNorm($0.conv, $0.norm, x, activation: .identity) } ?? x
        return out.addingThenReLU(identity)
    }
}

/// ResNet-18: conv1 7×7/2 → bn1 → ReLU → maxpool 3×3/2 → layer1..4 (2 blocks each) → avgpool → fc.
public final class ResNet18: Module {
    public let conv1: Conv2d, bn1: Module, maxpool: MaxPool2d
    public let layer1: Sequential, layer2: Sequential, layer3: Sequential, layer4: Sequential
    public let avgpool = AdaptiveAvgPool2d()
    /// The classification layer; nil when built as a pure feature extractor (`numClasses: nil`).
    public let fc: Linear?
    /// Size of `features(_:)`: 8 × width (512 for the standard width 64).
    public let featureDim: Int
    public let normalization: Normalization
    /// MixStyle after layer1 and layer2 (strides 4 and 8), in training only; empty: none.
    public var mixStyle: [MixStyle] = []

    /// - Parameters:
    ///   - numClasses: outputs of `fc` (torchvision: 1000); nil for no `fc`.
    ///   - width: channels of layer1 (64 in torchvision); layers 2–4 use 2×, 4×, 8×.
    ///   - norm: batch (torchvision) or group normalisation.
    public init(numClasses: Int? = 1000, width: Int = 64, inChannels: Int = 3, norm: Normalization = .batch) {
        conv1 = Conv2d(inChannels, width, kernelSize: 7, stride: 2, padding: 3, bias: false)
        bn1 = norm.make(width)
        maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        func layer(_ inPlanes: Int, _ planes: Int, _ stride: Int) -> Sequential {
            Sequential(BasicBlock(inPlanes: inPlanes, planes: planes, stride: stride, norm: norm),
                       BasicBlock(inPlanes: planes, planes: planes, stride: 1, norm: norm))
        }
        layer1 = layer(width, width, 1)
        layer2 = layer(width, 2 * width, 2)
        layer3 = layer(2 * width, 4 * width, 2)
        layer4 = layer(4 * width, 8 * width, 2)
        featureDim = 8 * width
        fc = numClasses.map { Linear(8 * width, $0) }
        normalization = norm
        super.init()
        // torchvision: kaiming_normal_(fan_out, relu) for every conv; norm weight 1, bias 0 (already).
        for (_, p) in namedParameters() where p.rank == 4 {
            let fanOut = p.shape[0] * p.shape[2] * p.shape[3]
            p.assign(Init.kaimingNormalFanOut(p.shape, fanOut: fanOut))
        }
    }

    public override var children: [(String, Module)] {
        [("conv1", conv1), ("bn1", bn1), ("maxpool", maxpool), ("layer1", layer1), ("layer2", layer2),
         ("layer3", layer3), ("layer4", layer4), ("avgpool", avgpool)] + (fc.map { [("fc", $0)] } ?? [])
    }

    /// The last convolutional map: [N, 3, H, W] → [N, F, H/32, W/32] (rounded up), channels-last.
    public func featureMap(_ x: Tensor) -> Tensor {
        require(x.rank == 4 && x.shape[2] >= 32 && x.shape[3] >= 32,
                     "ResNet18: input must be [N, C, H, W] with H, W ≥ 32, got \(x.shape)")
        let stem = maxpool(convNorm(conv1, bn1, x, activation: .relu))
        func mixed(_ h: Tensor, _ point: Int) -> Tensor { isTraining && point < mixStyle.count ? mixStyle[point](h) : h }
        return layer4(layer3(mixed(layer2(mixed(layer1(stem), 0)), 1)))
    }

    /// Pooled features: [N, 3, H, W] → [N, F].
    public func features(_ x: Tensor) -> Tensor { avgpool(featureMap(x)).flattened(startDim: 1) }

    /// Logits: [N, 3, H, W] → [N, K].
    public override func forward(_ x: Tensor) -> Tensor {
        guard let fc else { return features(x) }
        return fc(features(x))
    }
}

extension ResNet18 {
    /// Loads a torchvision ResNet-18 state dict saved as safetensors (ImageNet weights, say) into this network.
    /// A network without `fc` leaves the file's `fc.*` out; every other name and shape must match (the width
    /// must be the file's: 64 for torchvision's own), else nothing changes and the error lists what differs.
    public func loadTorchvision(from url: URL) throws {
        var state = try SafeTensors.read(url).tensors
        if fc == nil { state = state.filter { !$0.key.hasPrefix("fc.") } }
        try load(state, strict: true, source: url.path)
    }
}
