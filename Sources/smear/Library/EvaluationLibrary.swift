// Evaluation of runs: evaluate, predict, snd, entropy, confusion.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearLang
import SmearNN
import SmearTensor

func registerEvaluationLibrary(_ i: Interpreter) {
    i.register(Builtin("evaluate", "evaluate(run, dataset, checkpoint=\"\(SelectionCriterion.default.rawValue)\", adabn=false, tta=false, lab=nil, training_bn=false)",
                       help: "Evaluates a run's checkpoint (latest, the default; snd, entropy, im, dev, source_f1, average: the moving average\nof the weights in a run trained with average=d; or \"current\") on a dataset: a report with\nF1 and the confusion matrix when the dataset is labelled, and the label-free criteria. adabn=true first recomputes\nthe batch-norm statistics over the dataset (AdaBN, no labels used) and puts them back afterwards; training_bn=true\nrecomputes them instead over one epoch of the run's own training batches (source and target, as trained: SWA's update\nfor checkpoint=\"average\", whose running statistics were averaged, not measured). tta=true averages\nthe class probabilities over the 8 orientations of each image (test-time augmentation; 8 times the work). lab=\"source\"\nor \"target\" says whose crop and colour normalisation to use; nil: the source's for a dataset of the run's own source\nimages (training or validation), the target's for any other.",
                       example: "r = evaluate(run, bccd)\nr = evaluate(run, bccd, checkpoint=\"latest\", adabn=true)") { a in
        let r = try runArg(a, 0, "run"), ds = try datasetArg(a, 1, "dataset")
        let checkpoint = try a.string(2, "checkpoint")
        let adabn = try a.bool(3, "adabn"), tta = try a.bool(4, "tta")
        let pipeline = try r.trainer.evaluationPipeline(for: ds, lab: a.optionalString(5, "lab"))
        let trainingBN = try a.bool(6, "training_bn")
        try loadCheckpoint(r, checkpoint)
        let e = try evaluation(r, ds, pipeline, adabn: adabn, trainingBN: trainingBN, tta: tta)
        return .object(ReportObject(e, title: reportTitle(r, ds, scored: e.predictions.count, checkpoint, adabn: adabn, trainingBN: trainingBN, tta: tta)))
    })
    i.register(Builtin("predict", "predict(run, dataset, path, checkpoint=\"\(SelectionCriterion.default.rawValue)\", adabn=false, tta=false, lab=nil, training_bn=false)",
                       help: "Writes predictions as CSV (image,label_id,label) and the class probabilities beside it, and returns the\nreport evaluate would give for the same arguments (one pass over the dataset for both); adabn, tta, lab and\ntraining_bn as in evaluate.",
                       example: "predict(run, bccd, \"predictions.csv\")\nr = predict(run, bccd, \"predictions.csv\", checkpoint=\"average\", training_bn=true)") { a in
        let r = try runArg(a, 0, "run"), ds = try datasetArg(a, 1, "dataset"), path = try a.string(2, "path")
        let e = try predictions(r, ds, to: URL(fileURLWithPath: path), checkpoint: try a.string(3, "checkpoint"), adabn: try a.bool(4, "adabn"),
                                tta: try a.bool(5, "tta"), lab: try a.optionalString(6, "lab"), trainingBN: try a.bool(7, "training_bn"))
        return .object(e)
    })
    i.register(Builtin("snd", "snd(report, temperature=0.05, variant=\"original\")",
                       help: "Soft neighbourhood density of a report's predictions (higher is better); variant \"article\" is the article code's.",
                       example: "snd(r)") { a in
        let rep = try a.object(0, "report", as: ReportObject.self, typeName: "report")
        let variant = try a.string(2, "variant")
        return .number(rep.evaluation.snd(temperature: Float(try a.number(1, "temperature")),
                                          variant: variant == "article" ? .articleCode : .original))
    })
    i.register(Builtin("entropy", "entropy(report)", help: "Mean prediction entropy of a report (lower = more confident).", example: "entropy(r)") { a in
        .number(try a.object(0, "report", as: ReportObject.self, typeName: "report").evaluation.meanEntropy)
    })
    i.register(Builtin("confusion", "confusion(report, normalized=false)", help: "The confusion matrix (rows true, columns predicted).",
                       example: "confusion(r, normalized=true)") { a in
        let rep = try a.object(0, "report", as: ReportObject.self, typeName: "report")
        guard let m = rep.evaluation.confusion else { throw LanguageError(.value, "confusion(): the dataset has no labels") }
        if try a.bool(1, "normalized") { return .list(m.rowNormalized.map { .list($0.map { .number($0) }) }) }
        return .list(m.counts.map(numberList))
    })
}

