// N batch, F = bottleneck width (the backbone's feature width without a bottleneck), K classes.
// The network of the article's code: backbone (ResNet-18 without fc) → bottleneck (Linear → BN1d →
// ReLU → Dropout 0.5; none when its width is 0) → classifier head, plus the modules of the adaptation method.
// With the size cue (size_cue, docs/algorithms.md §1.4) each image's cue, ln(dᵢ / d_lab) / ln 1.5 of its central
// nucleus, joins the backbone's pooled features as one more column before the bottleneck, which needs one.
// With a projection head (contrastive, docs/algorithms.md §1.12) the pooled features also feed Linear → ReLU → Linear,
// whose output only the contrastive loss reads.
import Foundation
import SmearNN
import SmearTensor

public struct NetworkConfig: Sendable, Equatable, Codable {
    public var classes: Int
    public var width = 64
    public var groupNorm = false
    public var bottleneck = 1024
    /// Hidden width of the head (0: a single Linear).
    public var headWidth = 1024
    /// The feature extractor. `width` and `groupNorm` shape ResNet-18 only; EfficientNet-Lite has its own widths
    /// and batch norm.
    public var backbone: BackboneKind = .resnet18
    /// Each image's size cue as one more input of the bottleneck (nil or false: none). Needs a bottleneck.
    public var sizeCue: Bool? = nil
    /// Whether the network reads a size cue beside each image.
    public var readsSizeCue: Bool { sizeCue == true }
    /// A projection head on the backbone's pooled features for the contrastive loss (nil or false: none).
    public var projection: Bool? = nil
    /// Whether the network has a projection head.
    public var hasProjection: Bool { projection == true }
    /// The projection head's hidden and output widths (SimCLR's shape at a smaller scale).
    public static let projectionWidths = (hidden: 256, output: 128)
    public init(classes: Int, width: Int = 64, groupNorm: Bool = false, bottleneck: Int = 1024, headWidth: Int = 1024,
                backbone: BackboneKind = .resnet18) {
        self.classes = classes; self.width = width; self.groupNorm = groupNorm; self.bottleneck = bottleneck; self.headWidth = headWidth
        self.backbone = backbone
    }
}

public final class AdaptationNetwork: Module {
    public let config: NetworkConfig
    public let backbone: any Backbone
    public let bottleneck: Sequential
    /// The classifier: ClassifierHead, or the one the method brings (`AdaptationMethod.makeClassifier`).
    public let head: Module
    /// The adaptation method's modules, saved under `method.<name>`.
    public let methodModules: [String: Module]
    /// The contrastive loss's projection head (nil: none), saved under `projection`.
    public let projection: Sequential?

    public init(_ config: NetworkConfig, methodModules: (Int, Int) -> [String: Module] = { _, _ in [:] },
                classifier: (Int, Int) -> Module? = { _, _ in nil }) {
        self.config = config
        switch config.backbone {
        case .resnet18: backbone = ResNet18(numClasses: nil, width: config.width, norm: config.groupNorm ? .group(maxGroups: 32) : .batch)
        case .efficientnetLite0, .efficientnetLite2: backbone = EfficientNetLite(config.backbone.liteVariant!, numClasses: nil)
        }
        precondition(!config.readsSizeCue || config.bottleneck > 0, "AdaptationNetwork: the size cue joins the bottleneck's input, and there is none")
        if config.bottleneck > 0 {
            let linear = Linear(backbone.featureDim + (config.readsSizeCue ? 1 : 0), config.bottleneck)
            linear.weight.assign(Tensor.normal(linear.weight.shape, std: 0.005))
            linear.bias?.assign(Tensor.full([config.bottleneck], 0.1))
            bottleneck = Sequential(linear, BatchNorm1d(config.bottleneck), ReLU(), Dropout(0.5))
        } else {
            bottleneck = Sequential([])
        }
        let width = config.bottleneck > 0 ? config.bottleneck : backbone.featureDim
        head = classifier(width, config.classes) ?? ClassifierHead(inFeatures: width, classes: config.classes, hidden: config.headWidth)
        self.methodModules = methodModules(width, config.classes)
        let widths = NetworkConfig.projectionWidths
        projection = config.hasProjection
            ? Sequential(Linear(backbone.featureDim, widths.hidden), ReLU(), Linear(widths.hidden, widths.output)) : nil
    }

