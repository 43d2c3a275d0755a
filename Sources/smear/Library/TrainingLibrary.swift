// Models, plugins, training, evaluation and prediction builtins.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearLang
import SmearNN
import SmearTensor

func runArg(_ a: Arguments, _ i: Int?, _ name: String) throws -> RunObject {
    try a.object(i, name, as: RunObject.self, typeName: "run")
}

func registerTrainingLibrary(_ i: Interpreter) {
    i.register(Builtin("resnet18", "resnet18(classes=5, width=64, norm=\"batch\")",
                       help: "A ResNet-18 (torchvision's layout and parameter names); norm is \"batch\" or \"group\".",
                       example: "m = resnet18(classes=5, width=32, norm=\"group\")") { a in
        try a.checkKeywords(["classes", "width", "norm"])
        let norm = try a.string(2, "norm", default: "batch")
        guard norm == "batch" || norm == "group" else { throw LanguageError(.value, "resnet18(): norm is \"batch\" or \"group\", got \"\(norm)\"") }
        let m = ResNet18(numClasses: try a.int(0, "classes", default: 5), width: try a.int(1, "width", default: 64),
                         norm: norm == "batch" ? .batch : .group(maxGroups: 32))
        return .object(ModelObject(m, label: "ResNet-18 (width \(try a.int(1, "width", default: 64)), \(norm) norm)"))
    })
    i.register(Builtin("save", "save(model, path)", help: "Saves a model's parameters and buffers as safetensors (atomically).",
                       example: "save(m, \"m.safetensors\")") { a in
        let m = try a.object(0, "model", as: ModelObject.self, typeName: "model")
        let path = try a.string(1, "path")
        try m.module.save(to: URL(fileURLWithPath: path))
        return .string(path)
    })
    i.register(Builtin("load", "load(model, path)", help: "Loads a safetensors checkpoint into a model; names and shapes must match.",
                       example: "load(m, \"m.safetensors\")") { a in
        let m = try a.object(0, "model", as: ModelObject.self, typeName: "model")
        let path = try a.string(1, "path")
        do { try m.module.load(from: URL(fileURLWithPath: path)) } catch {
            // A run's checkpoint holds the whole adaptation network (backbone., bottleneck., head., method.):
            // say so, instead of a list of mismatched names.
            if let file = try? SafeTensors.read(URL(fileURLWithPath: path)), file.tensors.keys.contains(where: { $0.hasPrefix("backbone.") }) {
                throw LanguageError(.value, "load(): \(path) is a run checkpoint (backbone, bottleneck and heads), not a bare network's",
                                    hint: "reopen the whole run with open_run(\"<its folder>\") and use evaluate() / predict() on it")
            }
            throw error
        }
        return .object(m)
    })
    i.register(Builtin("plugins", "plugins()", help: "The adaptation methods available (built in and on the plugin path), with their options.",
                       example: "plugins()") { _ in
        var lines: [String] = []
        for name in ["source_only", "mdd", "dann", "entmin"] {
            if let d = try? MethodRegistry.shared.method(name) { lines.append(d.help) } else { lines.append("\(name): (plugin not found)") }
        }
        // Every plugin file on the path, loaded to read its options (files that are not plugins are left out).
        for name in MethodRegistry.availableNames where !["source_only", "mdd", "dann", "entmin"].contains(name) {
            _ = try? MethodRegistry.shared.method(name)
        }
        for name in MethodRegistry.shared.names where !["source_only", "mdd", "dann", "entmin"].contains(name) {
            if let d = MethodRegistry.shared.descriptor(name) { lines.append(d.help) }
        }
        return .string(lines.joined(separator: "\n"))
    })
    i.register(Builtin("plugin", "plugin(name, option=value, ...)", help: "Loads an adaptation method by name (a plugin file on the plugin path, or built in) with options.",
                       example: "mdd = plugin(\"mdd\", margin=4, trade_off=1)") { a in
        let d = try MethodRegistry.shared.method(try a.string(0, "name"))
        var options: [String: Double] = [:]
        for (k, v) in a.keywords {
            guard case .number(let n) = v else { throw LanguageError(.type, "plugin(): option \(k) must be a number") }
            options[k] = n
        }
        return .object(MethodObject(d, options: try d.resolve(options)))
    })
    i.register(Builtin("train", "train(source, target, method=nil, epochs=5, iters=50, batch=32, size=64, width=64, bottleneck=1024, head=1024, validation=0.1 or a dataset, out=nil, seed=1, separate=false, group_norm=false, lr=0.004, backbone_lr=0.1, source_crop=300, target_crop=288, article_eval=false, stain=nil, dihedral=false, hed_jitter=0, resume=false, overwrite=false)",
                       help: "Trains on the labelled source dataset and adapts to the target dataset (its labels, if any, are only reported).\nReturns a run; Ctrl-C stops it cleanly at the end of the current step. With resume=true, continues the run in `out`.\nlr follows the article code's inverse decay; backbone_lr is the backbone's multiplier (0.1 for a pretrained backbone;\n1 suits training from scratch). Evaluation crops the centre at the training crop's scale (224 original px), or with\narticle_eval=true at the full source/target crop as the article's code does. stain=\"reinhard\" moves the target lab's colours\nto the source lab's (Reinhard transfer in L*a*b*, from both labs' pixel statistics; no labels used); stain=\"macenko\"\nre-expresses them with the source lab's two stain vectors (Macenko, optical density); stain=\"reinhard_image\" moves\nevery image of both labs, measured on its own crop, onto the source lab's L*a*b* statistics. dihedral=true adds\nthe 8 exact orientations (flips and quarter turns) to the training augmentations. hed_jitter=σ adds stain\naugmentation (H, E, D channels scaled by U[1-σ, 1+σ] and shifted by U[-σ, σ], p = 0.5; 0.05 is Tellez's light setting).",
                       example: "run = train(pbc, bccd, method=plugin(\"mdd\"), epochs=3, iters=20, width=16, out=\"runs/mdd\")") { a in
        let allowed = ["source", "target", "method", "epochs", "iters", "batch", "size", "width", "bottleneck", "head", "validation", "out",
                       "seed", "separate", "group_norm", "lr", "backbone_lr", "source_crop", "target_crop", "article_eval", "stain", "dihedral", "hed_jitter", "resume", "overwrite"]
        try a.checkKeywords(allowed)
        let source = try datasetArg(a, 0, "source"), target = try datasetArg(a, 1, "target")
        guard source.isLabelled else { throw LanguageError(.value, "train(): the source dataset must be labelled") }
        var method: AdaptationMethod = SourceOnly()
        switch a.value(2, "method") {
        case nil, .some(.none): break
        case .some(.object(let o as MethodObject)): method = try o.descriptor.make(o.options)
        case .some(let v): throw LanguageError(.type, "train(): method must come from plugin(\"name\"), got a \(v.typeName)")
        }
        let c = try trainingConfig(a, classes: source.classes.count)
        // validation: a fraction of the source held out (default 0.1), or a dataset given explicitly.
        var trainSet = source, validation: ImageDataset? = nil
        switch a.value(nil, "validation") {
        case .some(.object(let o as DatasetObject)): validation = o.dataset
        case .some(.number(let f)) where f > 0 && f < 1:
            (trainSet, validation) = source.split(fraction: 1 - f, seed: c.seed)
            guard validation?.count ?? 0 > 0, trainSet.count > 0 else {
                throw LanguageError(.value, "train(): validation=\(f) leaves \(trainSet.count) training and \(validation?.count ?? 0) validation images")
            }
        case .some(.number(0)): break
        case nil: let parts = source.split(fraction: 0.9, seed: c.seed); trainSet = parts.0; validation = parts.1
        case .some(let v): throw LanguageError(.value, "train(): validation is a fraction in [0, 1) or a dataset, got \(v)")
        }
        if target.isLabelled && !target.classes.isEmpty && target.classes != source.classes {
            throw LanguageError(.value, "train(): the target's classes \(target.classes) differ from the source's \(source.classes)",
                                hint: "load both with the same classes=[...] so that label indices agree")
        }
        let targetSet = target.classes.isEmpty ? ImageDataset(name: target.name, samples: target.samples, classes: source.classes) : target
        let data = RunData(source: trainSet, sourceValidation: validation, target: targetSet,
                           sourceStatistics: try ChannelStatistics.cached(source), targetStatistics: try ChannelStatistics.cached(target))
        for (set, role) in [(trainSet, "source"), (targetSet, "target")] where set.count < c.batchSize {
            throw LanguageError(.value, "train(): batch=\(c.batchSize) is more than the \(set.count) \(role) images", hint: "use a smaller batch")
        }
        let out = URL(fileURLWithPath: try a.string(nil, "out", default: "runs/\(method.name)-\(Int(Date().timeIntervalSince1970))"))
        let resume = try a.bool(nil, "resume", default: false), overwrite = try a.bool(nil, "overwrite", default: false)
        if RunFolder.holdsRun(out) && !resume {
            guard overwrite else {
                throw LanguageError(.value, "train(): \(out.path) already holds a run", hint: "continue it with resume=true, replace it with overwrite=true, or choose another out=")
            }
            try RunFolder.clear(out)
        }
        let trainer = try Trainer(config: c, method: method, data: data, directory: out)
        if resume, try trainer.resume() {
            a.interpreter.output("resumed after epoch \(trainer.completedEpochs) from \(out.path)")
        }
        Interrupt.reset()
        trainer.shouldStop = { Interrupt.requested }
        let run = RunObject(trainer, source: source.name, target: target.name)
        let finished = try trainer.run()
        if !finished { a.interpreter.output("run interrupted after epoch \(trainer.completedEpochs); continue it with resume(<run>), <run> being the variable you assign train()'s result to") }
        return .object(run)
    })
    i.register(Builtin("open_run", "open_run(folder)",
                       help: "Reopens a run from its folder (written by train() or smear train): settings, datasets, history and the latest\ncheckpoint, ready for evaluate, predict, plot or resume.",
                       example: "run = open_run(\"runs/mdd\")\nplot(run, \"f1\")") { a in
        let folder = URL(fileURLWithPath: try a.string(0, "folder"))
        let trainer = try RunRecord.open(folder)
        return .object(RunObject(trainer, source: trainer.data.source.name, target: trainer.data.target.name))
    })
    i.register(Builtin("resume", "resume(run, epochs=nil)", help: "Continues a run (after Ctrl-C, or with more epochs).", example: "resume(run)") { a in
        let r = try runArg(a, 0, "run")
        if a.value(1, "epochs") != nil {
            let epochs = try a.int(1, "epochs", in: r.trainer.completedEpochs...100_000, why: "a run can grow, not shrink")
            var config = r.trainer.config
            config.epochs = epochs
            r.trainer = try Trainer(config: config, method: r.trainer.method, data: r.trainer.data, directory: r.trainer.directory)
        }
        Interrupt.reset()
        // From the last saved epoch with its optimizer state, not from the weights in memory (an interrupted
        // epoch's steps, or a checkpoint loaded by evaluate, would otherwise be trained on again).
        guard try r.trainer.resume() else { throw LanguageError(.value, "resume(): \(r.trainer.directory.path) has no checkpoint yet; call train() again") }
        try r.trainer.run()
        return .object(r)
    })
    i.register(Builtin("evaluate", "evaluate(run, dataset, checkpoint=\"latest\", adabn=false)",
                       help: "Evaluates a run's checkpoint (latest, the default; snd, entropy, im, dev, source_f1, or \"current\") on a dataset: a report with\nF1 and the confusion matrix when the dataset is labelled, and the label-free criteria. adabn=true first recomputes\nthe batch-norm statistics over the dataset (AdaBN, no labels used) and puts them back afterwards.",
                       example: "r = evaluate(run, bccd)\nr = evaluate(run, bccd, checkpoint=\"latest\", adabn=true)") { a in
        let r = try runArg(a, 0, "run"), ds = try datasetArg(a, 1, "dataset")
        let checkpoint = try a.string(2, "checkpoint", default: SelectionCriterion.default.rawValue)
        let adabn = try a.bool(3, "adabn", default: false)
        try loadCheckpoint(r, checkpoint)
        let e = try Evaluation.run(r.trainer.net, on: ds, pipeline: r.trainer.targetPipelineFor(ds), adaptBatchNorm: adabn)
        return .object(ReportObject(e, title: "\(r.trainer.method.name) on \(ds.name), checkpoint \(checkpoint)\(adabn ? " + AdaBN" : "")"))
    })
    i.register(Builtin("predict", "predict(run, dataset, path, checkpoint=\"latest\", adabn=false)",
                       help: "Writes predictions as CSV (image,label_id,label) and the class probabilities beside it; adabn as in evaluate.",
                       example: "predict(run, bccd, \"predictions.csv\")") { a in
        let r = try runArg(a, 0, "run"), ds = try datasetArg(a, 1, "dataset"), path = try a.string(2, "path")
        let checkpoint = try a.string(3, "checkpoint", default: SelectionCriterion.default.rawValue)
        let adabn = try a.bool(4, "adabn", default: false)
        try loadCheckpoint(r, checkpoint)
        try Evaluation.run(r.trainer.net, on: ds, pipeline: r.trainer.targetPipelineFor(ds), adaptBatchNorm: adabn)
            .writePredictions(to: URL(fileURLWithPath: path))
        return .string(path)
    })
    i.register(Builtin("snd", "snd(report, temperature=0.05, variant=\"original\")",
                       help: "Soft neighbourhood density of a report's predictions (higher is better); variant \"article\" is the article code's.",
                       example: "snd(r)") { a in
        let rep = try a.object(0, "report", as: ReportObject.self, typeName: "report")
        let variant = try a.string(2, "variant", default: "original")
        return .number(rep.evaluation.snd(temperature: Float(try a.number(1, "temperature", default: 0.05)),
                                          variant: variant == "article" ? .articleCode : .original))
    })
    i.register(Builtin("entropy", "entropy(report)", help: "Mean prediction entropy of a report (lower = more confident).", example: "entropy(r)") { a in
        .number(try a.object(0, "report", as: ReportObject.self, typeName: "report").evaluation.meanEntropy)
    })
    i.register(Builtin("confusion", "confusion(report, normalized=false)", help: "The confusion matrix (rows true, columns predicted).",
                       example: "confusion(r, normalized=true)") { a in
        let rep = try a.object(0, "report", as: ReportObject.self, typeName: "report")
        guard let m = rep.evaluation.confusion else { throw LanguageError(.value, "confusion(): the dataset has no labels") }
        if try a.bool(1, "normalized", default: false) { return .list(m.rowNormalized.map { .list($0.map { .number($0) }) }) }
        return .list(m.counts.map(numberList))
    })
}

