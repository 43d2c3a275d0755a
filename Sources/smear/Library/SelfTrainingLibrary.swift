// Labels a model gives the target for one more run (self-training): pseudo_labels takes a run's class probabilities
// on its target lab (the 8 orientations averaged), keeps each class's most confident share (SelfTrainingLabels,
// class-balanced) and writes them as a CSV `image,label` for train's pseudo_labels.
import Foundation
import SmearData
import SmearLang
import SmearMetrics
import SmearTensor
import SmearTrain

func registerSelfTrainingLibrary(_ i: Interpreter) {
    i.register(Builtin("pseudo_labels", "pseudo_labels(run, target, path, portion=0.2)",
                       help: "Class-balanced self-training labels (CBST, Zou et al. 2018): the run's final checkpoint predicts the target\n"
                           + "cells it was not given labels for (the 8 orientations averaged), and each class's cells, ranked by their\n"
                           + "probability of it, give their top portion (rounded up) as pseudo-labels, so that a rare class keeps its\n"
                           + "share. Writes them to path (a new .csv `image,label`, for train's pseudo_labels) and returns path.",
                       example: "pseudo_labels(run, bccd, \"runs/mdd/pseudo_labels.csv\")") { a in
        let r = try runArg(a, 0, "run"), target = try datasetArg(a, 1, "target")
        let out = URL(fileURLWithPath: try a.string(2, "path"))
        let portion = try a.number(3, "portion", default: 0.2, in: 0.001...1)
        guard out.pathExtension.lowercased() == "csv", FileKind.of(out.path) == .missing else {
            throw LanguageError(.value, "pseudo_labels(): path \(out.path) must be a new .csv file")
        }
        let e = try evaluation(r, target, checkpoint: SelectionCriterion.latest.rawValue, lab: .target, options: EvaluationOptions(tta: true))
        let probabilities = withNoGrad { e.logits.softmax(axis: 1) }.scalars
        let chosen = SelfTrainingLabels.classBalanced(probabilities: probabilities, count: e.samples.count, portion: portion)
        let rows = chosen.map { CSV.row([e.samples[$0.index].path.path, e.classes[$0.label]]) }
        try ([CSV.row(["image", "label"])] + rows).joined().write(to: out, atomically: true, encoding: .utf8)
        let perClass = e.classes.indices.map { c in "\(e.classes[c]) \(chosen.filter { $0.label == c }.count)" }
        a.interpreter.output("pseudo_labels: \(chosen.count) of \(e.samples.count) cells (\(perClass.joined(separator: ", "))) -> \(out.path)")
        return .string(out.path)
    })
}
