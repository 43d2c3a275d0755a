// Plot builtins: training curves, confusion matrices and class counts through gnuplot.
import Foundation
import SmearAdapt
import SmearTrain
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
    i.register(Builtin("plot", "plot(run_or_runs, what=\"loss\", show=false, name=nil)",
                       help: "Plots runs' histories per epoch: \"loss\" (classification, left axis; transfer, right axis; per epoch and per step,\nsmoothed), \"criteria\"\n(target SND, left; entropy, IM and DEV, right), \"f1\" (source validation and target F1, with a marker at the epoch\neach label-free criterion chose). A list of runs overlays them, one colour per run, for comparing methods.\nWrites a PNG under plots/out (with its .dat and .gp), named after the run folder and never over an older plot\nunless name= is given; show=true also draws it in the terminal.",
                       example: "plot(run, \"loss\", show=true)\nplot([source_only_run, mdd_run, dann_run], \"f1\")") { a in
        let runs = try runListArg(a, 0, "run_or_runs")
        let what = try a.string(1, "what")
        guard ["loss", "criteria", "f1"].contains(what) else {
            throw LanguageError(.value, "plot(): what is \"loss\", \"criteria\" or \"f1\", got \"\(what)\"",
                                hint: closestName(to: what, in: ["loss", "criteria", "f1"]).map { "did you mean \"\($0)\"?" })
        }
        for r in runs where r.trainer.history.isEmpty {
            throw LanguageError(.value, "plot(): the run in \(r.trainer.directory.path) has no completed epoch yet")
        }
        var series: [Series] = [], markers: [Marker] = []
        for r in runs {
            let label = runs.count > 1 ? r.trainer.method.name + " (" + r.trainer.directory.lastPathComponent + "): " : ""
            series += curves(r.trainer.history, what, label: label)
            if runs.count == 1 && what == "f1" { markers = chosenEpochs(r.trainer.history) }
        }
        let (ylabel, y2label): (String, String?) = what == "loss" ? ("classification loss", "transfer loss")
            : what == "criteria" ? ("target SND", "entropy, IM, DEV") : ("macro F1", nil)
        let first = runs[0]
        let title = runs.count == 1 ? "\(first.trainer.method.name): \(first.sourceName) → \(first.targetName)"
            : "\(runs.count) runs: \(first.sourceName) → \(first.targetName)"
        let name = try plotName(a, 3, default: (runs.count == 1 ? first.trainer.directory.lastPathComponent : "compare") + "-" + what)
        let show = try a.bool(2, "show")
        let result = try Gnuplot.lines(series, title: title, xlabel: "epoch", ylabel: ylabel, y2label: y2label, markers: markers,
                                       integerX: true, yRange: what == "f1" ? 0...1 : nil, directory: plotDirectory, name: name, ascii: show)
        return announce(result, a, show: show)
    })
    i.register(Builtin("plot_confusion", "plot_confusion(report, show=false, name=nil)",
                       help: "A heatmap of the row-normalised confusion matrix of a labelled report.", example: "plot_confusion(evaluate(run, bccd))") { a in
        let rep = try a.object(0, "report", as: ReportObject.self, typeName: "report")
        guard let m = rep.evaluation.confusion else { throw LanguageError(.value, "plot_confusion(): the dataset has no labels") }
        let result = try Gnuplot.heatmap(m.rowNormalized, rowLabels: rep.evaluation.classes, columnLabels: rep.evaluation.classes,
                                         title: rep.title, directory: plotDirectory, name: try plotName(a, 2, default: "confusion"),
                                         ascii: try a.bool(1, "show"))
        return announce(result, a, show: try a.bool(1, "show"))
    })
    i.register(Builtin("plot_counts", "plot_counts(dataset, show=false, name=nil)", help: "Bars of a dataset's images per class.",
                       example: "plot_counts(pbc, show=true)") { a in
        let d = try datasetArg(a, 0, "dataset")
        let result = try Gnuplot.bars(d.classCounts.map(Double.init), labels: d.classes, title: "\(d.name): images per class", ylabel: "images",
                                      directory: plotDirectory, name: try plotName(a, 2, default: "counts-\(d.name)"),
                                      ascii: try a.bool(1, "show"))
        return announce(result, a, show: try a.bool(1, "show"))
    })
}