    /// F, the width of the features the classifier and the method see: the bottleneck's, or the backbone's without one.
    public var featureWidth: Int { config.bottleneck > 0 ? config.bottleneck : backbone.featureDim }

    public override var children: [(String, Module)] {
        [("backbone", backbone), ("bottleneck", bottleneck), ("head", head)]
            + methodModules.sorted { $0.key < $1.key }.map { ("method.\($0.key)", $0.value) }
            + (projection.map { [("projection", $0)] } ?? [])
    }

    /// Bottleneck features [N, F] and logits [N, K] of images [N, 3, H, W], with their size cues [N, 1] when the
    /// network reads them (`cellSizes` is ignored otherwise).
    public func featuresAndLogits(_ x: Tensor, cellSizes: Tensor? = nil) -> (Tensor, Tensor) {
        let (_, f, y) = pooledFeaturesAndLogits(x, cellSizes: cellSizes)
        return (f, y)
    }

    /// The backbone's pooled features [N, D] (without the size cue) beside the bottleneck features and logits.
    public func pooledFeaturesAndLogits(_ x: Tensor, cellSizes: Tensor? = nil) -> (pooled: Tensor, features: Tensor, logits: Tensor) {
        let backboneFeatures = backbone.features(x)
        var pooled = backboneFeatures
        if config.readsSizeCue {
            guard let c = cellSizes, c.shape == [x.shape[0], 1] else {
                preconditionFailure("AdaptationNetwork: the network reads a size cue [\(x.shape[0]), 1] beside its images, got \(cellSizes.map { "\($0.shape)" } ?? "none")")
            }
            pooled = Tensor.concat([pooled, c], axis: 1)
        }
        let f = bottleneck(pooled)
        return (backboneFeatures, f, head(f))
    }

    /// Logits of images without size cues (a network that reads them needs `featuresAndLogits(_:cellSizes:)`).
    public override func forward(_ x: Tensor) -> Tensor { featuresAndLogits(x).1 }

    /// The name of the backbone's parameter group.
    public static let backboneGroup = "backbone"

    /// Parameter groups: the backbone at `backboneMultiplier` × lr (the article's code: 0.1), the rest at 1×.
    public func parameterGroups(backboneMultiplier: Float) -> [ParameterGroup] {
        [ParameterGroup(Self.backboneGroup, backbone.parameters, lrMultiplier: backboneMultiplier),
         ParameterGroup("heads", bottleneck.parameters + head.parameters + methodModules.sorted { $0.key < $1.key }.flatMap { $0.value.parameters }
                                 + (projection?.parameters ?? []))]
    }

    /// Every Dropout in the network, in a fixed order (reseeded per iteration for exact resumption).
    public var dropouts: [Dropout] { modules(of: Dropout.self) }

    /// Reseeds every random draw of a training step (dropout masks, the backbone's MixStyle) from the run's seed, the
    /// step and the module's place, so that a resumed run draws as an uninterrupted one.
    public func seedDraws(runSeed seed: UInt64, iteration: Int) {
        for (i, d) in dropouts.enumerated() {
            d.generator = RandomGenerator(seed: seed &* 1_000_003 &+ UInt64(iteration) &* 131 &+ UInt64(i))
        }
        for (i, m) in backbone.mixStyle.enumerated() {
            m.generator = RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(iteration) &* 0xD1B5_4A32_D192_ED03 &+ UInt64(i) &+ 0x5BD1_E995)
        }
    }
}
