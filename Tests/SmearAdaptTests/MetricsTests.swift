// Classification metrics against scikit-learn (scripts/fixtures/make_metric_fixtures.py).
import Foundation
import SmearMetrics
import SmearTensor
import SmearTestSupport
import XCTest

final class MetricsTests: XCTestCase {
    func testMetrics_matchSklearn_includingAbsentClasses() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixturesDirectory.appendingPathComponent("metrics.json"))) as! [String: Any]
        let cases = json["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let name = c["name"] as! String
            let m = ConfusionMatrix(labels: c["labels"] as! [Int], predictions: c["predictions"] as! [Int], classes: c["classes"] as! Int)
            XCTAssertEqual(m.counts, c["confusion"] as! [[Int]], name)
            XCTAssertEqual(m.macroF1(.observed), c["macro_f1_observed"] as! Double, accuracy: 1e-12, "\(name) macro")
            XCTAssertEqual(m.microF1(.observed), c["micro_f1_observed"] as! Double, accuracy: 1e-12, "\(name) micro")
            XCTAssertEqual(m.macroF1(.presentInLabels), c["macro_f1_present"] as! Double, accuracy: 1e-12, "\(name) macro present")
            XCTAssertEqual(m.microF1(.presentInLabels), c["micro_f1_present"] as! Double, accuracy: 1e-12, "\(name) micro present")
            XCTAssertEqual(m.macroF1(.all), c["macro_f1_all"] as! Double, accuracy: 1e-12, "\(name) macro all")
            for k in 0..<m.classes {
                let p = m.perClass(k)
                XCTAssertEqual(p.precision, (c["precision"] as! [Double])[k], accuracy: 1e-12, "\(name) precision \(k)")
                XCTAssertEqual(p.recall, (c["recall"] as! [Double])[k], accuracy: 1e-12, "\(name) recall \(k)")
                XCTAssertEqual(p.f1, (c["f1"] as! [Double])[k], accuracy: 1e-12, "\(name) f1 \(k)")
                XCTAssertEqual(p.support, (c["support"] as! [Int])[k], "\(name) support \(k)")
            }
            XCTAssertEqual(m.microF1(.observed), m.accuracy, accuracy: 1e-12, "micro F1 over observed classes is accuracy")
        }
    }

    func testConfusionMatrix_rowNormalised_andReport() {
        let m = ConfusionMatrix(labels: [0, 0, 1, 1, 1, 2], predictions: [0, 1, 1, 1, 2, 2], classes: 4)
        XCTAssertEqual(m.rowNormalized[1], [0, 2.0 / 3, 1.0 / 3, 0])
        XCTAssertEqual(m.rowNormalized[3], [0, 0, 0, 0])
        let r = m.report(classNames: ["a", "b", "c", "d"])
        XCTAssertTrue(r.contains("macro F1"))
        XCTAssertTrue(r.contains("confusion matrix"))
    }

    /// p = (0.9, 0.1) and (0.1, 0.9): H(mean p) = ln 2, mean H(p) = −(0.9 ln 0.9 + 0.1 ln 0.1) = 0.3250830, so
    /// IM = 0.6931472 − 0.3250830 = 0.3680642; both predicting class 0: H(mean p) = mean H(p), IM = 0.
    func testInformationMaximisation_andLargestClassShare_handChecked() {
        let (a, b) = (Float(log(0.9)), Float(log(0.1)))
        let spread = Tensor([a, b, b, a], shape: [2, 2]), collapsed = Tensor([a, b, a, b], shape: [2, 2])
        XCTAssertEqual(UnsupervisedCriteria.informationMaximization(logits: spread), 0.3680642, accuracy: 1e-6)
        XCTAssertEqual(UnsupervisedCriteria.informationMaximization(logits: collapsed), 0, accuracy: 1e-6)
        XCTAssertEqual(UnsupervisedCriteria.largestClassShare(logits: spread), 0.5)
        XCTAssertEqual(UnsupervisedCriteria.largestClassShare(logits: collapsed), 1)
        XCTAssertGreaterThan(UnsupervisedCriteria.collapseShare, 0.59, "BCCD's true histogram (59% neutrophils) must pass the guard")
    }

    /// Logits log(0.9), log(0.1) and log(0.1), log(0.9) plus a constant: softmax rows (0.9, 0.1) and (0.1, 0.9) whatever the
    /// constant, mean (0.5, 0.5); rows (0.6, 0.3, 0.1) and (0.2, 0.2, 0.6): mean (0.4, 0.25, 0.35).
    func testPredictedClassShares_areTheMeanSoftmax_handChecked() {
        let (a, b) = (Float(log(0.9)), Float(log(0.1)))
        let shares = UnsupervisedCriteria.predictedClassShares(logits: Tensor([a + 3, b + 3, b - 1, a - 1], shape: [2, 2]))
        XCTAssertEqual(shares[0], 0.5, accuracy: 1e-6); XCTAssertEqual(shares[1], 0.5, accuracy: 1e-6)
        let three = Tensor([0.6, 0.3, 0.1, 0.2, 0.2, 0.6].map { Float(log($0)) }, shape: [2, 3])
        let s3 = UnsupervisedCriteria.predictedClassShares(logits: three)
        for (got, want) in zip(s3, [0.4, 0.25, 0.35]) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        XCTAssertEqual(UnsupervisedCriteria.predictedClassShares(logits: Tensor([], shape: [0, 4])), [0.25, 0.25, 0.25, 0.25])
    }
}
