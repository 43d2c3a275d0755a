// What one epoch of a run measured, and the names its numbers go by everywhere they are written.
import Foundation

/// What one epoch measured. Target F1 is reported when target labels exist and never used for selection.
public struct EpochRecord: Codable, Sendable {
    public var epoch: Int, iteration: Int
    public var classificationLoss: Double, transferLoss: Double
    public var sourceAccuracy: Double?, sourceMacroF1: Double?
    public var targetEntropy: Double, targetSND: Double
    /// Information maximisation and the largest predicted-class share on the target (nil in histories
    /// written before they existed).
    public var targetIM: Double?, targetLargestClassShare: Double?
    /// Deep embedded validation: the source-validation loss re-weighted towards the target (lower is better;
    /// nil without a source validation set, or in histories written before it existed).
    public var targetDEV: Double?
    /// The predicted class proportions on the target, mean softmax (`UnsupervisedCriteria.predictedClassShares`; nil in
    /// histories written before they were kept): a `target_prior` run draws the next epoch's source classes by them.
    public var targetClassShares: [Double]?
    /// Every step's classification and transfer loss in this epoch, [[cls, transfer]] (for per-step curves;
    /// nil in histories written before smear kept them).
    public var stepLosses: [[Double]]?
    public var targetMacroF1: Double?, targetMicroF1: Double?, targetMacroF1Present: Double?
    public var diagnostics: [String: Double]
    public var seconds: Double
    /// When the epoch ended (seconds since 1970; nil in histories written before it was kept).
    public var finishedAt: Double?
}

extension EpochRecord {
    /// The names of the fixed scalars, in history.csv's column order: the one vocabulary of history.csv, the
    /// TensorBoard tags and the scripts that read either.
    public static let scalarNames = ["epoch", "iteration", "cls_loss", "transfer_loss", "source_val_acc", "source_val_macro_f1",
                                     "target_entropy", "target_snd", "target_macro_f1", "target_micro_f1", "target_macro_f1_present",
                                     "seconds", "target_im", "target_largest_class_share", "target_dev"]

    /// The method diagnostics any epoch of `history` reports, sorted: the columns after the fixed ones.
    public static func diagnosticKeys(_ history: [EpochRecord]) -> [String] { Set(history.flatMap { $0.diagnostics.keys }).sorted() }

    /// The fixed scalars by `scalarNames` (nil: not measured in this run), then the method's diagnostics in
    /// `diagnosticKeys` order; a diagnostic named like a fixed scalar (entmin's target_entropy) takes the method's prefix.
    public func scalars(diagnosticKeys: [String], method: String) -> [(name: String, value: Double?)] {
        let fixed: [Double?] = [Double(epoch), Double(iteration), classificationLoss, transferLoss, sourceAccuracy, sourceMacroF1,
                                targetEntropy, targetSND, targetMacroF1, targetMicroF1, targetMacroF1Present, seconds, targetIM,
                                targetLargestClassShare, targetDEV]
        return Array(zip(Self.scalarNames, fixed)).map { (name: $0.0, value: $0.1) }
            + diagnosticKeys.map { (name: Self.scalarNames.contains($0) ? "\(method).\($0)" : $0, value: diagnostics[$0]) }
    }
}

