// Pictures of the data and of the features: cell montages per lab and class, the misclassified cells of a
// report, a 2-D map of a run's features by domain and class, and the proxy A-distance between two labs.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearLang
import SmearMetrics
import SmearPlot
import SmearTensor

/// A `size`×`size` RGB thumbnail of an image file: the centred square of its shorter side, resized.
func thumbnail(_ url: URL, size: Int) throws -> [UInt8] {
    var image = FloatImage(try JPEG.decode(url) { w, h in JPEG.scaleDenominator(side: min(w, h), minimumSide: size) }.image)
    let s = min(image.width, image.height)
    image = image.cropped(x0: (image.width - s) / 2, y0: (image.height - s) / 2, w: s, h: s).resized(w: size, h: size)
    return image.data.map { UInt8(min(255, max(0, ($0 * 255).rounded()))) }
}

/// Cells laid out in a grid of `columns`; returns the RGB bytes, width and height (2 px white gaps).
func montage(_ cells: [[UInt8]?], columns: Int, size: Int) -> (rgb: [UInt8], width: Int, height: Int) {
    let rows = max(1, (cells.count + columns - 1) / columns), pitch = size + 2
    let (w, h) = (columns * pitch, rows * pitch)
    var rgb = [UInt8](repeating: 255, count: w * h * 3)
    for (k, cell) in cells.enumerated() {
        guard let cell else { continue }
        let (x0, y0) = ((k % columns) * pitch, (k / columns) * pitch)
        for y in 0..<size { for x in 0..<size { for c in 0..<3 { rgb[((y0 + y) * w + x0 + x) * 3 + c] = cell[(y * size + x) * 3 + c] } } }
    }
    return (rgb, w, h)
}

/// Up to `n` samples of a dataset, evenly spaced (deterministic).
func evenlySpaced(_ d: ImageDataset, _ n: Int) -> ImageDataset {
    let step = max(1, d.count / max(1, n))
    return ImageDataset(name: d.name, samples: Swift.stride(from: 0, to: d.count, by: step).prefix(n).map { d.samples[$0] }, classes: d.classes)
}

func registerPictureLibrary(_ i: Interpreter) {
    i.register(Builtin("plot_samples", "plot_samples(datasets, per_class=6, size=64, name=nil)",
                       help: "A montage of cells: one row per class, per_class cells of each lab side by side (a dataset or a list\nof datasets with the same classes), to see the shift between labs.",
                       example: "plot_samples([pbc, bccd], per_class=6)") { a in
        let sets: [ImageDataset]
        if case .list(let items)? = a.value(0, "datasets") {
            sets = try items.map { v -> ImageDataset in
                guard case .object(let o) = v, let d = o as? DatasetObject else { throw LanguageError(.type, "plot_samples(): datasets must be datasets") }
                return d.dataset
            }
        } else { sets = [try datasetArg(a, 0, "datasets")] }
        let perClass = try a.int(1, "per_class", in: 1...20), size = try a.int(2, "size", in: 16...256)
        guard let classes = sets.first?.classes, !classes.isEmpty else { throw LanguageError(.value, "plot_samples(): no labelled dataset") }
        var cells: [[UInt8]?] = []
        for c in classes.indices {
            for d in sets {
                let members = d.samples.filter { $0.label == c }
                let step = max(1, members.count / perClass)
                let picks = Swift.stride(from: 0, to: members.count, by: step).prefix(perClass).map { members[$0].path }
                cells += try picks.map { try thumbnail($0, size: size) } + Array(repeating: nil, count: perClass - picks.count)
            }
        }
        let m = montage(cells, columns: perClass * sets.count, size: size)
        let pitch = Double(size + 2)
        let result = try Gnuplot.picture(m.rgb, width: m.width, height: m.height, title: "cells per class: " + sets.map(\.name).joined(separator: " | "),
                                         columnHeadings: sets.enumerated().map { (x: (Double($0.offset * perClass) + Double(perClass) / 2) * pitch, text: $0.element.name) },
                                         rowHeadings: classes.enumerated().map { (y: (Double($0.offset) + 0.5) * pitch, text: $0.element) },
                                         directory: plotDirectory, name: try plotName(a, 3, default: "samples-" + sets.map(\.name).joined(separator: "-")))
        return announce(result, a, show: false)
    })
    i.register(Builtin("plot_errors", "plot_errors(report, n=24, size=64, name=nil)",
                       help: "The misclassified cells of a labelled report (first n in dataset order), each captioned true → predicted.",
                       example: "plot_errors(evaluate(run, bccd))") { a in
        let rep = try a.object(0, "report", as: ReportObject.self, typeName: "report")
        let e = rep.evaluation
        guard e.hasLabels else { throw LanguageError(.value, "plot_errors(): the report's dataset has no labels") }
        let n = try a.int(1, "n", in: 1...400), size = try a.int(2, "size", in: 16...256)
        let predictions = e.predictions
        let wrong = e.samples.indices.filter { e.labels[$0] != predictions[$0] }.prefix(n)
        guard !wrong.isEmpty else { a.interpreter.output("plot_errors(): no misclassified cells"); return .none }
        let columns = min(8, wrong.count), pitch = Double(size + 2)
        let m = montage(try wrong.map { try thumbnail(e.samples[$0].path, size: size) }, columns: columns, size: size)
        let captions = wrong.enumerated().map { k, i in
            (x: (Double(k % columns) + 0.5) * pitch, y: Double(k / columns) * pitch + Double(size) - 6,
             text: "\(e.classes[e.labels[i] ?? 0].prefix(4))→\(e.classes[predictions[i]].prefix(4))")
        }
        let result = try Gnuplot.picture(m.rgb, width: m.width, height: m.height, title: "misclassified (true→predicted): " + rep.title,
                                         captions: captions, directory: plotDirectory, name: try plotName(a, 3, default: "errors"))
        return announce(result, a, show: false)
    })
    registerFeaturePictures(i)
}

