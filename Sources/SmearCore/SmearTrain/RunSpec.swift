// The settings of a run, each declared once: name, accepted values, default and help. The language's
// train() and `smear train` both fill a RunSpec from them, so their names, defaults, checks and help
// text cannot drift apart; `trainingConfig` turns a spec into the trainer's configuration.
import Foundation
import SmearAdapt
import SmearData
import SmearNN

/// A setting's value.
public enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case flag(Bool)
    /// Text: one of the setting's choices, a file's path, or nil (off).
    case choice(String?)

    public var description: String {
        switch self {
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .flag(let b): return String(b)
        case .choice(let c): return c.map { "\"\($0)\"" } ?? "nil"
        }
    }
}

/// One setting of a run.
public struct RunSetting: Sendable {
    public enum Kind: Sendable, Equatable {
        case whole(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case flag
        /// One of these names, or nil.
        case choice([String])
        /// A file's path (existence is checked when the run starts), or nil.
        case file
    }
    /// Every setting's key: its language keyword (`source_crop`) as the raw value; code names a setting by key, so a
    /// misspelt name does not compile.
    public enum Key: String, CaseIterable, Sendable {
        case epochs
        case iters
        case batch
        case size
        case width
        case bottleneck
        case head
        case validation
        case seed
        case lr
        case schedule
        case backbone
        case pretrained
        case startFrom = "start_from"
        case backboneLr = "backbone_lr"
        case headOnlySteps = "head_only_steps"
        case sourceCrop = "source_crop"
        case targetCrop = "target_crop"
        case articleEval = "article_eval"
        case separate
        case groupNorm = "group_norm"
        case stain
        case statistics
        case normalization
        case dihedral
        case augment
        case hedJitter = "hed_jitter"
        case stainBank = "stain_bank"
        case sourceSampling = "source_sampling"
        case targetLabels = "target_labels"
        case pseudoLabels = "pseudo_labels"
        case average
        case consistency
        case mixup
        case contrastive
        case spectrumTransfer = "spectrum_transfer"
        case mixstyle
        case labelSmoothing = "label_smoothing"
        case cellCrop = "cell_crop"
        case scaleJitter = "scale_jitter"
        case smallFrames = "small_frames"
        case sizeCue = "size_cue"
    }
    public let key: Key
    /// The language keyword (`source_crop`); the command-line flag is `flag` (`--source-crop`).
    public var name: String { key.rawValue }
    public let kind: Kind
    public let defaultValue: SettingValue
    public let help: String

    public init(_ key: Key, kind: Kind, defaultValue: SettingValue, help: String) {
        self.key = key; self.kind = kind; self.defaultValue = defaultValue; self.help = help
    }

    public var flag: String { "--" + name.replacingOccurrences(of: "_", with: "-") }

    /// The value if it is of the right kind and in range, else an error that says what is accepted.
    public func check(_ value: SettingValue) throws -> SettingValue {
        switch (kind, value) {
        case (.whole(let r), .number(let n)):
            guard n == n.rounded() else { throw RunSpecError.wrongKind(setting: name, expected: "a whole number", got: "\(n)") }
            guard n >= Double(r.lowerBound) && n <= Double(r.upperBound) else {
                throw RunSpecError.outOfRange(setting: name, allowed: "between \(r.lowerBound) and \(r.upperBound)", got: value.description)
            }
        case (.number(let r), .number(let n)):
            guard n.isFinite && r.contains(n) else {
                throw RunSpecError.outOfRange(setting: name, allowed: "between \(r.lowerBound) and \(r.upperBound)", got: "\(n)")
            }
        case (.flag, .flag): break
        case (.file, .choice(let path)):
            guard path.map({ !$0.isEmpty }) ?? true else { throw RunSpecError.wrongKind(setting: name, expected: kind.expectation, got: "\"\"") }
        case (.choice(let names), .choice(let c)):
            let optional = defaultValue == .choice(nil)
            guard c.map(names.contains) ?? optional else {
                throw RunSpecError.outOfRange(setting: name, allowed: "one of \(names.joined(separator: ", "))\(optional ? " or nil" : "")",
                                              got: value.description)
            }
        default:
            throw RunSpecError.wrongKind(setting: name, expected: kind.expectation, got: value.description)
        }
        return value
    }
}

extension RunSetting.Kind {
    public var expectation: String {
        switch self {
        case .whole: return "a whole number"
        case .number: return "a number"
        case .flag: return "true or false"
        case .choice(let names): return "one of \(names.joined(separator: ", "))"
        case .file: return "a file's path (a string) or nil"
        }
    }
}

public enum RunSpecError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case wrongKind(setting: String, expected: String, got: String)
    case outOfRange(setting: String, allowed: String, got: String)
    case inconsistent(String, hint: String)

