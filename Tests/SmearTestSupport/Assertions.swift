// Shared test helpers: closeness with explicit tolerances, finite-difference gradient checks, fixtures.
import Foundation
import SmearTensor
import XCTest

/// Default tolerances (tinygrad's): forward values and gradients.
public enum Tolerance {
    public static let forwardAtol: Float = 1e-5
    public static let forwardRtol: Float = 1e-4
    public static let gradAtol: Float = 1e-4
}

/// Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise; on failure prints the largest
/// difference and the first mismatches (llm.c's check_tensor).
public func assertClose(_ actual: [Float], _ expected: [Float], atol: Float = Tolerance.forwardAtol,
                        rtol: Float = Tolerance.forwardRtol, _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message): \(actual.count) values, expected \(expected.count)", file: file, line: line); return
    }
    var maxDiff: Float = 0
    var bad: [String] = []
    for i in 0..<actual.count {
        let d = abs(actual[i] - expected[i])
        if !(d <= atol + rtol * abs(expected[i])) {
            if bad.count < 5 { bad.append("[\(i)] \(actual[i]) vs \(expected[i])") }
            maxDiff = max(maxDiff, d.isNaN ? .infinity : d)
        }
    }
    if !bad.isEmpty {
        XCTFail("\(message): max |diff| \(maxDiff) (atol \(atol), rtol \(rtol)); first mismatches: \(bad.joined(separator: ", "))",
                file: file, line: line)
    }
}

public func assertClose(_ actual: Tensor, _ expected: Tensor, atol: Float = Tolerance.forwardAtol,
                        rtol: Float = Tolerance.forwardRtol, _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(message): shape", file: file, line: line)
    assertClose(actual.scalars, expected.scalars, atol: atol, rtol: rtol, message, file: file, line: line)
}

/// Checks the autodiff gradients of `f` (any output shape) at `inputs` against central finite
/// differences of the scalar Σ f(x)·w for a fixed random w. Inputs are leaves that require grad.
public func assertGradientsMatchFiniteDifferences(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-3,
                                                  rtol: Float = 2e-2, _ message: String = "",
                                                  file: StaticString = #filePath, line: UInt = #line,
                                                  _ f: ([Tensor]) -> Tensor) {
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    let probe = f(inputs)
    var gen = RandomGenerator(seed: 99)
    let w = Tensor.normal(probe.shape, generator: &gen)
    (probe * w).sum().backward()
    for (k, x) in inputs.enumerated() {
        guard let analytic = x.grad?.scalars else {
            XCTFail("\(message): input \(k) got no gradient", file: file, line: line); continue
        }
        var numeric = [Float](repeating: 0, count: x.count)
        let values = x.scalars
        for i in 0..<x.count {
            func loss(_ v: Float) -> Double {
                var vs = values; vs[i] = v
                let xi = Tensor(vs, shape: x.shape)
                var args = inputs; args[k] = xi
                let y = withNoGrad { (f(args) * w).contiguous().scalars }
                return y.reduce(0.0) { $0 + Double($1) }
            }
            numeric[i] = Float((loss(values[i] + eps) - loss(values[i] - eps)) / Double(2 * eps))
        }
        assertClose(analytic, numeric, atol: atol, rtol: rtol, "\(message) gradient of input \(k)", file: file, line: line)
    }
}

/// The repository's `Tests/Fixtures` folder, found from this source file (works in any fresh clone).
public let fixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A PyTorch reference fixture written by scripts/fixtures/make_fixtures.py.
public struct Fixture {
    public let tensors: [String: Tensor]
    public init(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        tensors = try SafeTensorsFixtureReader.read(fixturesDirectory.appendingPathComponent(name + ".safetensors"))
    }
    public subscript(_ key: String) -> Tensor {
        guard let t = tensors[key] else { preconditionFailure("fixture has no tensor \(key)") }
        return t
    }
    /// Class indices stored as floats.
    public func labels(_ key: String) -> [Int] { self[key].scalars.map { Int($0) } }
}

/// Asserts max|actual − expected| ≤ tolerance · max|expected|: the norm-wise criterion for gradients of
/// deep networks, whose float32 rounding error scales with the tensor's largest entries.
public func assertCloseRelativeToMax(_ actual: Tensor, _ expected: Tensor, tolerance: Float, _ message: String = "",
                                     file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(message): shape", file: file, line: line)
    let a = actual.scalars, e = expected.scalars
    guard a.count == e.count else { return }
    let scale = e.map { abs($0) }.max() ?? 0
    var worst: Float = 0, at = 0
    for i in 0..<a.count { let d = abs(a[i] - e[i]); if !(d <= worst) { worst = d; at = i } }
    if !(worst <= tolerance * scale) {
        XCTFail("\(message): max |diff| \(worst) at [\(at)] (\(a[at]) vs \(e[at])) exceeds \(tolerance) × max|expected| \(scale)",
                file: file, line: line)
    }
}

/// The repository root and the bundled image sample (data/sample).
public let repositoryRoot = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent()
public let sampleDirectory = repositoryRoot.appendingPathComponent("data/sample")
