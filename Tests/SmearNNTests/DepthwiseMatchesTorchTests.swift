// Depthwise convolution with TensorFlow's "SAME" padding and ReLU6 against PyTorch (float64 reference values from
// scripts/fixtures/make_depthwise_fixtures.py: F.pad + conv2d(groups=C), F.relu6) and finite differences, on
// both back ends.
import SmearTensor
import SmearTestSupport
import XCTest

final class DepthwiseMatchesTorchTests: XCTestCase {
    /// A leaf copy that requires grad (gradients of one case never add to another's).
    func fresh(_ t: Tensor) -> Tensor { Tensor(t.scalars, shape: t.shape).requiringGrad() }

    func onEveryBackend(_ body: () throws -> Void) rethrows {
        for b in ComputeBackend.allCases { try ComputeBackend.with(b, body) }
    }

    func testSamePadding_isTensorFlows() {
        XCTAssertEqual(Padding2d.same(height: 9, width: 10, kernel: 3, stride: 2), Padding2d(top: 1, bottom: 1, left: 0, right: 1))
        XCTAssertEqual(Padding2d.same(height: 224, width: 224, kernel: 5, stride: 2), Padding2d(top: 1, bottom: 2, left: 1, right: 2))
        XCTAssertEqual(Padding2d.same(height: 7, width: 7, kernel: 5, stride: 1), Padding2d(2))
        XCTAssertEqual(Padding2d.same(height: 1, width: 1, kernel: 3, stride: 2), Padding2d(top: 1, bottom: 1, left: 1, right: 1))
    }

    /// With a bias, and without one (as in EfficientNet-Lite0, where oneDNN makes other primitives: the output is the
    /// biased fixture's minus the bias, the input and weight gradients the fixture's).
    func testDepthwiseConv2d_kernels3And5_strides1And2_withAndWithoutBias_matchTorch() throws {
        let f = try Fixture("depthwise")
        try onEveryBackend {
            for k in [3, 5] {
                for s in [1, 2] {
                    for withBias in [true, false] {
                        let tag = "k\(k)_s\(s)"
                        let x = fresh(f["x"]), w = fresh(f["w_k\(k)"]), b = fresh(f["b"])
                        let pad = Padding2d.same(height: 9, width: 10, kernel: k, stride: s)
                        XCTAssertEqual([pad.top, pad.bottom, pad.left, pad.right].map(Float.init), f["pad_\(tag)"].scalars, tag)
                        let y = x.depthwiseConv2d(weight: w, bias: withBias ? b : nil, stride: s, padding: pad)
                        let expected = withBias ? f["out_\(tag)"] : f["out_\(tag)"] - f["b"].reshaped([1, f["b"].count, 1, 1])
                        assertClose(y.contiguous(), expected, atol: 1e-4, "\(tag) bias \(withBias)")
                        (y * f["g_\(tag)"]).sum().backward()
                        assertClose(x.grad!.contiguous(), f["dx_\(tag)"], atol: 1e-4, "\(tag) bias \(withBias) dx")
                        assertClose(w.grad!.contiguous(), f["dw_\(tag)"], atol: 2e-4, "\(tag) bias \(withBias) dw")
                        if withBias { assertClose(b.grad!, f["db_\(tag)"], atol: 2e-4, "\(tag) db") }
                    }
                }
            }
        }
    }

    /// The same convolution as a padded input and no padding: `padded` and its gradient.
    func testPaddedThenValid_equalsPaddedConvolution() throws {
        let f = try Fixture("depthwise")
        let pad = Padding2d.same(height: 9, width: 10, kernel: 3, stride: 2)
        let x = fresh(f["x"]), w = f["w_k3"]
        let y = x.padded(pad).depthwiseConv2d(weight: w, bias: f["b"], stride: 2)
        assertClose(y.contiguous(), f["out_k3_s2"], atol: 1e-4)
        (y * f["g_k3_s2"]).sum().backward()
        assertClose(x.grad!.contiguous(), f["dx_k3_s2"], atol: 1e-4, "dx through padded")
    }

    func testGradients_matchFiniteDifferences() {
        var gen = RandomGenerator(seed: 3)
        let x = Tensor.normal([2, 3, 5, 4], generator: &gen), w = Tensor.normal([3, 1, 3, 3], generator: &gen)
        let b = Tensor.normal([3], generator: &gen)
        assertGradientsMatchFiniteDifferences([x, w, b], "depthwise s2, uneven padding") {
            $0[0].depthwiseConv2d(weight: $0[1], bias: $0[2], stride: 2, padding: Padding2d(top: 0, bottom: 1, left: 1, right: 2))
        }
        assertGradientsMatchFiniteDifferences([Tensor.normal([1, 2, 3, 3], generator: &gen)], "padded") {
            $0[0].padded(Padding2d(top: 1, bottom: 0, left: 2, right: 1))
        }
        assertGradientsMatchFiniteDifferences([Tensor([-1, 0.5, 3, 5.5, 6.5, 8], shape: [6])], "relu6") { $0[0].relu6() }
    }

    func testReLU6_matchesTorch() throws {
        let f = try Fixture("depthwise")
        let v = fresh(f["relu6_in"])
        let y = v.relu6()
        assertClose(y, f["relu6_out"], atol: 0)
        (y * f["relu6_g"]).sum().backward()
        assertClose(v.grad!, f["relu6_grad"], atol: 1e-6)
    }
}
