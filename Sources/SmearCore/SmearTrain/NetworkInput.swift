// N images. What the network reads of one batch: its images and, for a network with the size cue (size_cue,
// docs/algorithms.md §1.4), each image's cue. Batches forwarded together are concatenated with their cues in step.
import SmearAdapt
import SmearData
import SmearTensor

/// Images [N, 3, S, S] and their size cues [N, 1] (nil when the pipeline measures none).
public struct NetworkInput {
    public var images: Tensor
    public var cellSizes: Tensor?

    public init(images: Tensor, cellSizes: Tensor? = nil) { self.images = images; self.cellSizes = cellSizes }
    public init(_ batch: Batch) { self.init(images: batch.images, cellSizes: batch.cellSizes) }

    /// The inputs as one batch, in order; size cues only when every input has them.
    public static func joined(_ inputs: [NetworkInput]) -> NetworkInput {
        guard inputs.count > 1 else { return inputs[0] }
        let cues = inputs.compactMap(\.cellSizes)
        return NetworkInput(images: Tensor.concat(inputs.map(\.images), axis: 0),
                            cellSizes: cues.count == inputs.count ? Tensor.concat(cues, axis: 0) : nil)
    }
}

extension AdaptationNetwork {
    /// Features and logits of `inputs` as one batch, their size cues with them when the network reads them.
    /// - Throws: when it reads size cues and an input has none (a pipeline without crops per image).
    public func featuresAndLogits(_ inputs: [NetworkInput]) throws -> (Tensor, Tensor) {
        let (_, f, y) = try pooledFeaturesAndLogits(inputs)
        return (f, y)
    }

    /// The backbone's pooled features beside the features and logits of `inputs` as one batch.
    public func pooledFeaturesAndLogits(_ inputs: [NetworkInput]) throws -> (pooled: Tensor, features: Tensor, logits: Tensor) {
        let input = NetworkInput.joined(inputs)
        guard config.readsSizeCue else { return pooledFeaturesAndLogits(input.images) }
        guard let cues = input.cellSizes else { throw TrainingError.missingSizeCue }
        return pooledFeaturesAndLogits(input.images, cellSizes: cues)
    }
}
