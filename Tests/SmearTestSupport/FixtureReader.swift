import Foundation
import SmearNN
import SmearTensor

/// Fixtures are read with smear's own safetensors reader (so every fixture also tests it).
public enum SafeTensorsFixtureReader {
    public static func read(_ url: URL) throws -> [String: Tensor] { try SafeTensors.read(url).tensors }
}

/// float32 PyTorch's distance to the float64 reference on a whole-ResNet-18 fixture, the worse of its two
/// CPU paths (oneDNN and its reference kernels), per measure (`logits_max_abs`, `gradient_max_rel`,
/// `sgd_losses_max_rel`, `eval_logits_max_rel`), from Tests/Fixtures/resnet18_float32_distance.json
/// (scripts/fixtures/make_float32_distance.py).
public func torchFloat32Distance(_ fixture: String) throws -> [String: Float] {
    let url = fixturesDirectory.appendingPathComponent("resnet18_float32_distance.json")
    guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
          let entry = json[fixture] as? [String: [String: Double]] else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no entry for \(fixture) in \(url.path)"])
    }
    var worst: [String: Float] = [:]
    for (_, kernel) in entry { for (k, v) in kernel { worst[k] = max(worst[k] ?? 0, Float(v)) } }
    return worst
}

/// One case of a relabelling fixture (Tests/Fixtures/centroid_labels.json, label_propagation.json): its image count,
/// features [n, D] and probabilities [n, K] read as Float, and every field as the JSON holds it.
public struct RelabellingFixtureCase {
    public let n: Int, features: [Float], probabilities: [Float], fields: [String: Any]

    /// The cases of list `list` in fixture file `file`.
    public static func read(_ file: String, _ list: String) throws -> [RelabellingFixtureCase] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixturesDirectory.appendingPathComponent(file))) as! [String: Any]
        return (json[list] as! [[String: Any]]).map {
            RelabellingFixtureCase(n: $0["n"] as! Int, features: ($0["features"] as! [Double]).map(Float.init),
                                   probabilities: ($0["probabilities"] as! [Double]).map(Float.init), fields: $0)
        }
    }
}
