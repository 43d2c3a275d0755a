// Tensor ops: hand-checkable forward values and finite-difference gradients.
import SmearTensor
import SmearTestSupport
import XCTest

final class TensorOpsTests: XCTestCase {
    func randn(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
        var g = RandomGenerator(seed: seed); return Tensor.normal(shape, generator: &g)
    }

    func testCreation_values_areHandCheckable() {
        XCTAssertEqual(Tensor.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(Tensor.arange(1, 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(Tensor.full([2, 2], 3).scalars, [3, 3, 3, 3])
        XCTAssertEqual(Tensor.zeros([3]).scalars, [0, 0, 0])
        XCTAssertEqual(Tensor.ones([1, 2]).shape, [1, 2])
    }

    func testRandom_sameSeed_sameValues_andPlausibleMoments() {
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
        XCTAssertEqual(Tensor.normal([10], generator: &a).scalars, Tensor.normal([10], generator: &b).scalars)
        var g = RandomGenerator(seed: 3)
        let n = Tensor.normal([20000], mean: 1, std: 2, generator: &g).scalars
        let mean = n.reduce(0, +) / Float(n.count)
        let variance = n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n.count)
        XCTAssertEqual(mean, 1, accuracy: 0.05)
        XCTAssertEqual(variance.squareRoot(), 2, accuracy: 0.05)
        let u = Tensor.uniform([20000], low: -1, high: 3, generator: &g).scalars
        XCTAssertGreaterThanOrEqual(u.min()!, -1); XCTAssertLessThan(u.max()!, 3)
    }

    func testBroadcastArithmetic_rowPlusColumn_isHandCheckable() {
        let a = Tensor([1, 2, 3], shape: [1, 3]), b = Tensor([10, 20], shape: [2, 1])
        XCTAssertEqual((a + b).scalars, [11, 12, 13, 21, 22, 23])
        XCTAssertEqual((a * b).scalars, [10, 20, 30, 20, 40, 60])
        XCTAssertEqual((b - a).scalars, [9, 8, 7, 19, 18, 17])
        XCTAssertEqual((a / 2).scalars, [0.5, 1, 1.5])
        XCTAssertEqual((a * 2 + 1).scalars, [3, 5, 7])
    }

    func testUnaryOps_values() {
        let x = Tensor([-2, -0.5, 0.5, 2], shape: [4])
        XCTAssertEqual(x.relu().scalars, [0, 0, 0.5, 2])
        XCTAssertEqual(x.clamped(min: -1, max: 1).scalars, [-1, -0.5, 0.5, 1])
        assertClose(x.sigmoid().scalars, [0.11920292, 0.37754067, 0.62245935, 0.88079708])
        assertClose(x.tanh().scalars, [-0.96402758, -0.46211716, 0.46211716, 0.96402758])
        assertClose(Tensor([1, 4, 9], shape: [3]).sqrt().scalars, [1, 2, 3])
        assertClose(Tensor([1, 2, 3], shape: [3]).pow(2).scalars, [1, 4, 9])
        assertClose(Tensor([0, 1], shape: [2]).exp().scalars, [1, 2.7182817])
        assertClose(Tensor([1, 2.7182817], shape: [2]).log().scalars, [0, 1])
    }

    func testReductions_alongAxes() {
        let x = Tensor.arange(0, 6).reshaped([2, 3])
        XCTAssertEqual(x.sum().scalars, [15])
        XCTAssertEqual(x.sum(axis: 0).scalars, [3, 5, 7])
        XCTAssertEqual(x.sum(axis: 1, keepDims: true).shape, [2, 1])
        XCTAssertEqual(x.mean(axis: 1).scalars, [1, 4])
        XCTAssertEqual(x.max(axis: 0).scalars, [3, 4, 5])
        XCTAssertEqual(Tensor([3, 9, 9, 1], shape: [2, 2]).argmax(axis: 1), [1, 0])
        XCTAssertEqual(x.max().item, 5)
    }

    func testShapeOps_values() {
        let x = Tensor.arange(0, 6).reshaped([2, 3])
        XCTAssertEqual(x.transposed().scalars, [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(x.sliced(axis: 1, 1, 3).scalars, [1, 2, 4, 5])
        XCTAssertEqual(Tensor.concat([x, x], axis: 1).scalars, [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        XCTAssertEqual(x.chunked(2, axis: 1).map(\.shape), [[2, 2], [2, 1]])
        XCTAssertEqual(x.split([1, 1], axis: 0)[1].scalars, [3, 4, 5])
        XCTAssertEqual(Tensor([1, 2], shape: [2, 1]).expanded([2, 2]).scalars, [1, 1, 2, 2])
        XCTAssertEqual(x.reshaped([3, -1]).shape, [3, 2])
        let y = Tensor.arange(0, 24).reshaped([1, 2, 3, 4])
        XCTAssertEqual(y.permuted([0, 2, 3, 1]).scalars.prefix(4), [0, 12, 1, 13])
    }

    func testDescription_smallTensorsShowValues_largeOnesASummary() {
        XCTAssertEqual(Tensor([1, 2.5, -3, 4], shape: [2, 2]).description,
                       "tensor([[1., 2.5000],\n        [-3., 4.]], shape=[2, 2])")
        XCTAssertEqual(Tensor(scalar: 0.25).description, "tensor(0.2500)")
        XCTAssertTrue(Tensor.ones([40, 40]).description.hasPrefix("tensor(shape=[40, 40], min=1., max=1., mean=1."))
    }

    func testChannelsLast_roundTrip_keepsLogicalValues() {
        let x = randn([2, 3, 4, 5])
        let c = x.channelsLast()
        XCTAssertEqual(c.format, .channelsLast)
        XCTAssertEqual(c.scalars, x.scalars)
        XCTAssertEqual((c + c).scalars, (x + x).scalars)
        XCTAssertEqual((c + x).scalars, (x * 2).scalars)
    }

    func testMatmul_handCheckable() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), b = Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2])
        XCTAssertEqual(a.matmul(b).scalars, [4, 5, 10, 11])
    }

    func testSoftmaxFamily_values() {
        let x = Tensor([2, 1, 0.1], shape: [1, 3])
        assertClose(x.softmax().scalars, [0.65900114, 0.24243297, 0.09856589])
        assertClose(x.logSumExp().scalars, [2.41702994])
        assertClose(x.logSoftmax().scalars, [-0.41702994, -1.41702994, -2.31702994])
        // Large values stay finite.
        assertClose(Tensor([1000, 1000], shape: [2]).logSoftmax(axis: 0).scalars, [-0.6931472, -0.6931472])
    }

    func testBackward_accumulatesAcrossCalls() {
        let x = Tensor([1, 2], shape: [2]).requiringGrad()
        (x * x).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [5, 7])   // 2x + 3
        let y = x.detach()
        XCTAssertFalse(y.requiresGrad)
        withNoGrad { XCTAssertFalse((x * 2).requiresGrad) }
    }

    // MARK: gradients against finite differences

    func testElementwise_gradients_matchFiniteDifferences() {
        let a = randn([2, 3], seed: 1), b = randn([3], seed: 2)
        assertGradientsMatchFiniteDifferences([a, b], "add") { $0[0] + $0[1] }
        assertGradientsMatchFiniteDifferences([a, b], "sub") { $0[0] - $0[1] }
        assertGradientsMatchFiniteDifferences([a, b], "mul") { $0[0] * $0[1] }
        let pos = (randn([2, 3], seed: 3).abs() + 0.5)
        assertGradientsMatchFiniteDifferences([a, pos], "div") { $0[0] / $0[1] }
        assertGradientsMatchFiniteDifferences([a, b], "maximum") { Tensor.maximum($0[0], $0[1]) }
        assertGradientsMatchFiniteDifferences([a], "exp") { $0[0].exp() }
        assertGradientsMatchFiniteDifferences([pos], "log") { $0[0].log() }
        assertGradientsMatchFiniteDifferences([pos], "sqrt") { $0[0].sqrt() }
        assertGradientsMatchFiniteDifferences([pos], "pow") { $0[0].pow(1.5) }
        assertGradientsMatchFiniteDifferences([a], "clamp") { $0[0].clamped(min: -0.3, max: 0.4) }
        assertGradientsMatchFiniteDifferences([a], "relu") { $0[0].relu() }
        assertGradientsMatchFiniteDifferences([a], "sigmoid") { $0[0].sigmoid() }
        assertGradientsMatchFiniteDifferences([a], "tanh") { $0[0].tanh() }
        assertGradientsMatchFiniteDifferences([a], "scalar") { 2 - $0[0] * 3 + 1 }
    }

    func testReductions_gradients_matchFiniteDifferences() {
        let x = randn([2, 3, 4])
        assertGradientsMatchFiniteDifferences([x], "sum") { $0[0].sum(axes: [0, 2]) }
        assertGradientsMatchFiniteDifferences([x], "mean") { $0[0].mean(axis: 1, keepDims: true) }
        assertGradientsMatchFiniteDifferences([x], "max") { $0[0].max(axis: 2) }
    }

    func testShapeOps_gradients_matchFiniteDifferences() {
        let x = randn([2, 3, 4]), y = randn([2, 2, 4], seed: 5)
        assertGradientsMatchFiniteDifferences([x], "reshape") { $0[0].reshaped([6, 4]) }
        assertGradientsMatchFiniteDifferences([x], "permute") { $0[0].permuted([2, 0, 1]) }
        assertGradientsMatchFiniteDifferences([x], "slice") { $0[0].sliced(axis: 1, 1, 3) }
        assertGradientsMatchFiniteDifferences([x, y], "concat") { Tensor.concat([$0[0], $0[1]], axis: 1) }
        assertGradientsMatchFiniteDifferences([x], "chunk") { $0[0].chunked(2, axis: 2)[1] }
        assertGradientsMatchFiniteDifferences([randn([3, 1])], "expand") { $0[0].expanded([2, 3, 4]) }
        let img = randn([2, 3, 2, 2])
        assertGradientsMatchFiniteDifferences([img], "channelsLast") { $0[0].channelsLast() * $0[0].channelsLast() }
    }

    func testMatmulAndSoftmax_gradients_matchFiniteDifferences() {
        let a = randn([3, 4], seed: 1), b = randn([4, 2], seed: 2)
        assertGradientsMatchFiniteDifferences([a, b], "matmul") { $0[0].matmul($0[1]) }
        let ba = randn([2, 3, 4], seed: 3), bb = randn([2, 4, 2], seed: 4)
        assertGradientsMatchFiniteDifferences([ba, bb], "batched matmul") { $0[0].matmul($0[1]) }
        assertGradientsMatchFiniteDifferences([a], "logSoftmax") { $0[0].logSoftmax(axis: 1) }
        assertGradientsMatchFiniteDifferences([a], "logSoftmax axis 0") { $0[0].logSoftmax(axis: 0) }
        assertGradientsMatchFiniteDifferences([a], "softmax") { $0[0].softmax() }
        assertGradientsMatchFiniteDifferences([a], "logSumExp") { $0[0].logSumExp(axis: 1) }
    }

    func testAddingThenReLU_equalsAddThenReLU_andGradientsMatchFiniteDifferences() {
        let a = randn([2, 3, 4, 5], seed: 21).channelsLast(), b = randn([2, 3, 4, 5], seed: 22)
        assertClose(a.addingThenReLU(b), (a + b).relu(), atol: 0, rtol: 0, "relu(a + b)")
        // Sums kept at least 0.2 away from the kink, so that finite differences do not straddle it.
        let sums = zip(a.scalars, b.scalars).map { $0 + $1 }
        let x = Tensor(zip(a.scalars, sums).map { $0 + ($1 > 0 ? 0.2 : -0.2) }, shape: a.shape).requiringGrad()
        let y = b.contiguous().requiringGrad()
        assertGradientsMatchFiniteDifferences([x, y], eps: 1e-3, "addingThenReLU") { $0[0].addingThenReLU($0[1]) }
        let s = randn([3, 4], seed: 23).requiringGrad()
        s.addingThenReLU(s).sum().backward()
        assertClose(s.grad!, Tensor(s.scalars.map { $0 > 0 ? 2 : 0 }, shape: s.shape), atol: 0, rtol: 0, "x joined with itself: 2·[x > 0]")
    }
}
