// F feature dim, H hidden width, K classes. The heads that adaptation methods add on top of features.
import Foundation
import SmearNN
import SmearTensor

/// tllib's DomainDiscriminator: Linear(F,H) → BN1d → ReLU → Linear(H,H) → BN1d → ReLU → Linear(H,1) → Sigmoid
/// (with `batchNorm: false`, each block is Linear → ReLU → Dropout(0.5)). [N, F] → [N, 1] probabilities.
public final class DomainDiscriminator: Module {
    public let layers: Sequential

    public init(inFeatures: Int, hidden: Int = 1024, batchNorm: Bool = true) {
        if batchNorm {
            layers = Sequential(Linear(inFeatures, hidden), BatchNorm1d(hidden), ReLU(),
                                Linear(hidden, hidden), BatchNorm1d(hidden), ReLU(), Linear(hidden, 1))
        } else {
            layers = Sequential(Linear(inFeatures, hidden), ReLU(), Dropout(0.5),
                                Linear(hidden, hidden), ReLU(), Dropout(0.5), Linear(hidden, 1))
        }
    }

    public override var children: [(String, Module)] { [("layers", layers)] }
    public override func forward(_ x: Tensor) -> Tensor { layers(x).sigmoid() }
}

/// A classifier head: Linear(F,H) → ReLU → Dropout(0.5) → Linear(H,K) (the article's MDD heads; weights
/// N(0, 0.01), bias 0), or a single Linear(F,K) when `hidden` is 0. [N, F] → [N, K] logits.
public final class ClassifierHead: Module {
    public let layers: Sequential

    public init(inFeatures: Int, classes: Int, hidden: Int = 1024, dropout: Float = 0.5) {
        if hidden > 0 {
            layers = Sequential(Linear(inFeatures, hidden), ReLU(), Dropout(dropout), Linear(hidden, classes))
        } else {
            layers = Sequential(Linear(inFeatures, classes))
        }
        super.init()
        for (name, p) in namedParameters() {
            p.assign(name.hasSuffix("weight") ? Tensor.normal(p.shape, std: 0.01) : Tensor.zeros(p.shape))
        }
    }

    public override var children: [(String, Module)] { [("layers", layers)] }
    public override func forward(_ x: Tensor) -> Tensor { layers(x) }
}

/// A cosine classifier (MME's, Saito et al. 2019): each feature vector scaled to unit length, then a linear map
/// without bias divided by a temperature T, logits = (x / ‖x‖) Wᵀ / T. The rows of W act as class prototypes; a
/// small T (0.05) sharpens the softmax. [N, F] → [N, K].
public final class CosineClassifier: Module {
    public let fc: Linear
    public let temperature: Float

    public init(inFeatures: Int, classes: Int, temperature: Float = 0.05) {
        fc = Linear(inFeatures, classes, bias: false)
        self.temperature = temperature
    }

    public override var children: [(String, Module)] { [("fc", fc)] }
    public override func forward(_ x: Tensor) -> Tensor {
        let norm = ((x * x).sum(axis: 1, keepDims: true) + 1e-12).sqrt()
        return fc(x / norm) * (1 / temperature)
    }
}
