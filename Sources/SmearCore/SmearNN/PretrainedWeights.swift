// Where the pretrained weights that scripts/weights fetched and converted are kept (CacheFolders.weights). Nothing
// here downloads.
import Foundation
import SmearTensor

public enum PretrainedWeights {
    public static var directory: URL { CacheFolders.weights() }

    /// EfficientNet-Lite0's ImageNet weights, converted (scripts/weights).
    public static var efficientNetLite0ImageNet: URL { imageNet(.lite0) }

    /// An EfficientNet-Lite's ImageNet weights, converted (scripts/weights): efficientnet_<variant>_imagenet.safetensors.
    public static func imageNet(_ variant: EfficientNetLite.Variant) -> URL {
        directory.appendingPathComponent("efficientnet_\(variant.rawValue)_imagenet.safetensors")
    }
}
