// Plot builtins: training curves, confusion matrices and class counts through gnuplot.
import Foundation
import SmearAdapt
import SmearLang
import SmearPlot

/// Where plots go: $SMEAR_PLOTS, else plots/out in the current folder.
var plotDirectory: URL {
    URL(fileURLWithPath: ProcessInfo.processInfo.environment["SMEAR_PLOTS"] ?? "plots/out")
}

func announce(_ r: PlotResult, _ a: Arguments, show: Bool) -> Value {
    if let ascii = r.ascii, show { a.interpreter.output(ascii) }
    if let png = r.png { a.interpreter.output("plot: \(png.path) (data \(r.dataFile.lastPathComponent), script \(r.scriptFile.lastPathComponent))") }
    if let problem = r.problem { a.interpreter.output("plot: " + problem) }
    return .string(r.png?.path ?? r.scriptFile.path)
}

func registerPlotLibrary(_ i: Interpreter) {
    i.register(Builtin("plot", "plot(run, what=\"loss\", show=false, name=nil)",
                       help: "Plots a run's history per epoch: \"loss\" (classification and transfer), \"criteria\" (target SND and entropy),\n\"f1\" (source validation and target F1). Writes a PNG under plots/out (with its .dat and .gp); show=true also draws it in the terminal.",
                       example: "plot(run, \"loss\", show=true)") { a in
        try a.checkKeywords(["run", "what", "show", "name"])
        let r = try runArg(a, 0, "run")
        let what = try a.string(1, "what", default: "loss")
        let h = r.trainer.history
        guard !h.isEmpty else { throw LanguageError(.value, "plot(): the run has no completed epoch yet") }
        let x = h.map { Double($0.epoch) }
        let series: [Series], ylabel: String
        switch what {
        case "loss":
            series = [Series("classification", Array(zip(x, h.map(\.classificationLoss)))), Series("transfer", Array(zip(x, h.map(\.transferLoss))))]
            ylabel = "loss"
        case "criteria":
            series = [Series("target SND", Array(zip(x, h.map(\.targetSND)))), Series("target entropy", Array(zip(x, h.map(\.targetEntropy))))]
            ylabel = "value"
        case "f1":
            var s = [Series("source validation macro F1", zip(x, h).compactMap { e, r in r.sourceMacroF1.map { (e, $0) } })]
            if h.contains(where: { $0.targetMacroF1 != nil }) {
                s.append(Series("target macro F1 (reported only)", zip(x, h).compactMap { e, r in r.targetMacroF1.map { (e, $0) } }))
            }
            series = s; ylabel = "macro F1"
        default:
            throw LanguageError(.value, "plot(): what is \"loss\", \"criteria\" or \"f1\", got \"\(what)\"",
                                hint: closestName(to: what, in: ["loss", "criteria", "f1"]).map { "did you mean \"\($0)\"?" })
        }
        let name = try a.string(3, "name", default: "\(r.trainer.method.name)-\(what)")
        let result = try Gnuplot.lines(series, title: "\(r.trainer.method.name): \(r.sourceName) → \(r.targetName)", xlabel: "epoch",
                                       ylabel: ylabel, directory: plotDirectory, name: name, ascii: try a.bool(2, "show", default: false))
        return announce(result, a, show: try a.bool(2, "show", default: false))
    })
    i.register(Builtin("plot_confusion", "plot_confusion(report, show=false, name=\"confusion\")",
                       help: "A heatmap of the row-normalised confusion matrix of a labelled report.", example: "plot_confusion(evaluate(run, bccd))") { a in
        let rep = try a.object(0, "report", as: ReportObject.self, typeName: "report")
        guard let m = rep.evaluation.confusion else { throw LanguageError(.value, "plot_confusion(): the dataset has no labels") }
        let result = try Gnuplot.heatmap(m.rowNormalized, rowLabels: rep.evaluation.classes, columnLabels: rep.evaluation.classes,
                                         title: rep.title, directory: plotDirectory, name: try a.string(2, "name", default: "confusion"),
                                         ascii: try a.bool(1, "show", default: false))
        return announce(result, a, show: try a.bool(1, "show", default: false))
    })
    i.register(Builtin("plot_counts", "plot_counts(dataset, show=false, name=nil)", help: "Bars of a dataset's images per class.",
                       example: "plot_counts(pbc, show=true)") { a in
        let d = try datasetArg(a, 0, "dataset")
        let result = try Gnuplot.bars(d.classCounts.map(Double.init), labels: d.classes, title: "\(d.name): images per class", ylabel: "images",
                                      directory: plotDirectory, name: try a.string(2, "name", default: "counts-\(d.name)"),
                                      ascii: try a.bool(1, "show", default: false))
        return announce(result, a, show: try a.bool(1, "show", default: false))
    })
}
