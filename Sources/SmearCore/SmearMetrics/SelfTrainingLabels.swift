// N target images, K classes. Class-balanced self-training labels (CBST, Zou et al., ECCV 2018, its per-class
// threshold): from a model's softmax probabilities [N, K] (row-major), each class's images (those whose argmax it is),
// ranked by their probability of it, give their top `portion` (rounded up) as pseudo-labels. A threshold per class
// keeps each class's share of its own predictions, so a lab's rare classes are not drowned by its common one, as a
// single confidence threshold would drown them. Ties: the lower index first, in the argmax and in the ranking.
import Foundation

public enum SelfTrainingLabels {
    public struct PseudoLabel: Equatable, Sendable {
        public let index: Int, label: Int, probability: Float
    }

    /// The pseudo-labels, class by class (class 0 first), each class's most probable first; images in `excluding`
    /// (cells with given labels) are neither ranked nor counted.
    public static func classBalanced(probabilities: [Float], count n: Int, portion: Double, excluding taken: Set<Int> = []) -> [PseudoLabel] {
        precondition(n > 0 && probabilities.count % n == 0, "SelfTrainingLabels: \(n) images do not divide the probabilities")
        precondition(portion > 0 && portion <= 1, "SelfTrainingLabels: the portion \(portion) is outside (0, 1]")
        let k = probabilities.count / n
        var byClass = [[PseudoLabel]](repeating: [], count: k)
        for i in 0..<n where !taken.contains(i) {
            let row = probabilities[(i * k)..<(i * k + k)]
            let c = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! - i * k
            byClass[c].append(PseudoLabel(index: i, label: c, probability: row[i * k + c]))
        }
        return byClass.flatMap { predicted -> [PseudoLabel] in
            let ranked = predicted.sorted { $0.probability > $1.probability || ($0.probability == $1.probability && $0.index < $1.index) }
            return Array(ranked.prefix(Int((portion * Double(ranked.count)).rounded(.up))))
        }
    }
}
