// N rows of F features. What a researcher looks at to see whether adaptation aligned two labs: a 2-D
// principal-component map of the features, and the proxy A-distance (Ben-David et al. 2007, as tllib
// computes it): 2(1 − 2ε) with ε the held-out error of a linear classifier told to separate the domains
// (0: indistinguishable, 2: perfectly separable).
import Foundation
import SmearTensor

public enum FeatureMap {
    /// The rows projected on the two leading principal components of all rows (centred), [N][2].
    public static func principalComponents(_ x: [Float], rows n: Int, width f: Int) -> [[Float]] {
        precondition(x.count == n * f && n > 1, "principalComponents: \(x.count) values for \(n)x\(f)")
        var mean = [Float](repeating: 0, count: f)
        for i in 0..<n { for k in 0..<f { mean[k] += x[i * f + k] / Float(n) } }
        let centred = Tensor((0..<(n * f)).map { x[$0] - mean[$0 % f] }, shape: [n, f])
        let covariance = (centred.transposed().matmul(centred) * (1 / Float(n - 1))).scalars
        guard let (_, vectors) = LAPACK.symmetricEigen(covariance, n: f) else { return Array(repeating: [0, 0], count: n) }
        let (first, second) = (vectors[f - 1], f > 1 ? vectors[f - 2] : vectors[f - 1])   // ascending order: the last two
        let c = centred.scalars
        return (0..<n).map { i in
            var p: Float = 0, q: Float = 0
            for k in 0..<f { p += c[i * f + k] * first[k]; q += c[i * f + k] * second[k] }
            return [p, q]
        }
    }

    /// Proxy A-distance between the rows of `a` and of `b` ([N, F] and [M, F]): a logistic regression trained
    /// on half of each (even rows), its error ε measured on the other half, 2(1 − 2ε).
    public static func proxyADistance(_ a: Tensor, _ b: Tensor) -> Double {
        let (n, m, f) = (a.shape[0], b.shape[0], a.shape[1])
        let rows = DeepEmbeddedValidation.normalisedRows(a.scalars + b.scalars, count: n + m, width: f)
        let train = (0..<(n + m)).filter { $0 % 2 == 0 }, test = (0..<(n + m)).filter { $0 % 2 == 1 }
        let (w, bias) = DeepEmbeddedValidation.logisticRegression(rows: rows, width: f, indices: train, sourceCount: n,
                                                                  iterations: 300, l2: 1e-3)
        let testB = Double(test.filter { $0 >= n }.count), testA = Double(test.count) - testB
        var error = 0.0   // balanced: each domain's error rate weighs one half
        for i in test {
            var z = bias
            for k in 0..<f { z += rows[i * f + k] * w[k] }
            if (z > 0) != (i >= n) { error += i >= n ? 0.5 / testB : 0.5 / testA }
        }
        return 2 * (1 - 2 * error)
    }
}
