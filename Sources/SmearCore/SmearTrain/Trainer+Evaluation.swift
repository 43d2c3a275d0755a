// The evaluation rules of a run, in one place for every front end (evaluate, predict, smear predict, smear train's
// reports): which lab's pipeline a dataset takes, which checkpoint is loaded, how batch-norm statistics and
// orientations are used, and that cells the run was given labels for are never scored.
import Foundation
import SmearData

/// Whose crop and colour normalisation an evaluated dataset takes.
public enum EvaluationLab: String, CaseIterable, Sendable {
    case source, target
}

/// How a checkpoint is evaluated: AdaBN over the dataset, batch norm over the run's training batches, the 8
/// orientations averaged (test-time augmentation), and with `scales` each view also at the centre crop's side scaled
/// by each of `testScales` (three times the work); with `centroids`, the predictions are SHOT's centroid labels of
/// the scored images (Evaluation.relabelledByCentroids), anchored on the run's labelled target cells, instead of the
/// classifier's; with `propagate`, the classifier's probabilities spread over the scored images' nearest-neighbour
/// graph, the run's labelled target cells entering it with their labels (Evaluation.relabelledByPropagation).
public struct EvaluationOptions: Sendable {
    public var adabn = false, trainingBN = false, tta = false, scales = false, centroids = false, propagate = false
    public init(adabn: Bool = false, trainingBN: Bool = false, tta: Bool = false, scales: Bool = false, centroids: Bool = false,
                propagate: Bool = false) {
        self.adabn = adabn; self.trainingBN = trainingBN; self.tta = tta; self.scales = scales; self.centroids = centroids
        self.propagate = propagate
    }

    /// The centre crop's side at test time, as factors of the lab's matched crop: about a seventh in, as matched, about a seventh out.
    public static let testScales = [1 / 1.15, 1, 1.15]

    /// How the batch-norm statistics and the views were used, as reports and commands name it after the checkpoint
    /// (" + AdaBN + 8 orientations at 3 scales"; empty for a plain evaluation).
    public var viewsDescription: String {
        (adabn ? " + AdaBN" : "") + (trainingBN ? " + batch norm over the training batches" : "") + (tta ? " + 8 orientations" : "")
            + (scales ? " at \(Self.testScales.count) scales" : "")
    }
}

public struct EvaluationError: Error, CustomStringConvertible {
    public let description: String
}

extension Trainer {
    /// The evaluation pipeline for a dataset: `lab` chooses; nil chooses the source's when every image is one of the
    /// run's own source images (its training or validation split), else the target's.
    public func evaluationPipeline(for ds: ImageDataset, lab: EvaluationLab?) -> ImagePipeline {
        switch lab {
        case .source?: return sourcePipeline(training: false)
        case .target?: return targetPipeline(training: false)
        case nil:
            let sourceImages = Set((data.source.samples + (data.sourceValidation?.samples ?? [])).map(\.path.standardizedFileURL))
            let fromSource = !ds.samples.isEmpty && ds.samples.allSatisfy { sourceImages.contains($0.path.standardizedFileURL) }
            return fromSource ? sourcePipeline(training: false) : targetPipeline(training: false)
        }
    }

    /// `ds` without the run's labelled target cells (the same dataset when the run has none).
    public func unlabelledPart(of ds: ImageDataset) -> ImageDataset {
        guard let labelled = data.labelledTarget else { return ds }
        let taken = Set(labelled.samples.map(\.path.standardizedFileURL.path))
        var rest = ds
        rest.samples = ds.samples.filter { !taken.contains($0.path.standardizedFileURL.path) }
        return rest
    }

