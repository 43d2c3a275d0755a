// Which target cells a person should label: propose_labels runs the run's network over the target lab (its
// evaluation pipeline, features kept), chooses the images with a LabelProposal strategy, and writes what a person
// needs: a CSV template `image,label` with the labels empty, and a montage of the cells, large and numbered, each
// captioned with its file name.
import Foundation
import SmearData
import SmearLang
import SmearMetrics
import SmearPlot
import SmearTensor
import SmearTrain

func registerProposalLibrary(_ i: Interpreter) {
    i.register(Builtin("propose_labels", "propose_labels(run, target, k=20, strategy=\"clue\", seed=0, labelled=nil, template=nil, name=nil)",
                       help: "The k target images a person should label, chosen from the run's features and predictions on the target lab:\n"
                           + "clue (entropy-weighted k-means, the image nearest each centre), badge (k-means++ over gradient embeddings),\n"
                           + "balanced (clue within each predicted class, the k dealt over the classes the model predicts, so rare\n"
                           + "classes get cells), coreset (k-centre greedy: each next image the farthest from those chosen or labelled),\n"
                           + "margin (the k dealt over all classes, each taking the image nearest its decision boundary, smallest\n"
                           + "|p_c − max_{j≠c} p_j|: cells of a class the model does not yet predict), discover (margin, but a class none of\n"
                           + "whose cells the run was given as labelled takes its most probable cell first), entropy (the most uncertain) or random;\n"
                           + "deterministic for a seed. labelled: a list of images already labelled\n"
                           + "(never proposed again; the run's own target_labels never are either). Writes template (a CSV `image,label` with the labels empty, to fill in) and a montage\n"
                           + "of the cells (numbered, with their file names) under the plot folder. Returns the image paths.",
                       example: "cells = propose_labels(run, bccd, k=20, template=\"runs/mdd/to_label.csv\")") { a in
        let r = try runArg(a, 0, "run"), target = try datasetArg(a, 1, "target")
        let k = try a.int(2, "k", in: 1...1000), seed = try a.int(4, "seed", in: 0...Int(Int32.max))
        guard let strategy = LabelProposal.Strategy(rawValue: try a.string(3, "strategy")) else {
            throw LanguageError(.value, "propose_labels(): strategy is one of \(LabelProposal.Strategy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let already = Set(((try stringListArg(a, 5, "labelled") ?? []) + (r.trainer.data.labelledTarget?.samples.map(\.path.path) ?? []))
            .map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let e = try Evaluation.run(r.trainer.net, on: target, pipeline: r.trainer.targetPipeline(training: false), keepFeatures: true)
        guard let features = e.features else { throw LanguageError(.runtime, "propose_labels(): no features were computed") }
        let probabilities = withNoGrad { e.logits.softmax(axis: 1) }.scalars
        let taken = Set(target.samples.indices.filter { already.contains(target.samples[$0].path.standardizedFileURL.path) })
        let classes = r.trainer.data.source.classes   // the network's outputs, in order
        guard probabilities.count == target.count * classes.count else {
            throw LanguageError(.runtime, "propose_labels(): the run predicts \(probabilities.count / max(target.count, 1)) classes, its source has \(classes.count)")
        }
        var labelledPerClass = [Int](repeating: 0, count: classes.count)
        for s in try r.trainer.data.labelledTarget?.mapped(onto: classes).samples ?? [] { if let y = s.label { labelledPerClass[y] += 1 } }
        let chosen = LabelProposal.propose(strategy, features: features.contiguous().scalars, probabilities: probabilities,
                                           count: target.count, budget: k, seed: UInt64(seed), excluding: taken,
                                           labelledPerClass: labelledPerClass)
        let paths = chosen.map { target.samples[$0].path }
        if let template = try a.optionalString(6, "template") {
            let url = URL(fileURLWithPath: template)
            guard url.pathExtension.lowercased() == "csv", FileKind.of(url.path) == .missing else {
                throw LanguageError(.value, "propose_labels(): template \(template) must be a new .csv file (an existing one, filled in or not, is kept)")
            }
            try ([CSV.row(["image", "label"])] + paths.map { CSV.row([$0.path, ""]) }).joined().write(to: url, atomically: true, encoding: .utf8)
            a.interpreter.output("propose_labels: fill in the label column of \(url.path) (classes: \(target.classes.joined(separator: ", ")))")
        }
        let size = 128, columns = min(5, paths.count), pitch = Double(size + 2)
        let m = montage(try paths.map { try thumbnail($0, size: size) }, columns: columns, size: size)
        let captions = paths.enumerated().map { n, p in
            (x: (Double(n % columns) + 0.5) * pitch, y: Double(n / columns) * pitch + Double(size) - 8, text: "\(n + 1) \(p.lastPathComponent.prefix(18))")
        }
        let result = try Gnuplot.picture(m.rgb, width: m.width, height: m.height,
                                         title: "cells to label (\(strategy.rawValue), \(paths.count) of \(target.name))", captions: captions,
                                         directory: plotDirectory, name: try plotName(a, 7, default: "proposals"))
        _ = announce(result, a, show: false)
        return .list(paths.map { .string($0.path) })
    })
    i.register(Builtin("oracle_labels", "oracle_labels(template, target, path)",
                       help: "The oracle, for evaluation only: answers a template written by propose_labels from the labelled target\n"
                           + "dataset's own labels (its class folders) and writes the filled-in CSV `image,label` to path (a new .csv).\n"
                           + "A lab never has this; reports of a run trained with it should say \"oracle\". Returns path.",
                       example: "oracle_labels(\"runs/mdd/to_label.csv\", bccd, \"runs/mdd/oracle_labels.csv\")") { a in
        let template = URL(fileURLWithPath: try a.string(0, "template")), target = try datasetArg(a, 1, "target")
        let out = URL(fileURLWithPath: try a.string(2, "path"))
        guard target.isLabelled else { throw LanguageError(.value, "oracle_labels(): the target \(target.name) has no labels to answer with") }
        guard out.pathExtension.lowercased() == "csv", FileKind.of(out.path) == .missing else {
            throw LanguageError(.value, "oracle_labels(): path \(out.path) must be a new .csv file")
        }
        let cells = try ImageDataset.list(template).samples.map(\.path)   // the image-list reader; the labels are empty
        var labelOf: [String: String] = [:]
        for s in target.samples { labelOf[s.path.standardizedFileURL.path] = s.label.map { target.classes[$0] } }
        let rows = try cells.map { cell -> String in
            guard let label = labelOf[cell.standardizedFileURL.path] else {
                throw LanguageError(.value, "oracle_labels(): \(cell.path) in \(template.path) is not an image of \(target.name)")
            }
            return CSV.row([cell.path, label])
        }
        try ([CSV.row(["image", "label"])] + rows).joined().write(to: out, atomically: true, encoding: .utf8)
        return .string(out.path)
    })
}