extension Trainer {
    /// The evaluation pipeline for a dataset: the source's normalisation for the source, else the target's.
    func targetPipelineFor(_ ds: ImageDataset) -> ImagePipeline {
        ds.samples.first?.path == data.source.samples.first?.path ? sourcePipeline(training: false) : targetPipeline(training: false)
    }
}

/// The run settings of train()'s arguments, each checked against its range (no value a user types may reach
/// a trap: a zero width divides by zero, a negative batch allocates a negative buffer).
/// Loads a run's checkpoint by criterion name; "current" keeps the weights in memory.
func loadCheckpoint(_ r: RunObject, _ name: String) throws {
    guard name != "current" else { return }
    guard let criterion = SelectionCriterion(rawValue: name) else {
        throw LanguageError(.value, "checkpoint=\"\(name)\" is not a checkpoint; use \(SelectionCriterion.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) or \"current\"")
    }
    try r.trainer.loadSelected(criterion)
}

/// The colour normalisations by their names in the language: "reinhard", "macenko", ...
let stainNames = StainNormalization.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")

func trainingConfig(_ a: Arguments, classes: Int) throws -> TrainingConfig {
    var network = NetworkConfig(classes: classes, width: try a.int(nil, "width", default: 64, in: 1...512),
                                groupNorm: try a.bool(nil, "group_norm", default: false),
                                bottleneck: try a.int(nil, "bottleneck", default: 1024, in: 1...65_536),
                                headWidth: try a.int(nil, "head", default: 1024, in: 0...65_536))
    network.classes = classes
    var c = TrainingConfig(network: network)
    c.epochs = try a.int(nil, "epochs", default: 5, in: 1...100_000)
    c.iterationsPerEpoch = try a.int(nil, "iters", default: 50, in: 1...10_000_000)
    c.batchSize = try a.int(nil, "batch", default: 32, in: 1...4096)
    c.inputSize = try a.int(nil, "size", default: 64, in: 32...1024)
    let pixels = c.batchSize * c.inputSize * c.inputSize
    guard pixels <= 1 << 24 else {
        throw LanguageError(.value, "train(): batch × size² = \(pixels) pixels per step is more than the 16,777,216 (64 images of 512 px) that fit in memory at full width",
                            hint: "use a smaller batch or size")
    }
    c.seed = UInt64(try a.int(nil, "seed", default: 1, in: 0...Int(UInt32.max)))
    c.forwardTogether = !(try a.bool(nil, "separate", default: false))
    c.sourceCrop = try a.int(nil, "source_crop", default: 300, in: 1...100_000)
    c.targetCrop = try a.int(nil, "target_crop", default: 288, in: 1...100_000)
    c.schedule = .inverseDecay(lr: Float(try a.number(nil, "lr", default: 0.004, in: 1e-9...10)), gamma: 2e-4, decay: 0.75)
    c.backboneLRMultiplier = Float(try a.number(nil, "backbone_lr", default: 0.1, in: 0...100))
    c.evaluationMatchesTrainingScale = !(try a.bool(nil, "article_eval", default: false))
    if try a.bool(nil, "dihedral", default: false) { c.dihedral = true }
    switch a.value(nil, "stain") {
    case nil, .some(.none): break
    case .some(.string(let name)):
        guard let s = StainNormalization(rawValue: name) else {
            throw LanguageError(.value, "train(): stain=\"\(name)\" is not a colour normalisation; use \(stainNames) or nil")
        }
        c.stainNormalization = s
    case .some(let v): throw LanguageError(.type, "train(): stain must be a string (\(stainNames)) or nil, got a \(v.typeName)")
    }
    let hed = try a.number(nil, "hed_jitter", default: 0, in: 0...0.5)
    if hed > 0 { c.hedJitter = Float(hed) }
    return c
}
