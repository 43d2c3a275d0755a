// The training loop on the bundled sample: outputs, exact resumption, divergence, clean stops.
import DANNMethod
import EntMinMethod
import MCCMethod
import Foundation
import MDDMethod
import MMEMethod
import SmearAdapt
import SmearTrain
import SmearData
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

/// A method whose transfer loss becomes NaN from a given iteration on.
final class ExplodingMethod: AdaptationMethod {
    let name = "exploding", options: MethodOptions = ["trade_off": 1]
    let from: Int
    init(from: Int) { self.from = from }
    func makeModules(featureDim: Int, classes: Int) -> [String: Module] { [:] }
    func transferLoss(_ step: StepContext) -> MethodOutput {
        MethodOutput(loss: step.iteration >= from ? Tensor(scalar: .nan) : Tensor(scalar: 0))
    }
}

final class TrainerTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-train-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func quiet(_ t: Trainer) -> Trainer { t.report = { _, _ in }; return t }

    func testEveryMethod_runsAndWritesHistoryCheckpointsAndReports() throws {
        let data = try TinyRun.data()
        for descriptor in [SourceOnly.descriptor, MDD.descriptor, DANN.descriptor, EntMin.descriptor, MinimumClassConfusion.descriptor, MME.descriptor] {
            let out = dir.appendingPathComponent(descriptor.name)
            var config = TinyRun.config()
            config.forwardTogether = descriptor.name != "entmin"   // both modes are exercised
            let t = quiet(try Trainer(config: config, method: try descriptor.instantiate(), data: data, directory: out))
            XCTAssertTrue(try t.run())
            XCTAssertEqual(t.history.count, 2, descriptor.name)
            XCTAssertTrue(t.history.allSatisfy { $0.classificationLoss.isFinite && $0.transferLoss.isFinite && $0.targetSND.isFinite })
            XCTAssertNotNil(t.history[0].targetMacroF1, "the target has labels, so F1 is reported")
            XCTAssertNotNil(t.history[0].sourceMacroF1)
            XCTAssertTrue(t.history.allSatisfy { $0.targetDEV?.isFinite == true }, "DEV from the source validation set")
            for file in ["history.csv", "history.jsonl", "latest.safetensors", "best_snd.safetensors", "best_entropy.safetensors",
                         "best_im.safetensors", "best_dev.safetensors", "best_source_f1.safetensors"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(descriptor.name): \(file)")
            }
            // latest keeps the optimizer's momentum for resuming; a criterion's checkpoint holds the model alone.
            let modelNames = Set(t.net.stateDict().map(\.0))
            let latest = Set(try SafeTensors.read(out.appendingPathComponent("latest.safetensors")).tensors.keys)
            XCTAssertTrue(latest.contains { $0.hasPrefix("optimizer.momentum.") }, descriptor.name)
            XCTAssertEqual(Set(try SafeTensors.read(out.appendingPathComponent("best_snd.safetensors")).tensors.keys), modelNames, descriptor.name)
            try t.loadSelected(.snd)
            let e = try Evaluation.run(t.net, on: data.target, pipeline: t.targetPipeline(training: false))
            try e.writePredictions(to: out.appendingPathComponent("predictions.csv"))
            let lines = try String(contentsOf: out.appendingPathComponent("predictions.csv"), encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.first, "image,label_id,label")
            XCTAssertEqual(lines.count, data.target.count + 1)
            XCTAssertTrue(e.report(title: "t").contains("macro F1"))
        }
    }

    /// At one thread and at two (how the experiments run): smear's own loops split work the same way every time.
    func testResume_afterAnInterruption_givesTheSameWeightsAsAnUninterruptedRun() throws {
        let savedThreads = Parallel.threads
        defer { Parallel.threads = savedThreads }
        let data = try TinyRun.data()
        for threads in [1, 2] {
            Parallel.threads = threads   // smear's loops and matrix products (OpenBLAS runs on the calling thread)
            let folder = dir.appendingPathComponent("threads\(threads)")
            let whole = quiet(try Trainer(config: TinyRun.config(epochs: 2), method: MDD(options: try MDD.descriptor.resolve([:])), data: data,
                                          directory: folder.appendingPathComponent("whole")))
            try whole.run()
            let first = quiet(try Trainer(config: TinyRun.config(epochs: 1), method: MDD(options: try MDD.descriptor.resolve([:])), data: data,
                                          directory: folder.appendingPathComponent("split")))
            try first.run()
            let second = quiet(try Trainer(config: TinyRun.config(epochs: 2), method: MDD(options: try MDD.descriptor.resolve([:])), data: data,
                                           directory: folder.appendingPathComponent("split")))
            XCTAssertTrue(try second.resume())
            XCTAssertEqual(second.completedEpochs, 1)
            try second.run()
            for ((name, a), (_, b)) in zip(whole.net.stateDict(), second.net.stateDict()) {
                XCTAssertEqual(a.scalars, b.scalars, "\(name) differs after resuming at \(threads) threads")
            }
            XCTAssertEqual(second.history.map(\.targetSND), whole.history.map(\.targetSND), "at \(threads) threads")
        }
    }

    /// What resume(run) does in the REPL after Ctrl-C: the same trainer object, stopped in the middle of an
    /// epoch, reloads `latest` (weights, momentum, epoch) and runs on: equal to an uninterrupted run, bit for
    /// bit at one thread. Continuing from the weights in memory would apply the partial epoch's steps twice.
    func testInterruptMidEpoch_thenResumeTheSameTrainer_equalsAnUninterruptedRun() throws {
        let savedThreads = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = savedThreads }
        let data = try TinyRun.data()
        let whole = quiet(try Trainer(config: TinyRun.config(epochs: 2), method: MDD(options: try MDD.descriptor.resolve([:])), data: data,
                                      directory: dir.appendingPathComponent("whole")))
        try whole.run()
        let t = quiet(try Trainer(config: TinyRun.config(epochs: 2), method: MDD(options: try MDD.descriptor.resolve([:])), data: data,
                                  directory: dir.appendingPathComponent("interrupted")))
        var steps = 0
        let stopAt = TinyRun.config().iterationsPerEpoch + 1   // one step into the second epoch
        t.shouldStop = { steps += 1; return steps == stopAt }
        XCTAssertFalse(try t.run(), "stopped early")
        XCTAssertTrue(try t.resume())
        XCTAssertEqual(t.completedEpochs, 1)
        XCTAssertTrue(try t.run())
        for ((name, a), (_, b)) in zip(whole.net.stateDict(), t.net.stateDict()) { XCTAssertEqual(a.scalars, b.scalars, "\(name)") }
    }

    func testDivergence_stopsWithAClearError_andKeepsTheLastGoodCheckpoint() throws {
        let t = quiet(try Trainer(config: TinyRun.config(epochs: 3), method: ExplodingMethod(from: 4), data: try TinyRun.data(), directory: dir))
        XCTAssertThrowsError(try t.run()) { e in
            XCTAssertTrue("\(e)".contains("diverged at iteration 4"), "\(e)")
            XCTAssertTrue("\(e)".contains("last checkpoint is intact"), "\(e)")
        }
        let meta = try SafeTensors.read(dir.appendingPathComponent("latest.safetensors")).metadata
        XCTAssertEqual(meta["epoch"], "1")
    }

    func testShouldStop_endsTheRunCleanlyAfterTheCurrentStep() throws {
        let t = quiet(try Trainer(config: TinyRun.config(epochs: 2), method: SourceOnly(), data: try TinyRun.data(), directory: dir))
        var steps = 0
        t.shouldStop = { steps += 1; return steps == 2 }
        XCTAssertFalse(try t.run())
        XCTAssertEqual(t.completedEpochs, 0)
        XCTAssertEqual(t.optimizer.stepCount, 2)
    }

    func testCheckpointSelection_collapseGuard_neverPrefersACollapsedEpoch() {
        // (value, collapsed, kept, higher is better) → replaces?
        XCTAssertTrue(SelectionCriterion.replaces(1, collapsed: true, kept: nil, higherIsBetter: true), "the first epoch is kept even if collapsed")
        XCTAssertFalse(SelectionCriterion.replaces(9, collapsed: true, kept: (1, false), higherIsBetter: true), "a better but collapsed epoch loses")
        XCTAssertTrue(SelectionCriterion.replaces(0.5, collapsed: false, kept: (9, true), higherIsBetter: true), "any healthy epoch beats a collapsed one")
        XCTAssertTrue(SelectionCriterion.replaces(2, collapsed: false, kept: (1, false), higherIsBetter: true))
        XCTAssertFalse(SelectionCriterion.replaces(1, collapsed: false, kept: (1, false), higherIsBetter: true), "ties keep the earlier")
        XCTAssertTrue(SelectionCriterion.replaces(0.2, collapsed: false, kept: (0.3, false), higherIsBetter: false), "entropy: lower is better")
        XCTAssertTrue(SelectionCriterion.replaces(3, collapsed: true, kept: (2, true), higherIsBetter: true), "among collapsed epochs, the better value")
    }

    func testReinhardStainNormalisation_colourTransferComesFirst_targetUsesSourceStatistics_andTrains() throws {
        var config = TinyRun.config(epochs: 1)
        config.stainNormalization = .reinhard
        let data = try TinyRun.data()
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: data, directory: dir))
        for training in [true, false] {
            let p = t.targetPipeline(training: training)
            XCTAssertEqual(p.steps.first?.name, "ReinhardTransfer", "training \(training)")
            XCTAssertEqual(p.mean, data.sourceStatistics.mean, "the transferred target is z-scored like the source")
        }
        XCTAssertNotEqual(quiet(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: data, directory: dir))
                            .targetPipeline(training: false).steps.first?.name, "ReinhardTransfer", "off by default")
        XCTAssertTrue(try t.run())
        XCTAssertTrue(t.history.allSatisfy { $0.targetEntropy.isFinite })
    }

    /// Per-image colour steps: the mean shift after the centre crop (measured on what the network sees),
    /// the background's white balance before it (the glass lies mostly outside the crop); both labs.
    func testPerImageColourSteps_sitWhereTheyMeasure_inBothLabsPipelines() throws {
        let data = try TinyRun.data()
        for (stain, name, position) in [(StainNormalization.labMeanImage, "ImageReinhardTransfer", 1), (.whiteBalanceImage, "BackgroundWhiteBalance", 0),
                                        (.whiteBalanceZScore, "BackgroundWhiteBalance", 0)] {
            var config = TinyRun.config(epochs: 1)
            config.stainNormalization = stain
            let t = quiet(try Trainer(config: config, method: SourceOnly(), data: data, directory: dir))
            for training in [true, false] {
                for (lab, p) in [("source", t.sourcePipeline(training: training)), ("target", t.targetPipeline(training: training))] {
                    XCTAssertEqual(p.steps[position].name, name, "\(stain) \(lab) training \(training)")
                    XCTAssertEqual(p.steps.filter { $0.name == name }.count, 1, "\(stain) \(lab) training \(training)")
                }
            }
        }
    }

    /// white_balance_zscore: each lab is z-scored with its own statistics of the balanced images, recorded in
    /// run.json; white_balance_image z-scores the target like the source.
    func testWhiteBalanceZScore_eachLabTakesItsOwnBalancedStatistics() throws {
        let data = try TinyRun.data()
        var config = TinyRun.config(epochs: 1)
        config.stainNormalization = .whiteBalanceZScore
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: data, directory: dir))
        let balance = BackgroundWhiteBalance(reference: try BackgroundWhiteBalance.labBackground(data.source))
        let expectedTarget = try ChannelStatistics.compute(data.target, transform: balance)
        for c in 0..<3 {
            XCTAssertEqual(t.targetPipeline(training: false).mean[c], expectedTarget.mean[c], accuracy: 1e-5, "channel \(c)")
            XCTAssertEqual(t.targetPipeline(training: false).std[c], expectedTarget.std[c], accuracy: 1e-5, "channel \(c)")
        }
        XCTAssertEqual(quiet(try RunRecord.open(dir)).data.targetStatistics, t.data.targetStatistics, "recorded as used, reopened alike")
        config.stainNormalization = .whiteBalanceImage
        let sourceLike = quiet(try Trainer(config: config, method: SourceOnly(), data: data, directory: dir.appendingPathComponent("second")))
        XCTAssertEqual(sourceLike.targetPipeline(training: false).mean, data.sourceStatistics.mean)
    }

    /// statistics="crop": each lab is z-scored with the statistics of its own centre crops at the run's crop
    /// for that lab, recorded in run.json; the per-image colour step's goal is the source's crops' L*a*b* mean.
    func testCropStatistics_zScoreEachLabWithItsCentreCrops() throws {
        let data = try TinyRun.data()
        var config = TinyRun.config(epochs: 1)
        config.sourceCrop = 200; config.targetCrop = 300
        config.statisticsRegion = .crop
        config.stainNormalization = .labMeanImage
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: data, directory: dir))
        let (source, target) = (try ChannelStatistics.compute(data.source, crop: 200), try ChannelStatistics.compute(data.target, crop: 300))
        for c in 0..<3 {
            XCTAssertEqual(t.sourcePipeline(training: true).mean[c], source.mean[c], accuracy: 1e-5, "channel \(c)")
            XCTAssertEqual(t.sourcePipeline(training: false).std[c], source.std[c], accuracy: 1e-5, "channel \(c)")
        }
        XCTAssertEqual(t.data.targetStatistics.mean, target.mean)
        XCTAssertEqual(t.targetPipeline(training: false).mean, t.data.sourceStatistics.mean, "lab_mean_image: the target z-scored like the source")
        let goal = try XCTUnwrap(t.sourcePipeline(training: true).steps[1] as? ImageReinhardTransfer).to
        XCTAssertEqual(goal.mean[0], try ChannelStatistics.compute(data.source, space: .lab, crop: 200).mean[0], accuracy: 1e-4)
        XCTAssertEqual(quiet(try RunRecord.open(dir)).data.sourceStatistics, t.data.sourceStatistics, "recorded as used")
        config.statisticsRegion = .frame
        let frame = quiet(try Trainer(config: config, method: SourceOnly(), data: data, directory: dir.appendingPathComponent("frame")))
        XCTAssertEqual(frame.data.sourceStatistics, data.sourceStatistics, "frame: the statistics given are kept")
    }

    /// augment="reference": the PyTorch reference's chain for both labs (random 8/9, colour jitter, the 8
    /// orientations) and its evaluation on the centre 8/9.
    func testReferenceAugmentation_isTheReferencesChain_inBothLabs() throws {
        var config = TinyRun.config(epochs: 1)
        config.augmentation = .reference
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir))
        for p in [t.sourcePipeline(training: true), t.targetPipeline(training: true)] {
            XCTAssertEqual(p.steps.map(\.name), ["CenterCrop(\(p.regionSide!))", "FractionCrop(\(64.0 / 72.0), random)",
                                                 "ColorJitter(0.3, 0.5, 0.5)(p=0.5)", "Dihedral"])
        }
        for p in [t.sourcePipeline(training: false), t.targetPipeline(training: false)] {
            XCTAssertEqual(p.steps.map(\.name), ["CenterCrop(\(p.regionSide!))", "FractionCrop(\(64.0 / 72.0), centre)"])
        }
        XCTAssertEqual(t.sourcePipeline(training: false).regionSide, config.sourceCrop)
        XCTAssertTrue(try t.run())
    }

    func testDihedralOption_addsTheOrientationsToTrainingOnly() throws {
        var config = TinyRun.config(epochs: 1)
        config.dihedral = true
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir))
        XCTAssertEqual(t.sourcePipeline(training: true).steps.last?.name, "Dihedral")
        XCTAssertEqual(t.targetPipeline(training: true).steps.last?.name, "Dihedral")
        XCTAssertFalse(t.targetPipeline(training: false).steps.contains { $0.name == "Dihedral" }, "evaluation is not augmented")
        let plain = quiet(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: try TinyRun.data(), directory: dir))
        XCTAssertFalse(plain.sourcePipeline(training: true).steps.contains { $0.name == "Dihedral" }, "off by default")
    }

    /// A finished run reopens from its folder alone (run.json + latest): same method, settings, history
    /// and weights; it then trains on (more epochs) like any resumed run.
    /// average=d keeps the moving average of the weights as the checkpoint "average" and changes nothing else: the
    /// final iterate equals a run without it bit for bit (one thread); stopped mid-epoch and resumed, the run ends
    /// with the same average as an uninterrupted one; a run without it says how to get one.
    func testWeightAverage_isCheckpointAverage_trainingUnchanged_resumesExactly() throws {
        let savedThreads = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = savedThreads }
        let data = try TinyRun.data()
        func trainer(_ name: String, average: Float?) throws -> Trainer {
            var c = TinyRun.config(epochs: 2)
            c.weightAverageDecay = average
            return quiet(try Trainer(config: c, method: MDD(options: try MDD.descriptor.resolve([:])), data: data,
                                     directory: dir.appendingPathComponent(name)))
        }
        let plain = try trainer("plain", average: nil), averaged = try trainer("averaged", average: 0.9)
        try plain.run(); try averaged.run()
        for ((name, a), (_, b)) in zip(plain.net.stateDict(), averaged.net.stateDict()) { XCTAssertEqual(a.scalars, b.scalars, name) }
        let interrupted = try trainer("interrupted", average: 0.9)
        var steps = 0
        interrupted.shouldStop = { steps += 1; return steps == TinyRun.config().iterationsPerEpoch + 1 }
        XCTAssertFalse(try interrupted.run())
        XCTAssertTrue(try interrupted.resume())
        XCTAssertTrue(try interrupted.run())
        try averaged.loadSelected(.average); try interrupted.loadSelected(.average)
        var differsFromFinal = false
        for (((name, a), (_, b)), (_, final)) in zip(zip(averaged.net.stateDict(), interrupted.net.stateDict()), plain.net.stateDict()) {
            XCTAssertEqual(a.scalars, b.scalars, "\(name): the average after resuming")
            if a.scalars != final.scalars { differsFromFinal = true }
        }
        XCTAssertTrue(differsFromFinal, "the average is not the final iterate")
        XCTAssertThrowsError(try plain.loadSelected(.average)) { XCTAssertTrue("\($0)".contains("average=0.998"), "\($0)") }
    }

    func testOpenRun_fromItsFolder_restoresSettingsHistoryAndWeights() throws {
        let out = dir.appendingPathComponent("reopen")
        let t = quiet(try Trainer(config: TinyRun.config(), method: try MDD.descriptor.instantiate(["margin": 3]), data: try TinyRun.data(), directory: out))
        try t.run()
        MethodRegistry.shared.register(MDD.descriptor)
        let record = RunRecord.url(in: out).path
        let fileBefore = try FileManager.default.attributesOfItem(atPath: record)[.systemFileNumber] as? Int
        let again = quiet(try RunRecord.open(out))
        let fileAfter = try FileManager.default.attributesOfItem(atPath: record)[.systemFileNumber] as? Int
        XCTAssertNotNil(fileBefore)
        XCTAssertEqual(fileBefore, fileAfter, "reopening a run leaves its run.json as it was (an atomic rewrite is a new file)")
        XCTAssertEqual(again.method.name, "mdd"); XCTAssertEqual(again.method.options.values["margin"], 3)
        XCTAssertEqual(again.completedEpochs, 2)
        XCTAssertEqual(again.history.map(\.targetEntropy), t.history.map(\.targetEntropy))
        XCTAssertEqual(again.data.target.count, t.data.target.count)
        for ((name, a), (_, b)) in zip(t.net.stateDict(), again.net.stateDict()) { XCTAssertEqual(a.scalars, b.scalars, name) }
        XCTAssertThrowsError(try RunRecord.open(dir.appendingPathComponent("nothing-here")))
    }

    /// backbone= starts the backbone from a torchvision ResNet-18 file (written by PyTorch's safetensors library,
    /// `fc` left out); a file of another width, or none, stops with an error that says what to do.
    func testBackboneWeights_startTheBackboneFromATorchvisionFile_orFailClearly() throws {
        let file = fixturesDirectory.appendingPathComponent("torch_written_resnet18_w8.safetensors")
        var config = TinyRun.config(epochs: 1)
        config.network.width = 8
        config.backboneWeights = file.path
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir))
        let weights = try SafeTensors.read(file).tensors
        for (name, tensor) in t.net.backbone.stateDict() {
            XCTAssertEqual(tensor.scalars, weights[name]?.scalars, name)
        }
        XCTAssertNotNil(weights["fc.weight"], "the file has an fc, which the backbone leaves out")
        XCTAssertTrue(try t.run())
        var moved = config
        moved.backboneWeights = dir.appendingPathComponent("moved-away.safetensors").path
        XCTAssertNoThrow(try Trainer(config: moved, method: SourceOnly(), data: try TinyRun.data(), directory: dir),
                         "a run with a checkpoint reopens without the file it started from")

        config.network.width = 4
        XCTAssertThrowsError(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent("w4"))) {
            XCTAssertTrue("\($0)".contains("wrong shape conv1.weight: file [8, 3, 7, 7], model [4, 3, 7, 7]"), "\($0)")
        }
        config.backboneWeights = dir.appendingPathComponent("absent.safetensors").path
        XCTAssertThrowsError(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent("none"))) {
            XCTAssertTrue("\($0)".contains("absent.safetensors\": no such file"), "\($0)")
        }
    }
}

