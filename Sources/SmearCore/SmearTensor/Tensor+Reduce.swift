// Reductions along axes: sum, mean, max, argmax. Each forward is followed by its VJP.
import Foundation

extension Tensor {
    private func normalizedAxes(_ axes: [Int]) -> [Int] {
        let a = axes.map { axis in shapeRule { try ShapeRules.axis(axis, rank: rank, op: "reduce") } }
        return Array(Set(a)).sorted()
    }

    /// Sums along one axis of a contiguous tensor, keeping it as size 1 (no recording).
    private func sumAxisRaw(_ a: Int) -> Tensor {
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape; outShape[a] = 1
        let out = Tensor(uninitialized: outShape)
        let x = data, y = out.data
        for o in 0..<outer {
            let dst = y + o * inner
            dst.update(from: x + o * n * inner, count: inner)
            for k in 1..<Swift.max(n, 1) {
                let src = x + (o * n + k) * inner
                for i in 0..<inner { dst[i] += src[i] }
            }
            if n == 0 { dst.update(repeating: 0, count: inner) }
        }
        return out
    }

    /// Sum over `axes` (all axes when empty).
    public func sum(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let src = contiguous()
        let axesN = axes.isEmpty ? Array(0..<rank) : normalizedAxes(axes)
        var r = src
        withNoGrad { for a in axesN { r = r.sumAxisRaw(a) } }
        let keptShape = r.shape
        let outShape = keepDims ? keptShape : shape.enumerated().filter { !axesN.contains($0.offset) }.map(\.element)
        let out = Tensor(shape: outShape, storage: r.storage)
        let inShape = shape
        return Tensor.result(out, op: "sum", inputs: [src]) { g in [g.reshaped(keptShape).expanded(inShape)] }
    }

    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes` (all axes when empty).
    public func mean(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let axesN = axes.isEmpty ? Array(0..<rank) : normalizedAxes(axes)
        let n = axesN.map { shape[$0] }.reduce(1, *)
        return sum(axes: axesN, keepDims: keepDims) * (1 / Float(n))
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Sums a broadcast gradient back to `target` (the VJP of broadcasting).
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        require(lead >= 0, "sum to shape: \(shape) has fewer dimensions than \(target)")
        var axes = Array(0..<lead)
        for (i, t) in target.enumerated() where t == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// Largest value and its first index along `axis` (no recording).
    private func maxAlongRaw(_ a: Int) -> (values: Tensor, indices: [Int]) {
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        require(n > 0, "max: dimension \(a) of \(shape) is empty")
        var outShape = shape; outShape[a] = 1
        let out = Tensor(uninitialized: outShape)
        var idx = Array(repeating: 0, count: outer * inner)
        let x = data, y = out.data
        for o in 0..<outer {
            for i in 0..<inner {
                var best = x[o * n * inner + i], bi = 0
                for k in 1..<n { let v = x[(o * n + k) * inner + i]; if v > best || v.isNaN { best = v; bi = k; if v.isNaN { break } } }
                y[o * inner + i] = best; idx[o * inner + i] = bi
            }
        }
        return (out, idx)
    }

    /// Maximum along `axis`; the gradient flows to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizedAxes([axis])[0]
        let src = contiguous()
        let (values, idx) = withNoGrad { src.maxAlongRaw(a) }
        var outShape = shape
        if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        let out = Tensor(shape: outShape, storage: values.storage)
        let inShape = shape
        return Tensor.result(out, op: "max", inputs: [src]) { g in
            let g = g.contiguous()
            let dx = Tensor.zeros(inShape)
            let n = inShape[a], inner = inShape[(a + 1)...].reduce(1, *)
            for (j, k) in idx.enumerated() {
                let o = j / inner, i = j % inner
                dx.data[(o * n + k) * inner + i] = g.data[j]
            }
            return [dx]
        }
    }

    /// Maximum of all elements.
    public func max() -> Tensor { reshaped([count]).max(axis: 0) }

    /// Index of the first maximum along `axis`, as integers in logical order.
    public func argmax(axis: Int) -> [Int] {
        let a = normalizedAxes([axis])[0]
        return withNoGrad { contiguous().maxAlongRaw(a).indices }
    }
}
