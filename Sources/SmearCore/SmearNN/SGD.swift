// Stochastic gradient descent with momentum, Nesterov and weight decay, PyTorch's `torch.optim.SGD`.
import Foundation
import SmearTensor

/// Parameters that share a learning-rate multiplier (the article's code: backbone 0.1, heads 1.0).
public struct ParameterGroup {
    public var name: String
    public var parameters: [Tensor]
    public var lrMultiplier: Float
    /// A frozen group takes no part in a step: no update, no weight decay, and no momentum is accumulated, so its
    /// first step after it thaws starts a fresh buffer as a first step does.
    public var frozen = false
    public init(_ name: String, _ parameters: [Tensor], lrMultiplier: Float = 1) {
        self.name = name; self.parameters = parameters; self.lrMultiplier = lrMultiplier
    }
}

/// SGD, PyTorch semantics per parameter p with gradient g:
///   d = g + weightDecay·p;  buf = momentum·buf + d (buf = d on the first step);
///   d = d + momentum·buf (Nesterov) or buf;  p ← p − lr·multiplier·d.
public final class SGD {
    public var groups: [ParameterGroup]
    /// Base learning rate; each group uses `lr × lrMultiplier`. Schedules set this every step.
    public var lr: Float
    public let momentum: Float, weightDecay: Float, nesterov: Bool
    /// Momentum buffers, keyed by parameter identity.
    private var buffers: [ObjectIdentifier: Tensor] = [:]
    public private(set) var stepCount = 0

    public init(groups: [ParameterGroup], lr: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        require(!nesterov || momentum > 0, "SGD: Nesterov needs momentum > 0")
        self.groups = groups; self.lr = lr; self.momentum = momentum
        self.weightDecay = weightDecay; self.nesterov = nesterov
    }

    public convenience init(_ parameters: [Tensor], lr: Float, momentum: Float = 0, weightDecay: Float = 0,
                            nesterov: Bool = false) {
        self.init(groups: [ParameterGroup("all", parameters)], lr: lr, momentum: momentum,
                  weightDecay: weightDecay, nesterov: nesterov)
    }

    /// Applies one update to every parameter that has a gradient.
    public func step() {
        stepCount += 1
        for group in groups where !group.frozen {
            let rate = lr * group.lrMultiplier
            for p in group.parameters {
                guard let grad = p.grad else { continue }
                update(p, grad: grad.format == p.format ? grad : grad.converted(to: p.format), rate: rate)
            }
        }
    }

    /// One parameter's update (memory-bound: split across the cores for large tensors).
    private func update(_ p: Tensor, grad: Tensor, rate: Float) {
        let n = p.count
        let w = p.storage.pointer, g = grad.storage.pointer
        let (wd, mu, nesterov) = (weightDecay, momentum, self.nesterov)
        let chunk = 1 << 16
        if mu == 0 {
            Parallel.forRanges(n, minChunk: chunk) { r in for i in r { w[i] -= rate * (g[i] + wd * w[i]) } }
            return
        }
        let key = ObjectIdentifier(p)
        let first = buffers[key] == nil
        // Same memory format as the parameter, so that element i of both is the same logical element.
        let buf = buffers[key] ?? Tensor(shape: p.shape, storage: Storage(repeating: 0, count: n), format: p.format)
        buffers[key] = buf
        let b = buf.storage.pointer
        Parallel.forRanges(n, minChunk: chunk) { r in
            for i in r {
                let d = g[i] + wd * w[i]
                b[i] = first ? d : mu * b[i] + d
                w[i] -= rate * (nesterov ? d + mu * b[i] : b[i])
            }
        }
    }

    /// Momentum buffers in parameter order (nil where a parameter has none yet), for checkpoints.
    public var momentumBuffers: [Tensor?] { groups.flatMap { $0.parameters.map { buffers[ObjectIdentifier($0)] } } }

    /// Restores momentum buffers saved from `momentumBuffers`.
    public func setMomentumBuffers(_ list: [Tensor?], stepCount: Int) {
        let params = groups.flatMap(\.parameters)
        require(list.count == params.count, "SGD: \(list.count) buffers for \(params.count) parameters")
        buffers = [:]
        for (p, b) in zip(params, list) { if let b { buffers[ObjectIdentifier(p)] = b } }
        self.stepCount = stepCount
    }

    public func zeroGrad() { for g in groups { for p in g.parameters { p.zeroGrad() } } }
}