/// One run or a list of runs.
func runListArg(_ a: Arguments, _ index: Int, _ name: String) throws -> [RunObject] {
    let v = try a.required(index, name)
    if case .list(let items) = v {
        let runs = items.compactMap { item -> RunObject? in if case .object(let o) = item { return o as? RunObject }; return nil }
        guard runs.count == items.count, !runs.isEmpty else { throw LanguageError(.type, "\(a.function)(): \(name) must be a run or a list of runs") }
        return runs
    }
    return [try runArg(a, index, name)]
}

/// The plot's name: given (validated: a file name, no folders), or `stem` made safe and not yet used.
func plotName(_ a: Arguments, _ index: Int, default stem: String) throws -> String {
    if let given = a.value(index, "name"), case .string(let name) = given {
        guard PlotName.isValid(name) else {
            throw LanguageError(.value, "\(a.function)(): name \"\(name)\" is not a plain file name", hint: "use letters, digits, '.', '-' and '_'; plots go to \(plotDirectory.path)")
        }
        return name
    }
    let safe = String(stem.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) ? Character($0) : "_" })
    return PlotName.unused(safe.hasPrefix(".") ? "_" + safe.dropFirst() : safe, in: plotDirectory)
}

/// The curves of one kind from a history; `label` prefixes their titles (a run's name, in comparisons).
func curves(_ h: [EpochRecord], _ what: String, label: String) -> [Series] {
    let x = h.map { Double($0.epoch) }
    func curve(_ title: String, _ values: [Double?], right: Bool = false) -> Series? {
        let points = zip(x, values).compactMap { e, v in v.map { (e, $0) } }
        return points.isEmpty ? nil : Series(label + title, points, rightAxis: right)
    }
    switch what {
    case "loss":
        var series = [curve("classification (epoch mean)", h.map(\.classificationLoss)),
                      curve("transfer (epoch mean)", h.map(\.transferLoss), right: true)].compactMap { $0 }
        // Every step, smoothed (exponential moving average, 0.9), where the history has them.
        let steps = h.flatMap { r in (r.stepLosses ?? []).enumerated().map { (Double(r.epoch - 1) + Double($0.offset + 1) / Double(r.stepLosses!.count), $0.element) } }
        if !steps.isEmpty {
            for (k, title) in [(0, "classification, per step (smoothed)"), (1, "transfer, per step (smoothed)")] {
                var average = steps[0].1[k], points: [(Double, Double)] = []
                for (x, v) in steps { average = 0.9 * average + 0.1 * v[k]; points.append((x, average)) }
                series.append(Series(label + title, points, rightAxis: k == 1, withPoints: false))
            }
        }
        return series
    case "criteria":
        return [curve("target SND", h.map(\.targetSND)), curve("target entropy", h.map(\.targetEntropy), right: true),
                curve("target IM", h.map(\.targetIM), right: true), curve("DEV", h.map(\.targetDEV), right: true)].compactMap { $0 }
    default:
        return [curve("source validation", h.map(\.sourceMacroF1)), curve("target (reported only)", h.map(\.targetMacroF1Present))].compactMap { $0 }
    }
}

/// The epoch whose checkpoint each criterion kept: the trainer's own rule (with its collapse guard)
/// replayed over the history.
func chosenEpochs(_ h: [EpochRecord]) -> [Marker] {
    var best: [String: Double] = [:], chosen: [SelectionCriterion: Int] = [:]
    for r in h { for c in SelectionCriterion.improvements(r, best: &best) { chosen[c] = r.epoch } }
    return SelectionCriterion.tracked.compactMap { c in chosen[c].map { Marker(x: Double($0), label: c.label) } }
}

extension SelectionCriterion {
    /// The name on a plot.
    var label: String {
        switch self {
        case .latest: return "latest"
        case .average: return "average"
        case .snd: return "SND"
        case .entropy: return "entropy"
        case .im: return "IM"
        case .dev: return "DEV"
        case .sourceF1: return "source F1"
        }
    }
}
