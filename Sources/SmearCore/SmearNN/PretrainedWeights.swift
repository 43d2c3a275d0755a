// Where the pretrained weights that scripts/weights fetched and converted are kept (CacheFolders.weights). Nothing
// here downloads.
import Foundation
import SmearTensor

public enum PretrainedWeights {
    public static var directory: URL { CacheFolders.weights() }

    /// EfficientNet-Lite0's ImageNet weights, converted (scripts/weights).
    public static var efficientNetLite0ImageNet: URL { directory.appendingPathComponent("efficientnet_lite0_imagenet.safetensors") }
}
