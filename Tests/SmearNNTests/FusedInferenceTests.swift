// Inference's fused kernels give the values of the ops they replace: a convolution with its activation as oneDNN's
// post-op equals the convolution followed by the activation, and EfficientNet-Lite0's folded convolution + batch
// norm + ReLU6 (evaluation, nothing recorded) and ResNet-18's folded convolutions + batch norm (+ ReLU) equal the ops run one
// by one (as when gradients are recorded).
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class FusedInferenceTests: XCTestCase {
    func testConvolutionWithActivation_equalsConvolutionThenActivation() {
        var gen = RandomGenerator(seed: 5)
        // (input channels, output channels, kernel, stride, padding): pointwise, 3×3 with Winograd's shape, strided.
        for (c, o, k, s, p) in [(8, 12, 1, 1, 0), (16, 16, 3, 1, 1), (6, 10, 3, 2, 1)] {
            let x = Tensor.normal([2, c, 9, 9], generator: &gen) * 3
            let w = Tensor.normal([o, c, k, k], generator: &gen), b = Tensor.normal([o], generator: &gen)
            for activation in [Activation.relu, .relu6] {
                let reference = ComputeBackend.with(.blas) { activation.apply(x.conv2d(weight: w, bias: b, stride: s, padding: p)) }
                XCTAssertTrue(reference.scalars.contains(6) || activation == .relu, "some outputs reach ReLU6's bound")
                for backend in ComputeBackend.allCases {
                    let fused = ComputeBackend.with(backend) {
                        withNoGrad { x.conv2d(weight: w, bias: b, stride: s, padding: p, activation: activation) }
                    }
                    assertClose(fused.contiguous(), reference.contiguous(), atol: 1e-4, rtol: 1e-5, "\(backend) \(c)→\(o) k\(k) s\(s) \(activation)")
                }
            }
        }
    }

    func testDepthwiseWithActivation_equalsDepthwiseThenActivation() {
        var gen = RandomGenerator(seed: 6)
        let x = Tensor.normal([2, 16, 10, 10], generator: &gen) * 3
        for (k, s) in [(3, 1), (5, 2)] {
            let w = Tensor.normal([16, 1, k, k], generator: &gen), b = Tensor.normal([16], generator: &gen)
            let pad = Padding2d.same(height: 10, width: 10, kernel: k, stride: s)
            let reference = ComputeBackend.with(.blas) { x.depthwiseConv2d(weight: w, bias: b, stride: s, padding: pad).relu6() }
            XCTAssertTrue(reference.scalars.contains(6), "some outputs reach ReLU6's bound")
            for backend in ComputeBackend.allCases {
                let fused = ComputeBackend.with(backend) {
                    withNoGrad { x.depthwiseConv2d(weight: w, bias: b, stride: s, padding: pad, activation: .relu6) }
                }
                assertClose(fused.contiguous(), reference.contiguous(), atol: 1e-4, rtol: 1e-5, "\(backend) k\(k) s\(s)")
            }
        }
    }

    /// A block with batch-norm statistics far from the identity (so a wrong fold shows), in evaluation: without
    /// recording (folded, fused) and with recording (three ops each) on oneDNN, and on the BLAS reference.
    func testMBConvBlock_foldedInference_equalsTheOpsOneByOne() {
        var gen = RandomGenerator(seed: 7)
        let block = MBConvBlock(inChannels: 16, outChannels: 16, kernel: 5, stride: 1, expandRatio: 6)
        for bn in block.modules(of: BatchNorm.self) {
            let c = bn.weight.count
            bn.runningMean.assign( Tensor.normal([c], generator: &gen))
            bn.runningVar.assign( Tensor.normal([c], generator: &gen).abs() + 0.5)
            bn.weight.assign( Tensor.normal([c], generator: &gen) * 2)
            bn.bias.assign( Tensor.normal([c], generator: &gen))
        }
        block.eval()
        let x = Tensor.normal([2, 16, 8, 8], generator: &gen)
        let recorded = ComputeBackend.with(.dnnl) { block(x) }            // parameters require grad: the ops one by one
        XCTAssertTrue(recorded.requiresGrad, "the reference path records")
        let folded = ComputeBackend.with(.dnnl) { withNoGrad { block(x) } }
        let reference = ComputeBackend.with(.blas) { withNoGrad { block(x) } }
        assertClose(folded.contiguous(), recorded.contiguous(), atol: 1e-4, rtol: 1e-4, "folded vs one by one")
        assertClose(folded.contiguous(), reference.contiguous(), atol: 1e-4, rtol: 1e-4, "oneDNN folded vs BLAS")
    }

    /// ResNet-18 (stem, blocks with and without a downsample) the same way: every batch norm far from the identity.
    func testResNet18_foldedInference_equalsTheOpsOneByOne() {
        var gen = RandomGenerator(seed: 11)
        let net = ResNet18(numClasses: 5, width: 8)
        for bn in net.modules(of: BatchNorm.self) {
            let c = bn.weight.count
            bn.runningMean.assign(Tensor.normal([c], generator: &gen) * 0.5)
            bn.runningVar.assign(Tensor.normal([c], generator: &gen).abs() + 0.5)
            bn.weight.assign(Tensor.normal([c], generator: &gen) * 0.5 + 1)
            bn.bias.assign(Tensor.normal([c], generator: &gen) * 0.5)
        }
        net.eval()
        let x = Tensor.normal([2, 3, 32, 32], generator: &gen)
        let recorded = ComputeBackend.with(.dnnl) { net(x) }
        XCTAssertTrue(recorded.requiresGrad, "the reference path records")
        let folded = ComputeBackend.with(.dnnl) { withNoGrad { net(x) } }
        let reference = ComputeBackend.with(.blas) { withNoGrad { net(x) } }
        assertClose(folded.contiguous(), recorded.contiguous(), atol: 1e-3, rtol: 1e-3, "folded vs one by one")
        assertClose(folded.contiguous(), reference.contiguous(), atol: 1e-3, rtol: 1e-3, "oneDNN folded vs BLAS")
    }
}
