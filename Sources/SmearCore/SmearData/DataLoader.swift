// N batch, S output side. Batches of normalised images [N, 3, S, S] from a dataset, decoded and
// augmented on background threads with prefetching; reproducible whatever the thread count.
import Foundation
import SmearTensor

/// One batch: images [N, 3, S, S] (NCHW), labels (nil entries for unlabelled samples), dataset indices, and each
/// image's size cue [N, 1] when the pipeline crops each image by its own nucleus (CellZoom.sizeCue; nil otherwise).
public struct Batch {
    public let images: Tensor
    public let labels: [Int?]
    public let indices: [Int]
    public var cellSizes: Tensor? = nil
    /// Labels of a labelled batch.
    public var classLabels: [Int] { labels.map { $0 ?? -1 } }
    /// The same images' batch with their pixels transformed (labels, indices and cues kept).
    public func withImages(_ transformed: Tensor) -> Batch {
        Batch(images: transformed, labels: labels, indices: indices, cellSizes: cellSizes)
    }
}

/// How samples are drawn in each epoch.
public enum Sampling: Sendable {
    case sequential
    case shuffled
    /// Each draw picks a class uniformly, then an image of that class (with replacement).
    case classBalanced
    /// Each draw picks class c with probability shares[c] / Σ shares over the classes that have images, then an
    /// image of that class (with replacement). Shares are finite and ≥ 0, one per class label, at least one > 0.
    case classShares([Double])
}

/// Produces batches for successive epochs. Each sample's augmentation uses a generator seeded from
/// (seed, epoch, position), so the batches depend on the seed only, never on the worker count.
public final class DataLoader: @unchecked Sendable {
    public let dataset: ImageDataset
    public let pipeline: ImagePipeline
    public let batchSize: Int
    public let sampling: Sampling
    public let dropLast: Bool
    public let seed: UInt64
    public let workers: Int
    /// Keep decoded (DCT-downscaled) images in memory after their first use.
    public let cacheDecoded: Bool
    /// Unreadable files: fail (false) or leave them out of the batch (true).
    public let skipUnreadable: Bool
    /// Mixed into each image's augmentation seed (0: none): a second view of the same batches draws anew (`secondView`).
    public let drawSalt: UInt64

    /// Decoded images by dataset index, shared with the loaders `resampled` makes from this one.
    private let cache: DecodedImages

    public convenience init(_ dataset: ImageDataset, pipeline: ImagePipeline, batchSize: Int, sampling: Sampling = .shuffled,
                dropLast: Bool = true, seed: UInt64 = 0, workers: Int = Parallel.threads, cacheDecoded: Bool = false,
                skipUnreadable: Bool = false) {
        self.init(dataset, pipeline: pipeline, batchSize: batchSize, sampling: sampling, dropLast: dropLast, seed: seed, workers: workers,
                  cacheDecoded: cacheDecoded, skipUnreadable: skipUnreadable, cache: DecodedImages())
    }

