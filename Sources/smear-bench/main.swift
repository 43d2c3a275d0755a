// smear-bench: images/second of a ResNet-18 training step, of inference and of an MDD adaptation step,
// with the back end and kernels in use, achieved GFLOP/s against the machine's measured FMA peak, peak
// memory and minor page faults per step. Run through scripts/bench, beside PyTorch.
import CBenchKernels
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

BLASKernel.ensureBest()   // as the smear executable does: the CPU's best OpenBLAS kernel when unset

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

/// FLOPs of ResNet-18's convolutions and fc (multiply-adds × 2) for a batch: forward, and a training step
/// (forward + input gradients, except the stem's, + weight gradients).
func resnet18FLOPs(size: Int, batch: Int, width: Int = 64, classes: Int = 5) -> (forward: Double, training: Double) {
    var forward = 0.0, stem = 0.0
    func conv(_ c: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int, _ h: inout Int) {
        let oh = (h + 2 * p - k) / s + 1
        forward += 2 * Double(batch * oh * oh * o * c * k * k)
        h = oh
    }
    var h = size
    conv(3, width, 7, 2, 3, &h)
    stem = forward
    h = (h + 2 - 3) / 2 + 1   // max pooling
    var inPlanes = width
    for (stage, stride) in [(1, 1), (2, 2), (4, 2), (8, 2)] {
        let planes = width * stage
        var hIn = h
        if stride != 1 || inPlanes != planes { var hd = hIn; conv(inPlanes, planes, 1, stride, 0, &hd) }
        conv(inPlanes, planes, 3, stride, 1, &hIn)
        conv(planes, planes, 3, 1, 1, &hIn)
        conv(planes, planes, 3, 1, 1, &hIn); conv(planes, planes, 3, 1, 1, &hIn)
        h = hIn; inPlanes = planes
    }
    forward += 2 * Double(batch * 8 * width * classes)
    return (forward, 3 * forward - stem)
}

