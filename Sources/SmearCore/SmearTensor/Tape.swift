// Reverse-mode differentiation over the recorded graph (micrograd's backward, scaled up).
import Foundation

extension Tensor {
    /// Back-propagates from this scalar: every leaf with `requiresGrad` reachable from it gets its
    /// gradient added to `grad`. The graph is released afterwards (PyTorch's retain_graph=False), and
    /// intermediate gradients are dropped as soon as they have been used.
    public func backward() {
        require(count == 1, "backward: needs a scalar (one element), got shape \(shape)")
        backward(gradient: Tensor(Array(repeating: 1, count: 1), shape: shape))
    }

    /// Back-propagates `gradient` (shape of `self`) through the graph.
    public func backward(gradient: Tensor) {
        require(gradient.shape == shape, "backward: gradient shape \(gradient.shape) differs from \(shape)")
        // Topological order by iterative depth-first search.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            if !visited.insert(ObjectIdentifier(t)).inserted { continue }
            stack.append((t, true))
            if let node = t.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): gradient]
        OpProfiler.inBackward = true
        defer { OpProfiler.inBackward = false }
        for t in order.reversed() {
            guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
            guard let node = t.node else {
                t.accumulateGrad(g)
                continue
            }
            let started = OpProfiler.isEnabled ? OpProfiler.now() : 0
            let inputGrads = withNoGrad { node.vjp(g) }
            if OpProfiler.isEnabled { OpProfiler.add("\(node.op) backward", Double(OpProfiler.now() &- started) / 1e9) }
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard input.requiresGrad, let ig else { continue }
                require(ig.shape == input.shape,
                             "backward of \(node.op): gradient shape \(ig.shape) for input of shape \(input.shape)")
                let key = ObjectIdentifier(input)
                if let existing = grads[key] { grads[key] = existing.adding(ig) } else { grads[key] = ig }
            }
            t.node = nil
        }
        if OpProfiler.isEnabled { OpProfiler.lastMark = OpProfiler.now() }
    }

    /// Adds `g` to `grad`, keeping `grad` in this tensor's memory format.
    func accumulateGrad(_ g: Tensor) {
        let g = g.format == format ? g : g.converted(to: format)
        if let existing = grad {
            existing.addInPlace(g)
        } else {
            // Own the buffer: the incoming gradient may alias another tensor's storage.
            let copy = Tensor(uninitialized: shape, format: format)
            copy.data.update(from: g.data, count: count)
            grad = copy
        }
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// `self + other` for equal shapes, without recording, in `self`'s format.
    func adding(_ other: Tensor) -> Tensor {
        let o = other.format == format ? other : other.converted(to: format)
        let out = Tensor(uninitialized: shape, format: format)
        let a = data, b = o.data, c = out.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in for i in r { c[i] = a[i] + b[i] } }
        return out
    }

    /// `self += other` in place (equal shapes), without recording.
    func addInPlace(_ other: Tensor) {
        let o = other.format == format ? other : other.converted(to: format)
        let a = data, b = o.data
        Parallel.forRanges(count, minChunk: elementwiseChunk) { r in for i in r { a[i] += b[i] } }
    }
}
