// N target images, D feature dimensions, K classes, B the budget (images to label). Which target cells a person
// should label, from a model's features [N, D] and softmax probabilities [N, K] (row-major), deterministic for a
// seed:
//   random   B images drawn without replacement.
//   entropy  the B images whose predictions have the highest entropy (ties: lower index first).
//   clue     CLUE (Prabhu et al., ICCV 2021): k-means with B centres over the features, each image weighted by its
//            prediction entropy (uncertain regions pull the centres), then per centre the nearest image not yet
//            taken, going down each centre's list until B distinct images are chosen (the paper's code's rule).
//   badge    BADGE (Ash et al., ICLR 2020): gradient embeddings g = (p − onehot(argmax p)) ⊗ f, then k-means++
//            seeding over them: the first is the largest ‖g‖, each next drawn with probability ∝ its squared
//            distance to the nearest chosen one.
//   balanced CLUE within each predicted class: the budget dealt round-robin over the classes the model predicts
//            (a class with fewer images than its share passes the rest on), then CLUE among each class's images.
//            A lab's rare classes get cells even when the lab is mostly one class, as an oracle's stratification
//            would give them, from the model's predictions only.
//   coreset  k-centre greedy (Sener & Savarese, ICLR 2018): each next image the one farthest (Euclidean, in the
//            features) from every image already chosen or labelled; the first, when none is labelled, drawn by the
//            seed. It covers the feature space, so cells unlike the rest of the lab are taken early, whatever the
//            model predicts for them.
//   margin   class-balanced margin, after BASE (Emam et al. 2021): the budget dealt round-robin over all K classes
//            (class 0 first), each class taking the image not yet chosen nearest its decision boundary, the smallest
//            |p_c − max_{j≠c} p_j| (ties: lower index first). A class the model never predicts still gets the cells
//            it is given most relative to their winner, so a rare class can be found before the model predicts it.
//   discover margin, except that a class none of whose images is labelled yet takes first the image not yet chosen
//            it finds most probable (the largest p_c; ties: lower index first), then its boundary images. The most
//            likely member of a class nobody has labelled is the likeliest way to find it; its boundary images are
//            where the model is torn.
import Foundation
import SmearTensor

public enum LabelProposal {
    public enum Strategy: String, CaseIterable, Sendable { case random, entropy, clue, badge, balanced, coreset, margin, discover }

    /// Indices of the `budget` images to label, in the order chosen. `labelledPerClass[c]`: how many images of class c
    /// are labelled already (only `discover` reads it; empty means none).
    public static func propose(_ strategy: Strategy, features: [Float], probabilities: [Float], count n: Int, budget: Int,
                               seed: UInt64, excluding taken: Set<Int> = [], labelledPerClass: [Int] = []) -> [Int] {
        precondition(n > 0 && features.count % n == 0 && probabilities.count % n == 0, "LabelProposal: \(n) images do not divide the inputs")
        let d = features.count / n, k = probabilities.count / n
        let available = (0..<n).filter { !taken.contains($0) }
        let b = min(budget, available.count)
        guard b > 0 else { return [] }
        var rng = RandomGenerator(seed: seed)
        switch strategy {
        case .random:
            var pool = available
            for i in 0..<b { pool.swapAt(i, i + Int(rng.next() % UInt64(pool.count - i))) }
            return Array(pool.prefix(b))
        case .entropy:
            let h = entropies(probabilities, k: k)
            return Array(available.sorted { h[$0] != h[$1] ? h[$0] > h[$1] : $0 < $1 }.prefix(b))
        case .clue:
            let h = entropies(probabilities, k: k)
            let rows = available.map { Array(features[($0 * d)..<($0 * d + d)]) }
            let centres = weightedKMeans(rows, weights: available.map { h[$0] }, clusters: b, rng: &rng)
            return nearestDistinct(rows, centres: centres, budget: b).map { available[$0] }
        case .badge:
            let rows = available.map { i -> [Float] in
                let p = Array(probabilities[(i * k)..<(i * k + k)]), f = features[(i * d)..<(i * d + d)]
                let top = p.indices.max { p[$0] < p[$1] } ?? 0
                return (0..<k).flatMap { c in f.map { $0 * (p[c] - (c == top ? 1 : 0)) } }
            }
            return kMeansPlusPlusSeeds(rows, count: b, rng: &rng).map { available[$0] }
        case .coreset:
            return kCentreGreedy(features, dimensions: d, available: available, taken: Array(taken), budget: b, rng: &rng)
        case .margin:
            return classBalancedMargin(probabilities, classes: k, available: available, budget: b)
        case .discover:
            precondition(labelledPerClass.isEmpty || labelledPerClass.count == k, "LabelProposal: \(labelledPerClass.count) labelled counts for \(k) classes")
            let unlabelled = Set((0..<k).filter { labelledPerClass.isEmpty || labelledPerClass[$0] == 0 })
            return classBalancedMargin(probabilities, classes: k, available: available, budget: b, mostProbableFirst: unlabelled)
        case .balanced:
            var members = [[Int]](repeating: [], count: k)
            for i in available {
                let p = probabilities[(i * k)..<(i * k + k)]
                members[p.indices.max { p[$0] < p[$1] }! - i * k].append(i)
            }
            let shares = dealt(b, over: members.map(\.count))
            return (0..<k).flatMap { c -> [Int] in
                guard shares[c] > 0 else { return [] }
                let rows = members[c]
                let f = rows.flatMap { features[($0 * d)..<($0 * d + d)] }, p = rows.flatMap { probabilities[($0 * k)..<($0 * k + k)] }
                return propose(.clue, features: f, probabilities: p, count: rows.count, budget: shares[c], seed: seed &+ UInt64(c))
                    .map { rows[$0] }
            }
        }
    }

