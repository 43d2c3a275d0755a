// B images per domain per step, K classes. The adaptation training loop: source + target batches,
// class-weighted cross-entropy + trade-off × transfer loss, per-epoch label-free evaluation, model
// selection, history, atomic checkpoints and exact resumption.
import Foundation
import SmearAdapt
import SmearData
import SmearMetrics
import SmearNN
import SmearTensor

public enum TrainingError: Error, CustomStringConvertible {
    case diverged(iteration: Int, classification: Float, transfer: Float, checkpointed: Bool = true)
    case badCheckpoint(String)
    case missingBackbone(String)
    /// The network reads a size cue beside each image, and the pipeline it is fed by measures none.
    case missingSizeCue
    public var description: String {
        switch self {
        case .diverged(let i, let c, let t, let checkpointed):
            return "training diverged at iteration \(i): classification loss \(c), transfer loss \(t). "
                + (checkpointed ? "Nothing was saved from this epoch; the last checkpoint is intact."
                                : "It diverged in the first epoch, so there is no checkpoint.")
                + " Lower the learning rate or the trade-off."
        case .badCheckpoint(let s): return s
        case .missingBackbone(let path):
            return "pretrained=\"\(path)\": no such file. For an EfficientNet-Lite backbone pretrained=\"imagenet\" uses the weights "
                + "scripts/weights fetches; for ResNet-18 give a safetensors file of torchvision's (scripts/torchvision_backbone.py), "
                + "or leave pretrained out to train from scratch."
        case .missingSizeCue:
            return "the network reads each image's size cue (size_cue), which only crops per image measure; "
                + "use cell_crop=\"image\" or \"halfway\" with it"
        }
    }
}

/// The datasets of a run: labelled source (training), held-out source (validation), unlabelled target, and the
/// target cells a person labelled (`labelledTarget`, from TargetLabels: never part of `target`, so every
/// evaluation of the run scores only the cells nobody labelled), target cells a model labelled (`pseudoLabelledTarget`:
/// still part of `target`, and scored), and further labelled labs (`moreSources`, SourceLab).
public struct RunData {
    public var source: ImageDataset, sourceValidation: ImageDataset?, target: ImageDataset
    public var labelledTarget: ImageDataset?
    public var pseudoLabelledTarget: ImageDataset?
    public var sourceStatistics: ChannelStatistics, targetStatistics: ChannelStatistics
    public var moreSources: [SourceLab]
    public init(source: ImageDataset, sourceValidation: ImageDataset?, target: ImageDataset, labelledTarget: ImageDataset? = nil,
                pseudoLabelledTarget: ImageDataset? = nil, sourceStatistics: ChannelStatistics, targetStatistics: ChannelStatistics,
                moreSources: [SourceLab] = []) {
        self.source = source; self.sourceValidation = sourceValidation; self.target = target; self.labelledTarget = labelledTarget
        self.pseudoLabelledTarget = pseudoLabelledTarget
        self.sourceStatistics = sourceStatistics; self.targetStatistics = targetStatistics; self.moreSources = moreSources
    }

    /// The target cells trained with labels: a person's, then a model's (nil: none).
    public var trainingLabelledTarget: ImageDataset? {
        guard let pseudo = pseudoLabelledTarget else { return labelledTarget }
        guard var given = labelledTarget else { return pseudo }
        given.samples += pseudo.samples
        return given
    }
}

public final class Trainer {
    public let config: TrainingConfig
    public let method: AdaptationMethod
    public let data: RunData
    public let net: AdaptationNetwork
    public let optimizer: SGD
    public let directory: URL
    public internal(set) var history: [EpochRecord] = []
    public internal(set) var completedEpochs = 0
    /// Checked after every step; returning true stops the run cleanly at the end of that step.
    public var shouldStop: () -> Bool = { false }
    /// Where progress goes: each line, and whether it is a live line (step, images/s, ETA, losses) that a
    /// terminal rewrites in place or a lasting one (an epoch's summary). The host supplies it; silent by default.
    public var report: (String, _ live: Bool) -> Void = { _, _ in }
    /// The source cross-entropy's class weights (uniform when the batches are drawn by a prior: they carry it).
    public let classWeights: Tensor
    /// The labelled target cells' cross-entropy weights: inverse frequency over those cells (nil: none labelled).
    let labelledClassWeights: Tensor?
    /// Each further source lab's cross-entropy weights: inverse frequency over that lab.
    let moreSourceClassWeights: [Tensor]
    var best: [String: Double] = [:]
    /// The moving average of the weights, when the run keeps one (`config.weightAverageDecay`).
    let average: WeightAverage?

