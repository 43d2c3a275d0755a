// Seeded random numbers: the same seed gives the same tensors on every machine.
import Foundation

/// xoshiro256** seeded through SplitMix64. Not cryptographic; reproducible.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Standard normal (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Shuffles `items` in place (Fisher–Yates from the last element down, the swap index `next() % (i + 1)`), so a seed
    /// gives the same order on every machine, unlike the standard library's `shuffle(using:)`, whose draws may change.
    public mutating func shuffle<T>(_ items: inout [T]) {
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, Int(next() % UInt64(i + 1))) }
    }

    /// A Gamma(shape, 1) draw: Marsaglia and Tsang's method (2000), with Gamma(a) = Gamma(a + 1)·U^(1/a) below shape 1.
    public mutating func nextGamma(shape a: Double) -> Double {
        func uniform() -> Double { (Double(next() >> 11) + 1) / 9_007_199_254_740_992 }   // (0, 1]
        if a < 1 { return nextGamma(shape: a + 1) * Foundation.pow(uniform(), 1 / a) }
        let d = a - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(nextNormal()), v = Foundation.pow(1 + c * x, 3)
            guard v > 0 else { continue }
            if Foundation.log(uniform()) < 0.5 * x * x + d - d * v + d * Foundation.log(v) { return d * v }
        }
    }

    /// A Beta(a, b) draw, X / (X + Y) of two Gamma draws; 0.5 when both underflow (possible at a tiny shape).
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x + y > 0 ? x / (x + y) : 0.5
    }
}

/// The process-wide generator used when no generator is passed (PyTorch's `manual_seed`).
public enum GlobalRandom {
    nonisolated(unsafe) public static var generator = RandomGenerator(seed: 0)
    public static func seed(_ seed: UInt64) { generator = RandomGenerator(seed: seed) }
}
