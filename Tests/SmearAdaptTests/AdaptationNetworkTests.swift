// The adaptation network's shape: backbone → bottleneck → classifier, and without a bottleneck (width 0) the
// backbone's pooled features go straight to the classifier and the method.
import SmearAdapt
import SmearNN
import SmearTensor
import XCTest

final class AdaptationNetworkTests: XCTestCase {
    func testWithoutBottleneck_theClassifierSeesTheBackbonesFeatures() {
        let net = AdaptationNetwork(NetworkConfig(classes: 3, width: 4, bottleneck: 0, headWidth: 0), methodModules: { f, k in
            ["probe": Linear(f, k)]
        })
        net.eval()
        let x = Tensor.uniform([2, 3, 32, 32], low: 0, high: 1)
        let (features, logits) = net.featuresAndLogits(x)
        XCTAssertEqual(net.featureWidth, net.backbone.featureDim)
        XCTAssertEqual(features.shape, [2, net.backbone.featureDim])
        XCTAssertEqual(features.scalars, net.backbone.features(x).scalars, "no layer between the backbone and the classifier")
        XCTAssertEqual(logits.shape, [2, 3])
        XCTAssertFalse(net.stateDict().contains { $0.0.hasPrefix("bottleneck.") })
        XCTAssertEqual(net.stateDict().first { $0.0 == "head.layers.0.weight" }?.1.shape, [3, net.backbone.featureDim])
        XCTAssertEqual(net.stateDict().first { $0.0 == "method.probe.weight" }?.1.shape, [3, net.backbone.featureDim])
    }

    func testWithBottleneck_theClassifierSeesItsWidth() {
        let net = AdaptationNetwork(NetworkConfig(classes: 3, width: 4, bottleneck: 8, headWidth: 0))
        net.eval()
        let (features, logits) = net.featuresAndLogits(Tensor.uniform([2, 3, 32, 32], low: 0, high: 1))
        XCTAssertEqual(net.featureWidth, 8)
        XCTAssertEqual(features.shape, [2, 8])
        XCTAssertEqual(logits.shape, [2, 3])
    }
}