    /// This process's hold on the run folder, for the trainer's life.
    let lock: RunLock

    public init(config: TrainingConfig, method: AdaptationMethod, data: RunData, directory: URL) throws {
        self.config = config; self.method = method; self.directory = directory
        lock = try RunLock(directory)
        for (d, use) in [(data.source, "a training source"), (data.target, "a training target")] + (data.sourceValidation.map { [($0, "a validation set")] } ?? [])
            + (data.labelledTarget.map { [($0, "labelled target cells")] } ?? [])
            + (data.pseudoLabelledTarget.map { [($0, "pseudo-labelled target cells")] } ?? []) + data.moreSources.map({ ($0.dataset, "a further source lab") })
        where d.count == 0 {
            throw DatasetError.emptyDataset(name: d.name, use: use)
        }
        var data = data
        let (sourceRegion, targetRegion) = config.statisticsCrops
        let colour = try ColourTransforms.make(config.stainNormalization, source: data.source, target: data.target,
                                               sourceRegion: sourceRegion, targetRegion: targetRegion)
        if config.stainNormalization == .whiteBalanceZScore, let balance = colour.whiteBalance {   // each lab's statistics after the balance
            let key = "white-balance \(balance.reference) \(balance.brightestFraction)"
            let source = ImageDataset(name: data.source.name, samples: data.source.samples + (data.sourceValidation?.samples ?? []),
                                      classes: data.source.classes)
            data.sourceStatistics = try ChannelStatistics.cached(source, transform: balance, transformKey: key, crop: sourceRegion)
            data.targetStatistics = try ChannelStatistics.cached(data.target, transform: balance, transformKey: key, crop: targetRegion)
            for i in data.moreSources.indices {
                let lab = data.moreSources[i]
                data.moreSources[i].statistics = try ChannelStatistics.cached(lab.dataset, transform: balance, transformKey: key,
                                                                              crop: SourceLab.statisticsCrop(lab.crop, config))
            }
        } else if config.statisticsRegion == .crop {   // what the front ends measured already: read back from the cache
            data.sourceStatistics = try ChannelStatistics.cached(data.source, crop: sourceRegion)
            data.targetStatistics = try ChannelStatistics.cached(data.target, crop: targetRegion)
        }
        self.data = data
        GlobalRandom.seed(config.seed)
        let net = AdaptationNetwork(config.network, methodModules: { method.makeModules(featureDim: $0, classes: $1) },
                                    classifier: { method.makeClassifier(featureDim: $0, classes: $1) })
        if let p = config.mixStyleProbability { net.backbone.enableMixStyle(probability: p) }
        // Before the average, which starts from the first weights. A run with a checkpoint resumes from it (or is
        // reopened to be read), so the files are needed, and read, only to start.
        if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("latest.safetensors").path) {
            if let weights = config.backboneWeights {
                guard FileManager.default.fileExists(atPath: weights) else { throw TrainingError.missingBackbone(weights) }
                try net.backbone.loadPretrained(from: URL(fileURLWithPath: weights))
            }
            if let start = config.startWeights { try StartWeights.load(into: net, from: start) }
        }
        self.net = net
        average = config.weightAverageDecay.map { WeightAverage(of: net, decay: $0) }
        optimizer = SGD(groups: net.parameterGroups(backboneMultiplier: config.backboneLRMultiplier), lr: config.schedule.rate(iteration: 0, epoch: 0),
                        momentum: config.momentum, weightDecay: config.weightDecay, nesterov: config.nesterov)
        let k = config.network.classes
        switch config.sourceSampling.drawsByTargetPrior ? .uniform : config.classWeighting {
        case .uniform: classWeights = Tensor.full([k], 1 / Float(k))
        case .inverseFrequency: classWeights = Tensor(data.source.inverseFrequencyWeights(), shape: [k])
        case .given(let w): classWeights = Tensor(w, shape: [k])
        }
        labelledClassWeights = data.trainingLabelledTarget.map { Tensor($0.inverseFrequencyWeights(), shape: [k]) }
        moreSourceClassWeights = data.moreSources.map { Tensor($0.dataset.inverseFrequencyWeights(), shape: [k]) }
        targetColourTransfer = colour.targetLab
        imageColourTransfer = colour.perImage
        stainBank = config.stainBank ? try StainBank.build(from: [data.source, data.target]) : nil
        if let crop = config.cellCrop, crop != .lab {   // each lab's median nucleus, the reference of its images' crops
            sourceZoom = try CellZoom(measuring: data.source, exponent: crop.exponent)
            targetZoom = try CellZoom(measuring: data.target, exponent: crop.exponent)
            moreSourceZooms = try data.moreSources.map { try CellZoom(measuring: $0.dataset, exponent: crop.exponent) }
        } else {
            sourceZoom = nil; targetZoom = nil; moreSourceZooms = data.moreSources.map { _ in nil }
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        RunFolder.removeStaleTemporaries(in: directory)
        try RunRecord(method: method, config: config, data: data).write(to: directory)
    }