    private init(_ dataset: ImageDataset, pipeline: ImagePipeline, batchSize: Int, sampling: Sampling, dropLast: Bool, seed: UInt64,
                 workers: Int, cacheDecoded: Bool, skipUnreadable: Bool, cache: DecodedImages, drawSalt: UInt64 = 0) {
        precondition(batchSize > 0, "DataLoader: batch size must be positive")
        self.dataset = dataset; self.pipeline = pipeline; self.batchSize = batchSize; self.sampling = sampling
        self.dropLast = dropLast; self.seed = seed; self.workers = max(1, workers); self.cacheDecoded = cacheDecoded
        self.skipUnreadable = skipUnreadable; self.cache = cache; self.drawSalt = drawSalt
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// This loader with some of its settings replaced; every other setting, the second-view salt included, is kept.
    private func variant(pipeline: ImagePipeline? = nil, sampling: Sampling? = nil, seed: UInt64? = nil, cache: DecodedImages? = nil,
                         drawSalt: UInt64? = nil) -> DataLoader {
        DataLoader(dataset, pipeline: pipeline ?? self.pipeline, batchSize: batchSize, sampling: sampling ?? self.sampling, dropLast: dropLast,
                   seed: seed ?? self.seed, workers: workers, cacheDecoded: cacheDecoded, skipUnreadable: skipUnreadable,
                   cache: cache ?? self.cache, drawSalt: drawSalt ?? self.drawSalt)
    }

    /// The same dataset, pipeline and batch size drawn another way, with another seed; images this loader has
    /// decoded are not decoded again.
    public func resampled(_ sampling: Sampling, seed: UInt64) -> DataLoader { variant(sampling: sampling, seed: seed) }

    /// The same dataset, sampling, batch size and seed (so the same images in the same order, batch for batch) through
    /// another pipeline; images this loader has decoded are reused when both pipelines decode at the same scale.
    public func withPipeline(_ other: ImagePipeline) -> DataLoader {
        let sameScale = other.regionSide == pipeline.regionSide && other.outputSize == pipeline.outputSize
        return variant(pipeline: other, cache: sameScale ? cache : DecodedImages())
    }

    /// The same images in the same order, batch for batch, through the same pipeline with independent random draws
    /// (`salt` ≠ 0 picks which); decoded images are shared.
    public func secondView(salt: UInt64) -> DataLoader {
        precondition(salt != 0, "DataLoader: a second view needs a salt other than 0")
        return variant(drawSalt: drawSalt ^ salt)
    }

    /// Dataset indices of `epoch`, in drawing order.
    public func order(epoch: Int) -> [Int] {
        var rng = RandomGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(epoch) &+ 1)
        switch sampling {
        case .sequential: return Array(0..<dataset.count)
        case .shuffled:
            var o = Array(0..<dataset.count)
            rng.shuffle(&o)
            return o
        case .classBalanced:
            var byClass: [Int: [Int]] = [:]
            for (i, s) in dataset.samples.enumerated() { byClass[s.label ?? -1, default: []].append(i) }
            let keys = byClass.keys.sorted()
            return (0..<dataset.count).map { _ in
                let members = byClass[keys[Int(rng.next() % UInt64(keys.count))]] ?? []
                return members[Int(rng.next() % UInt64(members.count))]
            }
        case .classShares(let shares):
            var byClass = [[Int]](repeating: [], count: shares.count)
            for (i, s) in dataset.samples.enumerated() {
                guard let c = s.label, shares.indices.contains(c) else { preconditionFailure("DataLoader: sample \(i) has no class share") }
                byClass[c].append(i)
            }
            let drawn = shares.indices.map { byClass[$0].isEmpty ? 0 : shares[$0] }
            precondition(drawn.allSatisfy { $0.isFinite && $0 >= 0 } && drawn.contains { $0 > 0 },
                         "DataLoader: class shares must be finite, ≥ 0 and positive for a class with images")
            var cumulative = [Double](), total = 0.0
            for w in drawn { total += w; cumulative.append(total) }
            return (0..<dataset.count).map { _ in
                let u = Double(rng.next() >> 11) / Double(1 << 53) * total
                let c = cumulative.firstIndex { u < $0 } ?? drawn.lastIndex { $0 > 0 }!
                return byClass[c][Int(rng.next() % UInt64(byClass[c].count))]
            }
        }
    }

    private func decoded(_ index: Int) throws -> RGBImage {
        if cacheDecoded, let hit = cache[index] { return hit }
        let url = dataset.samples[index].path
        let img = try JPEG.decode(url) { w, h in pipeline.decodeScale(width: w, height: h) }.image
        if cacheDecoded { cache[index] = img }
        return img
    }

