// Class-balanced self-training labels: each class keeps the top share of its own predictions, rounded up, most probable
// first; labelled cells take no part; ties go to the lower index.
import SmearMetrics
import XCTest

final class SelfTrainingLabelsTests: XCTestCase {
    /// Ten images, three classes: class 0 is predicted for images 0–5 (probabilities 0.9, 0.5, 0.8, 0.6, 0.7, 0.4),
    /// class 1 for 6–8 (0.6, 0.95, 0.7), class 2 for image 9 only (0.5).
    let p: [Float] = [0.9, 0.05, 0.05,  0.5, 0.3, 0.2,  0.8, 0.1, 0.1,  0.6, 0.2, 0.2,  0.7, 0.2, 0.1,  0.4, 0.3, 0.3,
                      0.2, 0.6, 0.2,  0.025, 0.95, 0.025,  0.1, 0.7, 0.2,  0.3, 0.2, 0.5]

    func testEachClassKeepsTheTopShareOfItsOwnPredictions_roundedUp() {
        let labels = SelfTrainingLabels.classBalanced(probabilities: p, count: 10, portion: 0.2)
        // class 0: ⌈0.2 · 6⌉ = 2 (images 0, 2); class 1: ⌈0.2 · 3⌉ = 1 (image 7); class 2: ⌈0.2 · 1⌉ = 1 (image 9)
        XCTAssertEqual(labels.map(\.index), [0, 2, 7, 9])
        XCTAssertEqual(labels.map(\.label), [0, 0, 1, 2])
        XCTAssertEqual(labels.map(\.probability), [0.9, 0.8, 0.95, 0.5])
        XCTAssertEqual(SelfTrainingLabels.classBalanced(probabilities: p, count: 10, portion: 0.5).map(\.index), [0, 2, 4, 7, 8, 9])
        XCTAssertEqual(SelfTrainingLabels.classBalanced(probabilities: p, count: 10, portion: 1).count, 10)
    }

    func testAClassTheModelNeverPredictsGetsNone_andLabelledCellsTakeNoPart() {
        let two = SelfTrainingLabels.classBalanced(probabilities: p, count: 10, portion: 0.2, excluding: [0, 9])
        // class 0 without image 0: ⌈0.2 · 5⌉ = 1 (image 2); class 2 is predicted nowhere else
        XCTAssertEqual(two.map(\.index), [2, 7])
        XCTAssertFalse(two.contains { $0.label == 2 })
    }

    func testTies_goToTheLowerIndex() {
        let flat: [Float] = [0.5, 0.5,  0.7, 0.3,  0.7, 0.3,  0.3, 0.7]
        // image 0 ties between the classes (class 0); images 1 and 2 tie at 0.7 for class 0: the lower index first
        XCTAssertEqual(SelfTrainingLabels.classBalanced(probabilities: flat, count: 4, portion: 0.3).map(\.index), [1, 3])
    }
}