extension Trainer {
    /// The evaluation pipeline for a dataset: `lab` "source" or "target" chooses; nil chooses the source's
    /// crop and normalisation when every image is one of the run's own source images (its training or
    /// validation split), else the target's.
    func evaluationPipeline(for ds: ImageDataset, lab: String?) throws -> ImagePipeline {
        switch lab {
        case "source"?: return sourcePipeline(training: false)
        case "target"?: return targetPipeline(training: false)
        case nil:
            let sourceImages = Set((data.source.samples + (data.sourceValidation?.samples ?? [])).map(\.path.standardizedFileURL))
            let fromSource = !ds.samples.isEmpty && ds.samples.allSatisfy { sourceImages.contains($0.path.standardizedFileURL) }
            return fromSource ? sourcePipeline(training: false) : targetPipeline(training: false)
        case let other?: throw LanguageError(.value, "lab=\"\(other)\" is not a lab of the run; use \"source\" or \"target\"")
        }
    }
}

/// The language's predict and `smear predict`: the run's checkpoint over a dataset with the run's own pipeline for
/// that lab, predictions and probabilities written beside each other (`path`, a .csv), and the report.
func predictions(_ r: RunObject, _ ds: ImageDataset, to path: URL, checkpoint: String, adabn: Bool, tta: Bool, lab: String?,
                 trainingBN: Bool) throws -> ReportObject {
    let pipeline = try r.trainer.evaluationPipeline(for: ds, lab: lab)
    try loadCheckpoint(r, checkpoint)
    let e = try evaluation(r, ds, pipeline, adabn: adabn, trainingBN: trainingBN, tta: tta)
    try e.writePredictions(to: path)
    return ReportObject(e, title: reportTitle(r, ds, scored: e.predictions.count, checkpoint, adabn: adabn, trainingBN: trainingBN, tta: tta))
}

/// Evaluates the run's network as loaded; with `trainingBN` its batch-norm statistics are first recomputed over
/// the run's training batches and put back afterwards (AdaBN and it are two answers to one question: one at a time).
/// The cells the run was given labels for (target_labels) are left out: a report scores only what nobody labelled.
func evaluation(_ r: RunObject, _ given: ImageDataset, _ pipeline: ImagePipeline, adabn: Bool, trainingBN: Bool, tta: Bool) throws -> Evaluation {
    let ds = try unlabelledPart(r, given).mapped(onto: r.trainer.data.source.classes)
    guard !(adabn && trainingBN) else {
        throw LanguageError(.value, "adabn=true and training_bn=true each set the batch-norm statistics; choose one")
    }
    guard trainingBN else { return try Evaluation.run(r.trainer.net, on: ds, pipeline: pipeline, adaptBatchNorm: adabn, orientations: tta) }
    let restore = try r.trainer.recomputeBatchNormOnTrainingBatches()
    defer { restore() }
    return try Evaluation.run(r.trainer.net, on: ds, pipeline: pipeline, orientations: tta)
}

/// `ds` without the run's labelled target cells (the same dataset when the run has none).
func unlabelledPart(_ r: RunObject, _ ds: ImageDataset) -> ImageDataset {
    guard let labelled = r.trainer.data.labelledTarget else { return ds }
    let taken = Set(labelled.samples.map(\.path.standardizedFileURL.path))
    var rest = ds
    rest.samples = ds.samples.filter { !taken.contains($0.path.standardizedFileURL.path) }
    return rest
}

/// The title of a report: the method, the dataset, the checkpoint, how the batch-norm statistics and orientations
/// were used, and how many of the dataset's images were left out as cells labelled for training.
func reportTitle(_ r: RunObject, _ ds: ImageDataset, scored: Int, _ checkpoint: String, adabn: Bool, trainingBN: Bool, tta: Bool) -> String {
    let left = ds.count - scored
    return "\(r.trainer.method.name) on \(ds.name), checkpoint \(checkpoint)\(adabn ? " + AdaBN" : "")"
        + "\(trainingBN ? " + batch norm over the training batches" : "")\(tta ? " + 8 orientations" : "")"
        + (left > 0 ? " (scored on the \(scored) cells not labelled; \(left) labelled for training left out)" : "")
}

/// Loads a run's checkpoint by criterion name; "current" keeps the weights in memory.
func loadCheckpoint(_ r: RunObject, _ name: String) throws {
    guard name != "current" else { return }
    guard let criterion = SelectionCriterion(rawValue: name) else {
        throw LanguageError(.value, "checkpoint=\"\(name)\" is not a checkpoint; use \(SelectionCriterion.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) or \"current\"")
    }
    try r.trainer.loadSelected(criterion)
}

