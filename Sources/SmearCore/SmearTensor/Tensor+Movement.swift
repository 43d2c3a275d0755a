// Movement ops: reshape, permute, slice, concat, chunk/split, expand, memory-format conversion.
// Each forward is followed by its VJP.
import Foundation

/// Row-major strides of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = Array(repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) { strides[i] = s; s *= shape[i] }
    return strides
}

/// Copies `src` (read with `srcStrides`, one per dimension of `shape`) into contiguous `dst` of `shape`.
func stridedCopy(_ src: UnsafePointer<Float>, srcStrides: [Int], shape: [Int], to dst: UnsafeMutablePointer<Float>) {
    let total = shape.reduce(1, *)
    if total == 0 { return }
    if shape.isEmpty { dst[0] = src[0]; return }
    let r = shape.count
    let inner = shape[r - 1], innerStride = srcStrides[r - 1]
    var index = Array(repeating: 0, count: r)
    var srcOffset = 0, out = 0
    while out < total {
        if innerStride == 1 {
            dst.advanced(by: out).update(from: src.advanced(by: srcOffset), count: inner)
        } else {
            var o = srcOffset
            for j in 0..<inner { dst[out + j] = src[o]; o += innerStride }
        }
        out += inner
        var d = r - 2
        while d >= 0 {
            index[d] += 1; srcOffset += srcStrides[d]
            if index[d] < shape[d] { break }
            srcOffset -= srcStrides[d] * shape[d]; index[d] = 0; d -= 1
        }
    }
}

extension Tensor {
    // MARK: memory format

    /// The same tensor stored row-major in its logical shape (NCHW). Returns `self` when it already is.
    public func contiguous() -> Tensor { format == .contiguous ? self : converted(to: .contiguous) }

    /// The same tensor stored channels-last (NHWC storage, NCHW logical shape). 4-D only.
    public func channelsLast() -> Tensor { format == .channelsLast ? self : converted(to: .channelsLast) }

    /// Overwrites this tensor's values with `source`'s (same shape; any memory formats), in place and
    /// without recording: loading checkpoints, initialising parameters.
    public func assign(_ source: Tensor) {
        require(source.shape == shape, "assign: shape \(source.shape) differs from \(shape)")
        let s = withNoGrad { source.format == format ? source : source.converted(to: format) }
        data.update(from: s.data, count: count)
    }

    func contiguousNoGrad() -> Tensor { format == .contiguous ? self : withNoGrad { converted(to: .contiguous) } }

    /// The same tensor stored in `target` format (a copy unless it already is); differentiable.
    public func converted(to target: MemoryFormat) -> Tensor {
        if target == format { return self }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let out = Tensor(uninitialized: shape, format: target)
        let src = data, dst = out.data, toLast = target == .channelsLast
        Parallel.forRanges(n) { images in
            for b in images {   // [C][HW] -> [HW][C] for channels-last, the reverse otherwise
                transpose2D(src + b * c * h * w, rows: toLast ? c : h * w, cols: toLast ? h * w : c, dst + b * c * h * w)
            }
        }
        let source = format
        return Tensor.result(out, op: "converted", inputs: [self]) { g in [g.converted(to: source)] }
    }

    // MARK: reshape