    /// |p_c − max_{j≠c} p_j| for one image's probabilities p and class c: how far c is from winning (or, when it
    /// wins, from losing).
    public static func boundaryDistance(_ p: ArraySlice<Float>, class c: Int) -> Float {
        let pc = p[p.startIndex + c]
        let rival = p.indices.lazy.filter { $0 != p.startIndex + c }.map { p[$0] }.max() ?? 0
        return abs(pc - rival)
    }

    /// Round-robin over the classes, each taking its available image nearest its boundary, until `budget` are chosen;
    /// a class in `mostProbableFirst` takes as its first image the most probable one not yet chosen.
    static func classBalancedMargin(_ probabilities: [Float], classes k: Int, available: [Int], budget: Int,
                                    mostProbableFirst: Set<Int> = []) -> [Int] {
        func sorted(by key: (Int) -> Float) -> [Int] { available.sorted { a, b in key(a) != key(b) ? key(a) < key(b) : a < b } }
        let byBoundary = (0..<k).map { c in sorted { boundaryDistance(probabilities[($0 * k)..<($0 * k + k)], class: c) } }
        let byProbability = (0..<k).map { c in mostProbableFirst.contains(c) ? sorted { -probabilities[$0 * k + c] } : [] }
        var chosen: [Int] = [], isChosen = Set<Int>(), picks = [Int](repeating: 0, count: k)
        while chosen.count < budget {
            for c in 0..<k where chosen.count < budget {
                let order = picks[c] == 0 && mostProbableFirst.contains(c) ? byProbability[c] : byBoundary[c]
                guard let image = order.first(where: { !isChosen.contains($0) }) else { continue }
                chosen.append(image); isChosen.insert(image); picks[c] += 1
            }
        }
        return chosen
    }

    /// `budget` dealt one at a time over groups of the given sizes in turn, none given more than it has.
    public static func dealt(_ budget: Int, over sizes: [Int]) -> [Int] {
        var shares = [Int](repeating: 0, count: sizes.count), left = budget
        while left > 0, sizes.indices.contains(where: { shares[$0] < sizes[$0] }) {
            for c in sizes.indices where left > 0 && shares[c] < sizes[c] { shares[c] += 1; left -= 1 }
        }
        return shares
    }

    /// Entropy (nats) of each row of probabilities.
    public static func entropies(_ p: [Float], k: Int) -> [Float] {
        stride(from: 0, to: p.count, by: k).map { s in -(s..<(s + k)).reduce(Float(0)) { $0 + (p[$1] > 0 ? p[$1] * Foundation.log(p[$1]) : 0) } }
    }

    static func squaredDistance(_ a: [Float], _ b: [Float]) -> Float {
        var s: Float = 0
        for i in a.indices { let t = a[i] - b[i]; s += t * t }
        return s
    }