    public var description: String {
        switch self {
        case .unknown(let n): return "no run setting '\(n)'; the settings are \(RunSpec.settings.map(\.name).joined(separator: ", "))"
        case .wrongKind(let s, let e, let g): return "'\(s)' must be \(e), got \(g)"
        case .outOfRange(let s, let a, let g): return "'\(s)' must be \(a), got \(g)"
        case .inconsistent(let m, let hint): return "\(m) (\(hint))"
        }
    }
}

/// Every setting of a run, with the value in use.
public struct RunSpec: Sendable, Equatable {
    /// By setting name; always holds every setting of `RunSpec.settings`.
    public private(set) var values: [String: SettingValue]

    /// The defaults: the PyTorch reference's protocol (full-width ResNet-18 from scratch, 15 × 100 steps of
    /// 32 + 32 images at 64 px, lr 0.004 on every layer) and the article's crops.
    public init() { values = Dictionary(uniqueKeysWithValues: RunSpec.settings.map { ($0.name, $0.defaultValue) }) }

    public static func setting(_ name: String) throws -> RunSetting {
        guard let s = settings.first(where: { $0.name == name }) else { throw RunSpecError.unknown(name) }
        return s
    }

    /// Sets one setting, checked against its declaration.
    public mutating func set(_ name: String, _ value: SettingValue) throws {
        values[name] = try RunSpec.setting(name).check(value)
    }

    // Each setting's value by key. The kind is the table's (a test reads every key with its kind's accessor).
    public func number(_ key: RunSetting.Key) -> Double {
        guard case .number(let n)? = values[key.rawValue] else { preconditionFailure("RunSpec: \(key) is not a number setting") }
        return n
    }
    public func whole(_ key: RunSetting.Key) -> Int { Int(number(key)) }
    public func flag(_ key: RunSetting.Key) -> Bool {
        guard case .flag(let b)? = values[key.rawValue] else { preconditionFailure("RunSpec: \(key) is not a flag setting") }
        return b
    }
    public func choice(_ key: RunSetting.Key) -> String? {
        guard case .choice(let c)? = values[key.rawValue] else { preconditionFailure("RunSpec: \(key) is not a choice or file setting") }
        return c
    }

    /// The fraction of the labelled source held out for validation.
    public var validationFraction: Double { number(.validation) }

    /// One line per setting, `name = value`, in declaration order (what `--dry-run` and train_settings show).
    public var summary: String { RunSpec.settings.map { "\($0.name) = \(values[$0.name]!)" }.joined(separator: "\n") }

