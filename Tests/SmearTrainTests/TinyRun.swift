// The smallest run worth training in a test: ResNet-18 at width 4, 32 px, 3 steps of 4 + 4 images per epoch, on
// the bundled PBC sample (80% to train) and a quarter of the bundled BCCD sample as the target.
import Foundation
import MDDMethod
import SmearAdapt
import SmearData
import SmearNN
import SmearTestSupport
import SmearTrain
import XCTest

enum TinyRun {
    /// Trains `make("whole", epochs)` straight through, and `make("split", 1)` for one epoch then `make("split", epochs)`
    /// resumed from it, and asserts that both end with the same weights and statistics, bit for bit. Returns the
    /// uninterrupted run.
    @discardableResult
    static func assertResumedRunMatchesUninterrupted(epochs: Int = 2, file: StaticString = #filePath, line: UInt = #line,
                                                     _ make: (_ name: String, _ epochs: Int) throws -> Trainer) throws -> Trainer {
        let whole = try make("whole", epochs)
        try whole.run()
        try make("split", 1).run()
        let second = try make("split", epochs)
        XCTAssertTrue(try second.resume(), "the split run resumes from its first epoch", file: file, line: line)
        try second.run()
        for ((name, a), (_, b)) in zip(whole.net.stateDict(), second.net.stateDict()) {
            XCTAssertEqual(a.scalars, b.scalars, "\(name) differs after resuming", file: file, line: line)
        }
        return whole
    }

    static func config(epochs: Int = 2) -> TrainingConfig {
        var c = TrainingConfig(network: NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16))
        c.epochs = epochs; c.iterationsPerEpoch = 3; c.batchSize = 4; c.inputSize = 32; c.workers = 1
        c.schedule = .inverseDecay(lr: 0.01, gamma: 2e-4, decay: 0.75)
        return c
    }

    /// An MDD run in `dir`/`name` of `epochs` × 3 steps with one setting changed by `configure`, reporting nothing.
    static func mddTrainer(in dir: URL, _ name: String, epochs: Int = 1, configure: (inout TrainingConfig) -> Void) throws -> Trainer {
        var c = config(epochs: epochs)
        configure(&c)
        let t = try Trainer(config: c, method: MDD(options: try MDD.descriptor.resolve([:])), data: try data(),
                            directory: dir.appendingPathComponent(name))
        t.report = { _, _ in }
        return t
    }

    /// A run's weights by name, to compare two runs bit for bit.
    static func weights(_ t: Trainer) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: t.net.stateDict().map { ($0.0, $0.1.scalars) }) }

    static func data() throws -> RunData {
        let source = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let (train, validation) = source.split(fraction: 0.8, seed: 1)
        let target = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"), classes: source.classes)
            .split(fraction: 0.25, seed: 1).0
        let stats = ChannelStatistics(mean: [0.8, 0.7, 0.7], std: [0.2, 0.2, 0.1], images: 0)
        return RunData(source: train, sourceValidation: validation, target: target, sourceStatistics: stats, targetStatistics: stats)
    }

    /// A trained one-epoch run whose first four target cells were labelled (RunData.labelledTarget) and left out of
    /// its target: the run, the whole lab and the labelled cells.
    static func withFourLabelledCells(in dir: URL) throws -> (trainer: Trainer, whole: ImageDataset, labelled: ImageDataset) {
        var data = try TinyRun.data()
        let whole = data.target
        let labelled = ImageDataset(name: "labelled", samples: Array(whole.samples.prefix(4)), classes: whole.classes)
        data.target.samples.removeFirst(4)
        data.labelledTarget = labelled
        let t = try Trainer(config: config(epochs: 1), method: SourceOnly(), data: data, directory: dir)
        t.report = { _, _ in }
        try t.run()
        return (t, whole, labelled)
    }

    /// The run's evaluation of its scored target cells followed by its labelled ones, in one pass with features: what a
    /// relabelling anchored on the labelled cells starts from.
    static func scoredThenLabelled(_ t: Trainer) throws -> Evaluation {
        var both = t.data.target
        both.samples += t.data.labelledTarget!.samples
        return try Evaluation.run(t.net, on: both, pipeline: t.targetPipeline(training: false), keepFeatures: true)
    }

    /// The run's labelled cells as a relabelling's anchors in `scoredThenLabelled`'s order: index → given class.
    static func labelledAsAnchors(_ t: Trainer) -> [Int: Int] {
        let n = t.data.target.count
        return Dictionary(uniqueKeysWithValues: t.data.labelledTarget!.samples.enumerated().map { (n + $0.offset, $0.element.label!) })
    }
}
