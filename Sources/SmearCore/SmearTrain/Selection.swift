// Label-free model selection: which epoch's weights are "the" model. Each criterion keeps its own
// checkpoint (best_<name>.safetensors, latest.safetensors for the final iterate), guarded against
// collapse where the criterion is a target statistic.
import Foundation
import SmearMetrics

/// A rule that picks a checkpoint without target labels.
public enum SelectionCriterion: String, CaseIterable, Codable, Sendable {
    /// The final iterate.
    case latest
    /// Soft neighbourhood density of the target predictions (higher is better).
    case snd
    /// Mean target prediction entropy (lower).
    case entropy
    /// Information maximisation: entropy of the mean prediction minus the mean entropy (higher).
    case im
    /// Deep embedded validation: importance-weighted source-validation loss (lower).
    case dev
    /// Source-validation macro F1 (higher); the only one that reads labels, the source's.
    case sourceF1 = "source_f1"
    /// Not an epoch but the moving average of the weights over the steps (`WeightAverage`), in runs that keep it.
    case average

    /// The default model: the final iterate. Over the 81 labelled-target runs that record every criterion
    /// (docs/selection.md, from experiments/archive/selection.py), no criterion's choice beat it beyond the
    /// noise run by run (entropy +0.011, interval −0.000 to +0.022; IM +0.005) and SND's was worse by 0.11.
    public static let `default` = SelectionCriterion.latest

    /// The criteria that keep a best-so-far checkpoint (all but `latest` and `average`).
    public static let tracked = allCases.filter { $0 != .latest && $0 != .average }

    /// The checkpoint file's name without extension.
    public var checkpointName: String { self == .latest || self == .average ? rawValue : "best_\(rawValue)" }

    /// The epoch's value of the criterion (nil: not measured that epoch, or `latest`).
    public func value(_ r: EpochRecord) -> Double? {
        switch self {
        case .latest, .average: return nil
        case .snd: return r.targetSND
        case .entropy: return r.targetEntropy
        case .im: return r.targetIM
        case .dev: return r.targetDEV
        case .sourceF1: return r.sourceMacroF1
        }
    }

    public var higherIsBetter: Bool { self == .snd || self == .im || self == .sourceF1 }

    /// Whether a collapsed epoch (most of the target in one class) loses to any that is not: the criteria
    /// measured on the target's predictions, which a collapsed model can game.
    public var guardsAgainstCollapse: Bool { self != .sourceF1 && self != .latest && self != .average }

    /// Parses a user's name, with an error listing the names.
    public static func named(_ name: String) throws -> SelectionCriterion {
        guard let c = SelectionCriterion(rawValue: name) else { throw SelectionError.unknown(name) }
        return c
    }

    /// Whether an epoch's criterion value replaces the kept checkpoint's: a collapsed epoch never replaces
    /// one that is not, a non-collapsed one always replaces a collapsed one, and otherwise the better value
    /// wins (ties keep the earlier checkpoint).
    public static func replaces(_ value: Double, collapsed: Bool, kept: (value: Double, collapsed: Bool)?,
                                higherIsBetter: Bool) -> Bool {
        guard let kept else { return true }
        if collapsed != kept.collapsed { return !collapsed }
        return higherIsBetter ? value > kept.value : value < kept.value
    }

    /// Updates `best` (value by criterion name, and "collapsed.<name>" = 1 when the kept checkpoint is a
    /// collapsed one) with an epoch's record; returns the criteria whose checkpoint the epoch replaces.
    public static func improvements(_ r: EpochRecord, best: inout [String: Double]) -> [SelectionCriterion] {
        let collapsed = (r.targetLargestClassShare ?? 0) > UnsupervisedCriteria.collapseShare
        var improved: [SelectionCriterion] = []
        for c in tracked {
            guard let value = c.value(r) else { continue }
            let key = c.rawValue, flag = "collapsed.\(key)", isCollapsed = c.guardsAgainstCollapse && collapsed
            let kept = best[key].map { (value: $0, collapsed: best[flag] == 1) }
            guard replaces(value, collapsed: isCollapsed, kept: kept, higherIsBetter: c.higherIsBetter) else { continue }
            best[key] = value; improved.append(c)
            if c.guardsAgainstCollapse { best[flag] = isCollapsed ? 1 : 0 }
        }
        return improved
    }
}

public enum SelectionError: Error, CustomStringConvertible {
    case unknown(String)
    public var description: String {
        switch self {
        case .unknown(let n):
            return "no selection criterion '\(n)'; the criteria are \(SelectionCriterion.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}