    /// k-means++ seeding. Unweighted (BADGE): the first seed is the row of largest norm. Weighted (scikit-learn's,
    /// which CLUE calls): the first is drawn ∝ weight. Each next is drawn ∝ weight × squared distance to the nearest seed.
    public static func kMeansPlusPlusSeeds(_ rows: [[Float]], count: Int, weights: [Float]? = nil, rng: inout RandomGenerator) -> [Int] {
        let w = weights ?? [Float](repeating: 1, count: rows.count)
        func draw(_ mass: [Float]) -> Int? {
            let total = mass.reduce(0, +)
            guard total > 0 else { return nil }
            var r = rng.nextUniform() * total
            for i in mass.indices where mass[i] > 0 { r -= mass[i]; if r <= 0 { return i } }
            return mass.indices.last { mass[$0] > 0 }
        }
        let zero = [Float](repeating: 0, count: rows[0].count)
        let first = weights == nil ? rows.indices.max { squaredDistance(rows[$0], zero) < squaredDistance(rows[$1], zero) } : draw(w)
        var chosen = [first ?? 0]
        var nearest = rows.map { squaredDistance($0, rows[chosen[0]]) }
        while chosen.count < count {
            let next = draw(rows.indices.map { chosen.contains($0) ? 0 : w[$0] * nearest[$0] })
                ?? rows.indices.first { !chosen.contains($0) } ?? 0
            chosen.append(next)
            for i in rows.indices { nearest[i] = min(nearest[i], squaredDistance(rows[i], rows[next])) }
        }
        return chosen
    }

    /// Lloyd's k-means with per-row weights, from weighted k-means++ seeds, until no assignment changes (≤ 100 rounds).
    public static func weightedKMeans(_ rows: [[Float]], weights: [Float], clusters: Int, rng: inout RandomGenerator) -> [[Float]] {
        var centres = kMeansPlusPlusSeeds(rows, count: clusters, weights: weights, rng: &rng).map { rows[$0] }
        var assignment = [Int](repeating: -1, count: rows.count)
        for _ in 0..<100 {
            var changed = false
            for i in rows.indices {
                let c = centres.indices.min { squaredDistance(rows[i], centres[$0]) < squaredDistance(rows[i], centres[$1]) } ?? 0
                if c != assignment[i] { assignment[i] = c; changed = true }
            }
            if !changed { break }
            centres = centres.indices.map { c in
                let members = rows.indices.filter { assignment[$0] == c }
                let mass = members.reduce(Float(0)) { $0 + weights[$1] }
                guard !members.isEmpty, mass > 0 else { return centres[c] }
                return (0..<rows[0].count).map { j in members.reduce(Float(0)) { $0 + weights[$1] * rows[$1][j] } / mass }
            }
        }
        return centres
    }

    /// k-centre greedy over the rows of `features` (`dimensions` wide): from the taken rows (or one available row
    /// drawn by `rng` when none is taken), each next the available row whose nearest chosen row is farthest (ties:
    /// lower index first).
    static func kCentreGreedy(_ features: [Float], dimensions d: Int, available: [Int], taken: [Int], budget: Int,
                              rng: inout RandomGenerator) -> [Int] {
        func row(_ i: Int) -> [Float] { Array(features[(i * d)..<(i * d + d)]) }
        let rows = available.map(row)
        var nearest = [Float](repeating: .infinity, count: rows.count), chosen: [Int] = [], isChosen = [Bool](repeating: false, count: rows.count)
        func take(_ centre: [Float]) { for i in rows.indices { nearest[i] = min(nearest[i], squaredDistance(rows[i], centre)) } }
        func choose(_ i: Int) { chosen.append(i); isChosen[i] = true; take(rows[i]) }
        for t in taken { take(row(t)) }
        if taken.isEmpty { choose(Int(rng.next() % UInt64(rows.count))) }
        while chosen.count < budget {
            let open = rows.indices.filter { !isChosen[$0] }
            guard let next = open.max(by: { nearest[$0] != nearest[$1] ? nearest[$0] < nearest[$1] : $0 > $1 }) else { break }
            choose(next)
        }
        return chosen.map { available[$0] }
    }

    /// For each centre its nearest row, then each centre's second nearest, …, until `budget` distinct rows.
    static func nearestDistinct(_ rows: [[Float]], centres: [[Float]], budget: Int) -> [Int] {
        let order = centres.map { c in rows.indices.sorted { squaredDistance(rows[$0], c) < squaredDistance(rows[$1], c) } }
        var chosen: [Int] = [], rank = 0
        while chosen.count < budget && rank < rows.count {
            for list in order where chosen.count < budget && !chosen.contains(list[rank]) { chosen.append(list[rank]) }
            rank += 1
        }
        return chosen
    }
}