extension TrainerTests {
    /// backbone efficientnet_lite0: the run trains, its record keeps the choice, and it reopens with the same network.
    func testEfficientNetBackbone_trainsAndReopens() throws {
        var config = TinyRun.config(epochs: 1)
        config.network.backbone = .efficientnetLite0
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir))
        XCTAssertTrue(t.net.backbone is EfficientNetLite)
        XCTAssertTrue(try t.run())
        let again = try RunRecord.open(dir)
        XCTAssertEqual(again.config.network.backbone, .efficientnetLite0)
        for ((name, a), (_, b)) in zip(t.net.stateDict(), again.net.stateDict()) { XCTAssertEqual(a.scalars, b.scalars, name) }
    }
}

extension TrainerTests {
    /// stain_bank: the source's training pipeline recolours right after its centre crop; evaluation and the target
    /// do not; the run trains.
    func testStainBank_recoloursOnlyTheSourcesTrainingImages() throws {
        var config = TinyRun.config(epochs: 1)
        config.stainBank = true
        let t = quiet(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: dir))
        XCTAssertTrue(t.sourcePipeline(training: true).steps[1] is StainBankRecolour)
        XCTAssertFalse(t.sourcePipeline(training: false).steps.contains { $0 is StainBankRecolour })
        XCTAssertFalse(t.targetPipeline(training: true).steps.contains { $0 is StainBankRecolour })
        XCTAssertTrue(try t.run())
    }
}