/// What the network learnt: feature maps and the A-distance between labs.
func registerFeaturePictures(_ i: Interpreter) {
    i.register(Builtin("plot_features", "plot_features(run, source, target, n=400, name=nil)",
                       help: "A 2-D map (two leading principal components, LAPACK) of the run's bottleneck features on up to n images of\neach lab: colour by lab, point shape by class. Aligned labs overlap.",
                       example: "plot_features(run, pbc, bccd)") { a in
        let r = try runArg(a, 0, "run")
        let n = try a.int(3, "n", in: 10...5000)
        let (fs, s) = try features(r, try datasetArg(a, 1, "source"), n, source: true)
        let (ft, t) = try features(r, try datasetArg(a, 2, "target"), n, source: false)
        let f = fs.shape[1]
        let p = FeatureMap.principalComponents(fs.scalars + ft.scalars, rows: fs.shape[0] + ft.shape[0], width: f)
        let classes = r.trainer.data.source.classes, shapes = [7, 5, 9, 13, 11, 1, 2, 3]
        var groups: [(title: String, points: [(Double, Double)], colour: String, pointType: Int)] = []
        for (offset, (d, colour)) in [(s, "#2b6cb0"), (t, "#dd6b20")].enumerated() {
            for c in classes.indices {
                let rows = d.samples.indices.filter { d.samples[$0].label == c || (d.samples[$0].label == nil && c == 0) }
                let base = offset == 0 ? 0 : fs.shape[0]
                let pts = rows.map { (Double(p[base + $0][0]), Double(p[base + $0][1])) }
                if !pts.isEmpty {
                    groups.append((title: d.name + (d.samples.first?.label == nil ? "" : ": " + classes[c]), points: pts, colour: colour, pointType: shapes[c % shapes.count]))
                }
            }
        }
        let distance = FeatureMap.proxyADistance(fs, ft)
        let result = try Gnuplot.scatter(groups, title: String(format: "features of %@ (proxy A-distance %.2f)", r.trainer.directory.lastPathComponent, distance),
                                         xlabel: "principal component 1", ylabel: "principal component 2", directory: plotDirectory,
                                         name: try plotName(a, 4, default: r.trainer.directory.lastPathComponent + "-features"))
        return announce(result, a, show: false)
    })
    i.register(Builtin("a_distance", "a_distance(run, source, target, n=1000)",
                       help: "Proxy A-distance between two labs in the run's feature space (tllib's): 2(1 − 2ε), ε the held-out error of a\nlinear domain classifier; 0 means indistinguishable, 2 perfectly separable.",
                       example: "a_distance(run, pbc, bccd)") { a in
        let r = try runArg(a, 0, "run")
        let n = try a.int(3, "n", in: 10...20_000)
        let fs = try features(r, try datasetArg(a, 1, "source"), n, source: true).0
        let ft = try features(r, try datasetArg(a, 2, "target"), n, source: false).0
        return .number(FeatureMap.proxyADistance(fs, ft))
    })
}

