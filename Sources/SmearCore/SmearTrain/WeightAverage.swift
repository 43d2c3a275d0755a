// An exponential moving average of a network's weights over the training steps (Polyak averaging; the
// flat-minimum argument of Izmailov et al. 2018, "Averaging weights leads to wider optima"). The final
// iterate of a run moves by 0.05–0.15 target F1 between epochs on these labs; the average of the last
// few hundred iterates is one model that does not depend on where the last step happened to land.
import Foundation
import SmearNN
import SmearTensor

/// Shadow copies of every tensor of a module's state dict (parameters and batch-norm running statistics),
/// updated after each optimiser step:
///
///     shadow_t = d · shadow_(t-1) + (1 − d) · w_t,   shadow_0 = 0,
///     average_t = shadow_t / (1 − d^t)
///
/// so `average_t` = Σ_s (1 − d) d^(t−s) w_s / (1 − d^t), a weighted mean of the iterates w_1 … w_t alone
/// (the bias correction keeps the random initialisation out of it). Each shadow has its tensor's shape and
/// first memory format (a tensor stored otherwise later is converted), so the update runs elementwise over
/// storage. Counters (`num_batches_tracked`) are copied, not averaged.
public final class WeightAverage {
    /// d: the weight of the past per step; 1/(1 − d) steps is the average's reach (0.998: about 500).
    public let decay: Float
    /// Updates made (t).
    public private(set) var updates = 0
    let names: [String]
    let shadows: [Tensor]
    let counters: Set<String>

    public init(of module: Module, decay: Float) {
        require(decay > 0 && decay < 1, "WeightAverage: decay must lie in (0, 1), got \(decay)")
        self.decay = decay
        let state = module.stateDict()
        names = state.map(\.0)
        shadows = state.map { Tensor(shape: $0.1.shape, storage: Storage(repeating: 0, count: $0.1.count), format: $0.1.format) }
        counters = Set(names.filter { $0.hasSuffix("num_batches_tracked") })
    }

    /// Folds the module's current weights into the average (after an optimiser step).
    public func update(from module: Module) {
        let state = module.stateDict()
        require(state.count == names.count, "WeightAverage: the module's state dict changed")
        let d = decay, keep = 1 - decay
        for ((name, current), shadow) in zip(state, shadows) {
            let w = current.format == shadow.format ? current : withNoGrad { current.converted(to: shadow.format) }
            let s = shadow.storage.pointer, x = w.storage.pointer
            if counters.contains(name) { s.update(from: x, count: w.count); continue }
            for i in 0..<w.count { s[i] = d * s[i] + keep * x[i] }
        }
        updates += 1
    }

    /// The averaged weights by state-dict name (bias-corrected); needs at least one update.
    public func averaged() -> [(String, Tensor)] {
        require(updates > 0, "WeightAverage: nothing averaged yet")
        let correction = 1 / (1 - Float(pow(Double(decay), Double(updates))))
        return zip(names, shadows).map { name, shadow in
            let a = Tensor(shape: shadow.shape, storage: Storage(repeating: 0, count: shadow.count), format: shadow.format)
            let s = shadow.storage.pointer, out = a.storage.pointer
            let c = counters.contains(name) ? 1 : correction
            for i in 0..<shadow.count { out[i] = s[i] * c }
            return (name, a)
        }
    }

    /// The raw state for exact resumption: the shadows under `prefix` + name.
    public func state(prefix: String) -> [(String, Tensor)] { zip(names, shadows).map { (prefix + $0, $1) } }

    /// Restores `state(prefix:)` from a checkpoint's tensors and the update count; false when they are absent.
    public func restore(_ tensors: [String: Tensor], prefix: String, updates: Int) -> Bool {
        guard names.allSatisfy({ tensors[prefix + $0] != nil }) else { return false }
        for (name, shadow) in zip(names, shadows) { shadow.assign(tensors[prefix + name]!) }
        self.updates = updates
        return true
    }
}
