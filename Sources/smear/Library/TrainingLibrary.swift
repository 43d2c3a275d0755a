// Runs: train, train_settings, open_run, resume; the arguments of train() come from RunSpec's settings.
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
    registerModelLibrary(i)
    registerEvaluationLibrary(i)
    i.register(Builtin("train", trainSignature, help: trainHelp,
                       example: "run = train(pbc, bccd, method=plugin(\"mdd\"), epochs=3, iters=20, width=16, out=\"runs/mdd\")") { a in
        let source = try datasetArg(a, 0, "source"), target = try datasetArg(a, 1, "target")
        guard source.isLabelled else { throw LanguageError(.value, "train(): the source dataset must be labelled") }
        var method: AdaptationMethod = SourceOnly()
        switch a.value(2, "method") {
        case nil, .some(.none): break
        case .some(.object(let o as MethodObject)): method = try o.descriptor.make(o.options)
        case .some(let v): throw LanguageError(.type, "train(): method must come from plugin(\"name\"), got a \(v.typeName)")
        }
        let spec = try runSpec(a)
        let c = try languageError("train") { try spec.trainingConfig(classes: source.classes.count) }
        var validation: ImageDataset? = nil
        if case .some(.object(let o as DatasetObject)) = a.value(nil, "validation") { validation = o.dataset }
        let more = try moreSourcesArg(a)
        let data: RunData
        do { data = try RunSetup.data(spec: spec, config: c, source: source, target: target, validation: validation, moreSources: more) }
        catch let e as RunSetupError { throw LanguageError(.value, "train(): \(e)") }
        if let summary = data.labelledTargetSummary { a.interpreter.output(summary) }
        let outText = try a.string(nil, "out", default: "runs/\(method.name)-\(Int(Date().timeIntervalSince1970))")
        let out: URL
        do { out = try RunFolder.validated(outText) } catch { throw LanguageError(.value, "\(a.function)(): out: \(error)") }
        let trainer = try startRun(a, config: c, method: method, data: data, out: out)
        let run = RunObject(trainer, source: source.name, target: target.name)
        let finished = try trainer.run()
        if !finished { a.interpreter.output("run interrupted after epoch \(trainer.completedEpochs); continue it with resume(<run>), <run> being the variable you assign train()'s result to") }
        return .object(run)
    })
    i.register(Builtin("train_settings", "train_settings(" + RunSpec.settings.map { "\($0.name)=\($0.defaultValue)" }.joined(separator: ", ") + ")",
                       help: "The settings train() would use with these arguments, one `name = value` per line (what `smear train --dry-run` prints).",
                       example: "print(train_settings(epochs=3, width=16))") { a in
        .string(try runSpec(a).summary)
    })
    i.register(Builtin("open_run", "open_run(folder)",
                       help: "Reopens a run from its folder (written by train() or smear train): settings, datasets, history and the latest\ncheckpoint, ready for evaluate, predict, plot or resume.",
                       example: "run = open_run(\"runs/mdd\")\nplot(run, \"f1\")") { a in
        let folder = URL(fileURLWithPath: try a.string(0, "folder"))
        let trainer = try RunRecord.open(folder).reportingOnTerminal()
        return .object(RunObject(trainer, source: trainer.data.source.name, target: trainer.data.target.name))
    })
    i.register(Builtin("resume", "resume(run, epochs=nil)", help: "Continues a run (after Ctrl-C, or with more epochs).", example: "resume(run)") { a in
        let r = try runArg(a, 0, "run")
        if a.value(1, "epochs") != nil {
            let epochs = try a.int(1, "epochs", in: r.trainer.completedEpochs...100_000, why: "a run can grow, not shrink")
            var config = r.trainer.config
            config.epochs = epochs
            r.trainer = try Trainer(config: config, method: r.trainer.method, data: r.trainer.data, directory: r.trainer.directory).reportingOnTerminal()
        }
        Interrupt.reset()
        // From the last saved epoch with its optimizer state, not from the weights in memory (an interrupted
        // epoch's steps, or a checkpoint loaded by evaluate, would otherwise be trained on again).
        guard try r.trainer.resume() else { throw LanguageError(.value, "resume(): \(r.trainer.directory.path) has no checkpoint yet; call train() again") }
        try r.trainer.run()
        return .object(r)
    })
}

/// train()'s signature: the datasets and method, every RunSpec setting with its default, and the run folder.
let trainSignature = "train(source, target, method=nil, " + RunSpec.settings.map { "\($0.name)=\($0.defaultValue)" }.joined(separator: ", ")
    + ", more_sources=[], more_source_crops=[], out=nil, resume=false, overwrite=false)"

