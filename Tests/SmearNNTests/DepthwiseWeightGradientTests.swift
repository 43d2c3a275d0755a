// The depthwise weight gradient of the oneDNN back end (oneDNN's kernel for 3×3 taps; smear's C kernel for the rest:
// blocks of 16 channels with one accumulator per tap for 5×5, a plain loop for other sizes and the channels after the
// blocks) equals the BLAS back end's direct loop, for channel counts with and without a remainder after the blocks,
// strides 1 and 2 and TensorFlow's asymmetric padding, with and without a bias; and smear's kernel gives the same
// result, bit for bit, for any thread count.
import SmearTensor
import SmearTestSupport
import XCTest

final class DepthwiseWeightGradientTests: XCTestCase {
    struct Geometry { let c, h, w, k, stride: Int }
    let geometries = [Geometry(c: 37, h: 9, w: 10, k: 3, stride: 1), Geometry(c: 37, h: 9, w: 10, k: 5, stride: 1),
                      Geometry(c: 48, h: 8, w: 8, k: 5, stride: 2), Geometry(c: 20, h: 7, w: 7, k: 5, stride: 2),
                      Geometry(c: 32, h: 6, w: 5, k: 3, stride: 2), Geometry(c: 16, h: 4, w: 4, k: 7, stride: 1)]

    /// The weight and bias gradients of (depthwiseConv2d(x) · g).sum() on `backend`.
    func gradients(_ geo: Geometry, bias withBias: Bool, on backend: ComputeBackend) -> (taps: [Float], bias: [Float]?) {
        GlobalRandom.seed(11)
        let x = Tensor.normal([2, geo.c, geo.h, geo.w]), w = Tensor.normal([geo.c, 1, geo.k, geo.k]).requiringGrad()
        let b = Tensor.normal([geo.c]).requiringGrad()
        let pad = Padding2d.same(height: geo.h, width: geo.w, kernel: geo.k, stride: geo.stride)
        return ComputeBackend.with(backend) {
            let y = x.depthwiseConv2d(weight: w, bias: withBias ? b : nil, stride: geo.stride, padding: pad)
            GlobalRandom.seed(12)
            (y * Tensor.normal(y.shape)).sum().backward()
            return (w.grad!.contiguous().scalars, withBias ? b.grad!.scalars : nil)
        }
    }

    func testTheKernelsGradient_equalsTheDirectLoops() {
        for geo in geometries {
            for withBias in [false, true] {
                let tag = "C \(geo.c) \(geo.h)×\(geo.w) k\(geo.k) s\(geo.stride) bias \(withBias)"
                let kernel = gradients(geo, bias: withBias, on: .dnnl), reference = gradients(geo, bias: withBias, on: .blas)
                assertClose(kernel.taps, reference.taps, atol: 1e-4, tag)
                XCTAssertGreaterThan(reference.taps.map(abs).max()!, 0.5, "\(tag): gradients of a size a wrong tap would show")
                if withBias { assertClose(kernel.bias!, reference.bias!, atol: 1e-4, "\(tag) bias") }
            }
        }
    }

    func testTheKernelsGradient_isTheSameForAnyThreadCount() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for geo in geometries where geo.k != 3 {
            Parallel.threads = 1
            let one = gradients(geo, bias: true, on: .dnnl)
            Parallel.threads = 3
            let three = gradients(geo, bias: true, on: .dnnl)
            XCTAssertEqual(one.taps, three.taps, "C \(geo.c) k\(geo.k): bit for bit")
            XCTAssertEqual(one.bias, three.bias)
        }
    }
}
