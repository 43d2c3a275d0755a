import Foundation
import SmearNN
import SmearTensor

/// Fixtures are read with smear's own safetensors reader (so every fixture also tests it).
public enum SafeTensorsFixtureReader {
    public static func read(_ url: URL) throws -> [String: Tensor] { try SafeTensors.read(url).tensors }
}
