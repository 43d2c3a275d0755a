// N rows, K columns. Picking one element per row (the NLL gather), with its VJP.
import Foundation

extension Tensor {
    /// `out[i] = self[i, indices[i]]` for a [N, K] tensor. The VJP scatters into a zero [N, K].
    public func picking(_ indices: [Int]) -> Tensor {
        require(rank == 2 && indices.count == shape[0], "picking: \(indices.count) indices for a \(shape) tensor")
        let x = contiguous()
        let (n, k) = (shape[0], shape[1])
        for (i, j) in indices.enumerated() {
            require(j >= 0 && j < k, "picking: index \(j) in row \(i) is outside 0..<\(k)")
        }
        let out = Tensor(uninitialized: [n])
        for i in 0..<n { out.data[i] = x.data[i * k + indices[i]] }
        return Tensor.result(out, op: "picking", inputs: [x]) { g in
            let g = g.contiguous()
            let dx = Tensor.zeros([n, k])
            for i in 0..<n { dx.data[i * k + indices[i]] = g.data[i] }
            return [dx]
        }
    }
}