    /// The same elements in a new shape (one dimension may be -1). Shares storage when contiguous.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let newShape = shapeRule { try ShapeRules.reshape(shape, count: count, to: newShape) }
        let src = contiguous()
        let out = Tensor(shape: newShape, storage: src.storage)
        let oldShape = shape
        return Tensor.result(out, op: "reshape", inputs: [src]) { g in [g.reshaped(oldShape)] }
    }

    /// Flattens dimensions from `startDim` on into one.
    public func flattened(startDim: Int = 1) -> Tensor {
        reshaped(Array(shape[..<startDim]) + [shape[startDim...].reduce(1, *)])
    }

    public func unsqueezed(_ axis: Int) -> Tensor {
        var s = shape; s.insert(1, at: axis < 0 ? axis + rank + 1 : axis); return reshaped(s)
    }

    public func squeezed(_ axis: Int) -> Tensor {
        let a = shapeRule { try ShapeRules.axis(axis, rank: rank, op: "squeeze") }
        require(shape[a] == 1, "squeeze: dimension \(a) of \(shape) is not 1")
        var s = shape; s.remove(at: a); return reshaped(s)
    }

    // MARK: permute

    /// Reorders dimensions: result dimension i is input dimension `dims[i]` (a copy).
    public func permuted(_ dims: [Int]) -> Tensor {
        require(dims.sorted() == Array(0..<rank), "permute: \(dims) is not a permutation of \(rank) dimensions")
        let src = contiguous()
        let inStrides = contiguousStrides(shape)
        let outShape = dims.map { shape[$0] }
        let out = Tensor(uninitialized: outShape)
        if rank == 4 && (dims == [0, 2, 3, 1] || dims == [0, 3, 1, 2]) {
            // [A][B][C·D] ↔ [A][C·D][B] (NCHW ↔ NHWC, and conv kernels): a blocked 2-D transpose per A.
            let rows = dims == [0, 2, 3, 1] ? shape[1] : shape[1] * shape[2]
            let cols = count / Swift.max(shape[0], 1) / Swift.max(rows, 1)
            for a in 0..<shape[0] { transpose2D(src.data + a * rows * cols, rows: rows, cols: cols, out.data + a * rows * cols) }
        } else {
            stridedCopy(src.data, srcStrides: dims.map { inStrides[$0] }, shape: outShape, to: out.data)
        }
        var inverse = Array(repeating: 0, count: rank)
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return Tensor.result(out, op: "permute", inputs: [src]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two dimensions (a copy).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var dims = Array(0..<rank)
        dims.swapAt(a < 0 ? a + rank : a, b < 0 ? b + rank : b)
        return permuted(dims)
    }

    // MARK: slice, concat, split

    /// Elements `start..<end` along `axis` (a copy).
    public func sliced(axis: Int, _ start: Int, _ end: Int) -> Tensor {
        let a = shapeRule { try ShapeRules.axis(axis, rank: rank, op: "slice") }
        require(0 <= start && start <= end && end <= shape[a],
                     "slice: range \(start)..<\(end) is outside dimension \(a) of \(shape)")
        let src = contiguous()
        var outShape = shape; outShape[a] = end - start
        let strides = contiguousStrides(shape)
        let out = Tensor(uninitialized: outShape)
        stridedCopy(src.data + start * strides[a], srcStrides: strides, shape: outShape, to: out.data)
        let full = shape
        return Tensor.result(out, op: "slice", inputs: [src]) { g in
            let z = Tensor.zeros(full)
            let outer = full[..<a].reduce(1, *), inner = full[(a + 1)...].reduce(1, *)
            let n = end - start
            for o in 0..<outer {
                (z.data + (o * full[a] + start) * inner).update(from: g.data + o * n * inner, count: n * inner)
            }
            return [z]
        }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        require(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let a = axis < 0 ? axis + first.rank : axis
        for t in tensors {
            var x = t.shape, y = first.shape
            require(x.count == y.count, "concat: shapes \(first.shape) and \(t.shape) differ in rank")
            x[a] = 0; y[a] = 0
            require(x == y, "concat: shapes \(first.shape) and \(t.shape) differ outside axis \(a)")
        }
        let srcs = tensors.map { $0.contiguous() }
        var outShape = first.shape; outShape[a] = srcs.map { $0.shape[a] }.reduce(0, +)
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        let out = Tensor(uninitialized: outShape)
        var offset = 0
        for s in srcs {
            let n = s.shape[a] * inner
            for o in 0..<outer { (out.data + o * outShape[a] * inner + offset).update(from: s.data + o * n, count: n) }
            offset += n
        }
        let sizes = srcs.map { $0.shape[a] }
        return Tensor.result(out, op: "concat", inputs: srcs) { g in
            var start = 0
            return sizes.map { size in defer { start += size }; return g.sliced(axis: a, start, start + size) }
        }
    }

    /// Splits along `axis` into pieces of the given sizes.
    public func split(_ sizes: [Int], axis: Int = 0) -> [Tensor] {
        let a = shapeRule { try ShapeRules.axis(axis, rank: rank, op: "split") }
        require(sizes.reduce(0, +) == shape[a], "split: sizes \(sizes) do not add up to dimension \(a) of \(shape)")
        var start = 0
        return sizes.map { s in defer { start += s }; return sliced(axis: a, start, start + s) }
    }

    /// Splits along `axis` into `chunks` pieces, the last one possibly smaller (as `torch.chunk`).
    public func chunked(_ chunks: Int, axis: Int = 0) -> [Tensor] {
        let a = shapeRule { try ShapeRules.axis(axis, rank: rank, op: "chunk") }
        let size = (shape[a] + chunks - 1) / chunks
        var sizes: [Int] = []
        var left = shape[a]
        while left > 0 { sizes.append(min(size, left)); left -= size }
        return split(sizes, axis: a)
    }

    // MARK: expand

    /// Broadcasts to `newShape` (size-1 dimensions repeat; leading dimensions may be added). A copy.
    public func expanded(_ newShape: [Int]) -> Tensor {
        require(newShape.count >= rank, "expand: cannot expand \(shape) to fewer dimensions \(newShape)")
        let padded = Array(repeating: 1, count: newShape.count - rank) + shape
        let strides = contiguousStrides(padded)
        var bStrides = strides
        for i in 0..<padded.count {
            require(padded[i] == newShape[i] || padded[i] == 1, "expand: cannot expand \(shape) to \(newShape)")
            if padded[i] == 1 && newShape[i] != 1 { bStrides[i] = 0 }
        }
        let src = contiguous()
        let out = Tensor(uninitialized: newShape)
        stridedCopy(src.data, srcStrides: bStrides, shape: newShape, to: out.data)
        let original = shape
        return Tensor.result(out, op: "expand", inputs: [src]) { g in [g.summed(toShape: original)] }
    }
}

/// `out[j][i] = src[i][j]` for a rows×cols row-major matrix, in cache-friendly blocks.
func transpose2D(_ src: UnsafePointer<Float>, rows: Int, cols: Int, _ out: UnsafeMutablePointer<Float>) {
    let block = 32
    var i0 = 0
    while i0 < rows {
        let i1 = min(i0 + block, rows)
        var j0 = 0
        while j0 < cols {
            let j1 = min(j0 + block, cols)
            for i in i0..<i1 { for j in j0..<j1 { out[j * rows + i] = src[i * cols + j] } }
            j0 = j1
        }
        i0 = i1
    }
}