let trainHelp = """
    Trains on the labelled source dataset and adapts to the target dataset (its labels, if any, are only reported).
    Returns a run; Ctrl-C stops it cleanly at the end of the current step. With resume=true, continues the run in `out`;
    overwrite=true replaces a run already there. validation may also be a dataset. more_sources: further labelled labs
    (datasets with the source's classes), each with its centre crop in more_source_crops (matched_crops gives every lab's):
    each adds a quarter-batch of its cells per step with its own class-weighted cross-entropy and its own channel
    statistics; the method's loss keeps the first source and the target. The settings (`smear train` has the same ones,
    as --flags, with the same defaults):
    """ + "\n" + RunSpec.settings.map { "  \($0.name): \($0.help)" }.joined(separator: "\n")

/// A RunSpec from train()'s keyword arguments: each given setting checked against its declaration.
func runSpec(_ a: Arguments) throws -> RunSpec {
    var spec = RunSpec()
    for setting in RunSpec.settings {
        guard let v = a.value(nil, setting.name) else { continue }
        let value: SettingValue
        switch v {
        case .number(let n): value = .number(n)
        case .bool(let b): value = .flag(b)
        case .string(let s): value = .choice(s)
        case .none: value = .choice(nil)
        case .object(is DatasetObject) where setting.name == "validation": continue   // a dataset given explicitly
        default: throw LanguageError(.type, "\(a.function)(): '\(setting.name)' must be \(setting.kind.expectation), got a \(v.typeName)")
        }
        try languageError(a.function) { try spec.set(setting.name, value) }
    }
    return spec
}

/// Runs `body`, turning a RunSpecError into the language's error for `function`.
func languageError<T>(_ function: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as RunSpecError {
        if case .inconsistent(let m, let hint) = e { throw LanguageError(.value, "\(function)(): \(m)", hint: hint) }
        throw LanguageError(.value, "\(function)(): \(e)")
    }
}

/// The trainer for a new run or, with resume=true, the run already in `out` (refusing to replace a run
/// unless overwrite=true); Ctrl-C stops it at the end of a step.
func startRun(_ a: Arguments, config: TrainingConfig, method: AdaptationMethod, data: RunData, out: URL) throws -> Trainer {
    let resume = try a.bool(nil, "resume"), overwrite = try a.bool(nil, "overwrite")
    let lock = try RunLock(out)   // before the folder is read or cleared; the trainer holds it from here on
    if RunFolder.holdsRun(out) && !resume {
        guard overwrite else {
            throw LanguageError(.value, "train(): \(out.path) already holds a run", hint: "continue it with resume=true, replace it with overwrite=true, or choose another out=")
        }
        try RunFolder.clear(out)
    }
    let trainer = try Trainer(config: config, method: method, data: data, directory: out).reportingOnTerminal()
    withExtendedLifetime(lock) {}
    if resume, try trainer.resume() { a.interpreter.output("resumed after epoch \(trainer.completedEpochs) from \(out.path)") }
    Interrupt.reset()
    trainer.shouldStop = { Interrupt.requested }
    return trainer
}


/// train()'s more_sources= and more_source_crops=: two lists of the same length, datasets and whole numbers.
func moreSourcesArg(_ a: Arguments) throws -> [(ImageDataset, crop: Int)] {
    func list(_ name: String) throws -> [Value] {
        switch a.value(nil, name) {
        case nil, .some(.none): return []
        case .some(.list(let items)): return items
        case .some(let v): throw LanguageError(.type, "\(a.function)(): '\(name)' must be a list, got a \(v.typeName)")
        }
    }
    let labs = try list("more_sources"), crops = try list("more_source_crops")
    guard labs.count == crops.count else {
        throw LanguageError(.value, "\(a.function)(): more_sources has \(labs.count) datasets but more_source_crops \(crops.count) crops",
                            hint: "give each further source lab its centre crop, e.g. from matched_crops(source_scale, target_scale, others=[...])")
    }
    return try zip(labs, crops).map { lab, crop in
        guard case .object(let o as DatasetObject) = lab else {
            throw LanguageError(.type, "\(a.function)(): more_sources must hold datasets, got a \(lab.typeName)")
        }
        guard case .number(let n) = crop, let side = exactInteger(n), SourceLab.crops.contains(side) else {
            throw LanguageError(.value, "\(a.function)(): more_source_crops must hold whole numbers of pixels, 1 to 100,000; got \(crop)")
        }
        return (o.dataset, crop: side)
    }
}
