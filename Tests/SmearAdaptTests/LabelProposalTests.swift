// Which cells to label: entropy by hand, random draws reproducible and distinct, CLUE one image per cluster of
// three separated groups (its centres the entropy-weighted means of their members), BADGE starting from the
// largest gradient embedding, distinct and reproducible; balanced spreading the budget over the predicted classes;
// coreset taking each next image farthest from those chosen, by hand on a line; margin dealing the budget over the
// classes, each class's image nearest its boundary, by hand; discover as margin except that a class with no labelled
// image first takes its most probable one, by hand; none proposes an image already labelled.
import SmearMetrics
import SmearTensor
import XCTest

final class LabelProposalTests: XCTestCase {
    /// Three groups of five points in 2-D (around (0, 0), (10, 0), (0, 10)) with two-class predictions whose
    /// confidence varies, so the entropy weights are uneven.
    let features: [Float] = (0..<15).flatMap { i -> [Float] in
        let centre: (Float, Float) = [(0, 0), (10, 0), (0, 10)][i / 5]
        return [centre.0 + Float(i % 5) * 0.1, centre.1 - Float(i % 5) * 0.05]
    }
    let probabilities: [Float] = (0..<15).flatMap { i -> [Float] in let p = 0.5 + Float(i % 5) * 0.1; return [p, 1 - p] }

