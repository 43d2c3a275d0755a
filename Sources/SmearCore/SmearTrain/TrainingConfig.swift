// The settings of one adaptation run (algorithms.md §1.2–1.3 for the article's values).
import Foundation
import SmearAdapt
import SmearData
import SmearNN

/// How source classes are weighted in the cross-entropy.
public enum ClassWeighting: Sendable, Equatable, Codable {
    case uniform
    /// (1/n_c)/Σ(1/n_k) over the source training set (the article's stated intent).
    case inverseFrequency
    /// Given weights (e.g. the article code's hard-coded ones).
    case given([Float])
}

/// How the source's training batches are drawn.
public enum SourceSampling: String, Sendable, Codable, CaseIterable {
    /// Every image once per pass, in a shuffled order; the cross-entropy weights the classes (`classWeighting`).
    case shuffled
    /// Classes in the proportions the model predicts on the target (`UnsupervisedCriteria.predictedClassShares` at the
    /// end of the previous epoch; evenly in the first), an image of the class at random; an unweighted cross-entropy.
    /// The source batches then carry the target's estimated class prior, so the transfer loss aligns labs whose class
    /// proportions differ without moving one class's cells onto another's (implicit class-conditioned alignment,
    /// Jiang et al., ICML 2020; docs/algorithms.md §1.7).
    case targetPrior = "target_prior"
    /// As `targetPrior`, each class drawn in the mean of its predicted share and 1/K: half of each batch, in expectation,
    /// class-balanced, so a class the model stops predicting is still drawn at least half as often as evenly.
    case halfTargetPrior = "half_target_prior"

    /// Drawn by a prior: the batches carry it, and the cross-entropy is unweighted.
    public var drawsByTargetPrior: Bool { self != .shuffled }

    /// The class shares an epoch draws its source batches by, from the target's predicted class proportions at the end of
    /// the epoch before (nil: the first epoch, drawn evenly); nil for a shuffled run.
    public func classShares(predicted: [Double]?, classes k: Int) -> [Double]? {
        let even = [Double](repeating: 1 / Double(k), count: k)
        switch self {
        case .shuffled: return nil
        case .targetPrior: return predicted ?? even
        case .halfTargetPrior: return (predicted ?? even).map { ($0 + 1 / Double(k)) / 2 }
        }
    }
}