    /// Checkpoint `checkpoint` (nil: the weights in memory) on the cells of `ds` nobody labelled for the run, with
    /// `lab`'s pipeline, mapped onto the run's classes.
    public func evaluate(_ ds: ImageDataset, checkpoint: SelectionCriterion?, lab: EvaluationLab?,
                         options: EvaluationOptions = EvaluationOptions()) throws -> Evaluation {
        guard !(options.adabn && options.trainingBN) else {
            throw EvaluationError(description: "adabn and training_bn each set the batch-norm statistics; choose one")
        }
        guard !(options.centroids && options.propagate) else {
            throw EvaluationError(description: "centroids and propagate each relabel the images; choose one")
        }
        if let checkpoint { try loadSelected(checkpoint) }
        let pipeline = evaluationPipeline(for: ds, lab: lab)
        let pipelines = options.scales ? EvaluationOptions.testScales.map { pipeline.centreCropScaled(by: $0) } : [pipeline]
        func views(of set: ImageDataset, keepFeatures: Bool = false) throws -> Evaluation {
            Evaluation.averaged(try pipelines.map {
                try Evaluation.run(net, on: set, pipeline: $0, adaptBatchNorm: options.adabn, keepFeatures: keepFeatures, orientations: options.tta)
            })
        }
        let scored = try unlabelledPart(of: ds).mapped(onto: data.source.classes)
        // adabn and trainingBN exclude each other (above): at most one sets the batch-norm statistics
        let restore = options.trainingBN ? try recomputeBatchNormOnTrainingBatches() : nil
        defer { restore?() }
        guard options.centroids || options.propagate else {
            return try views(of: scored)
        }
        // the run's labelled cells anchor the centroids or the graph: evaluated in the same pass, after the scored cells
        guard scored.count > 0 else { throw DatasetError.emptyDataset(name: scored.name, use: "evaluated") }
        let anchors = try anchoringCells(for: ds)
        var both = scored
        both.samples += anchors
        let e = try views(of: both, keepFeatures: true)
        return options.centroids ? e.relabelledByCentroids(anchoredOnLast: anchors.count) : e.relabelledByPropagation(anchoredOnLast: anchors.count)
    }

    /// The run's labelled target cells, in the run's classes, when `ds` holds images of the run's target lab (labelled
    /// or not); none for a dataset of another lab.
    func anchoringCells(for ds: ImageDataset) throws -> [Sample] {
        guard let labelled = try data.labelledTarget?.mapped(onto: data.source.classes) else { return [] }
        let lab = Set((data.target.samples + labelled.samples).map(\.path.standardizedFileURL.path))
        return ds.samples.contains { lab.contains($0.path.standardizedFileURL.path) } ? labelled.samples : []
    }

    /// A report's title: the method, the dataset, the checkpoint, how the batch-norm statistics and orientations were
    /// used, and how many of the dataset's images were left out as cells labelled for training.
    public func reportTitle(_ ds: ImageDataset, scored: Int, checkpoint: String, options: EvaluationOptions = EvaluationOptions()) -> String {
        let left = ds.count - scored
        return "\(method.name) on \(ds.name), checkpoint \(checkpoint)\(options.viewsDescription)"
            + (options.centroids ? ", relabelled by the target's centroids (SHOT)" : "")
            + (options.propagate ? ", propagated over the cells' nearest-neighbour graph" : "")
            + (left > 0 ? " (scored on the \(scored) cells not labelled; \(left) labelled for training left out)" : "")
    }

    /// Predictions and a report per checkpoint the run has (each criterion's, the latest, and the averaged weights
    /// when kept) on its target, written into the run folder; returns each report's evaluation.
    public func writeReports() throws -> [(SelectionCriterion, Evaluation)] {
        var written: [(SelectionCriterion, Evaluation)] = []
        for criterion in SelectionCriterion.tracked + [.latest, .average] {
            guard (try? loadSelected(criterion)) != nil else { continue }
            let e = try evaluate(data.target, checkpoint: nil, lab: .target)
            try e.writePredictions(to: directory.appendingPathComponent("predictions_\(criterion.rawValue).csv"))
            try e.report(title: reportTitle(data.target, scored: e.predictions.count, checkpoint: criterion.rawValue))
                .write(to: directory.appendingPathComponent("report_\(criterion.rawValue).txt"), atomically: true, encoding: .utf8)
            written.append((criterion, e))
        }
        return written
    }
}
