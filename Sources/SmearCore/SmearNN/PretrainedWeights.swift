// Where the pretrained weights that scripts/weights fetched and converted are kept: $SMEAR_WEIGHTS, else
// $XDG_CACHE_HOME/smear/weights, else ~/.cache/smear/weights. Nothing here downloads.
import Foundation

public enum PretrainedWeights {
    public static var directory: URL {
        let env = ProcessInfo.processInfo.environment
        if let d = env["SMEAR_WEIGHTS"], !d.isEmpty { return URL(fileURLWithPath: d) }
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("smear/weights")
    }

    /// EfficientNet-Lite0's ImageNet weights, converted (scripts/weights).
    public static var efficientNetLite0ImageNet: URL { directory.appendingPathComponent("efficientnet_lite0_imagenet.safetensors") }
}
