// Evaluation of runs: evaluate, predict, snd, entropy, confusion.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearLang
import SmearNN
import SmearTensor

func registerEvaluationLibrary(_ i: Interpreter) {
    i.register(Builtin("evaluate", "evaluate(run, dataset, checkpoint=\"\(SelectionCriterion.default.rawValue)\", adabn=false, tta=false, lab=nil, training_bn=false, centroids=false, propagate=false, scales=false)",
                       help: "Evaluates a run's checkpoint (latest, the default; snd, entropy, im, dev, source_f1, average: the moving average\nof the weights in a run trained with average=d; or \"current\") on a dataset: a report with\nF1 and the confusion matrix when the dataset is labelled, and the label-free criteria. adabn=true first recomputes\nthe batch-norm statistics over the dataset (AdaBN, no labels used) and puts them back afterwards; training_bn=true\nrecomputes them instead over one epoch of the run's own training batches (source and target, as trained: SWA's update\nfor checkpoint=\"average\", whose running statistics were averaged, not measured). tta=true averages\nthe class probabilities over the 8 orientations of each image (test-time augmentation; 8 times the work). lab=\"source\"\nor \"target\" says whose crop and colour normalisation to use; nil: the source's for a dataset of the run's own source\nimages (training or validation), the target's for any other. centroids=true relabels the scored images by SHOT's\ntarget centroids (centroids weighted by the class probabilities, each image to the nearest by cosine, once more\nfrom those labels): the report's predictions are those labels, its scores the cosines. On the target of a run\ntrained with target labels, the labelled cells anchor the centroids (each counts for its given class and keeps it).\npropagate=true instead spreads the class probabilities over the scored images' graph of 10 nearest neighbours\n(cosine of the features, weight cos³; Zhou et al.'s label spreading, α 0.5): each image's prediction is pulled\ntowards its neighbours', and a run's labelled target cells enter the graph with their labels (the graph's work grows\nwith the square of the image count: a few seconds for 2,000 images). scales=true also reads each image with its lab's\ncentre crop about a seventh smaller and larger (factors 1/1.15, 1 and 1.15, each resized to the working size) and\naverages the probabilities over the three (with tta=true, over 24 views).",
                       example: "r = evaluate(run, bccd)\nr = evaluate(run, bccd, checkpoint=\"latest\", adabn=true)\nr = evaluate(run, bccd, centroids=true)") { a in
        let r = try runArg(a, 0, "run"), ds = try datasetArg(a, 1, "dataset"), checkpoint = try a.string(2, "checkpoint")
        let options = EvaluationOptions(adabn: try a.bool(3, "adabn"), trainingBN: try a.bool(6, "training_bn"), tta: try a.bool(4, "tta"),
                                        scales: try a.bool(9, "scales"), centroids: try a.bool(7, "centroids"), propagate: try a.bool(8, "propagate"))
        let e = try evaluation(r, ds, checkpoint: checkpoint, lab: try lab(a.optionalString(5, "lab")), options: options)
        return .object(ReportObject(e, title: r.trainer.reportTitle(ds, scored: e.predictions.count, checkpoint: checkpoint, options: options)))
    })
    i.register(Builtin("predict", "predict(run, dataset, path, checkpoint=\"\(SelectionCriterion.default.rawValue)\", adabn=false, tta=false, lab=nil, training_bn=false, scales=false)",
                       help: "Writes predictions as CSV (image,label_id,label) and the class probabilities beside it, and returns the\nreport evaluate would give for the same arguments (one pass over the dataset for both); adabn, tta, lab,\ntraining_bn and scales as in evaluate.",
                       example: "predict(run, bccd, \"predictions.csv\")\nr = predict(run, bccd, \"predictions.csv\", checkpoint=\"average\", training_bn=true)") { a in
        let r = try runArg(a, 0, "run"), ds = try datasetArg(a, 1, "dataset"), path = try a.string(2, "path")
        let options = EvaluationOptions(adabn: try a.bool(4, "adabn"), trainingBN: try a.bool(7, "training_bn"), tta: try a.bool(5, "tta"),
                                        scales: try a.bool(8, "scales"))
        return .object(try predictions(r, ds, to: URL(fileURLWithPath: path), checkpoint: try a.string(3, "checkpoint"), options: options,
                                       lab: try lab(a.optionalString(6, "lab"))))
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

/// The language's lab name (nil: decided by the dataset).
func lab(_ name: String?) throws -> EvaluationLab? {
    guard let name else { return nil }
    guard let lab = EvaluationLab(rawValue: name) else {
        throw LanguageError(.value, "lab=\"\(name)\" is not a lab of the run; use \"source\" or \"target\"")
    }
    return lab
}

/// The language's predict and `smear predict`: the run's checkpoint over a dataset with the run's own pipeline for
/// that lab, predictions and probabilities written beside each other (`path`, a .csv), and the report.
func predictions(_ r: RunObject, _ ds: ImageDataset, to path: URL, checkpoint: String, options: EvaluationOptions,
                 lab: EvaluationLab?) throws -> ReportObject {
    let e = try evaluation(r, ds, checkpoint: checkpoint, lab: lab, options: options)
    try e.writePredictions(to: path)
    return ReportObject(e, title: r.trainer.reportTitle(ds, scored: e.predictions.count, checkpoint: checkpoint, options: options))
}

/// The run's evaluation of a checkpoint named as the language names it ("current": the weights in memory).
func evaluation(_ r: RunObject, _ ds: ImageDataset, checkpoint: String, lab: EvaluationLab?, options: EvaluationOptions) throws -> Evaluation {
    do { return try r.trainer.evaluate(ds, checkpoint: try criterion(checkpoint), lab: lab, options: options) }
    catch let e as EvaluationError { throw LanguageError(.value, e.description) }
}

/// A checkpoint's criterion by name; "current" (nil) keeps the weights in memory.
func criterion(_ name: String) throws -> SelectionCriterion? {
    guard name != "current" else { return nil }
    guard let criterion = SelectionCriterion(rawValue: name) else {
        throw LanguageError(.value, "checkpoint=\"\(name)\" is not a checkpoint; use \(SelectionCriterion.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) or \"current\"")
    }
    return criterion
}
