// Layers and losses against PyTorch fixtures (scripts/fixtures/make_fixtures.py), plus finite differences.
// Convolution, normalisation and pooling tests run once per compute back end (oneDNN and im2col +
// OpenBLAS); failures name the back end.
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class LayersMatchTorchTests: XCTestCase {
    private var backend = ComputeBackend.current

    /// Runs `body` once per compute back end (failures are prefixed with it).
    func onEveryBackend(_ body: () throws -> Void) rethrows {
        for b in ComputeBackend.allCases {
            backend = b
            try ComputeBackend.with(b, body)
        }
    }

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool) {
        super.recordFailure(withDescription: "[back end \(backend)] " + description, inFile: filePath, atLine: lineNumber,
                            expected: expected)
    }

    /// Forward value and gradients of loss = Σ y·g, where g is the fixture's upstream gradient.
    func backward(_ y: Tensor, _ g: Tensor) { (y * g).sum().backward() }

    func testConv2d_stridesAndPaddings_matchTorch() throws {
        try onEveryBackend {
            let f = try Fixture("conv2d")
            let cases: [(String, Int, Int)] = [("s1p1", 1, 1), ("s2p1", 2, 1), ("s2p0k1", 2, 0), ("s1p0k1", 1, 0),
                                               ("s2p3k7", 2, 3), ("s3p2", 3, 2)]
            for (name, stride, pad) in cases {
                let x = f["\(name).x"].requiringGrad(), w = f["\(name).w"].requiringGrad()
                let b = f.tensors["\(name).b"]?.requiringGrad()
                let y = x.conv2d(weight: w, bias: b, stride: stride, padding: pad)
                assertClose(y, f["\(name).y"], atol: 1e-4, name)
                backward(y, f["\(name).g"])
                assertClose(x.grad!.contiguous(), f["\(name).dx"], atol: 1e-4, "\(name) dx")
                assertClose(w.grad!, f["\(name).dw"], atol: 1e-4, "\(name) dw")
                if let b { assertClose(b.grad!, f["\(name).db"], atol: 1e-4, "\(name) db") }
            }
        }
    }

    func testConv2d_gradients_matchFiniteDifferences() {
        onEveryBackend {
            var gen = RandomGenerator(seed: 11)
            let x = Tensor.normal([2, 2, 5, 4], generator: &gen), w = Tensor.normal([3, 2, 3, 3], generator: &gen)
            let b = Tensor.normal([3], generator: &gen)
            assertGradientsMatchFiniteDifferences([x, w, b], "conv2d") { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
        }
    }

    func testBatchNorm_trainAndEval_matchTorch() throws {
        try onEveryBackend {
            let f = try Fixture("norm")
            for name in ["bn2d", "bn1d"] {
                let c = f["\(name).weight"].count
                let bn = BatchNorm(c)
                try bn.load(["weight": f["\(name).weight"], "bias": f["\(name).bias"],
                             "running_mean": f["\(name).running_mean0"], "running_var": f["\(name).running_var0"],
                             "num_batches_tracked": Tensor(scalar: 0)])
                for mode in ["train", "eval"] {
                    bn.train(mode == "train")
                    bn.zeroGrad()
                    let x = f["\(name).\(mode).x"].requiringGrad()
                    let y = bn(x)
                    assertClose(y, f["\(name).\(mode).y"], atol: 1e-4, "\(name) \(mode) y")
                    backward(y, f["\(name).\(mode).g"])
                    assertClose(x.grad!.contiguous(), f["\(name).\(mode).dx"], atol: 1e-4, "\(name) \(mode) dx")
                    assertClose(bn.weight.grad!, f["\(name).\(mode).dweight"], atol: 1e-4, "\(name) \(mode) dweight")
                    assertClose(bn.bias.grad!, f["\(name).\(mode).dbias"], atol: 1e-4, "\(name) \(mode) dbias")
                    assertClose(bn.runningMean, f["\(name).\(mode).running_mean"], "\(name) \(mode) running mean")
                    assertClose(bn.runningVar, f["\(name).\(mode).running_var"], "\(name) \(mode) running var")
                }
            }
        }
    }

    func testNormalization_gradients_matchFiniteDifferences() {
        onEveryBackend {
            var gen = RandomGenerator(seed: 12)
            let x = Tensor.normal([3, 4, 2, 2], generator: &gen), w = Tensor.normal([4], generator: &gen)
            let b = Tensor.normal([4], generator: &gen)
            assertGradientsMatchFiniteDifferences([x, w, b], "batchNorm train") {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: Tensor.zeros([4]), runningVar: Tensor.ones([4]), training: true)
            }
            assertGradientsMatchFiniteDifferences([x, w, b], "batchNorm eval") {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: Tensor.full([4], 0.2), runningVar: Tensor.full([4], 2), training: false)
            }
            assertGradientsMatchFiniteDifferences([x, w, b], "groupNorm") { $0[0].groupNorm(groups: 2, weight: $0[1], bias: $0[2]) }
        }
    }

    func testGroupNorm_matchesTorch() throws {
        try onEveryBackend {
            let f = try Fixture("norm")
            let gn = GroupNorm(groups: 3, channels: 6)
            try gn.load(["weight": f["gn.weight"], "bias": f["gn.bias"]])
            let x = f["gn.x"].requiringGrad()
            let y = gn(x)
            assertClose(y, f["gn.y"], atol: 1e-4)
            backward(y, f["gn.g"])
            assertClose(x.grad!.contiguous(), f["gn.dx"], atol: 1e-4, "dx")
            assertClose(gn.weight.grad!, f["gn.dweight"], atol: 1e-4, "dweight")
            assertClose(gn.bias.grad!, f["gn.dbias"], atol: 1e-4, "dbias")
        }
    }

    func testPoolingAndLinear_matchTorch() throws {
        try onEveryBackend {
            let f = try Fixture("pool_linear")
            let x = f["maxpool.x"].requiringGrad()
            let y = x.maxPool2d(kernel: 3, stride: 2, padding: 1)
            assertClose(y, f["maxpool.y"]); backward(y, f["maxpool.g"])
            assertClose(x.grad!.contiguous(), f["maxpool.dx"], "maxpool dx")

            let a = f["avgpool.x"].requiringGrad()
            let ya = a.adaptiveAvgPool2d()
            assertClose(ya, f["avgpool.y"]); backward(ya, f["avgpool.g"])
            assertClose(a.grad!.contiguous(), f["avgpool.dx"], "avgpool dx")

            let lin = Linear(5, 3)
            try lin.load(["weight": f["linear.weight"], "bias": f["linear.bias"]])
            let xl = f["linear.x"].requiringGrad()
            let yl = lin(xl)
            assertClose(yl, f["linear.y"]); backward(yl, f["linear.g"])
            assertClose(xl.grad!, f["linear.dx"], "linear dx")
            assertClose(lin.weight.grad!, f["linear.dweight"], "linear dweight")
            assertClose(lin.bias!.grad!, f["linear.dbias"], "linear dbias")
        }
    }

    func testPoolingAndLinear_gradients_matchFiniteDifferences() {
        onEveryBackend {
            var gen = RandomGenerator(seed: 13)
            // Distinct values so that the max is unique and finite differences are well defined.
            let x = Tensor((0..<50).map { Float(($0 * 37) % 50) * 0.1 }, shape: [1, 2, 5, 5])
            assertGradientsMatchFiniteDifferences([x], eps: 1e-3, "maxPool2d") { $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1) }
            assertGradientsMatchFiniteDifferences([Tensor.normal([2, 3, 2, 3], generator: &gen)], "avgpool") { $0[0].adaptiveAvgPool2d() }
            let xl = Tensor.normal([3, 4], generator: &gen), w = Tensor.normal([2, 4], generator: &gen), b = Tensor.normal([2], generator: &gen)
            assertGradientsMatchFiniteDifferences([xl, w, b], "linear") { $0[0].linear(weight: $0[1], bias: $0[2]) }
        }
    }

    func testLosses_matchTorch() throws {
        let f = try Fixture("losses")
        let logits = f["ce.logits"].requiringGrad()
        let ce = Loss.crossEntropy(logits, labels: f.labels("ce.labels"), weight: f["ce.weight"])
        assertClose(ce, f["ce.loss"]); ce.backward()
        assertClose(logits.grad!, f["ce.dlogits"], "weighted CE gradient")
        logits.zeroGrad()
        let plain = Loss.crossEntropy(logits, labels: f.labels("ce.labels"))
        assertClose(plain, f["ce_unweighted.loss"]); plain.backward()
        assertClose(logits.grad!, f["ce_unweighted.dlogits"], "CE gradient")

        let p = f["bce.p"].requiringGrad()
        let bce = Loss.binaryCrossEntropy(p, targets: f["bce.t"])
        assertClose(bce, f["bce.loss"]); bce.backward()
        assertClose(p.grad!, f["bce.dp"], "BCE gradient")

        let z = f["entropy.logits"].requiringGrad()
        let h = Loss.entropy(logits: z)
        assertClose(h, f["entropy.loss"]); h.backward()
        assertClose(z.grad!, f["entropy.dlogits"], "entropy gradient")
    }

    /// algorithms.md §1.2: logits e0·2, e8·3, e1·1, labels [0, 8, 4], the article's weights → 1.7873685;
    /// unweighted 1.2676420.
    func testCrossEntropy_articleWeights_matchAlgorithmsVector() {
        let w = Tensor([0.15136876, 0.03462684, 0.0546176, 0.02788372, 0.21191627, 0.19621877,
                        0.15136876, 0.11773126, 0.01383265, 0.02745029, 0.01298507], shape: [11])
        var rows = [Float](repeating: 0, count: 33)
        rows[0] = 2; rows[11 + 8] = 3; rows[22 + 1] = 1
        let logits = Tensor(rows, shape: [3, 11])
        XCTAssertEqual(Loss.crossEntropy(logits, labels: [0, 8, 4], weight: w).item, 1.7873685, accuracy: 1e-5)
        XCTAssertEqual(Loss.crossEntropy(logits, labels: [0, 8, 4]).item, 1.2676420, accuracy: 1e-5)
    }

    func testLosses_gradients_matchFiniteDifferences() {
        var gen = RandomGenerator(seed: 14)
        let z = Tensor.normal([4, 3], generator: &gen)
        let w = Tensor([0.2, 0.5, 0.3], shape: [3])
        assertGradientsMatchFiniteDifferences([z], "weighted CE") { Loss.crossEntropy($0[0], labels: [0, 2, 1, 2], weight: w) }
        assertGradientsMatchFiniteDifferences([z], "entropy") { Loss.entropy(logits: $0[0]) }
        let p = Tensor([0.2, 0.7, 0.5, 0.9], shape: [4])
        assertGradientsMatchFiniteDifferences([p], eps: 1e-3, "BCE") { Loss.binaryCrossEntropy($0[0], targets: Tensor([1, 0, 1, 1], shape: [4])) }
    }

    func testDropout_trainZeroesAndScales_evalIsIdentity() {
        let d = Dropout(0.5, seed: 3)
        let y = d(Tensor.ones([1000])).scalars
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertEqual(Float(y.filter { $0 == 0 }.count) / 1000, 0.5, accuracy: 0.06)
        d.eval()
        XCTAssertEqual(d(Tensor.ones([4])).scalars, [1, 1, 1, 1])
    }
}