    /// The trainer's configuration for `classes` classes; checks what no single setting can.
    public func trainingConfig(classes: Int) throws -> TrainingConfig {
        let pixels = whole(.batch) * whole(.size) * whole(.size)
        guard pixels <= 1 << 24 else {
            throw RunSpecError.inconsistent("batch × size² = \(pixels) pixels per step is more than the 16,777,216 (64 images of 512 px) that fit in memory at full width",
                                            hint: "use a smaller batch or size")
        }
        let backbone = choice(.backbone).flatMap(BackboneKind.init(rawValue:)) ?? .resnet18
        let network = NetworkConfig(classes: classes, width: whole(.width), groupNorm: flag(.groupNorm),
                                    bottleneck: whole(.bottleneck), headWidth: whole(.head), backbone: backbone)
        var c = TrainingConfig(network: network)
        c.epochs = whole(.epochs); c.iterationsPerEpoch = whole(.iters)
        c.batchSize = whole(.batch); c.inputSize = whole(.size)
        c.seed = UInt64(whole(.seed))
        c.forwardTogether = !flag(.separate)
        c.sourceCrop = whole(.sourceCrop); c.targetCrop = whole(.targetCrop)
        let lr = Float(number(.lr))
        c.schedule = choice(.schedule) == "step_decay" ? .stepDecay(lr: lr, factor: 0.1, everyEpochs: 20)
                                                         : .inverseDecay(lr: lr, gamma: 2e-4, decay: 0.75)
        c.backboneLRMultiplier = Float(number(.backboneLr))
        c.headOnlySteps = whole(.headOnlySteps)
        c.evaluationMatchesTrainingScale = !flag(.articleEval)
        c.dihedral = flag(.dihedral)
        c.statisticsRegion = choice(.statistics).flatMap(StatisticsRegion.init(rawValue:)) ?? .frame
        c.inputNormalization = choice(.normalization).flatMap(InputNormalization.init(rawValue:)) ?? .lab
        c.stainNormalization = choice(.stain).flatMap(StainNormalization.init(rawValue:))
        c.hedJitter = number(.hedJitter) > 0 ? Float(number(.hedJitter)) : nil
        c.stainBank = flag(.stainBank)
        c.weightAverageDecay = number(.average) > 0 ? Float(number(.average)) : nil
        c.consistencyThreshold = number(.consistency) > 0 ? Float(number(.consistency)) : nil
        c.mixupAlpha = number(.mixup) > 0 ? number(.mixup) : nil
        if number(.contrastive) > 0 {
            c.contrastiveWeight = Float(number(.contrastive)); c.network.projection = true
        }
        c.spectrumTransferBeta = number(.spectrumTransfer) > 0 ? number(.spectrumTransfer) : nil
        c.mixStyleProbability = number(.mixstyle) > 0 ? number(.mixstyle) : nil
        c.labelSmoothing = number(.labelSmoothing) > 0 ? Float(number(.labelSmoothing)) : nil
        c.cellCrop = choice(.cellCrop).flatMap(CellCrop.init(rawValue:)).flatMap { $0 == .lab ? nil : $0 }
        c.scaleJitter = number(.scaleJitter) > 0 ? number(.scaleJitter) : nil
        c.smallFrames = choice(.smallFrames) == SmallFrames.pad.rawValue ? .pad : nil
        if flag(.sizeCue) {
            guard c.cellCrop != nil else {
                throw RunSpecError.inconsistent("size_cue hands the network each image's nucleus size, which only crops per image measure",
                                                hint: "add cell_crop=\"image\" or \"halfway\", or leave size_cue out")
            }
            guard network.bottleneck > 0 else {
                throw RunSpecError.inconsistent("size_cue joins the bottleneck's input, and bottleneck=0 has none", hint: "give the run a bottleneck")
            }
            c.network.sizeCue = true
        }
        switch choice(.pretrained) {
        case "imagenet"?:
            guard let variant = backbone.liteVariant else {
                throw RunSpecError.inconsistent("pretrained=\"imagenet\" is EfficientNet-Lite's: no ImageNet ResNet-18 ships in a package here",
                                                hint: "use backbone=\"efficientnet_lite0\", or give a ResNet-18 file from scripts/torchvision_backbone.py")
            }
            c.backboneWeights = PretrainedWeights.imageNet(variant).path
        case "none"?, nil: c.backboneWeights = nil
        case let file?: c.backboneWeights = file
        }
        c.startWeights = choice(.startFrom)
        c.augmentation = choice(.augment).flatMap(AugmentationRecipe.init(rawValue:)) ?? .article
        c.sourceSampling = choice(.sourceSampling).flatMap(SourceSampling.init(rawValue:)) ?? .shuffled
        return c
    }
}
