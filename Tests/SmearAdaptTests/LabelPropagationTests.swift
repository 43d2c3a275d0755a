// Label spreading on the cells' nearest-neighbour graph: the numpy reference, which solves (I − αS)F = Y directly,
// gives the same distributions and labels on random clusters; by hand, two neighbours share their predictions in the
// proportions the closed form gives and a cell with no positive neighbour keeps its own. Anchored cells (given labels)
// keep their labels and spread their class, even one the classifier never predicts, to the other cells.
import Foundation
import SmearMetrics
import SmearTestSupport
import XCTest

final class LabelPropagationTests: XCTestCase {
    /// The numpy fixture (scripts/fixtures/make_label_propagation_fixtures.py): its settings, and one list of its cases.
    func fixture() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixturesDirectory.appendingPathComponent("label_propagation.json"))) as! [String: Any]
    }
    func fixtureCases(_ list: String) throws -> [RelabellingFixtureCase] { try RelabellingFixtureCase.read("label_propagation.json", list) }

    func testTheFixturesSettings_areTheDefaults() throws {
        let s = try fixture()["settings"] as! [String: Any]
        XCTAssertEqual(LabelPropagation.Settings(), LabelPropagation.Settings(neighbours: s["neighbours"] as! Int, power: s["power"] as! Int,
                                                                              alpha: s["alpha"] as! Double))
    }

    func testSpreading_equalsTheNumpyClosedForm() throws {
        let cases = try fixtureCases("cases")
        XCTAssertEqual(cases.count, 3)
        for (i, c) in cases.enumerated() {
            let r = LabelPropagation.spread(features: c.features, probabilities: c.probabilities, count: c.n)
            XCTAssertEqual(r.labels, c.fields["labels"] as! [Int], "case \(i)")
            assertClose(r.distributions.flatMap { $0 }.map(Float.init), (c.fields["distributions"] as! [Double]).map(Float.init), atol: 1e-5, "case \(i)")
            XCTAssertNotEqual(r.labels, c.fields["classifier"] as! [Int], "case \(i): the fixture relabels some cells, so the test can fail")
        }
    }

    func testAnchoredSpreading_equalsTheNumpyClosedFormWithAnchors() throws {
        let cases = try fixtureCases("anchored")
        XCTAssertEqual(cases.count, 2)
        for (i, c) in cases.enumerated() {
            let anchors = Dictionary(uniqueKeysWithValues: (c.fields["anchors"] as! [[Int]]).map { ($0[0], $0[1]) })
            let r = LabelPropagation.spread(features: c.features, probabilities: c.probabilities, count: c.n, anchors: anchors)
            XCTAssertEqual(r.labels, c.fields["labels"] as! [Int], "case \(i)")
            assertClose(r.distributions.flatMap { $0 }.map(Float.init), (c.fields["distributions"] as! [Double]).map(Float.init), atol: 1e-5, "case \(i)")
            XCTAssertNotEqual(r.labels, c.fields["unanchored"] as! [Int], "case \(i): the anchors change some labels, so the test can fail")
            for (cell, label) in anchors { XCTAssertEqual(r.labels[cell], label, "case \(i): an anchored cell keeps its label") }
            let never = c.probabilities.count / c.n - 1
            XCTAssertFalse((c.fields["classifier"] as! [Int]).contains(never))
            let unanchored = LabelPropagation.spread(features: c.features, probabilities: c.probabilities, count: c.n)
            let others = (0..<c.n).filter { anchors[$0] == nil }
            func share(_ d: [[Double]]) -> Double { others.reduce(0) { $0 + d[$1][never] } / Double(others.count) }
            XCTAssertGreaterThan(share(r.distributions), 2 * share(unanchored.distributions),
                                 "case \(i): the class the classifier never predicts spreads from its anchors to the other cells")
        }
    }

    func testTwoNeighbours_shareTheirPredictions_andACellWithoutAPositiveNeighbourKeepsItsOwn() {
        // cells 0 and 1 at (1, 0), cell 2 at (−1, 0); one neighbour each. 0 and 1 are each other's (weight 1 both ways:
        // W + Wᵀ gives 2, degrees 2, S = [[0, 1], [1, 0]]); cell 2's nearest has cosine −1, weight 0, so it has none.
        // (I − αS)⁻¹ = [[1, α], [α, 1]] / (1 − α²), α = 0.5: F0 ∝ p0 + p1 / 2 = (1.0, 0.5), F1 ∝ p0 / 2 + p1 = (0.65, 0.85).
        let p: [Float] = [0.9, 0.1, 0.2, 0.8, 0.4, 0.6]
        let r = LabelPropagation.spread(features: [1, 0, 1, 0, -1, 0], probabilities: p, count: 3,
                                        settings: LabelPropagation.Settings(neighbours: 1))
        assertClose(r.distributions[0].map(Float.init), [2.0 / 3, 1.0 / 3], atol: 1e-6)
        assertClose(r.distributions[1].map(Float.init), [0.65 / 1.5, 0.85 / 1.5], atol: 1e-6)
        assertClose(r.distributions[2].map(Float.init), [0.4, 0.6], atol: 1e-6, "no neighbour: the cell's own prediction")
        XCTAssertEqual(r.labels, [0, 1, 1])
        let anchored = LabelPropagation.spread(features: [1, 0, 1, 0, -1, 0], probabilities: p, count: 3, anchors: [0: 1],
                                               settings: LabelPropagation.Settings(neighbours: 1))
        // cell 0 given class 1: Y0 = (0, 1), F1 ∝ (0, 0.5) + (0.2, 0.8)
        assertClose(anchored.distributions[1].map(Float.init), [0.2 / 1.5, 1.3 / 1.5], atol: 1e-6)
        XCTAssertEqual(anchored.labels[0], 1, "the anchor keeps its given label")
    }

    func testOneCell_keepsItsPrediction() {
        let r = LabelPropagation.spread(features: [0.3, 0.4], probabilities: [0.2, 0.8], count: 1)
        XCTAssertEqual(r.labels, [1])
        assertClose(r.distributions[0].map(Float.init), [0.2, 0.8], atol: 1e-7)
    }
}