    func testEntropy_isByHand_andTheMostUncertainComeFirst() {
        let h = LabelProposal.entropies([0.5, 0.5, 1, 0, 0.9, 0.1], k: 2)
        XCTAssertEqual(h[0], Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(h[1], 0)
        XCTAssertEqual(h[2], -(0.9 * log(0.9) + 0.1 * log(0.1)), accuracy: 1e-6)
        let picked = LabelProposal.propose(.entropy, features: features, probabilities: probabilities, count: 15, budget: 3, seed: 0)
        XCTAssertEqual(picked, [0, 5, 10], "p = 0.5 is the most uncertain; ties by index")
    }

    func testRandom_isReproducibleDistinctAndSkipsTakenImages() {
        let a = LabelProposal.propose(.random, features: features, probabilities: probabilities, count: 15, budget: 6, seed: 4, excluding: [0, 1])
        XCTAssertEqual(a, LabelProposal.propose(.random, features: features, probabilities: probabilities, count: 15, budget: 6, seed: 4, excluding: [0, 1]))
        XCTAssertEqual(Set(a).count, 6)
        XCTAssertTrue(Set(a).isDisjoint(with: [0, 1]))
        XCTAssertNotEqual(a, LabelProposal.propose(.random, features: features, probabilities: probabilities, count: 15, budget: 6, seed: 5, excluding: [0, 1]))
    }

    func testCLUE_takesOneImagePerGroup_andItsCentresAreWeightedMeans() {
        for seed in 0..<5 as Range<UInt64> {
            let picked = LabelProposal.propose(.clue, features: features, probabilities: probabilities, count: 15, budget: 3, seed: seed)
            XCTAssertEqual(Set(picked.map { $0 / 5 }), [0, 1, 2], "seed \(seed): \(picked)")
        }
        var rng = RandomGenerator(seed: 1)
        let rows = (0..<15).map { Array(features[($0 * 2)..<($0 * 2 + 2)]) }
        let weights = LabelProposal.entropies(probabilities, k: 2)
        let centres = LabelProposal.weightedKMeans(rows, weights: weights, clusters: 3, rng: &rng)
        for c in centres {   // each centre: Σ w·x / Σ w over the group it lies in
            let group = rows.indices.min { hypot(rows[$0][0] - c[0], rows[$0][1] - c[1]) < hypot(rows[$1][0] - c[0], rows[$1][1] - c[1]) }! / 5
            let members = (group * 5)..<(group * 5 + 5)
            let mass = members.reduce(Float(0)) { $0 + weights[$1] }
            for j in 0..<2 {
                XCTAssertEqual(c[j], members.reduce(Float(0)) { $0 + weights[$1] * rows[$1][j] } / mass, accuracy: 1e-5)
            }
        }
        let skipping = LabelProposal.propose(.clue, features: features, probabilities: probabilities, count: 15, budget: 3, seed: 0, excluding: [0, 1, 2])
        XCTAssertTrue(Set(skipping).isDisjoint(with: [0, 1, 2]))
    }

    func testBADGE_startsAtTheLargestGradientEmbedding_distinctAndReproducible() {
        // g = (p − onehot(argmax p)) ⊗ f: the norm is |1 − p_max|·√2·‖f‖, largest for p = 0.5 far from the origin.
        let picked = LabelProposal.propose(.badge, features: features, probabilities: probabilities, count: 15, budget: 3, seed: 0)
        let norms = (0..<15).map { i -> Float in
            let pmax = max(probabilities[2 * i], probabilities[2 * i + 1])
            return (1 - pmax) * Float(2).squareRoot() * hypot(features[2 * i], features[2 * i + 1])
        }
        XCTAssertEqual(picked.first, norms.indices.max { norms[$0] < norms[$1] })
        XCTAssertEqual(Set(picked).count, 3)
        XCTAssertEqual(picked, LabelProposal.propose(.badge, features: features, probabilities: probabilities, count: 15, budget: 3, seed: 0))
    }

    /// A lab that is mostly one predicted class: 12 images predicted class 0, 2 class 1, 1 class 2 (three classes).
    /// Balanced deals 6 cells over the predicted classes in turn (3, 2 and 1: class 2 has one image), each class's
    /// cells chosen by CLUE among its images.
    func testBalanced_dealsTheBudgetOverThePredictedClasses() {
        let n = 15, predicted = (0..<n).map { $0 < 12 ? 0 : ($0 < 14 ? 1 : 2) }
        let p = (0..<n).flatMap { i -> [Float] in
            let sure = 0.6 + Float(i % 4) * 0.1
            return (0..<3).map { $0 == predicted[i] ? sure : (1 - sure) / 2 }
        }
        let f = (0..<n).flatMap { i -> [Float] in [Float(i % 6), Float(i / 6)] }
        XCTAssertEqual(LabelProposal.dealt(6, over: [12, 2, 1]), [3, 2, 1])
        XCTAssertEqual(LabelProposal.dealt(4, over: [12, 2, 1]), [2, 1, 1])
        XCTAssertEqual(LabelProposal.dealt(20, over: [3, 2, 1]), [3, 2, 1], "never more than a class has")
        for seed in 0..<4 as Range<UInt64> {
            let picked = LabelProposal.propose(.balanced, features: f, probabilities: p, count: n, budget: 6, seed: seed)
            XCTAssertEqual(Set(picked).count, 6)
            XCTAssertEqual(picked.map { predicted[$0] }.sorted(), [0, 0, 0, 1, 1, 2], "seed \(seed): \(picked)")
            XCTAssertEqual(picked, LabelProposal.propose(.balanced, features: f, probabilities: p, count: n, budget: 6, seed: seed))
        }
        let skipping = LabelProposal.propose(.balanced, features: f, probabilities: p, count: n, budget: 6, seed: 0, excluding: [14, 12])
        XCTAssertFalse(skipping.contains(14) || skipping.contains(12))
        XCTAssertEqual(skipping.map { predicted[$0] }.sorted(), [0, 0, 0, 0, 0, 1], "class 2's only image is taken: its share passes on")
    }

    /// Points on a line at 0, 1, 2, 3, 10 and 20, the first chosen by the seed. k-centre greedy takes the two far
    /// points (10 and 20) within its first three picks from any start; by hand for a start at 1 (index 1): 20, then 10
    /// (its distance to {1, 20} is 9, against 1 for 0 or 2 and 2 for 3), then 3 (distance 2 to {1, 10, 20}).
    func testCoreset_takesTheFarthestImageEachTime_andStartsFromLabelledOnes() {
        let line: [Float] = [0, 1, 2, 3, 10, 20], p = [Float](repeating: 0.5, count: 12)
        for seed in 0..<8 as Range<UInt64> {
            let picked = LabelProposal.propose(.coreset, features: line, probabilities: p, count: 6, budget: 4, seed: seed)
            XCTAssertEqual(Set(picked).count, 4)
            XCTAssertEqual(picked, LabelProposal.propose(.coreset, features: line, probabilities: p, count: 6, budget: 4, seed: seed))
            if picked.first == 1 { XCTAssertEqual(picked, [1, 5, 4, 3], "seed \(seed)") }
            XCTAssertTrue(picked.contains(5) && picked.contains(4), "seed \(seed): the two far points come early: \(picked)")
        }
        // With 0 and 20 (indices 0 and 5) already labelled, they are the centres: 10 is farthest (10), then 3 (3 from 0).
        let labelled = LabelProposal.propose(.coreset, features: line, probabilities: p, count: 6, budget: 2, seed: 0, excluding: [0, 5])
        XCTAssertEqual(labelled, [4, 3])
    }

    /// Four images, three classes; |p_c − max_{j≠c} p_j| by hand:
    ///   class 0: 0.5, 0.1, 0.5, 0   → images 3, 1, 0, 2
    ///   class 1: 0.5, 0.1, 0.3, 0.35 → 1, 2, 3, 0
    ///   class 2: 0.6, 0.4, 0.3, 0   → 3, 2, 1, 0
    func testMargin_dealsTheBudgetOverClasses_eachTakingItsNearestToTheBoundary() {
        let p: [Float] = [0.7, 0.2, 0.1,  0.5, 0.4, 0.1,  0.1, 0.3, 0.6,  0.45, 0.1, 0.45]
        let f = [Float](repeating: 0, count: 8)
        XCTAssertEqual(LabelProposal.boundaryDistance(p[3..<6], class: 1), 0.1, accuracy: 1e-6)
        XCTAssertEqual(LabelProposal.boundaryDistance(p[6..<9], class: 0), 0.5, accuracy: 1e-6)
        XCTAssertEqual(LabelProposal.propose(.margin, features: f, probabilities: p, count: 4, budget: 3, seed: 0), [3, 1, 2],
                       "class 0 takes 3, class 1 takes 1, class 2's nearest (3) is taken so it takes 2")
        XCTAssertEqual(LabelProposal.propose(.margin, features: f, probabilities: p, count: 4, budget: 4, seed: 9), [3, 1, 2, 0])
        XCTAssertEqual(LabelProposal.propose(.margin, features: f, probabilities: p, count: 4, budget: 2, seed: 0, excluding: [3]), [1, 2])
    }

    func testMargin_findsTheCellsOfAClassTheModelNeverPredicts() {
        // class 2 is never the winner; image 4 gives it the most relative to its winner (0.45 against 0.5)
        let p: [Float] = [0.9, 0.05, 0.05,  0.1, 0.85, 0.05,  0.6, 0.3, 0.1,  0.3, 0.6, 0.1,  0.5, 0.05, 0.45,  0.8, 0.0, 0.2]
        let picked = LabelProposal.propose(.margin, features: [Float](repeating: 0, count: 6), probabilities: p, count: 6, budget: 3, seed: 0)
        XCTAssertEqual(picked.count, 3)
        XCTAssertTrue(picked.contains(4), "\(picked)")
    }

    /// The four images of the margin example; most probable per class: class 0 image 0 (0.7), class 1 image 1 (0.4),
    /// class 2 image 2 (0.6).
    func testDiscover_anUnlabelledClassTakesItsMostProbableImageFirst_aLabelledOneItsBoundaryImage() {
        let p: [Float] = [0.7, 0.2, 0.1,  0.5, 0.4, 0.1,  0.1, 0.3, 0.6,  0.45, 0.1, 0.45]
        let f = [Float](repeating: 0, count: 8)
        func discover(_ budget: Int, labelled: [Int], excluding taken: Set<Int> = []) -> [Int] {
            LabelProposal.propose(.discover, features: f, probabilities: p, count: 4, budget: budget, seed: 0, excluding: taken, labelledPerClass: labelled)
        }
        XCTAssertEqual(discover(3, labelled: [0, 0, 0]), [0, 1, 2], "no class labelled: each its most probable image")
        XCTAssertEqual(discover(3, labelled: []), [0, 1, 2], "no counts: no class labelled")
        XCTAssertEqual(discover(4, labelled: [0, 0, 0]), [0, 1, 2, 3], "then class 0's nearest to its boundary")
        XCTAssertEqual(discover(3, labelled: [0, 2, 1]), [0, 1, 3], "class 0 its most probable; 1 and 2 by margin (1, then 3)")
        XCTAssertEqual(discover(3, labelled: [1, 1, 1]), LabelProposal.propose(.margin, features: f, probabilities: p, count: 4, budget: 3, seed: 0),
                       "every class labelled: margin")
        XCTAssertEqual(discover(3, labelled: [0, 0, 0], excluding: [0]), [1, 2, 3], "class 0's most probable left is image 1 (0.5), then 1's is 2 (0.3)")
    }

    /// Image 0 is the most probable of class 0 and of class 1; class 1 then takes its next most probable, image 1 (0.4),
    /// not image 2, which is nearest its boundary (|0.35 − 0.35| = 0).
    func testDiscover_aClassWhoseMostProbableImageIsTakenTakesItsNextMostProbable() {
        let p: [Float] = [0.5, 0.45, 0.05,  0.1, 0.4, 0.5,  0.3, 0.35, 0.35]
        XCTAssertEqual(LabelProposal.propose(.discover, features: [Float](repeating: 0, count: 3), probabilities: p, count: 3, budget: 2, seed: 0,
                                             labelledPerClass: [0, 0, 0]), [0, 1])
    }
}