    /// Builds batch `b` of `epoch` (the same result for the same seed, whatever `workers` is).
    public func batch(epoch: Int, index b: Int, order: [Int]? = nil) throws -> Batch {
        let order = order ?? self.order(epoch: epoch)
        let lo = b * batchSize, hi = min(order.count, lo + batchSize)
        precondition(lo < hi, "DataLoader: batch \(b) is past the end of the epoch")
        let s = pipeline.outputSize, plane = 3 * s * s
        let n = hi - lo
        let images = Storage(uninitialized: n * plane)
        var cues = [Float](repeating: 0, count: n)
        let outcomes = ParallelMap.results(n, workers: workers) { k -> Float in
            var rng = RandomGenerator(seed: (self.seed ^ 0x5DEE_CE66 ^ self.drawSalt) &* 6_364_136_223_846_793_005
                                            &+ UInt64(epoch) &* 1_442_695_040_888_963_407 &+ UInt64(lo + k))
            let index = order[lo + k]
            var zoom = 1.0, cue: Float = 0
            if let cellZoom = self.pipeline.cellZoom {   // one measured ratio gives the crop's factor and the size cue
                let ratio = try cellZoom.ratio(for: self.dataset.samples[index].path)
                zoom = cellZoom.factor(ratio: ratio); cue = CellZoom.sizeCue(ratio: ratio)
            }
            let image = self.pipeline.transform(FloatImage(try self.decoded(index)), zoom: zoom, &rng)
            self.pipeline.writeNormalized(image, to: images.pointer + k * plane)
            return cue
        }
        for (k, outcome) in outcomes.enumerated() { if case .success(let cue) = outcome { cues[k] = cue } }
        var keep = Array(0..<n)
        if let firstFailure = outcomes.first(where: { if case .failure = $0 { return true }; return false }) {
            if !skipUnreadable { try firstFailure.get() }
            keep = keep.filter { if case .success = outcomes[$0] { return true }; return false }
        }
        let indices = keep.map { order[lo + $0] }
        var tensor = Tensor(shape: [n, 3, s, s], storage: images)
        if keep.count < n {
            let values = tensor.scalars
            tensor = Tensor(keep.flatMap { values[($0 * plane)..<(($0 + 1) * plane)] }, shape: [keep.count, 3, s, s])
        }
        var batch = Batch(images: tensor, labels: indices.map { dataset.samples[$0].label }, indices: indices)
        if pipeline.cellZoom != nil { batch.cellSizes = Tensor(keep.map { cues[$0] }, shape: [keep.count, 1]) }
        return batch
    }

    /// Endless batches: epochs follow one another, each reshuffled; batch k + 1 is prepared on a
    /// background thread while batch k is used (the shorter domain's loader simply keeps cycling).
    public func makeIterator(startEpoch: Int = 0, startBatch: Int = 0) -> BatchIterator {
        BatchIterator(loader: self, epoch: startEpoch, batch: startBatch)
    }
}

/// Decoded images by dataset index, safe to read and fill from the decoding threads.
final class DecodedImages: @unchecked Sendable {
    private var images: [Int: RGBImage] = [:]
    private let lock = NSLock()
    subscript(index: Int) -> RGBImage? {
        get { lock.lock(); defer { lock.unlock() }; return images[index] }
        set { lock.lock(); images[index] = newValue; lock.unlock() }
    }
}

/// The endless batch stream of a DataLoader, one batch prefetched.
public final class BatchIterator: IteratorProtocol, @unchecked Sendable {
    let loader: DataLoader
    public private(set) var epoch: Int
    public private(set) var batchIndex: Int
    private var order: [Int]
    private var pending: (epoch: Int, batch: Int, result: Result<Batch, Error>?)?
    private let ready = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "smear.loader.prefetch")

    init(loader: DataLoader, epoch: Int, batch: Int) {
        self.loader = loader; self.epoch = epoch; self.batchIndex = batch
        order = loader.order(epoch: epoch)
        prefetch()
    }

    private func prefetch() {
        let (e, b, o) = (epoch, batchIndex, order)
        pending = (e, b, nil)
        queue.async { [self] in
            let r = Result { try loader.batch(epoch: e, index: b, order: o) }
            pending?.result = r
            ready.signal()
        }
    }

    /// The next batch (throws an image error unless the loader skips unreadable files).
    public func nextBatch() throws -> Batch {
        ready.wait()
        let r = pending?.result
        batchIndex += 1
        if batchIndex >= max(loader.batchesPerEpoch, 1) { epoch += 1; batchIndex = 0; order = loader.order(epoch: epoch) }
        prefetch()
        guard let r else { fatalError("BatchIterator: prefetch finished without a result") }
        return try r.get()
    }

    public func next() -> Batch? { try? nextBatch() }
}
