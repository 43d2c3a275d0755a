// The feature extractor under a classifier: a network from images [N, 3, H, W] to features [N, F], with a way
// to start from pretrained weights. ResNet-18 (torchvision's) and EfficientNet-Lite0 and -Lite2 (the TensorFlow port's).
import Foundation
import SmearTensor

public protocol Backbone: Module {
    /// F, the size of `features(_:)`.
    var featureDim: Int { get }
    /// Pooled features [N, F] of images [N, 3, H, W].
    func features(_ x: Tensor) -> Tensor
    /// Loads pretrained weights saved as safetensors under the network's own names (its classifier left out).
    func loadPretrained(from url: URL) throws
    /// MixStyle at the network's two points at strides 4 and 8, in that order (training only; empty: none).
    var mixStyle: [MixStyle] { get set }
}

extension Backbone {
    /// Puts MixStyle with probability `p` at both of the network's points (strides 4 and 8).
    public func enableMixStyle(probability p: Double) { mixStyle = [MixStyle(probability: p), MixStyle(probability: p)] }
}

/// Which backbone a run uses; its raw value is the run setting's.
public enum BackboneKind: String, Codable, CaseIterable, Sendable {
    case resnet18
    case efficientnetLite0 = "efficientnet_lite0"
    case efficientnetLite2 = "efficientnet_lite2"

    /// The EfficientNet-Lite scaling this backbone is (nil: ResNet-18).
    public var liteVariant: EfficientNetLite.Variant? {
        switch self { case .resnet18: return nil; case .efficientnetLite0: return .lite0; case .efficientnetLite2: return .lite2 }
    }
}

extension ResNet18: Backbone {
    public func loadPretrained(from url: URL) throws { try loadTorchvision(from: url) }
}

extension EfficientNetLite: Backbone {}
