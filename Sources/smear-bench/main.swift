// smear-bench: images/second of a ResNet-18 training step and of inference, with the BLAS kernel,
// thread count, peak memory and minor page faults per step. Run through scripts/bench.
import Foundation
import SmearNN
import SmearTensor

struct Usage {
    var maxRSSKiB: Int, minorFaults: Int
    static func now() -> Usage {
        var u = rusage(); getrusage(RUSAGE_SELF.rawValue, &u)
        return Usage(maxRSSKiB: u.ru_maxrss, minorFaults: u.ru_minflt)
    }
}

/// Mean seconds, minor page faults and buffer-pool misses per step, after `warmup` untimed steps.
func timeSteps(warmup: Int, steps: Int, _ body: () -> Void) -> (seconds: Double, faultsPerStep: Double, missesPerStep: Double) {
    for _ in 0..<warmup { body() }
    let f0 = Usage.now().minorFaults, m0 = BufferPool.shared.misses
    let t0 = Date()
    for _ in 0..<steps { body() }
    let dt = Date().timeIntervalSince(t0)
    return (dt / Double(steps), Double(Usage.now().minorFaults - f0) / Double(steps),
            Double(BufferPool.shared.misses - m0) / Double(steps))
}

BLASKernel.ensureBest()
var args = CommandLine.arguments.dropFirst()
var sizes = [64, 224]
var steps = 5
var only: String? = nil
while let a = args.popFirst() {
    switch a {
    case "--sizes": sizes = args.popFirst()!.split(separator: ",").compactMap { Int($0) }
    case "--steps": steps = Int(args.popFirst()!) ?? steps
    case "--only": only = args.popFirst()
    case "--loader":
        let folder = URL(fileURLWithPath: args.popFirst() ?? "data/sample/pbc_barcelona")
        benchLoader(folder: folder, sizes: sizes, batches: steps)
        exit(0)
    case "--profile":
        profileGemm()
        profileConvolutions(size: Int(args.popFirst() ?? "64") ?? 64, batch: 32)
        exit(0)
    default:
        print("usage: smear-bench [--sizes 64,224] [--steps N] [--only train|infer] | --loader [FOLDER] | --profile [PX]")
        exit(64)
    }
}

print("smear-bench: \(ComputeBackend.summary); CPU \(CPUFeatures.current.summary); smear threads \(Parallel.threads)")
GlobalRandom.seed(0)
let classes = 5
let weights = Tensor([0.1, 0.2, 0.3, 0.2, 0.2], shape: [classes])
for size in sizes {
    let model = ResNet18(numClasses: classes)
    let opt = SGD(model.parameters, lr: 0.001, momentum: 0.9, weightDecay: 5e-4, nesterov: true)
    if only != "infer" {
        let batch = 32
        let x = Tensor.normal([batch, 3, size, size])
        let labels = (0..<batch).map { $0 % classes }
        model.train()
        let s = size >= 224 ? max(2, steps / 2) : steps
        let (sec, faults, misses) = timeSteps(warmup: 2, steps: s) {
            let loss = Loss.crossEntropy(model(x), labels: labels, weight: weights)
            opt.zeroGrad()
            loss.backward()
            opt.step()
        }
        if OpProfiler.isEnabled {
            OpProfiler.reset()
            for _ in 0..<3 {
                let loss = Loss.crossEntropy(model(x), labels: labels, weight: weights)
                opt.zeroGrad(); loss.backward(); opt.step()
            }
            print("time per op (SMEAR_PROFILE), training step \(size)px b\(batch):\n" + OpProfiler.report(steps: 3))
            OpProfiler.isEnabled = false
        }
        print(String(format: "train %dpx b%d: smear %.1f img/s (%.1f ms/step), peak RSS %.0f MiB, minor faults/step %.0f, pool misses/step %.1f",
                     size, batch, Double(batch) / sec, sec * 1000, Double(Usage.now().maxRSSKiB) / 1024, faults,
                     misses))
    }
    if only != "train" {
        let batch = 64
        let x = Tensor.normal([batch, 3, size, size])
        model.eval()
        let s = size >= 224 ? max(2, steps / 2) : steps
        let (sec, faults, _) = timeSteps(warmup: 1, steps: s) { _ = withNoGrad { model(x) } }
        print(String(format: "infer %dpx b%d: smear %.1f img/s (%.1f ms/batch), peak RSS %.0f MiB, minor faults/step %.0f",
                     size, batch, Double(batch) / sec, sec * 1000, Double(Usage.now().maxRSSKiB) / 1024, faults))
    }
}
