// Each lab's image pipelines (docs/algorithms.md §1.4): the crop, the colour moves and the z-score every loader and
// evaluation of a run uses, with the run's augmentations when training and each image's own crop when cell_crop is
// "image".
import SmearData

extension Trainer {
    public func sourcePipeline(training: Bool) -> ImagePipeline {
        var p = pipeline(crop: config.sourceCrop, data.sourceStatistics, training)
        p.cellZoom = sourceZoom
        if training, let bank = stainBank {   // after the centre crop, on the pixels the network sees
            p.insert(StainBankRecolour(bank: bank), .afterCentreCrop)
        }
        return p
    }

    /// The target's images take the source lab's channel statistics once their colours are moved onto the source's
    /// (white_balance_zscore keeps each lab's own, measured after the balance).
    public func targetPipeline(training: Bool) -> ImagePipeline {
        let movedOntoSource = targetColourTransfer != nil || (imageColourTransfer != nil && config.stainNormalization != .whiteBalanceZScore)
        var p = pipeline(crop: config.targetCrop, movedOntoSource ? data.sourceStatistics : data.targetStatistics, training)
        p.cellZoom = targetZoom
        if let colour = targetColourTransfer { p.insert(colour, .beforeCentreCrop) }
        return p
    }

    func pipeline(crop: Int, _ s: ChannelStatistics, _ training: Bool) -> ImagePipeline {
        var p = basePipeline(crop: crop, s, training)
        if let colour = imageColourTransfer {   // after the centre crop: measured on the region the network sees
            p.insert(colour, colour is BackgroundWhiteBalance ? .beforeCentreCrop : .afterCentreCrop)   // the glass lies mostly outside the crop
        }
        return p
    }

    func basePipeline(crop: Int, _ labStatistics: ChannelStatistics, _ training: Bool) -> ImagePipeline {
        var p = recipePipeline(crop: crop, labStatistics, training)
        if config.smallFrames == .pad { p = p.paddingSmallFrames() }
        if training, let spread = config.scaleJitter {
            p.insert(ScaleJitter(spread: spread), .beforeCentreCrop)
            // the narrowest field of view still decodes at least outputSize pixels across
            p.regionSide = p.regionSide.map { max(1, Int((Double($0) / (1 + spread)).rounded(.down))) }
        }
        return p
    }

    func recipePipeline(crop: Int, _ labStatistics: ChannelStatistics, _ training: Bool) -> ImagePipeline {
        let s = config.inputNormalization == .imageNet ? InputNormalization.imageNetStatistics : labStatistics
        if config.augmentation == .reference {
            var p = training ? ImagePipeline.referenceTraining(crop: crop, outputSize: config.inputSize, mean: s.mean, std: s.std)
                             : ImagePipeline.referenceEvaluation(crop: crop, outputSize: config.inputSize, mean: s.mean, std: s.std)
            if training, let sigma = config.hedJitter { p.steps.append(WithProbability(0.5, HEDJitter(sigma: sigma))) }
            return p
        }
        if training {
            var p = ImagePipeline.articleTraining(crop: crop, randomCrop: config.randomCrop, outputSize: config.inputSize,
                                                  mean: s.mean, std: s.std)
            if config.dihedral { p.steps.append(Dihedral()) }
            if let sigma = config.hedJitter { p.steps.append(WithProbability(0.5, HEDJitter(sigma: sigma))) }
            return p
        }
        let side = config.evaluationMatchesTrainingScale ? min(crop, config.randomCrop) : crop
        return .evaluation(crop: side, outputSize: config.inputSize, mean: s.mean, std: s.std)
    }
}