extension LayersMatchTorchTests {
    /// PyTorch: F.binary_cross_entropy(tensor([1., 0., 0.5]), tensor([1., 1., 0.])) = 33.5644 (log clamped at
    /// −100: (0 + 100 + 0.693147)/3), and its gradient stays finite where p(1 − p) = 0.
    func testBinaryCrossEntropy_saturatedProbabilities_areFinite() {
        let p = Tensor([1, 0, 0.5], shape: [3]).requiringGrad()
        let l = Loss.binaryCrossEntropy(p, targets: Tensor([1, 1, 0], shape: [3]))
        XCTAssertEqual(l.item, 33.564384, accuracy: 1e-4)
        l.backward()
        XCTAssertTrue(p.grad!.scalars.allSatisfy { $0.isFinite })
        XCTAssertEqual(p.grad!.scalars[2], 2.0 / 3, accuracy: 1e-6)   // (0.5 − 0)/(0.25)/3
    }
}

extension LayersMatchTorchTests {
    func testBatchNormWithActivation_equalsBatchNormThenActivation_andGradientsMatchFiniteDifferences() {
        onEveryBackend {
            for activation in [Activation.relu, .relu6] {
                var gen = RandomGenerator(seed: 21)
                // γ up to 6 and β up to 2 put some outputs above 6, so ReLU6's upper bound is exercised.
                let x = Tensor.normal([3, 4, 2, 2], generator: &gen), w = Tensor([5, -4, 3, 6], shape: [4])
                let b = Tensor([2, 1, 0, -1], shape: [4])
                func norm(_ t: [Tensor]) -> Tensor {
                    t[0].batchNorm(weight: t[1], bias: t[2], runningMean: Tensor.zeros([4]), runningVar: Tensor.ones([4]), training: true,
                                   activation: activation)
                }
                let fused = norm([x, w, b])
                let plain = activation.apply(x.batchNorm(weight: w, bias: b, runningMean: Tensor.zeros([4]), runningVar: Tensor.ones([4]),
                                                         training: true))
                assertClose(fused, plain, atol: 1e-5, "\(activation)")
                if activation == .relu6 { XCTAssertTrue(fused.scalars.contains(6), "some outputs reach ReLU6's bound") }
                assertGradientsMatchFiniteDifferences([x, w, b], eps: 1e-3, "batchNorm + \(activation) fused") { norm($0) }
            }
        }
    }
}
