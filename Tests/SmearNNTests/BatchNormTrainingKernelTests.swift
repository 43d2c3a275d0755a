// Training batch norm with its activation's clamp by smear's C kernels (the oneDNN back end's training path,
// Tensor+BatchNormTraining) against the reference loops of the BLAS back end: outputs, every gradient and the running
// statistics, over several ranges of partial sums, far from zero, and bit for bit on one thread or two.
import Foundation
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class BatchNormTrainingKernelTests: XCTestCase {
    struct Outcome { var output: Tensor; var gradients: [Tensor]; var running: [Float] }

    /// The op, its gradients against a fixed random cotangent, and the running statistics after it, on `backend`.
    func run(_ backend: ComputeBackend, _ x: Tensor, _ w: Tensor, _ b: Tensor, _ activation: Activation) -> Outcome {
        ComputeBackend.with(backend) {
            let leaves = [x, w, b].map { Tensor($0.scalars, shape: $0.shape).requiringGrad() }
            let c = w.count
            let mean = Tensor.full([c], 0.2), variance = Tensor.full([c], 1.5)
            let y = leaves[0].batchNorm(weight: leaves[1], bias: leaves[2], runningMean: mean, runningVar: variance,
                                        training: true, activation: activation)
            var generator = RandomGenerator(seed: 99)
            (y * Tensor.normal(y.shape, generator: &generator)).sum().backward()
            return Outcome(output: y.contiguous(), gradients: leaves.map { $0.grad!.contiguous() },
                           running: mean.scalars + variance.scalars)
        }
    }

    func randn(_ shape: [Int], seed: UInt64) -> Tensor { var g = RandomGenerator(seed: seed); return Tensor.normal(shape, generator: &g) }

    func assertAgree(_ a: Outcome, _ b: Outcome, _ what: String, tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        assertCloseRelativeToMax(a.output, b.output, tolerance: tolerance, "\(what): output", file: file, line: line)
        for (name, (ga, gb)) in zip(["input", "weight", "bias"], zip(a.gradients, b.gradients)) {
            assertCloseRelativeToMax(ga, gb, tolerance: tolerance, "\(what): \(name) gradient", file: file, line: line)
        }
        assertClose(a.running, b.running, atol: 1e-4, "\(what): running statistics", file: file, line: line)
    }

    /// 880 rows of 37 channels are two ranges of partial sums (442 rows each for 37 channels), 6 × 40 × 40 of 16 are
    /// ten; each activation, outputs on both sides of its bounds.
    func testEveryActivation_overSeveralRanges_matchesTheReference() {
        XCTAssertEqual(Tensor.batchNormRowsPerRange(channels: 37), 442)
        for (shape, seed) in [([8, 37, 10, 11], UInt64(1)), ([6, 16, 40, 40], 2), ([3, 5, 2, 3], 3)] {
            let c = shape[1]
            let x = randn(shape, seed: seed) * 2 + 0.5, w = randn([c], seed: seed + 10) * 3, b = randn([c], seed: seed + 20)
            for activation in [Activation.identity, .relu, .relu6] {
                let kernel = run(.dnnl, x, w, b, activation), reference = run(.blas, x, w, b, activation)
                assertAgree(kernel, reference, "\(shape) \(activation)")
                if activation == .relu6 {
                    let y = kernel.output.scalars
                    XCTAssertTrue(y.contains(0) && y.contains(6) && y.contains { $0 > 0 && $0 < 6 }, "\(shape): both bounds and between")
                }
            }
        }
    }

    /// Activations around 1,000 with a spread of 0.05: the sums are taken about a pivot row, so the variance does not
    /// cancel away (Σx² − (Σx)²/M in float would lose it entirely).
    func testActivationsFarFromZero_keepTheirVariance() {
        let x = randn([4, 24, 9, 9], seed: 5) * 0.05 + 1000, w = randn([24], seed: 6), b = randn([24], seed: 7)
        let kernel = run(.dnnl, x, w, b, .relu6), reference = run(.blas, x, w, b, .relu6)
        assertAgree(kernel, reference, "offset 1000", tolerance: 2e-3)
        // running variance = 0.9 · 1.5 + 0.1 · the batch's unbiased variance, computed here in double
        let values = x.scalars, perChannel = 9 * 9
        for j in 0..<24 {
            let channel = (0..<4).flatMap { n in (0..<perChannel).map { Double(values[(n * 24 + j) * perChannel + $0]) } }
            let mean = channel.reduce(0, +) / Double(channel.count)
            let unbiased = channel.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(channel.count - 1)
            let measured = (Double(kernel.running[24 + j]) - 0.9 * 1.5) / 0.1
            XCTAssertEqual(measured, unbiased, accuracy: 0.01 * unbiased, "channel \(j): batch variance")
        }
    }

    /// The partial sums are per fixed range of rows and added in range order, so one thread and two give the same bits.
    func testOneThreadAndTwo_giveTheSameBits() {
        let x = randn([6, 40, 12, 12], seed: 8) * 2, w = randn([40], seed: 9), b = randn([40], seed: 10)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = run(.dnnl, x, w, b, .relu6)
        Parallel.threads = 2
        let two = run(.dnnl, x, w, b, .relu6)
        XCTAssertEqual(one.output.scalars, two.output.scalars)
        for (a, b) in zip(one.gradients, two.gradients) { XCTAssertEqual(a.scalars, b.scalars) }
        XCTAssertEqual(one.running, two.running)
    }
}
