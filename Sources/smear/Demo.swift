// The main job for now: a ResNet-18 trained on one lab's labelled images (the bundled PBC sample)
// and evaluated on held-out images of that lab and on another lab (BCCD), without adaptation.
// (The adaptation methods replace the training step once they land.)
import Foundation
import SmearData
import SmearNN
import SmearTensor

struct DemoOptions {
    var data = URL(fileURLWithPath: "data/sample")
    var steps = 300, batch = 32, size = 64, width = 16, seed: UInt64 = 1
}

func accuracy(_ model: ResNet18, _ loader: DataLoader) throws -> (Double, Int) {
    model.eval()
    defer { model.train() }
    var correct = 0, total = 0
    for b in 0..<loader.batchesPerEpoch {
        let batch = try loader.batch(epoch: 0, index: b)
        let predicted = withNoGrad { model(batch.images) }.argmax(axis: 1)
        correct += zip(predicted, batch.classLabels).filter { $0 == $1 }.count
        total += predicted.count
    }
    return (Double(correct) / Double(max(total, 1)), total)
}

func runDemo(_ o: DemoOptions) throws {
    GlobalRandom.seed(o.seed)
    let classes = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]
    let source = try ImageDataset.folder(o.data.appendingPathComponent("pbc_barcelona"), name: "pbc", classes: classes)
    let target = try ImageDataset.folder(o.data.appendingPathComponent("bccd"), name: "bccd", classes: classes)
    let (train, heldOut) = source.split(fraction: 0.8, seed: o.seed)
    print("smear demo: source \(train.summary)")
    print("            held out \(heldOut.count) source images; other lab \(target.summary)")
    let sourceStats = try ChannelStatistics.cached(source), targetStats = try ChannelStatistics.cached(target)
    print(String(format: "normalisation: pbc mean %.3f %.3f %.3f std %.3f %.3f %.3f; bccd mean %.3f %.3f %.3f std %.3f %.3f %.3f",
                 sourceStats.mean[0], sourceStats.mean[1], sourceStats.mean[2], sourceStats.std[0], sourceStats.std[1], sourceStats.std[2],
                 targetStats.mean[0], targetStats.mean[1], targetStats.mean[2], targetStats.std[0], targetStats.std[1], targetStats.std[2]))
    let trainPipeline = ImagePipeline.articleTraining(crop: 300, outputSize: o.size, mean: sourceStats.mean, std: sourceStats.std)
    let loader = DataLoader(train, pipeline: trainPipeline, batchSize: o.batch, seed: o.seed, cacheDecoded: true)
    let evalSource = DataLoader(heldOut, pipeline: .evaluation(crop: 300, outputSize: o.size, mean: sourceStats.mean, std: sourceStats.std),
                                batchSize: 32, sampling: .sequential, dropLast: false)
    let evalTarget = DataLoader(target, pipeline: .evaluation(crop: 288, outputSize: o.size, mean: targetStats.mean, std: targetStats.std),
                                batchSize: 32, sampling: .sequential, dropLast: false)

    let model = ResNet18(numClasses: classes.count, width: o.width)
    let weights = Tensor(train.inverseFrequencyWeights(), shape: [classes.count])
    let optimizer = SGD(groups: [ParameterGroup("all", model.parameters)], lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: true)
    let schedule = LearningRateSchedule.inverseDecay(lr: 0.01, gamma: 2e-4, decay: 0.75)
    print("model: ResNet-18 width \(o.width) (\(model.parameterCount) parameters), \(o.size)x\(o.size) inputs, batch \(o.batch), "
          + "\(o.steps) steps, seed \(o.seed); OpenBLAS \(BLAS.coreName), \(BLAS.threads) threads")
    let batches = loader.makeIterator()
    let start = Date()
    let isTerminal = isatty(1) != 0
    for step in 0..<o.steps {
        let batch = try batches.nextBatch()
        optimizer.lr = schedule.rate(iteration: step, epoch: batches.epoch)
        let loss = Loss.crossEntropy(model(batch.images), labels: batch.classLabels, weight: weights)
        guard loss.item.isFinite else {
            throw DemoError.diverged("the loss became \(loss.item) at step \(step + 1); lower the learning rate")
        }
        optimizer.zeroGrad(); loss.backward(); optimizer.step()
        let elapsed = Date().timeIntervalSince(start)
        let line = String(format: "step %d/%d  epoch %d  loss %.4f  lr %.5f  %.1f img/s  ETA %.0fs", step + 1, o.steps, batches.epoch,
                          loss.item, optimizer.lr, Double((step + 1) * o.batch) / elapsed, elapsed / Double(step + 1) * Double(o.steps - step - 1))
        if isTerminal { print("\r" + line, terminator: step + 1 == o.steps ? "\n" : ""); fflush(stdout) }
        else if (step + 1) % 10 == 0 || step + 1 == o.steps { print(line) }
    }
    let (sourceAcc, n1) = try accuracy(model, evalSource), (targetAcc, n2) = try accuracy(model, evalTarget)
    print(String(format: "accuracy on held-out source images (pbc, %d): %.3f", n1, sourceAcc))
    print(String(format: "accuracy on the other lab (bccd, %d, no adaptation): %.3f", n2, targetAcc))
}

enum DemoError: Error, CustomStringConvertible {
    case diverged(String)
    var description: String { switch self { case .diverged(let s): return s } }
}
