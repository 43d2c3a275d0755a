// RunSpec: every run setting declared once, checked against its declaration, mapped onto the trainer's configuration.
import SmearData
import SmearNN
import SmearTrain
import XCTest

final class RunSpecTests: XCTestCase {
    func testDefaults_areTheReferenceProtocol_andEverySettingHasOne() {
        let spec = RunSpec()
        XCTAssertEqual(spec.values.count, RunSpec.settings.count)
        XCTAssertEqual(Set(RunSpec.settings.map(\.name)).count, RunSpec.settings.count, "setting names are unique")
        XCTAssertEqual(spec.whole(.epochs), 15); XCTAssertEqual(spec.whole(.iters), 100); XCTAssertEqual(spec.whole(.width), 64)
        XCTAssertEqual(spec.number(.lr), 0.004); XCTAssertEqual(spec.number(.backboneLr), 1); XCTAssertNil(spec.choice(.stain))
        for s in RunSpec.settings { XCTAssertNoThrow(try s.check(s.defaultValue), "\(s.name)'s default is accepted by its own check") }
        XCTAssertEqual(RunSpec.settings.map(\.key), RunSetting.Key.allCases, "every key declared once, in the table's order")
        for s in RunSpec.settings {   // each key read with its kind's accessor (a mismatch would trap here, not in a run)
            switch s.kind {
            case .whole: _ = spec.whole(s.key)
            case .number: _ = spec.number(s.key)
            case .flag: _ = spec.flag(s.key)
            case .choice, .file: _ = spec.choice(s.key)
            }
        }
    }

