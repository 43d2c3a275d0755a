// SHOT's centroid labels: the numpy transcription of its code gives the same labels on random clusters; by hand,
// an image the classifier mislabels inside another class's cluster takes that class, a class never predicted
// takes no part, and a class that loses every image in the first assignment drops out. Anchored images (given labels)
// keep their labels and bring their class in even when the classifier never predicts it.
import Foundation
import SmearMetrics
import SmearTestSupport
import XCTest

final class CentroidLabelsTests: XCTestCase {
    /// One list of the numpy fixture's cases (scripts/fixtures/make_centroid_label_fixtures.py).
    func fixtureCases(_ list: String) throws -> [RelabellingFixtureCase] { try RelabellingFixtureCase.read("centroid_labels.json", list) }

    func testLabels_equalTheNumpyTranscriptionOfShotsCode() throws {
        let cases = try fixtureCases("cases")
        XCTAssertEqual(cases.count, 3)
        for (i, c) in cases.enumerated() {
            let got = CentroidLabels.assign(features: c.features, probabilities: c.probabilities, count: c.n).labels
            XCTAssertEqual(got, c.fields["labels"] as! [Int], "case \(i)")
            XCTAssertNotEqual(got, c.fields["classifier"] as! [Int], "case \(i): the fixture relabels some images, so the test can fail")
        }
    }

    func testAnchoredLabels_equalTheNumpyTranscriptionWithAnchors() throws {
        let cases = try fixtureCases("anchored")
        XCTAssertEqual(cases.count, 2)
        for (i, c) in cases.enumerated() {
            let anchors = Dictionary(uniqueKeysWithValues: (c.fields["anchors"] as! [[Int]]).map { ($0[0], $0[1]) })
            let got = CentroidLabels.assign(features: c.features, probabilities: c.probabilities, count: c.n, anchors: anchors).labels
            XCTAssertEqual(got, c.fields["labels"] as! [Int], "case \(i)")
            XCTAssertNotEqual(got, c.fields["unanchored"] as! [Int], "case \(i): the anchors change some labels, so the test can fail")
            for (image, label) in anchors { XCTAssertEqual(got[image], label, "case \(i): an anchored image keeps its label") }
            let never = c.probabilities.count / c.n - 1
            XCTAssertFalse((c.fields["classifier"] as! [Int]).contains(never))
            XCTAssertGreaterThan(got.filter { $0 == never }.count, anchors.values.filter { $0 == never }.count,
                                 "case \(i): the class the classifier never predicts takes images beyond its anchors")
        }
    }

    /// Two tight groups in 2-D, around (4, 0) and (0, 4); the classifier calls image 2 (in the first group) class 1.
    let features: [Float] = [4, 0.1, 4, -0.1, 4.1, 0, 0.1, 4, -0.1, 4, 0, 4.1]
    func probabilities(_ classes: [Int], k: Int) -> [Float] {
        classes.flatMap { c in (0..<k).map { $0 == c ? Float(0.9) : 0.1 / Float(k - 1) } }
    }

    func testAnImageInsideAnotherClassesCluster_takesThatClass() {
        let r = CentroidLabels.assign(features: features, probabilities: probabilities([0, 0, 1, 1, 1, 1], k: 2), count: 6)
        XCTAssertEqual(r.labels, [0, 0, 0, 1, 1, 1])
        let s = CentroidLabels.similarities(features: features, count: 6, to: r.centroids)
        for i in 0..<6 { XCTAssertEqual(s[i].firstIndex(of: s[i].max()!), r.labels[i], "the scores' argmax is the label") }
    }

    func testAClassNeverPredicted_takesNoPart() {
        // class 2's probabilities put some weight everywhere, but the classifier never picks it
        let r = CentroidLabels.assign(features: features, probabilities: probabilities([0, 0, 0, 1, 1, 1], k: 3), count: 6)
        XCTAssertEqual(r.labels, [0, 0, 0, 1, 1, 1])
        XCTAssertNil(r.centroids[2])
        XCTAssertEqual(CentroidLabels.similarities(features: features, count: 6, to: r.centroids)[0][2], -1)
    }

    func testAClassThatLosesEveryImage_dropsOutOfTheSecondAssignment() {
        // class 2 is predicted once, for an image of the second group, but its probability-weighted centroid is
        // pulled towards the first group (0.45 of class 2 on each of its images): every image is nearer group 0's
        // or group 1's centroid, so class 2 is left empty after the first assignment
        let p: [Float] = [0.5, 0.05, 0.45, 0.5, 0.05, 0.45, 0.5, 0.05, 0.45,
                          0.05, 0.9, 0.05, 0.05, 0.9, 0.05, 0.05, 0.05, 0.9]
        let r = CentroidLabels.assign(features: features, probabilities: p, count: 6)
        XCTAssertFalse(r.labels.contains(2))
        XCTAssertNil(r.centroids[2], "no zero-vector centroid survives")
        XCTAssertNotNil(r.centroids[0]); XCTAssertNotNil(r.centroids[1])
    }

    func testAnAnchorOnAClassNeverPredicted_bringsItsClusterIn_andAnchorsKeepTheirLabels() {
        // the classifier calls every image class 0; image 3 (second group) is given class 1 and image 0 (first group)
        // class 0. By hand: step 2's class-1 centroid is (f3 + 0.1 (f1 + f2 + f4 + f5)) / 1.4, nearer the second group;
        // class 0's is the first group's and the second's weighted 0.9 each, nearer the first: the groups split.
        let r = CentroidLabels.assign(features: features, probabilities: probabilities([0, 0, 0, 0, 0, 0], k: 2), count: 6,
                                      anchors: [3: 1, 0: 0])
        XCTAssertEqual(r.labels, [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(CentroidLabels.assign(features: features, probabilities: probabilities([0, 0, 0, 0, 0, 0], k: 2), count: 6).labels,
                       [0, 0, 0, 0, 0, 0], "without the anchor class 1 takes no part")
        // an anchor inside the other group keeps its given label; the rest follow their groups
        let kept = CentroidLabels.assign(features: features, probabilities: probabilities([0, 0, 0, 1, 1, 1], k: 2), count: 6, anchors: [4: 0])
        XCTAssertEqual(kept.labels, [0, 0, 0, 1, 0, 1])
    }
}
