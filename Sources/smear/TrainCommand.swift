// `smear train`: one adaptation run from a labelled source lab to an unlabelled target lab.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearMetrics
import SmearNN
import SmearTensor

let trainUsage = """
usage: smear train --source DIR --target DIR [--method NAME] [--option NAME=VALUE ...] [--out DIR]
                   [--epochs N] [--iters N] [--batch N] [--size PX] [--width W] [--bottleneck N] [--head N]
                   [--classes a,b,c] [--val-fraction F] [--source-crop PX] [--target-crop PX] [--seed S]
                   [--group-norm] [--separate-batches] [--schedule code|text] [--lr LR] [--stain reinhard|macenko|reinhard_image] [--resume] [--overwrite]
                   [--hed-jitter SIGMA] [--skip-unreadable] [--article-eval]

  Trains on the labelled class folders of --source and adapts to the images of --target (their labels,
  if any, are used for reporting only). Methods: source_only, and the plugins mdd, dann, entmin.
  Writes history.csv/jsonl, checkpoints (latest, best_snd, best_entropy, best_source_f1), predictions
  and a report into --out (default runs/<method>). Every image is checked first: unreadable files are
  listed and stop the run, or are left out with --skip-unreadable.
"""

func runTrain(_ arguments: [String]) throws {
    var args = arguments
    var source: URL?, target: URL?, out: URL?
    var methodName = "source_only", options: [String: Double] = [:]
    var classes = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]
    var network = NetworkConfig(classes: 5, width: 64)
    var config = TrainingConfig(network: network)
    var valFraction = 0.1, resume = false, overwrite = false, skipUnreadable = false
    func value(_ key: String) throws -> String {
        guard !args.isEmpty else { throw CLIError.usage("option \(key) needs a value") }
        return args.removeFirst()
    }
    func int(_ key: String, _ range: ClosedRange<Int> = 1...100_000) throws -> Int {
        let v = try value(key)
        guard let n = Int(v), range.contains(n) else {
            throw CLIError.usage("option \(key) needs a whole number from \(range.lowerBound) to \(range.upperBound), got '\(v)'")
        }
        return n
    }
    while !args.isEmpty {
        let key = args.removeFirst()
        switch key {
        case "--source": source = URL(fileURLWithPath: try value(key))
        case "--target": target = URL(fileURLWithPath: try value(key))
        case "--out": out = URL(fileURLWithPath: try value(key))
        case "--method": methodName = try value(key)
        case "--option":
            let kv = try value(key).split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, let v = Double(kv[1]) else { throw CLIError.usage("--option needs NAME=NUMBER, got '\(kv.joined(separator: "="))'") }
            options[kv[0]] = v
        case "--epochs": config.epochs = try int(key)
        case "--iters": config.iterationsPerEpoch = try int(key, 1...10_000_000)
        case "--batch": config.batchSize = try int(key, 1...4096)
        case "--size": config.inputSize = try int(key, 32...1024)
        case "--width": network.width = try int(key, 1...512)
        case "--bottleneck": network.bottleneck = try int(key, 1...65_536)
        case "--head": network.headWidth = try int(key, 0...65_536)
        case "--classes": classes = try value(key).split(separator: ",").map(String.init)
        case "--val-fraction":
            let v = try value(key)
            guard let f = Double(v), f > 0, f < 1 else { throw CLIError.usage("--val-fraction is a fraction between 0 and 1 (exclusive), got '\(v)'") }
            valFraction = f
        case "--source-crop": config.sourceCrop = try int(key)
        case "--target-crop": config.targetCrop = try int(key)
        case "--seed": config.seed = UInt64(try int(key))
        case "--lr":
            guard let lr = Float(try value(key)), lr > 0, lr <= 10 else { throw CLIError.usage("--lr needs a number above 0 and at most 10") }
            config.schedule = .inverseDecay(lr: lr, gamma: 2e-4, decay: 0.75)
        case "--schedule":
            let s = try value(key)
            guard s == "code" || s == "text" else { throw CLIError.usage("--schedule is code (inverse decay) or text (step decay)") }
            config.schedule = s == "code" ? .articleCode : .articleText
        case "--group-norm": network.groupNorm = true
        case "--separate-batches": config.forwardTogether = false
        case "--stain":
            let name = try value(key)
            guard let s = StainNormalization(rawValue: name) else {
                throw CLIError.usage("--stain \(name): the colour normalisations are \(StainNormalization.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.stainNormalization = s
        case "--hed-jitter":
            guard let sigma = Float(try value(key)), sigma >= 0, sigma <= 0.5 else { throw CLIError.usage("--hed-jitter needs σ between 0 and 0.5") }
            config.hedJitter = sigma > 0 ? sigma : nil
        case "--article-eval": config.evaluationMatchesTrainingScale = false
        case "--resume": resume = true
        case "--overwrite": overwrite = true
        case "--skip-unreadable": skipUnreadable = true
        case "--help", "-h": print(trainUsage); return
        default: throw CLIError.usage("unknown option '\(key)'")
        }
    }
    guard let source, let target else { throw CLIError.usage("--source and --target are required") }
    network.classes = classes.count
    config.network = network
    let descriptor = try MethodRegistry.shared.method(methodName)
    let method = try descriptor.instantiate(options)
    let scanned = try ImageDataset.folder(source, classes: classes, only: classes)
    let showScan: (Int, Int) -> Void = { done, total in
        if isatty(1) != 0 { print("\rchecking images \(done)/\(total)", terminator: done == total ? "\n" : ""); fflush(stdout) }
    }
    let labelled = try scanned.checked(skipUnreadable: skipUnreadable, progress: showScan)
    if labelled.count < scanned.count { print("skipped \(scanned.count - labelled.count) unreadable source image(s)") }
    let (train, validation) = labelled.split(fraction: 1 - valFraction, seed: config.seed)
    var targetSet: ImageDataset
    if let t = try? ImageDataset.folder(target, classes: classes, only: classes.filter {
        FileManager.default.fileExists(atPath: target.appendingPathComponent($0).path) }) { targetSet = t }
    else { targetSet = try ImageDataset.unlabeled(target, classes: classes) }
    let checkedTarget = try targetSet.checked(skipUnreadable: skipUnreadable, progress: showScan)
    if checkedTarget.count < targetSet.count { print("skipped \(targetSet.count - checkedTarget.count) unreadable target image(s)") }
    targetSet = checkedTarget
    print("source \(train.summary)\nsource validation \(validation.count) images\ntarget \(targetSet.summary)")
    for (set, role) in [(labelled, "source"), (targetSet, "target")] where !set.skipped.isEmpty {
        print("\(role): \(set.skipped.count) entries not read: " + set.skippedWithReasons.prefix(10).map { "\($0.path) (\($0.reason))" }.joined(separator: "; "))
    }
    let data = RunData(source: train, sourceValidation: validation, target: targetSet,
                       sourceStatistics: try ChannelStatistics.cached(labelled), targetStatistics: try ChannelStatistics.cached(targetSet))
    let dir = out ?? URL(fileURLWithPath: "runs/\(methodName)")
    guard config.batchSize * config.inputSize * config.inputSize <= 1 << 24 else {
        throw CLIError.usage("--batch × --size² is more than 16,777,216 pixels per step (64 images of 512 px); use a smaller batch or size")
    }
    for (set, role) in [(train, "source training"), (targetSet, "target")] where set.count < config.batchSize {
        throw CLIError.usage("--batch \(config.batchSize) is more than the \(set.count) \(role) images; use a smaller batch")
    }
    guard validation.count > 0, train.count > 0 else { throw CLIError.usage("--val-fraction \(valFraction) leaves no training or no validation image") }
    if RunFolder.holdsRun(dir) && !resume {
        guard overwrite else { throw CLIError.usage("\(dir.path) already holds a run: continue it with --resume, replace it with --overwrite, or choose another --out") }
        try RunFolder.clear(dir)
    }
    let trainer = try Trainer(config: config, method: method, data: data, directory: dir)
    if resume, try trainer.resume() { print("resumed from \(dir.path)/latest.safetensors after epoch \(trainer.completedEpochs)") }
    let optionText = descriptor.options.isEmpty ? "no options"
        : descriptor.options.map { "\($0.name)=\(method.options[$0])" }.joined(separator: " ")
    print("method \(descriptor.name) (\(optionText)); ResNet-18 width \(network.width) (\(trainer.net.parameterCount) parameters); "
          + "\(config.epochs) epochs × \(config.iterationsPerEpoch) steps, batch \(config.batchSize)+\(config.batchSize), \(config.inputSize) px; "
          + ComputeBackend.summary)
    try trainer.run()
    for criterion in SelectionCriterion.tracked + [.latest] {
        guard (try? trainer.loadSelected(criterion)) != nil else { continue }
        let e = try Evaluation.run(trainer.net, on: targetSet, pipeline: trainer.targetPipeline(training: false))
        try e.writePredictions(to: dir.appendingPathComponent("predictions_\(criterion.rawValue).csv"))
        try e.report(title: "\(descriptor.name): \(source.lastPathComponent) → \(target.lastPathComponent), checkpoint \(criterion.rawValue)")
            .write(to: dir.appendingPathComponent("report_\(criterion.rawValue).txt"), atomically: true, encoding: .utf8)
        if let m = e.confusion {
            print(String(format: "checkpoint %@: target macro F1 %.4f (classes in labels %.4f), micro F1 %.4f", criterion.rawValue,
                         m.macroF1(.observed), m.macroF1(.presentInLabels), m.microF1(.observed)))
        }
    }
    print("wrote \(dir.path): history.csv, checkpoints, predictions_*.csv, report_*.txt")
}

enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    var description: String { switch self { case .usage(let s): return s } }
}
