// The demo job: a small ResNet-18 learns synthetic "cells" for a few steps and prints its losses.
// (Replaced by the real source → target job once datasets and adaptation land.)
import Foundation
import SmearNN
import SmearTensor

/// Synthetic images [N, 3, size, size]: class k is a bright disc whose radius and colour depend on k,
/// on a noisy background, so that a classifier can learn it in a few steps.
func syntheticBatch(count: Int, classes: Int, size: Int, generator: inout RandomGenerator) -> (Tensor, [Int]) {
    var values = [Float](repeating: 0, count: count * 3 * size * size)
    var labels: [Int] = []
    for n in 0..<count {
        let k = Int(generator.next() % UInt64(classes))
        labels.append(k)
        let radius = Float(size) * (0.15 + 0.3 * Float(k) / Float(max(classes - 1, 1)))
        let cx = Float(size) / 2 + (generator.nextUniform() - 0.5) * 4
        let cy = Float(size) / 2 + (generator.nextUniform() - 0.5) * 4
        for c in 0..<3 {
            let tint: Float = c == k % 3 ? 1.0 : 0.4
            for y in 0..<size {
                for x in 0..<size {
                    let d = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)).squareRoot()
                    let inside: Float = d < radius ? tint : 0
                    values[((n * 3 + c) * size + y) * size + x] = inside + 0.2 * generator.nextNormal()
                }
            }
        }
    }
    return (Tensor(values, shape: [count, 3, size, size]), labels)
}

func runDemo(steps: Int, batch: Int, size: Int, width: Int, seed: UInt64) {
    GlobalRandom.seed(seed)
    var generator = RandomGenerator(seed: seed)
    let classes = 5
    let model = ResNet18(numClasses: classes, width: width)
    let weights = Tensor.full([classes], 1 / Float(classes))
    let optimizer = SGD(groups: [ParameterGroup("all", model.parameters)], lr: 0.01, momentum: 0.9,
                        weightDecay: 5e-4, nesterov: true)
    let schedule = LearningRateSchedule.inverseDecay(lr: 0.01, gamma: 2e-4, decay: 0.75)
    print("smear demo: ResNet-18 (width \(width), \(model.parameterCount) parameters) on synthetic \(size)x\(size) "
          + "images, \(classes) classes, batch \(batch), \(steps) steps, seed \(seed)")
    print("BLAS: OpenBLAS \(BLAS.coreName), \(BLAS.threads) threads")
    let start = Date()
    for step in 0..<steps {
        let (x, labels) = syntheticBatch(count: batch, classes: classes, size: size, generator: &generator)
        optimizer.lr = schedule.rate(iteration: step, epoch: 0)
        let logits = model(x)
        let loss = Loss.crossEntropy(logits, labels: labels, weight: weights)
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        let predicted = logits.argmax(axis: 1)
        let accuracy = Float(zip(predicted, labels).filter { $0 == $1 }.count) / Float(batch)
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double((step + 1) * batch) / elapsed
        let eta = elapsed / Double(step + 1) * Double(steps - step - 1)
        print(String(format: "step %3d/%d  loss %.4f  batch acc %.2f  lr %.5f  %.1f img/s  ETA %.0fs",
                     step + 1, steps, loss.item, accuracy, optimizer.lr, rate, eta))
        if !loss.item.isFinite {
            print("smear demo: the loss became \(loss.item) at step \(step + 1); stopping. Lower the learning rate.")
            exit(70)
        }
    }
    model.eval()
    let (x, labels) = syntheticBatch(count: 64, classes: classes, size: size, generator: &generator)
    let predicted = withNoGrad { model(x) }.argmax(axis: 1)
    let accuracy = Float(zip(predicted, labels).filter { $0 == $1 }.count) / 64
    print(String(format: "held-out synthetic accuracy after %d steps: %.2f (chance %.2f)", steps, accuracy, 1 / Float(classes)))
}