    func testSet_checksKindAndRange_withMessagesThatSayWhatIsAccepted() {
        var spec = RunSpec()
        func message(_ name: String, _ v: SettingValue) -> String {
            do { try spec.set(name, v); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("batch", .number(0)), "'batch' must be between 1 and 4096, got 0")
        XCTAssertEqual(message("width", .number(2.5)), "'width' must be a whole number, got 2.5")
        XCTAssertEqual(message("lr", .number(.nan)), "'lr' must be between 1e-09 and 10.0, got nan")
        XCTAssertEqual(message("dihedral", .number(1)), "'dihedral' must be true or false, got 1")
        XCTAssertEqual(message("stain", .choice("x")), "'stain' must be one of reinhard, macenko, reinhard_image, lab_mean_image, luminance_image, white_balance_image, white_balance_zscore or nil, got \"x\"")
        XCTAssertEqual(message("schedule", .choice(nil)), "'schedule' must be one of inverse_decay, step_decay, got nil")
        XCTAssertTrue(message("epochz", .number(1)).hasPrefix("no run setting 'epochz'"))
        XCTAssertEqual(message("pretrained", .number(1)), "'pretrained' must be a file's path (a string) or nil, got 1")
        XCTAssertEqual(message("pretrained", .choice("")), "'pretrained' must be a file's path (a string) or nil, got \"\"")
        XCTAssertEqual(message("backbone", .choice("vgg")), "'backbone' must be one of resnet18, efficientnet_lite0, efficientnet_lite2, got \"vgg\"")
        XCTAssertEqual(message("stain", .choice(nil)), "accepted")
        XCTAssertEqual(spec, RunSpec(), "rejected values change nothing")
    }

    func testTrainingConfig_carriesEverySetting_andRejectsWhatNoSingleSettingCan() throws {
        var spec = RunSpec()
        for (name, value) in [("epochs", SettingValue.number(3)), ("iters", .number(7)), ("batch", .number(8)), ("size", .number(96)),
                              ("width", .number(16)), ("head", .number(0)), ("seed", .number(9)), ("separate", .flag(true)),
                              ("source_crop", .number(200)), ("target_crop", .number(120)), ("lr", .number(0.01)), ("backbone_lr", .number(0.1)),
                              ("article_eval", .flag(true)), ("dihedral", .flag(true)), ("stain", .choice("macenko")), ("hed_jitter", .number(0.05)),
                              ("group_norm", .flag(true)), ("schedule", .choice("step_decay")), ("augment", .choice("reference")),
                              ("statistics", .choice("frame")), ("average", .number(0.998)), ("consistency", .number(0.95)), ("mixup", .number(0.2)), ("contrastive", .number(0.5)), ("spectrum_transfer", .number(0.01)), ("mixstyle", .number(0.5)), ("head_only_steps", .number(300)), ("pretrained", .choice("imagenet.safetensors")),
                              ("start_from", .choice("runs/first"))] {
            try spec.set(name, value)
        }
        let c = try spec.trainingConfig(classes: 4)
        XCTAssertEqual([c.epochs, c.iterationsPerEpoch, c.batchSize, c.inputSize, c.network.width, c.network.headWidth, c.network.classes],
                       [3, 7, 8, 96, 16, 0, 4])
        XCTAssertEqual(c.seed, 9); XCTAssertFalse(c.forwardTogether); XCTAssertTrue(c.network.groupNorm)
        XCTAssertEqual(c.sourceCrop, 200); XCTAssertEqual(c.targetCrop, 120); XCTAssertEqual(c.backboneLRMultiplier, 0.1)
        XCTAssertFalse(c.evaluationMatchesTrainingScale); XCTAssertTrue(c.dihedral); XCTAssertEqual(c.stainNormalization, .macenko)
        XCTAssertEqual(c.hedJitter, 0.05); XCTAssertEqual(c.augmentation, .reference)
        XCTAssertEqual(c.statisticsRegion, .frame); XCTAssertEqual(c.weightAverageDecay, 0.998); XCTAssertEqual(c.consistencyThreshold, 0.95)
        XCTAssertEqual(c.mixupAlpha, 0.2); XCTAssertEqual(c.spectrumTransferBeta, 0.01); XCTAssertEqual(c.mixStyleProbability, 0.5); XCTAssertEqual(c.headOnlySteps, 300)
        XCTAssertEqual(c.contrastiveWeight, 0.5); XCTAssertEqual(c.network.projection, true, "the contrastive loss brings its projection head")
        XCTAssertEqual(c.backboneWeights, "imagenet.safetensors")
        XCTAssertEqual(c.startWeights, "runs/first")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).startWeights, "no run to start from unless one is given")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).backboneWeights, "from scratch unless pretrained weights are given")
        XCTAssertEqual(try RunSpec().trainingConfig(classes: 4).network.backbone, .resnet18, "ResNet-18 by default")
        var lite = RunSpec()
        try lite.set("backbone", .choice("efficientnet_lite0")); try lite.set("pretrained", .choice("imagenet"))
        let l = try lite.trainingConfig(classes: 5)
        XCTAssertEqual(l.network.backbone, .efficientnetLite0)
        XCTAssertEqual(l.backboneWeights, PretrainedWeights.efficientNetLite0ImageNet.path, "imagenet names the cache scripts/weights fills")
        var wrong = RunSpec()
        try wrong.set("pretrained", .choice("imagenet"))
        XCTAssertThrowsError(try wrong.trainingConfig(classes: 5)) { e in XCTAssertTrue("\(e)".contains("is EfficientNet-Lite's"), "\(e)") }
        var lite2 = lite
        try lite2.set("backbone", .choice("efficientnet_lite2"))
        XCTAssertEqual(try lite2.trainingConfig(classes: 5).backboneWeights, PretrainedWeights.imageNet(.lite2).path, "each Lite its own weights")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).weightAverageDecay, "no moving average unless asked for")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).consistencyThreshold, "no consistency loss unless asked for")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).mixupAlpha, "no mixup unless asked for")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).spectrumTransferBeta, "no spectrum transfer unless asked for")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).contrastiveWeight, "no contrastive loss unless asked for")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).network.projection, "and no projection head")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).mixStyleProbability, "no MixStyle unless asked for")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).labelSmoothing, "one-hot source labels unless asked for")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).scaleJitter, "every training image at its lab's scale unless asked")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).smallFrames, "frames smaller than the crop are clamped unless asked")
        XCTAssertNil(try RunSpec().trainingConfig(classes: 4).cellCrop, "the lab's crop for every image unless asked for")
        try assertSetting("small_frames", .choice("pad"), gives: \.smallFrames, .pad, refuses: .choice("stretch"), saying: "clamp")
        try assertSetting("scale_jitter", .number(0.25), gives: \.scaleJitter, 0.25, refuses: .number(1.5), saying: "between 0.0 and 1.0")
        try assertSetting("spectrum_transfer", .number(0.05), gives: \.spectrumTransferBeta, 0.05, refuses: .number(0.5), saying: "between 0.0 and 0.25")
        try assertSetting("cell_crop", .choice("image"), gives: \.cellCrop, .image, refuses: .choice("cell"), saying: "image")
        try assertSetting("cell_crop", .choice("halfway"), gives: \.cellCrop, .halfway, refuses: .choice("half"), saying: "halfway")
        try assertSetting("label_smoothing", .number(0.1), gives: \.labelSmoothing, 0.1, refuses: .number(1), saying: "between 0.0 and 0.99")
        var tooOften = RunSpec()
        XCTAssertThrowsError(try tooOften.set("mixstyle", .number(2))) { XCTAssertTrue("\($0)".contains("between 0.0 and 1.0"), "\($0)") }
        XCTAssertEqual(try RunSpec().trainingConfig(classes: 4).headOnlySteps, 0, "the backbone trains from the first step unless asked")
        var tooSure = RunSpec()
        XCTAssertThrowsError(try tooSure.set("consistency", .number(1.5))) { XCTAssertTrue("\($0)".contains("between 0.0 and 1.0"), "\($0)") }
        XCTAssertEqual(try RunSpec().trainingConfig(classes: 4).augmentation, .article, "the article's augmentations are the default")
        XCTAssertEqual(try RunSpec().trainingConfig(classes: 4).statisticsRegion, .crop, "each lab's crops' statistics by default")
        XCTAssertEqual(c.schedule.rate(iteration: 0, epoch: 0), 0.01, accuracy: 1e-9)
        XCTAssertEqual(c.schedule.rate(iteration: 0, epoch: 20), 0.001, accuracy: 1e-9, "step decay: ×0.1 after 20 epochs")
        try spec.set("batch", .number(4096)); try spec.set("size", .number(1024))
        XCTAssertThrowsError(try spec.trainingConfig(classes: 4)) { XCTAssertTrue("\($0)".contains("pixels per step"), "\($0)") }
    }

    /// Setting `name` to `value` gives `expected` at `field` of the training config; `bad` is refused with a message holding `fragment`.
    private func assertSetting<T: Equatable>(_ name: String, _ value: SettingValue, gives field: KeyPath<TrainingConfig, T?>, _ expected: T,
                                             refuses bad: SettingValue, saying fragment: String, line: UInt = #line) throws {
        var spec = RunSpec()
        try spec.set(name, value)
        XCTAssertEqual(try spec.trainingConfig(classes: 4)[keyPath: field], expected, name, line: line)
        XCTAssertThrowsError(try spec.set(name, bad), name, line: line) { XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line) }
    }
}
