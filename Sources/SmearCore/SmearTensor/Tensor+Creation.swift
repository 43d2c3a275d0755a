// Creating tensors: constants, ranges and seeded random values.
import Foundation

extension Tensor {
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(shape: shape, storage: Storage(repeating: value, count: shape.reduce(1, *)))
    }

    /// `start, start+step, ...` below `end` (1-D), as `torch.arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        require(step != 0, "arange: step must not be 0")
        let n = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        let t = Tensor(uninitialized: [n])
        for i in 0..<n { t.data[i] = start + Float(i) * step }
        return t
    }

    /// Uniform values in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = low + (high - low) * generator.nextUniform() }
        return t
    }

    /// Normal values with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = mean + std * generator.nextNormal() }
        return t
    }

    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        uniform(shape, low: low, high: high, generator: &GlobalRandom.generator)
    }

    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        normal(shape, mean: mean, std: std, generator: &GlobalRandom.generator)
    }
}
