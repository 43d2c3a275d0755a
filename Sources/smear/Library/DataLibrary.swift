// Dataset builtins: class folders, image lists, unlabelled folders, splits, statistics.
import Foundation
import SmearData
import SmearLang

func datasetArg(_ a: Arguments, _ i: Int?, _ name: String) throws -> ImageDataset {
    try a.object(i, name, as: DatasetObject.self, typeName: "dataset").dataset
}

func stringListArg(_ a: Arguments, _ i: Int?, _ name: String) throws -> [String]? {
    guard let v = a.value(i, name) else { return nil }
    guard case .list(let items) = v else { throw LanguageError(.type, "\(a.function)(): '\(name)' must be a list of names") }
    return try items.map { x in
        guard case .string(let s) = x else { throw LanguageError(.type, "\(a.function)(): '\(name)' must contain strings, got \(x.typeName)") }
        return s
    }
}

func registerDataLibrary(_ i: Interpreter) {
    i.register(Builtin("dataset", "dataset(path, classes=nil, only=nil, name=nil)",
                       help: "A labelled image folder with one subfolder per class. `classes` fixes the vocabulary (index order) so that\nlabs with different folders share indices; `only` keeps a subset.",
                       example: "pbc = dataset(\"data/sample/pbc_barcelona\", only=[\"lymphocyte\", \"monocyte\"])") { a in
        let path = try a.string(0, "path")
        return .object(DatasetObject(try ImageDataset.folder(URL(fileURLWithPath: path), name: a.value(3, "name").map(\.description),
                                                             classes: try stringListArg(a, 1, "classes"), only: try stringListArg(a, 2, "only"))))
    })
    i.register(Builtin("image_list", "image_list(path, classes=nil)",
                       help: "A dataset from a CSV (path,label columns) or a tllib-style list of `path label` lines; paths relative to the list.",
                       example: "wbc = image_list(\"lists/metadata.csv\", classes=pbc.classes)") { a in
        .object(DatasetObject(try ImageDataset.list(URL(fileURLWithPath: try a.string(0, "path")), classes: try stringListArg(a, 1, "classes"))))
    })
    i.register(Builtin("unlabeled", "unlabeled(path, classes=[])", help: "An unlabelled folder of images (searched recursively), e.g. an adaptation target.",
                       example: "target = unlabeled(\"data/sample/bccd\")") { a in
        .object(DatasetObject(try ImageDataset.unlabeled(URL(fileURLWithPath: try a.string(0, "path")), classes: try stringListArg(a, 1, "classes") ?? [])))
    })
    i.register(Builtin("split", "split(dataset, fraction, seed=1)", help: "Splits once, stratified by class: [fraction, 1 − fraction].",
                       example: "parts = split(pbc, 0.9)   # parts[0] train, parts[1] validation") { a in
        let f = try a.number(1, "fraction")
        guard f > 0 && f < 1 else { throw LanguageError(.value, "split(): fraction must be between 0 and 1, got \(f)") }
        let (x, y) = try datasetArg(a, 0, "dataset").split(fraction: f, seed: UInt64(try a.int(2, "seed", in: 0...Int(Int32.max))))
        return .list([.object(DatasetObject(x)), .object(DatasetObject(y))])
    })
    i.register(Builtin("combine", "combine(datasets)", help: "Several labelled sources as one; labels mapped by class name.",
                       example: "both = combine([pbc, other])") { a in
        guard case .list(let items) = try a.required(0, "datasets") else { throw LanguageError(.type, "combine() needs a list of datasets") }
        let sets = try items.map { v -> ImageDataset in
            guard case .object(let o) = v, let d = o as? DatasetObject else { throw LanguageError(.type, "combine(): \(v.typeName) is not a dataset") }
            return d.dataset
        }
        return .object(DatasetObject(ImageDataset.combined(sets)))
    })
    i.register(Builtin("subset", "subset(dataset, classes)", help: "Only the samples of these classes (indices unchanged).",
                       example: "subset(pbc, [\"lymphocyte\"])") { a in
        .object(DatasetObject(try datasetArg(a, 0, "dataset").restricted(to: try stringListArg(a, 1, "classes") ?? [])))
    })
    i.register(Builtin("stats", "stats(dataset, crop=nil)",
                       help: "Channel mean and std of the dataset's images (cached): over whole frames, or with crop=N over each image's centre\nN×N original pixels (what train(..., statistics=\"crop\") z-scores a lab with at its crop N).",
                       example: "stats(pbc, crop=200).mean") { a in
        let s = try ChannelStatistics.cached(try datasetArg(a, 0, "dataset"), crop: try a.optionalInt(1, "crop", in: 1...100_000))
        return .record([("mean", numberList(s.mean)), ("std", numberList(s.std)), ("images", .number(Double(s.images)))])
    })
    i.register(Builtin("cell_scale", "cell_scale(dataset, images=200)",
                       help: "Without labels: the median diameter of the stained nucleus at each frame's centre (found by optical density,\nso any stain), as a fraction of the frame's shorter side; the median side in pixels; images measured and missed.\nUse it with matched_crops to give two labs the same cell scale.",
                       example: "cell_scale(bccd).diameter") { a in
        let m = try CellScale.measure(try datasetArg(a, 0, "dataset"), maxImages: try a.int(1, "images", in: 1...1_000_000))
        return cellScaleRecord(m)
    })
    i.register(Builtin("matched_crops", "matched_crops(source_scale, target_scale, size=64, others=[])",
                       help: "Centre crops [source, target] (original pixels) at which both labs' nuclei cover the same fraction of the crop\n(0.52, the reference's PBC crop, or more when a lab's nuclei already fill more of its frame): zooms whichever lab\nhas the smaller cells. others: the cell scales of further labs (train's more_sources); their crops follow in the list,\nat the pair's scale (a lab's whole frame when its nuclei fill more of it).\nWarns when a crop has fewer pixels than the working size.",
                       example: "crops = matched_crops(cell_scale(pbc), cell_scale(bccd))") { a in
        let source = try cellScaleArg(a, 0, "source_scale"), target = try cellScaleArg(a, 1, "target_scale")
        let size = try a.int(2, "size", in: 32...1024)
        var others: [CellScale.Measurement] = []
        switch a.value(3, "others") {
        case nil, .some(.none): break
        case .some(.list(let items)): others = try items.map { try cellScaleValue($0, "others") }
        case .some(let v): throw LanguageError(.type, "matched_crops(): others must be a list of cell_scale() records, got a \(v.typeName)")
        }
        let pair = CellScale.matchedCrops(source: source, target: target)
        let crops = [pair.source, pair.target] + CellScale.matchedCrops(others, source: source, target: target)
        for (i, crop) in crops.enumerated() {
            let lab = i == 0 ? "source" : i == 1 ? "target" : "others[\(i - 2)]"
            if let w = CellScale.upsamplingWarning(crop: crop, workingSize: size, lab: lab) { FileHandle.standardError.write(Data(("warning: " + w + "\n").utf8)) }
        }
        return .list(crops.map { .number(Double($0)) })
    })
    i.register(Builtin("scan", "scan(dataset)", help: "Decodes every image; returns the unreadable files with their errors, and the entries not read (other files, nested folders).",
                       example: "bad = scan(pbc)") { a in
        let d = try datasetArg(a, 0, "dataset")
        return .list(d.scan().map { .record([("path", .string($0.path)), ("error", .string($0.error))]) }
            + d.skippedWithReasons.map { .record([("path", .string($0.path)), ("error", .string($0.reason))]) })
    })
}

private func cellScaleRecord(_ m: CellScale.Measurement) -> Value {
    .record([("diameter", .number(m.diameter)), ("side", .number(Double(m.side))), ("pixels", .number(m.diameterPixels)),
             ("images", .number(Double(m.images))), ("missed", .number(Double(m.missed)))])
}

private func cellScaleArg(_ a: Arguments, _ index: Int, _ name: String) throws -> CellScale.Measurement {
    try cellScaleValue(try a.required(index, name), name)
}

private func cellScaleValue(_ v: Value, _ name: String) throws -> CellScale.Measurement {
    guard case .number(let d)? = v.field("diameter"), case .number(let sideValue)? = v.field("side"), d > 0, d <= 1,
          let side = exactInteger(sideValue), side >= 1, side <= 1_000_000 else {
        throw LanguageError(.type, "matched_crops(): \(name) must be a record from cell_scale() (diameter in (0, 1], side 1 to 1,000,000 px)")
    }
    return CellScale.Measurement(diameter: d, side: side)
}