    /// The stains source training images are recoloured with (config.stainBank), fitted on both labs' images.
    let stainBank: StainBank?
    /// Each lab's crops per image (config.cellCrop = .image; nil: the lab's crop for every image).
    let sourceZoom: CellZoom?, targetZoom: CellZoom?, moreSourceZooms: [CellZoom?]

    /// The colour normalisation applied to every target image first (nil: none).
    let targetColourTransfer: Augmentation?
    /// The colour normalisation measured on each image of both labs, right after its centre crop, or on the
    /// whole image for the background's white balance (nil: none).
    let imageColourTransfer: Augmentation?

    var latestURL: URL { directory.appendingPathComponent("latest.safetensors") }

    /// Trains from the current state (epoch `completedEpochs`) to `config.epochs`.
    /// - Returns: false when stopped early by `shouldStop`.
    @discardableResult
    public func run() throws -> Bool {
        let targetLoader = DataLoader(data.target, pipeline: targetPipeline(training: true), batchSize: config.batchSize,
                                      seed: config.seed &+ 7919, workers: config.workers, cacheDecoded: true)
        let labelledLoader = data.trainingLabelledTarget.map {
            DataLoader($0, pipeline: targetPipeline(training: true), batchSize: labelledBatchSize(of: $0),
                       seed: config.seed &+ 15_485_863, workers: config.workers, cacheDecoded: true)
        }
        if completedEpochs == 0 {   // a fresh run: no history of an earlier run in the same folder
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("history.jsonl"))
        }
        var iteration = completedEpochs * config.iterationsPerEpoch
        func iterator(_ l: DataLoader) -> BatchIterator {
            let per = max(l.batchesPerEpoch, 1)
            return l.makeIterator(startEpoch: iteration / per, startBatch: iteration % per)
        }
        let sourceLoader = DataLoader(data.source, pipeline: sourcePipeline(training: true), batchSize: config.batchSize,
                                      seed: config.seed, workers: config.workers, cacheDecoded: true)
        let shuffledSources = config.sourceSampling.drawsByTargetPrior ? nil : iterator(sourceLoader)
        let targets = iterator(targetLoader), labelled = labelledLoader.map(iterator)
        let weakViews = weakTargetLoader(matching: targetLoader).map(iterator)
        let secondViews = secondViewLoader(matching: targetLoader).map(iterator)
        let moreLoaders = data.moreSources.enumerated().map { i, lab in
            var p = pipeline(crop: lab.crop, lab.statistics, true)
            p.cellZoom = moreSourceZooms[i]
            return DataLoader(lab.dataset, pipeline: p, batchSize: labelledBatchSize(of: lab.dataset),
                              seed: config.seed &+ 104_729 &* UInt64(i + 1), workers: config.workers, cacheDecoded: true)
        }
        let more = moreLoaders.map(iterator)
        let total = config.epochs * config.iterationsPerEpoch
        let started = Date()
        var imagesDone = 0
        for epoch in completedEpochs..<config.epochs {
            let epochStart = Date()
            let sources = shuffledSources ?? priorSourceBatches(from: sourceLoader, epoch: epoch)
            var clsSum = 0.0, transferSum = 0.0, diagSum: [String: Double] = [:], stepLosses: [[Double]] = []
            for _ in 0..<config.iterationsPerEpoch {
                let (cls, transfer, diagnostics) = try step(source: try sources.nextBatch(), target: try targets.nextBatch(),
                                                            labelled: try labelled?.nextBatch(), more: try more.map { try $0.nextBatch() },
                                                            weak: try weakViews?.nextBatch(), second: try secondViews?.nextBatch(),
                                                            iteration: iteration, epoch: epoch)
                clsSum += Double(cls); transferSum += Double(transfer)
                stepLosses.append([Double(cls), Double(transfer)])
                for (k, v) in diagnostics { diagSum[k, default: 0] += v }
                let sourceAndTargetBatches = 2 + (weakViews == nil ? 0 : 1) + (secondViews == nil ? 0 : 1) + (config.mixupAlpha == nil ? 0 : 1)
                let perStep = sourceAndTargetBatches * config.batchSize + (labelledLoader?.batchSize ?? 0) + moreLoaders.reduce(0) { $0 + $1.batchSize }
                iteration += 1; imagesDone += perStep
                let elapsed = Date().timeIntervalSince(started)
                let rate = Double(imagesDone) / max(elapsed, 1e-9)
                let eta = Double(total - iteration) * Double(perStep) / max(rate, 1e-9)
                report(String(format: "epoch %d/%d  step %d/%d  %.1f img/s  ETA %@  cls %.4f  transfer %.4f  lr %.2e", epoch + 1, config.epochs,
                              iteration, total, rate, formatDuration(eta), cls, transfer, optimizer.lr), true)
                if shouldStop() {
                    report("stopped at iteration \(iteration); the last checkpoint (epoch \(completedEpochs)) is intact", false)
                    return false
                }
            }
            let n = Double(config.iterationsPerEpoch)
            var record = try evaluate(epoch: epoch + 1, iteration: iteration)
            record.classificationLoss = clsSum / n; record.transferLoss = transferSum / n
            record.diagnostics = diagSum.mapValues { $0 / n }
            record.stepLosses = stepLosses
            record.seconds = Date().timeIntervalSince(epochStart)
            record.finishedAt = Date().timeIntervalSince1970
            history.append(record)
            completedEpochs = epoch + 1
            try saveEpoch(record)
            report(summary(record), false)
        }
        return true
    }

    /// The class shares epoch `epoch` (from 0) draws its source batches by, from the target's predicted class proportions
    /// at the end of the epoch before (`SourceSampling.classShares`; nil: a shuffled run).
    public func sourceClassShares(epoch: Int) -> [Double]? {
        config.sourceSampling.classShares(predicted: history.first { $0.epoch == epoch }?.targetClassShares, classes: config.network.classes)
    }

    /// The source batches of `epoch` in a run drawn by the target's prior, from a stream seeded by the epoch, so that a
    /// resumed run draws the same batches (`loader`'s decoded images are reused).
    func priorSourceBatches(from loader: DataLoader, epoch: Int) -> BatchIterator {
        loader.resampled(.classShares(sourceClassShares(epoch: epoch)!), seed: config.seed &+ UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15)
            .makeIterator()
    }

    /// The labelled target cells, or a further source lab's, in each step: a quarter of the batch, or all of them when
    /// there are fewer.
    func labelledBatchSize(of d: ImageDataset) -> Int { min(d.count, max(1, config.batchSize / 4)) }

    /// One optimisation step; returns the classification and transfer losses and the method's diagnostics.
    /// Labelled target cells, when the run has them, add their own class-weighted cross-entropy to the source's
    /// (diagnostic `labelled_target_cls`), and so does each further source lab's batch in `more` (their sum:
    /// `more_sources_cls`); the method's loss sees the first source and the unlabelled target only. With consistency,
    /// `weak` (the target batch's weak views) labels the target batch's confident images (diagnostics
    /// `consistency_cls` and `consistency_confident`, the share labelled). With mixup the source cross-entropy is the mixed
    /// copy's (SourceMixup), and the unmixed source batch feeds only the method's loss. With the contrastive loss,
    /// `second` (the target batch's second training views) goes through the network with the target batch, and NT-Xent
    /// between the two views' projections joins the classification loss at its weight (diagnostic `contrastive`). With
    /// the spectrum transfer the source batch takes its target partners' band amplitude first (SpectrumTransfer), for
    /// every loss it feeds.
    func step(source unchanged: Batch, target: Batch, labelled: Batch? = nil, more: [Batch] = [], weak: Batch? = nil, second: Batch? = nil,
              iteration: Int, epoch: Int) throws -> (Float, Float, [String: Double]) {
        let source = spectrumTransferred(unchanged, target: target, iteration: iteration)
        net.train()
        optimizer.lr = config.schedule.rate(iteration: iteration, epoch: epoch)
        for i in optimizer.groups.indices where optimizer.groups[i].name == AdaptationNetwork.backboneGroup {
            optimizer.groups[i].frozen = iteration < config.headOnlySteps
        }
        net.seedDraws(runSeed: config.seed, iteration: iteration)
        let b = source.images.shape[0], bt = target.images.shape[0]
        let fs: Tensor, ft: Tensor, ys: Tensor, yt: Tensor
        var yl: Tensor? = nil, ym: [Tensor] = [], yMixed: Tensor? = nil
        let mix = sourceMixup(count: b, iteration: iteration)
        let mixed = mix.map { m in   // the source cross-entropy's batch, after the others; each cue mixed as its image
            [NetworkInput(images: m.mixed(source.images), cellSizes: source.cellSizes.map(m.mixed))]
        } ?? []
        let sourceInput = NetworkInput(source), targetInput = NetworkInput(target)
        let secondInput = second.map { [NetworkInput($0)] } ?? []
        var pooledTargetViews: (Tensor, Tensor)? = nil   // the two target views' pooled backbone features, with a second view
        if config.forwardTogether {
            let parts = [sourceInput, targetInput] + (labelled.map { [NetworkInput($0)] } ?? []) + more.map(NetworkInput.init) + mixed
                + secondInput
            let (pooled, f, y) = try net.pooledFeaturesAndLogits(parts)
            fs = f.sliced(axis: 0, 0, b); ft = f.sliced(axis: 0, b, b + bt)
            ys = y.sliced(axis: 0, 0, b); yt = y.sliced(axis: 0, b, b + bt)
            var at = b + bt
            func next(_ n: Int) -> Tensor { defer { at += n }; return y.sliced(axis: 0, at, at + n) }
            if let l = labelled { yl = next(l.images.shape[0]) }
            ym = more.map { next($0.images.shape[0]) }
            if mix != nil { yMixed = next(b) }
            if second != nil { pooledTargetViews = (pooled.sliced(axis: 0, b, b + bt), pooled.sliced(axis: 0, at, at + bt)) }
        } else {   // per side: the further source labs go with the source's batch, the labelled target cells with the target's
            let (f0, y0) = try net.featuresAndLogits([sourceInput] + more.map(NetworkInput.init) + mixed)
            fs = f0.sliced(axis: 0, 0, b); ys = y0.sliced(axis: 0, 0, b)
            var at = b
            func next(_ n: Int) -> Tensor { defer { at += n }; return y0.sliced(axis: 0, at, at + n) }
            ym = more.map { next($0.images.shape[0]) }
            if mix != nil { yMixed = next(b) }
            let (pooled, f, y) = try net.pooledFeaturesAndLogits([targetInput] + (labelled.map { [NetworkInput($0)] } ?? []) + secondInput)
            ft = f.sliced(axis: 0, 0, bt); yt = y.sliced(axis: 0, 0, bt)
            let labelledEnd = y.shape[0] - (second == nil ? 0 : bt)
            if labelled != nil { yl = y.sliced(axis: 0, bt, labelledEnd) }
            if second != nil { pooledTargetViews = (pooled.sliced(axis: 0, 0, bt), pooled.sliced(axis: 0, labelledEnd, labelledEnd + bt)) }
        }
        let labels = source.classLabels
        var cls: Tensor
        let smoothing = config.labelSmoothing ?? 0
        if let mix, let yMixed { cls = mix.crossEntropy(yMixed, labels: labels, weight: classWeights, labelSmoothing: smoothing) }
        else { cls = Loss.crossEntropy(ys, labels: labels, weight: classWeights, labelSmoothing: smoothing) }
        var diagnostics: [String: Double] = [:]
        if let yl, let l = labelled, let w = labelledClassWeights {
            let labelledLoss = Loss.crossEntropy(yl, labels: l.classLabels, weight: w)
            diagnostics["labelled_target_cls"] = Double(labelledLoss.item)
            cls = cls + labelledLoss
        }
        if !more.isEmpty {
            let losses = zip(zip(ym, more), moreSourceClassWeights).map {
                Loss.crossEntropy($0.0, labels: $0.1.classLabels, weight: $1, labelSmoothing: smoothing)
            }
            let moreLoss = losses.dropFirst().reduce(losses[0], +)
            diagnostics["more_sources_cls"] = Double(moreLoss.item)
            cls = cls + moreLoss
        }
        if let weak, let threshold = config.consistencyThreshold {
            let (consistency, share) = try consistencyLoss(weak: weak, target: target, targetLogits: yt, threshold: threshold)
            diagnostics["consistency_cls"] = Double(consistency.item); diagnostics["consistency_confident"] = share
            cls = cls + consistency
        }
        if let (first, secondView) = pooledTargetViews, let w = config.contrastiveWeight {
            precondition(second?.indices == target.indices, "Trainer: the second view's batch holds other images than the target batch")
            let contrastive = contrastiveLoss(pooledFirstView: first, pooledSecondView: secondView)
            diagnostics["contrastive"] = Double(contrastive.item)
            cls = cls + contrastive * w
        }
        let out = try method.transferLoss(StepContext(sourceFeatures: fs, targetFeatures: ft, sourceLogits: ys, targetLogits: yt,
                                                  sourceLabels: labels, modules: net.methodModules, iteration: iteration, head: net.head))
        let (c, t) = (cls.item, out.loss.item)
        guard c.isFinite && t.isFinite else {
            throw TrainingError.diverged(iteration: iteration, classification: c, transfer: t,
                                         checkpointed: FileManager.default.fileExists(atPath: latestURL.path))
        }
        let loss = cls + out.loss * method.tradeOff
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        average?.update(from: net)
        return (c, t, out.diagnostics.merging(diagnostics) { a, _ in a })
    }

    /// Label-free criteria on the whole target set, source validation accuracy and macro F1, and target
    /// F1 when labels exist (reported only).
    public func evaluate(epoch: Int, iteration: Int) throws -> EpochRecord {
        let withSourceValidation = data.sourceValidation != nil
        let t = try Evaluation.run(net, on: data.target, pipeline: targetPipeline(training: false), keepFeatures: withSourceValidation) { done, total in
            self.report("epoch \(epoch): evaluating the target set \(done)/\(total)", true)
        }
        var r = EpochRecord(epoch: epoch, iteration: iteration, classificationLoss: 0, transferLoss: 0,
                            targetEntropy: t.meanEntropy, targetSND: t.snd(temperature: config.sndTemperature), diagnostics: [:], seconds: 0)
        r.targetIM = UnsupervisedCriteria.informationMaximization(logits: t.logits)
        r.targetLargestClassShare = UnsupervisedCriteria.largestClassShare(logits: t.logits)
        r.targetClassShares = UnsupervisedCriteria.predictedClassShares(logits: t.logits)
        if let m = t.confusion {
            r.targetMacroF1 = m.macroF1(.observed); r.targetMicroF1 = m.microF1(.observed); r.targetMacroF1Present = m.macroF1(.presentInLabels)
        }
        if let v = data.sourceValidation {
            let s = try Evaluation.run(net, on: v, pipeline: sourcePipeline(training: false), keepFeatures: true) { done, total in
                self.report("epoch \(epoch): evaluating the source validation set \(done)/\(total)", true)
            }
            if let m = s.confusion { r.sourceAccuracy = m.accuracy; r.sourceMacroF1 = m.macroF1(.observed) }
            if let losses = s.perImageLosses, let fs = s.features, let ft = t.features {
                r.targetDEV = DeepEmbeddedValidation.risk(sourceFeatures: fs, sourceLosses: losses, targetFeatures: ft)
            }
        }
        return r
    }

    func summary(_ r: EpochRecord) -> String {
        var s = String(format: "epoch %d: cls %.4f transfer %.4f | target entropy %.4f SND %.4f", r.epoch, r.classificationLoss,
                       r.transferLoss, r.targetEntropy, r.targetSND)
        if let a = r.sourceMacroF1 { s += String(format: " | source val F1 %.4f", a) }
        if let f = r.targetMacroF1 { s += String(format: " | target macro F1 %.4f (labels for reporting only)", f) }
        return s + String(format: " | %.0fs", r.seconds)
    }
}

func formatDuration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    let t = Int(s)
    return t >= 3600 ? String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) : String(format: "%dm%02ds", t / 60, t % 60)
}
