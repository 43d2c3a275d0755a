// The feature extractor under a classifier: a network from images [N, 3, H, W] to features [N, F], with a way
// to start from pretrained weights. ResNet-18 (torchvision's) and EfficientNet-Lite0 (the TensorFlow port's).
import Foundation
import SmearTensor

public protocol Backbone: Module {
    /// F, the size of `features(_:)`.
    var featureDim: Int { get }
    /// Pooled features [N, F] of images [N, 3, H, W].
    func features(_ x: Tensor) -> Tensor
    /// Loads pretrained weights saved as safetensors under the network's own names (its classifier left out).
    func loadPretrained(from url: URL) throws
}

/// Which backbone a run uses; its raw value is the run setting's.
public enum BackboneKind: String, Codable, CaseIterable, Sendable {
    case resnet18
    case efficientnetLite0 = "efficientnet_lite0"
}

extension ResNet18: Backbone {
    public func loadPretrained(from url: URL) throws { try loadTorchvision(from: url) }
}

extension EfficientNetLite0: Backbone {}
