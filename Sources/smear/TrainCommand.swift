// `smear train`: one adaptation run from a labelled source lab to an unlabelled target lab, as a
// swift-argument-parser command. Its run settings are RunSpec's (the same names, defaults, checks and
// help as the language's train()); a bad value is a usage error (exit 64), a failed run exit 70.
import ArgumentParser
import Foundation
import Glibc
import SmearAdapt
import SmearData
import SmearMetrics
import SmearNN
import SmearTensor
import SmearTrain

/// A setting's help for --help: RunSpec's text and default.
func settingHelp(_ key: RunSetting.Key) -> ArgumentHelp {
    guard let s = RunSpec.settings.first(where: { $0.key == key }) else { return ArgumentHelp("(not a run setting)") }
    if case .choice(let names) = s.kind {
        return ArgumentHelp("\(s.help) (\(names.joined(separator: ", "))\(s.defaultValue == .choice(nil) ? "; default none" : "; default \(s.defaultValue)"))")
    }
    return ArgumentHelp("\(s.help) (default \(s.defaultValue))")
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smear train",
        abstract: "Trains on the labelled class folders of --source and adapts to the images of --target.",
        discussion: """
            The target's labels, if any, are used for reporting only. Methods: \(MethodRegistry.bundledMethods.joined(separator: ", ")), \
            or any plugin on SMEAR_PLUGIN_PATH. Writes run.json, history.csv/jsonl, checkpoints (latest and best_<criterion>), \
            predictions and reports into --out (default runs/<method>). Every image is checked first: unreadable files are \
            listed and stop the run, or are left out with --skip-unreadable. The run settings are the language's train() \
            settings with the same defaults (help("train") in smear).
            """)

    @Option(help: "folder of labelled class folders (the source lab)") var source: String
    @Option(help: "folder of the target lab's images (class folders or a flat folder)") var target: String
    @Option(help: "adaptation method") var method: String = "source_only"
    @Option(name: .customLong("option"), help: ArgumentHelp("a method option", valueName: "name=value")) var options: [String] = []
    @Option(help: "run folder (default runs/<method>)") var out: String?
    @Option(help: "comma-separated class names, in label order") var classes = "basophil,eosinophil,lymphocyte,monocyte,neutrophil"
    @Flag(help: "continue the run in --out from its last checkpoint") var resume = false
    @Flag(help: "replace a run already in --out") var overwrite = false
    @Flag(help: "leave unreadable images out instead of stopping") var skipUnreadable = false
    @Flag(help: "read on when a folder outside --classes differs from a class only in case or a plural (it is left out)") var allowNearMisses = false
    @Flag(help: "print the settings (RunSpec) and stop") var dryRun = false
    @Option(help: ArgumentHelp("a further labelled lab (class folders) that joins training as a source, with its own crop and statistics; repeat for several",
                               valueName: "folder")) var moreSource: [String] = []
    @Option(help: ArgumentHelp("the centre crop of each --more-source, in the same order (original pixels)", valueName: "pixels"))
    var moreSourceCrop: [Int] = []

    @Option(help: settingHelp(.epochs)) var epochs: Int?
    @Option(help: settingHelp(.iters)) var iters: Int?
    @Option(help: settingHelp(.batch)) var batch: Int?
    @Option(help: settingHelp(.size)) var size: Int?
    @Option(help: settingHelp(.width)) var width: Int?
    @Option(help: settingHelp(.bottleneck)) var bottleneck: Int?
    @Option(help: settingHelp(.head)) var head: Int?
    @Option(help: settingHelp(.validation)) var validation: Double?
    @Option(help: settingHelp(.seed)) var seed: Int?
    @Option(help: settingHelp(.lr)) var lr: Double?
    @Option(help: settingHelp(.schedule)) var schedule: String?
    @Option(help: settingHelp(.backbone)) var backbone: String?
    @Option(help: settingHelp(.pretrained)) var pretrained: String?
    @Option(help: settingHelp(.startFrom)) var startFrom: String?
    @Option(help: settingHelp(.backboneLr)) var backboneLr: Double?
    @Option(help: settingHelp(.headOnlySteps)) var headOnlySteps: Int?
    @Option(help: settingHelp(.sourceCrop)) var sourceCrop: Int?
    @Option(help: settingHelp(.targetCrop)) var targetCrop: Int?
    @Flag(inversion: .prefixedNo, help: settingHelp(.articleEval)) var articleEval: Bool?
    @Flag(inversion: .prefixedNo, help: settingHelp(.separate)) var separate: Bool?
    @Flag(inversion: .prefixedNo, help: settingHelp(.groupNorm)) var groupNorm: Bool?
    @Option(help: settingHelp(.stain)) var stain: String?
    @Option(help: settingHelp(.normalization)) var normalization: String?
    @Flag(inversion: .prefixedNo, help: settingHelp(.dihedral)) var dihedral: Bool?
    @Flag(inversion: .prefixedNo, help: settingHelp(.stainBank)) var stainBank: Bool?
    @Option(help: settingHelp(.hedJitter)) var hedJitter: Double?
    @Option(help: settingHelp(.augment)) var augment: String?
    @Option(help: settingHelp(.statistics)) var statistics: String?
    @Option(help: settingHelp(.sourceSampling)) var sourceSampling: String?
    @Option(help: settingHelp(.targetLabels)) var targetLabels: String?
    @Option(help: settingHelp(.pseudoLabels)) var pseudoLabels: String?
    @Option(help: settingHelp(.average)) var average: Double?
    @Option(help: settingHelp(.consistency)) var consistency: Double?
    @Option(help: settingHelp(.mixup)) var mixup: Double?
    @Option(help: settingHelp(.contrastive)) var contrastive: Double?
    @Option(help: settingHelp(.spectrumTransfer)) var spectrumTransfer: Double?
    @Option(help: settingHelp(.mixstyle)) var mixstyle: Double?
    @Option(help: settingHelp(.labelSmoothing)) var labelSmoothing: Double?
    @Option(help: settingHelp(.cellCrop)) var cellCrop: String?
    @Option(help: settingHelp(.scaleJitter)) var scaleJitter: Double?
    @Option(help: settingHelp(.smallFrames)) var smallFrames: String?
    @Flag(inversion: .prefixedNo, help: settingHelp(.sizeCue)) var sizeCue: Bool?

    /// The settings given on the command line, by key (nil: not given).
    var givenSettings: [(RunSetting.Key, SettingValue?)] {
        func n(_ v: Int?) -> SettingValue? { v.map { .number(Double($0)) } }
        func d(_ v: Double?) -> SettingValue? { v.map { .number($0) } }
        func f(_ v: Bool?) -> SettingValue? { v.map { .flag($0) } }
        func c(_ v: String?) -> SettingValue? { v.map { .choice($0) } }
        return [(.epochs, n(epochs)), (.iters, n(iters)), (.batch, n(batch)), (.size, n(size)), (.width, n(width)),
                (.bottleneck, n(bottleneck)), (.head, n(head)), (.validation, d(validation)), (.seed, n(seed)), (.lr, d(lr)),
                (.schedule, c(schedule)), (.backbone, c(backbone)), (.pretrained, c(pretrained)), (.startFrom, c(startFrom)), (.backboneLr, d(backboneLr)),
                (.headOnlySteps, n(headOnlySteps)), (.sourceCrop, n(sourceCrop)), (.targetCrop, n(targetCrop)),
                (.articleEval, f(articleEval)), (.separate, f(separate)), (.groupNorm, f(groupNorm)), (.stain, c(stain)),
                (.normalization, c(normalization)), (.dihedral, f(dihedral)), (.stainBank, f(stainBank)), (.hedJitter, d(hedJitter)), (.augment, c(augment)),
                (.statistics, c(statistics)), (.sourceSampling, c(sourceSampling)), (.targetLabels, c(targetLabels)),
                (.pseudoLabels, c(pseudoLabels)), (.average, d(average)), (.consistency, d(consistency)), (.mixup, d(mixup)), (.contrastive, d(contrastive)),
                (.spectrumTransfer, d(spectrumTransfer)), (.mixstyle, d(mixstyle)), (.labelSmoothing, d(labelSmoothing)),
                (.cellCrop, c(cellCrop)), (.scaleJitter, d(scaleJitter)), (.smallFrames, c(smallFrames)), (.sizeCue, f(sizeCue))]
    }

    /// The RunSpec of these flags; a value out of its range is a usage error.
    func runSpec() throws -> RunSpec {
        var spec = RunSpec()
        for case let (key, value?) in givenSettings {
            do { try spec.set(key.rawValue, value) } catch { throw ValidationError("--\(key.rawValue.replacingOccurrences(of: "_", with: "-")): \(error)") }
        }
        return spec
    }

    /// The method with its options (--option name=value); unknown names and bad values are usage errors.
    func adaptationMethod() throws -> (MethodDescriptor, AdaptationMethod) {
        var given: [String: Double] = [:]
        for o in options {
            let kv = o.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, let v = Double(kv[1]) else { throw ValidationError("--option needs NAME=NUMBER, got '\(o)'") }
            given[kv[0]] = v
        }
        do {
            let descriptor = try MethodRegistry.shared.method(method)
            return (descriptor, try descriptor.instantiate(given))
        } catch { throw ValidationError("\(error)") }
    }

    func validate() throws {
        _ = try runSpec()
        guard !classes.split(separator: ",").isEmpty else { throw ValidationError("--classes needs at least one class name") }
        guard moreSource.count == moreSourceCrop.count else {
            throw ValidationError("--more-source was given \(moreSource.count) time(s) but --more-source-crop \(moreSourceCrop.count): give each further lab its crop")
        }
        if let bad = moreSourceCrop.first(where: { !SourceLab.crops.contains($0) }) { throw ValidationError("--more-source-crop \(bad) is not 1 to 100,000 px") }
    }

    func run() throws {
        let spec = try runSpec()
        if dryRun { print(spec.summary); return }
        let classList = classes.split(separator: ",").map(String.init)
        let config: TrainingConfig
        do { config = try spec.trainingConfig(classes: classList.count) } catch { throw ValidationError("\(error)") }
        let (descriptor, method) = try adaptationMethod()
        let data = try loadData(classes: classList, spec: spec, config: config)
        let dir: URL
        do { dir = try RunFolder.validated(out ?? "runs/\(descriptor.name)") } catch { throw ValidationError("--out: \(error)") }
        let lock = try RunLock(dir)   // before the folder is read or cleared; the trainer holds it from here on
        if RunFolder.holdsRun(dir) && !resume {
            guard overwrite else { throw ValidationError("\(dir.path) already holds a run: continue it with --resume, replace it with --overwrite, or choose another --out") }
            try RunFolder.clear(dir)
        }
        let trainer = try Trainer(config: config, method: method, data: data, directory: dir).reportingOnTerminal()
        withExtendedLifetime(lock) {}
        trainer.shouldStop = { Interrupt.requested }
        if resume, try trainer.resume() { print("resumed from \(dir.path)/latest.safetensors after epoch \(trainer.completedEpochs)") }
        let optionText = descriptor.options.isEmpty ? "no options"
            : descriptor.options.map { "\($0.name)=\(method.options[$0])" }.joined(separator: " ")
        print("method \(descriptor.name) (\(optionText)); "
              + (config.network.backbone.liteVariant.map { "EfficientNet-\($0.rawValue.capitalized)" } ?? "ResNet-18 width \(config.network.width)")
              + (config.backboneWeights != nil ? " pretrained" : "") + (config.startWeights.map { " started from \($0)" } ?? "")
              + " (\(trainer.net.parameterCount) parameters); "
              + "\(config.epochs) epochs × \(config.iterationsPerEpoch) steps, batch \(config.batchSize)+\(config.batchSize), \(config.inputSize) px; "
              + ComputeBackend.summary)
        guard try trainer.run() else {   // stopped by Ctrl-C at the end of a step: the last whole epoch is saved
            FileHandle.standardError.write(Data("smear: interrupted after epoch \(trainer.completedEpochs); continue with --resume\n".utf8))
            Glibc.exit(130)
        }
        for (criterion, e) in try trainer.writeReports() {
            guard let m = e.confusion else { continue }
            print(String(format: "checkpoint %@: target macro F1 %.4f (classes in labels %.4f), micro F1 %.4f", criterion.rawValue,
                         m.macroF1(.observed), m.macroF1(.presentInLabels), m.microF1(.observed)))
        }
        print("wrote \(dir.path): history.csv, checkpoints, predictions_*.csv, report_*.txt")
    }
}