/// Bottleneck features [N, F] of up to n images of a dataset, through the run's evaluation pipeline.
func features(_ r: RunObject, _ d: ImageDataset, _ n: Int, source: Bool) throws -> (Tensor, ImageDataset) {
    let subset = evenlySpaced(d, n)
    let pipeline = source ? r.trainer.sourcePipeline(training: false) : r.trainer.targetPipeline(training: false)
    let e = try Evaluation.run(r.trainer.net, on: subset, pipeline: pipeline, keepFeatures: true)
    guard let f = e.features else { throw LanguageError(.runtime, "no features were computed") }
    return (f, subset)
}

func registerResultsPlot(_ i: Interpreter) {
    i.register(Builtin("write_result", "write_result(path, record)",
                       help: "Writes a run's result.json: the record must hold target (the lab; its folder name is kept), method and\n"
                           + "macro_f1_present (nil without target labels), and may hold setting, seed, macro_f1_present_adabn and any\n"
                           + "fields of the script's own; the record's version is added, and machine: the CPU model, its vector units and\n"
                           + "cores, the threads, back end and OpenBLAS kernel that computed it (results repeat bit for bit only on the same).\n"
                           + "plot_results and the table makers read these files.",
                       example: "write_result(out + \"/result.json\", {target: \"bccd\", method: \"mdd\", seed: 0, macro_f1_present: r.macro_f1_present})") { a in
        let path = try a.string(0, "path")
        guard case .record(var fields) = try a.required(1, "record") else {
            throw LanguageError(.type, "write_result(): the record must be a record {target: …, method: …, macro_f1_present: …}")
        }
        let names = fields.map(\.0)
        let missing = ResultRecord.requiredFields.filter { !names.contains($0) }
        guard missing.isEmpty else { throw LanguageError(.value, "write_result(): the record lacks \(missing.joined(separator: ", "))") }
        func field(_ n: String) -> Value? { fields.first { $0.0 == n }?.1 }
        guard case .string(let target)? = field("target"), case .string? = field("method") else {
            throw LanguageError(.type, "write_result(): target and method must be strings")
        }
        switch field("macro_f1_present") {
        case .number?, .none?: break
        default: throw LanguageError(.type, "write_result(): macro_f1_present must be a number, or nil for a target without labels")
        }
        fields = fields.filter { !["version", "target", "machine"].contains($0.0) }
        fields.insert(("target", .string(URL(fileURLWithPath: target).lastPathComponent)), at: 0)
        fields.insert(("version", .number(Double(ResultRecord.currentVersion))), at: 0)
        if let machine = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(MachineRecord.current)) {
            fields.append(("machine", fromJSON(machine)))
        }
        let text = try jsonText(.record(fields))
        guard ResultRecord.read(Data(text.utf8)) != nil else {
            throw LanguageError(.type, "write_result(): setting must be a string, seed a whole number, macro_f1_present_adabn a number or nil")
        }
        do { try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8) }
        catch { throw LanguageError(.io, a.interpreter.describeError(error)) }
        return .string(path)
    })
    i.register(Builtin("plot_results", "plot_results(folder, name=nil)",
                       help: "Bars of target macro F1 (classes in the labels) per target lab and method, mean ± standard deviation over\nthe seeds, from every result.json under a results folder (scripts/adapt's and the experiment grid's).",
                       example: "plot_results(\"results/article\")") { a in
        let folder = try a.string(0, "folder")
        var cells: [String: [String: [Double]]] = [:]   // target → method → values
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw LanguageError(.io, "plot_results(): cannot read the folder \(folder)")
        }
        for case let rel as String in walker where (rel as NSString).lastPathComponent == "result.json" {
            guard let data = FileManager.default.contents(atPath: folder + "/" + rel), let r = ResultRecord.read(data),
                  let f1 = r.macroF1Present else { continue }
            cells[r.target, default: [:]][r.label, default: []].append(f1)
        }
        guard !cells.isEmpty else { throw LanguageError(.value, "plot_results(): no result.json with a target F1 under \(folder)") }
        let targets = cells.keys.sorted(), methods = Set(cells.values.flatMap(\.keys)).sorted()
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        func std(_ v: [Double]) -> Double { v.count < 2 ? 0 : (v.map { ($0 - mean(v)) * ($0 - mean(v)) }.reduce(0, +) / Double(v.count - 1)).squareRoot() }
        let series = methods.map { m in
            (title: m, means: targets.map { cells[$0]?[m].map(mean) }, stds: targets.map { cells[$0]?[m].map(std) })
        }
        let stem = "results-" + (folder as NSString).lastPathComponent
        let result = try Gnuplot.groupedBars(groups: targets, series: series, title: "target macro F1 (mean ± sd over seeds): \(folder)",
                                             ylabel: "macro F1", directory: plotDirectory, name: try plotName(a, 1, default: stem))
        return announce(result, a, show: false)
    })
}
