// The smallest run worth training in a test: ResNet-18 at width 4, 32 px, 3 steps of 4 + 4 images per epoch, on
// the bundled PBC sample (80% to train) and a quarter of the bundled BCCD sample as the target.
import Foundation
import SmearAdapt
import SmearData
import SmearNN
import SmearTestSupport
import SmearTrain

enum TinyRun {
    static func config(epochs: Int = 2) -> TrainingConfig {
        var c = TrainingConfig(network: NetworkConfig(classes: 5, width: 4, bottleneck: 16, headWidth: 16))
        c.epochs = epochs; c.iterationsPerEpoch = 3; c.batchSize = 4; c.inputSize = 32; c.workers = 1
        c.schedule = .inverseDecay(lr: 0.01, gamma: 2e-4, decay: 0.75)
        return c
    }

    static func data() throws -> RunData {
        let source = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let (train, validation) = source.split(fraction: 0.8, seed: 1)
        let target = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"), classes: source.classes)
            .split(fraction: 0.25, seed: 1).0
        let stats = ChannelStatistics(mean: [0.8, 0.7, 0.7], std: [0.2, 0.2, 0.1], images: 0)
        return RunData(source: train, sourceValidation: validation, target: target, sourceStatistics: stats, targetStatistics: stats)
    }
}
