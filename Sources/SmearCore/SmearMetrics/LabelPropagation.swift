// N cells, D feature dimensions, K classes. Label spreading on the cells' nearest-neighbour graph (Zhou et al., NIPS
// 2004, "Learning with local and global consistency"; the graph as Iscen et al., CVPR 2019, build theirs), from a
// model's features [N, D] and softmax probabilities [N, K] (row-major):
//   1. each feature row scaled to unit length;
//   2. each cell's `neighbours` nearest other cells by cosine, weight max(cos, 0)^power; W the symmetrised graph
//      (W + Wᵀ: an edge either way counts from both ends);
//   3. S = D^−½ W D^−½, D the degrees (a cell with none keeps only its own row of Y);
//   4. Y: an anchored cell's given label one-hot, every other cell its probabilities; F = (I − αS)⁻¹ Y, by the
//      iteration F ← αSF + Y from F = Y, which converges because S's eigenvalues lie in [−1, 1] and α < 1.
// Each row of F, scaled to sum to 1, is the cell's propagated distribution; its argmax the label (an anchor keeps
// its given label). With α = 0.5 a cell's own prediction weighs as much as everything its neighbours send it.
import Foundation

public enum LabelPropagation {
    public struct Settings: Equatable, Sendable {
        public var neighbours: Int, power: Int, alpha: Double
        public init(neighbours: Int = 10, power: Int = 3, alpha: Double = 0.5) {
            precondition(neighbours > 0 && power > 0 && alpha >= 0 && alpha < 1, "LabelPropagation: neighbours and power > 0, 0 ≤ α < 1")
            self.neighbours = neighbours; self.power = power; self.alpha = alpha
        }
    }

    /// Each cell's propagated class distribution ([N][K], rows summing to 1) and its label (an anchor's is the given one).
    public struct Result: Equatable, Sendable {
        public let distributions: [[Double]]
        public let labels: [Int]
    }

    /// `anchors`: cell index → its given class (0..<K).
    public static func spread(features: [Float], probabilities: [Float], count n: Int, anchors: [Int: Int] = [:],
                              settings: Settings = Settings()) -> Result {
        precondition(n > 0 && features.count % n == 0 && probabilities.count % n == 0, "LabelPropagation: \(n) cells do not divide the inputs")
        let k = probabilities.count / n, d = features.count / n
        precondition(anchors.allSatisfy { (0..<n).contains($0.key) && (0..<k).contains($0.value) }, "LabelPropagation: an anchor outside the cells or classes")
        let rows = (0..<n).map { i -> [Double] in
            let v = features[(i * d)..<(i * d + d)].map(Double.init)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? v.map { $0 / norm } : v
        }
        let w = graph(rows, settings)
        let degree = w.map { $0.reduce(0) { $0 + $1.1 } }
        let scale = degree.map { $0 > 0 ? 1 / $0.squareRoot() : 0 }
        let y = (0..<n).map { i -> [Double] in
            if let c = anchors[i] { return (0..<k).map { $0 == c ? 1 : 0 } }
            return probabilities[(i * k)..<(i * k + k)].map(Double.init)
        }
        var f = y
        for _ in 0..<1000 {
            var next = y, change = 0.0
            for i in 0..<n {
                for (j, wij) in w[i] {
                    let s = settings.alpha * scale[i] * wij * scale[j]
                    for c in 0..<k { next[i][c] += s * f[j][c] }
                }
                for c in 0..<k { change = max(change, abs(next[i][c] - f[i][c])) }
            }
            f = next
            if change < 1e-12 { break }
        }
        let distributions = f.map { row -> [Double] in
            let total = row.reduce(0, +)
            return total > 0 ? row.map { $0 / total } : row
        }
        let labels = distributions.indices.map { i in anchors[i] ?? argmax(distributions[i]) }
        return Result(distributions: distributions, labels: labels)
    }

    /// Step 2: the symmetrised graph, each cell's neighbours in index order with their weights (a cell is never its
    /// own neighbour; ties in cosine go to the lower index).
    static func graph(_ rows: [[Double]], _ settings: Settings) -> [[(Int, Double)]] {
        let n = rows.count, m = min(settings.neighbours, n - 1)
        var w = [[Int: Double]](repeating: [:], count: n)
        guard m > 0 else { return w.map { _ in [] } }
        // each pair's cosine once (the same products in the same order either way round); a cell's own is −∞
        var cosine = [[Double]](repeating: [Double](repeating: -.infinity, count: n), count: n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let c = zip(rows[i], rows[j]).reduce(0) { $0 + $1.0 * $1.1 }
                cosine[i][j] = c; cosine[j][i] = c
            }
        }
        for i in 0..<n {
            let cosines = cosine[i]
            let nearest = (0..<n).sorted { cosines[$0] > cosines[$1] || (cosines[$0] == cosines[$1] && $0 < $1) }.prefix(m)
            for j in nearest {
                let weight = pow(max(cosines[j], 0), Double(settings.power))
                guard weight > 0 else { continue }
                w[i][j, default: 0] += weight
                w[j][i, default: 0] += weight
            }
        }
        return w.map { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }   // a fixed order of summation
    }

    static func argmax(_ v: [Double]) -> Int { v.indices.max { v[$0] < v[$1] || (v[$0] == v[$1] && $0 > $1) } ?? 0 }
}