var args = CommandLine.arguments.dropFirst()
var sizes = [64, 128, 224]
var mddSizes = [64, 224]
var steps = 5
var only: String? = nil
var backbone = BackboneKind.resnet18
while let a = args.popFirst() {
    switch a {
    case "--sizes": sizes = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--mdd-sizes": mddSizes = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--steps": steps = Int(args.popFirst() ?? "") ?? steps
    case "--only": only = args.popFirst()
    case "--backbone":
        guard let b = args.popFirst().flatMap(BackboneKind.init(rawValue:)) else { print("--backbone: " + BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")); exit(64) }
        backbone = b
    case "--loader":
        let folder = URL(fileURLWithPath: args.popFirst() ?? "data/sample/pbc_barcelona")
        benchLoader(folder: folder, sizes: sizes, batches: steps)
        exit(0)
    case "--profile-depthwise":
        profileDepthwise(size: Int(args.popFirst() ?? "128") ?? 128, batch: 32)
        exit(0)
    case "--profile":
        profileGemm()
        profileConvolutions(size: Int(args.popFirst() ?? "64") ?? 64, batch: 32)
        exit(0)
    default:
        print("usage: smear-bench [--sizes 64,128,224] [--mdd-sizes 64,224] [--steps N] [--only train|infer|mdd] [--backbone resnet18|efficientnet_lite0|efficientnet_lite2] | --loader [FOLDER] | --profile [PX] | --profile-depthwise [PX]")
        exit(64)
    }
}

var isa: UnsafePointer<CChar>? = nil
let peak = smear_fma_peak_gflops(Int32(Parallel.threads), 0.5, &isa)
print("smear-bench: \(ComputeBackend.summary); CPU \(CPUFeatures.current.summary); smear threads \(Parallel.threads)")
print(String(format: "fma peak: %.0f GFLOP/s fp32 (%@, %d threads)", peak, String(cString: isa!), Parallel.threads))

/// The report line of one figure (parsed by scripts/bench).
func report(_ what: String, images: Int, seconds: Double, flops: Double?, faults: Double, misses: Double? = nil) {
    var line = String(format: "%@: smear %.1f img/s (%.1f ms/step), peak RSS %.0f MiB, minor faults/step %.0f",
                      what, Double(images) / seconds, seconds * 1000, Double(Usage.now().maxRSSKiB) / 1024, faults)
    if let misses { line += String(format: ", pool misses/step %.1f", misses) }
    if let flops { line += String(format: ", %.0f GFLOP/s = %.2f of peak", flops / seconds / 1e9, flops / seconds / 1e9 / peak) }
    print(line)
}

GlobalRandom.seed(0)
let classes = 5
let weights = Tensor([0.1, 0.2, 0.3, 0.2, 0.2], shape: [classes])
for size in sizes where only == nil || only == "train" || only == "infer" {
    let model: Module = backbone.liteVariant.map { EfficientNetLite($0, numClasses: classes) } ?? ResNet18(numClasses: classes)
    let name = backbone.liteVariant.map { $0.rawValue + " " } ?? ""
    let flopsKnown = backbone == .resnet18
    let opt = SGD(model.parameters, lr: 0.001, momentum: 0.9, weightDecay: 5e-4, nesterov: true)
    let s = size >= 224 ? max(2, steps / 2) : steps
    if only != "infer" {
        let batch = 32
        let x = Tensor.normal([batch, 3, size, size])
        let labels = (0..<batch).map { $0 % classes }
        model.train()
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
            OpProfiler.reset()
        }
        report("\(name)train \(size)px b\(batch)", images: batch, seconds: sec, flops: flopsKnown ? resnet18FLOPs(size: size, batch: batch).training : nil,
               faults: faults, misses: misses)
    }
    if only != "train" {
        let batch = 64
        let x = Tensor.normal([batch, 3, size, size])
        model.eval()
        let (sec, faults, _) = timeSteps(warmup: 2, steps: s) { _ = withNoGrad { model(x) } }
        if OpProfiler.isEnabled {
            OpProfiler.reset()
            for _ in 0..<3 { _ = withNoGrad { model(x) } }
            print("time per op (SMEAR_PROFILE), inference \(size)px b\(batch):\n" + OpProfiler.report(steps: 3))
            OpProfiler.reset()
        }
        report("\(name)infer \(size)px b\(batch)", images: batch, seconds: sec, flops: flopsKnown ? resnet18FLOPs(size: size, batch: batch).forward : nil,
               faults: faults)
    }
}

// The MDD step of the article's recipe: 32 source + 32 target images through one network (full-width
// ResNet-18, bottleneck 1024, heads 1024, the adversarial head behind the gradient reversal layer).
for size in mddSizes where only == nil || only == "mdd" {
    let method: AdaptationMethod
    do { method = try MethodRegistry.shared.method("mdd").instantiate() } catch {   // the plugin beside this executable, as smear loads it
        FileHandle.standardError.write(Data("smear-bench: \(error)\n".utf8)); exit(70)
    }
    let net = AdaptationNetwork(NetworkConfig(classes: classes)) { method.makeModules(featureDim: $0, classes: $1) }
    let opt = SGD(groups: net.parameterGroups(backboneMultiplier: 1), lr: 0.004, momentum: 0.9, weightDecay: 5e-4, nesterov: true)
    let b = 32
    let source = Tensor.normal([b, 3, size, size]), target = Tensor.normal([b, 3, size, size])
    let labels = (0..<b).map { $0 % classes }
    net.train()
    var iteration = 0
    let (sec, faults, misses) = timeSteps(warmup: 2, steps: size >= 224 ? max(2, steps / 2) : steps) {
        let (f, y) = net.featuresAndLogits(Tensor.concat([source, target], axis: 0))
        let ys = y.sliced(axis: 0, 0, b), yt = y.sliced(axis: 0, b, 2 * b)
        let fs = f.sliced(axis: 0, 0, b), ft = f.sliced(axis: 0, b, 2 * b)
        let cls = Loss.crossEntropy(ys, labels: labels, weight: weights)
        let transfer = try! method.transferLoss(StepContext(sourceFeatures: fs, targetFeatures: ft, sourceLogits: ys,
                                                       targetLogits: yt, sourceLabels: labels, modules: net.methodModules,
                                                       iteration: iteration))
        let loss = cls + transfer.loss
        opt.zeroGrad(); loss.backward(); opt.step()
        iteration += 1
    }
    report("mdd \(size)px b\(b)+\(b)", images: 2 * b, seconds: sec, flops: resnet18FLOPs(size: size, batch: 2 * b).training,
           faults: faults, misses: misses)
}