public struct TrainingConfig: Sendable, Codable {
    public var epochs = 20
    public var iterationsPerEpoch = 100
    /// Images per domain per step (source and target each).
    public var batchSize = 32
    public var inputSize = 64
    public var network: NetworkConfig
    public var schedule: LearningRateSchedule = .articleCode
    public var momentum: Float = 0.9
    public var weightDecay: Float = 5e-4
    public var nesterov = true
    public var backboneLRMultiplier: Float = 0.1
    /// The run's first steps in which the backbone takes no update while the heads train (LP-FT, Kumar et al. 2022:
    /// a probe first, then fine-tuning); the learning-rate schedule counts them as usual. 0: none.
    public var headOnlySteps = 0
    /// Source and target through the network as one batch (the article's code: batch norm statistics
    /// mix the domains) or separately (statistics per domain).
    public var forwardTogether = true
    public var classWeighting: ClassWeighting = .inverseFrequency
    /// How the source's training batches are drawn (drawn by a prior, the cross-entropy is unweighted whatever
    /// `classWeighting` says: the batches carry the prior).
    public var sourceSampling: SourceSampling = .shuffled
    public var seed: UInt64 = 1
    /// Centre-crop size in original pixels per domain (the article: 300 / 345 / 288).
    public var sourceCrop = 300
    public var targetCrop = 288
    /// Side of the random training crop, original pixels (the article: 224).
    public var randomCrop = 224
    /// Evaluation crops the centre at the random crop's size (`true`: the same scale as in training) or
    /// at the full centre-crop size (`false`: the article code's validation transform, which shows cells
    /// smaller than training did: 300 px into the same input instead of 224).
    public var evaluationMatchesTrainingScale = true
    /// SND temperature (original definition; 0.05 by default).
    public var sndTemperature: Float = 0.05
    /// Colour normalisation of the target lab towards the source lab (nil: none). With Reinhard the
    /// target images are z-scored with the source's channel statistics, since they now look like it.
    public var stainNormalization: StainNormalization? = nil
    /// Whose pixels each lab's channel statistics describe: the run's centre crops (`.crop`) or the whole frames
    /// (`.frame`: the statistics `RunData` brings). Also the region of the L*a*b* statistics colour transfers aim at.
    public var statisticsRegion: StatisticsRegion = .frame
    /// The centre square, in original pixels, that each lab's channel statistics are measured over (nil: the
    /// whole frame). With `.crop` they are the training split's and the target's crops (`Trainer` measures them).
    public var statisticsCrops: (source: Int?, target: Int?) { statisticsRegion == .crop ? (sourceCrop, targetCrop) : (nil, nil) }
    /// The mean and standard deviation the network's input is z-scored with: each lab's own channel statistics
    /// (`.lab`) or ImageNet's for every lab (`.imageNet`).
    public var inputNormalization: InputNormalization = .lab
    /// Adds the 8 exact orientations (`Dihedral`) to the training augmentations of both labs.
    public var dihedral = false
    /// Stain augmentation of both labs' training images: `HEDJitter(sigma)` with probability 0.5 (nil: off).
    public var hedJitter: Float? = nil
    /// What every centre crop does with a frame smaller than it (SmallFrames; nil or `.clamp`: the whole frame).
    public var smallFrames: SmallFrames? = nil
    /// Scale jitter of both labs' training images: `ScaleJitter(spread)` before the centre crop, the field of view z times
    /// the lab's with z log-uniform in [1/(1+s), 1+s] (docs/algorithms.md §1.4; nil: off).
    public var scaleJitter: Double? = nil
    /// Stain-bank augmentation of the source's training images.
    public var stainBank = false
    /// FixMatch's consistency on the unlabelled target (docs/algorithms.md §1.8): a weak view's prediction, where its top
    /// probability reaches this threshold, labels the target training view of the same image (nil: off).
    public var consistencyThreshold: Float? = nil
    /// SimCLR's NT-Xent on two training views of the unlabelled target batch (docs/algorithms.md §1.12), added to the
    /// classification loss at this weight (nil: off). Needs the network's projection head (`network.projection`).
    public var contrastiveWeight: Float? = nil
    /// NT-Xent's temperature (MoCo v2's).
    public static let contrastiveTemperature: Float = 0.2
    /// FDA's β (docs/algorithms.md §1.13): each source training image takes the amplitude of a target image's Fourier
    /// transform in the band of half-width max(1, ⌊β · side⌋) and keeps its phase (nil: off).
    public var spectrumTransferBeta: Double? = nil
    /// Mixup on the source batch (docs/algorithms.md §1.9): Beta(α, α)'s α, the source cross-entropy taken on a mixed copy
    /// of the source batch instead of the batch itself (nil: off).
    public var mixupAlpha: Double? = nil
    /// MixStyle's probability per training pass at the backbone's points at strides 4 and 8 (docs/algorithms.md §1.10;
    /// nil: off).
    public var mixStyleProbability: Double? = nil
    /// Label smoothing ε of the source labs' cross-entropy (docs/algorithms.md §1.11; labelled and pseudo-labelled target
    /// cells keep one-hot labels; nil: off).
    public var labelSmoothing: Float? = nil
    /// Each image's centre crop sized by its own central nucleus, fully (`.image`) or halfway (`.halfway`) (CellZoom; nil or `.lab`: the lab's crop for every image).
    public var cellCrop: CellCrop? = nil
    /// The training augmentations and the matching evaluation crop (`.article`, or `.reference`: the PyTorch
    /// reference's, `ImagePipeline.referenceTraining`, which include the 8 orientations).
    public var augmentation: AugmentationRecipe = .article
    /// Keep an exponential moving average of the weights with this decay per step (`WeightAverage`), saved each
    /// epoch as the checkpoint `average` (nil: none). Training itself is unchanged: the final iterate is the same.
    public var weightAverageDecay: Float? = nil
    /// A safetensors file the backbone starts from (torchvision's ResNet-18 names, `fc` left out; nil: from scratch).
    public var backboneWeights: String? = nil
    /// A finished run's folder or checkpoint the whole network starts from (`StartWeights`; after `backboneWeights`,
    /// so it wins; nil: none).
    public var startWeights: String? = nil
    /// Which checkpoint is "the" model.
    public var selection = SelectionCriterion.default
    /// Worker threads for data loading.
    public var workers = 2

    public init(network: NetworkConfig) { self.network = network }
}

extension LearningRateSchedule: Codable {
    enum CodingKeys: String, CodingKey { case kind, lr, gamma, decay, factor, every }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let lr = try c.decode(Float.self, forKey: .lr)
        switch try c.decode(String.self, forKey: .kind) {
        case "inverse": self = .inverseDecay(lr: lr, gamma: try c.decode(Float.self, forKey: .gamma), decay: try c.decode(Float.self, forKey: .decay))
        case "step": self = .stepDecay(lr: lr, factor: try c.decode(Float.self, forKey: .factor), everyEpochs: try c.decode(Int.self, forKey: .every))
        default: self = .constant(lr)
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .constant(let lr): try c.encode("constant", forKey: .kind); try c.encode(lr, forKey: .lr)
        case .inverseDecay(let lr, let g, let d):
            try c.encode("inverse", forKey: .kind); try c.encode(lr, forKey: .lr); try c.encode(g, forKey: .gamma); try c.encode(d, forKey: .decay)
        case .stepDecay(let lr, let f, let e):
            try c.encode("step", forKey: .kind); try c.encode(lr, forKey: .lr); try c.encode(f, forKey: .factor); try c.encode(e, forKey: .every)
        }
    }
}

/// Whose statistics z-score the network's input.
public enum InputNormalization: String, Codable, Sendable, CaseIterable {
    /// Each lab its own channel mean and standard deviation (the default).
    case lab
    /// ImageNet's, for every lab: what ImageNet-pretrained weights were trained with.
    case imageNet = "imagenet"

    /// ImageNet's channel mean and standard deviation (torchvision's), RGB in [0, 1].
    public static let imageNetStatistics = ChannelStatistics(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], images: 0)
}
