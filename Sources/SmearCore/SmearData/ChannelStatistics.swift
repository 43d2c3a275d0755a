// Per-dataset normalisation: channel mean and standard deviation of [0, 1] RGB over a dataset's own
// images (the article normalises each lab with its own statistics), cached so it is computed once; the
// same in CIE L*a*b*, for colour transfer between labs.
import Foundation
import SmearTensor

/// Which channels statistics describe.
public enum ColourSpace: String, Sendable {
    /// sRGB in [0, 1].
    case rgb
    /// CIE L*a*b* (`CIELab`).
    case lab
}

/// Over which pixels a run measures each lab's channel statistics (for its z-score and colour transfers).
public enum StatisticsRegion: String, Sendable, CaseIterable, Codable {
    /// Every pixel of every image: the whole frame, glass included (runs whose run.json says frame).
    case frame
    /// Each image's centre crop at the run's crop for that lab: what the network is given (the PyTorch reference's rule).
    case crop
}

public struct ChannelStatistics: Codable, Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    public var images: Int

    public init(mean: [Float], std: [Float], images: Int) { self.mean = mean; self.std = std; self.images = images }

    /// Computes over every pixel of every image, decoded at 1/`scaleDenominator` (DCT-downscaled:
    /// the mean is unchanged and the spread barely, at a fraction of the cost).
    /// `transform`, when given, is applied to each decoded image first (statistics of a lab after a
    /// deterministic colour step, such as each image's white balance). `crop`, when given, keeps only each
    /// image's centre square of that many original pixels (clamped to the image), after the transform: the
    /// statistics of the region a run's network sees rather than of the whole frame, whose glass can dominate.
    public static func compute(_ dataset: ImageDataset, scaleDenominator: Int = 4, space: ColourSpace = .rgb,
                               transform: Augmentation? = nil, crop: Int? = nil) throws -> ChannelStatistics {
        let sums = try ParallelMap.map(dataset.count) { i -> [Double] in   // Σc×3, Σc²×3, n
            var img = FloatImage(try JPEG.decode(dataset.samples[i].path, scaleDenominator: scaleDenominator))
            var rng = RandomGenerator(seed: 0)
            if let transform { transform.apply(&img, &rng) }
            if let crop { CenterCrop(crop).apply(&img, &rng) }
            var s = [Double](repeating: 0, count: 7)
            img.data.withUnsafeBufferPointer { p in
                for j in 0..<(img.width * img.height) {
                    var v = (p[3 * j], p[3 * j + 1], p[3 * j + 2])
                    if space == .lab { v = CIELab.fromRGB(v.0, v.1, v.2) }
                    let (a, b, c) = (Double(v.0), Double(v.1), Double(v.2))
                    s[0] += a; s[1] += b; s[2] += c; s[3] += a * a; s[4] += b * b; s[5] += c * c
                }
            }
            s[6] = Double(img.width * img.height)
            return s
        }
        var t = [Double](repeating: 0, count: 7)
        for s in sums { for k in 0..<7 { t[k] += s[k] } }
        let mean = (0..<3).map { t[$0] / t[6] }
        let std = (0..<3).map { ((t[3 + $0] / t[6]) - mean[$0] * mean[$0]).squareRoot() }
        return ChannelStatistics(mean: mean.map(Float.init), std: std.map(Float.init), images: dataset.count)
    }

    /// The cache folder (CacheFolders.statistics).
    public static var cacheDirectory: URL { CacheFolders.statistics() }

    /// Loads the statistics cached for exactly this list of files, or computes and caches them.
    /// `transform` and `transformKey` (what identifies the transform and its parameters in the cache's name)
    /// go together: statistics after a colour step are cached apart from the plain ones, and so are those of a
    /// centre `crop`.
    public static func cached(_ dataset: ImageDataset, in directory: URL = cacheDirectory, space: ColourSpace = .rgb,
                              transform: Augmentation? = nil, transformKey: String = "", crop: Int? = nil) throws -> ChannelStatistics {
        precondition((transform == nil) == transformKey.isEmpty, "ChannelStatistics.cached: a transform needs its key")
        let prefix = (space == .rgb ? "stats" : "stats-\(space.rawValue)") + (transform == nil ? "" : "-transformed")
            + (crop.map { "-crop\($0)" } ?? "")
        return try cachedValue(of: dataset, in: directory, prefix: prefix, key: transformKey) {
            try compute(dataset, space: space, transform: transform, crop: crop)
        }
    }
}

/// A value computed from a dataset's images, cached on disk as JSON under a name made of `prefix`, the
/// dataset's name and a hash of exactly its file list (and `key`, when given); computed once, then read.
func cachedValue<T: Codable>(of dataset: ImageDataset, in directory: URL, prefix: String, key: String = "",
                             compute: () throws -> T) throws -> T {
    var hasher = FNV1a()
    for s in dataset.samples { hasher.add(s.path.standardizedFileURL.path) }
    if !key.isEmpty { hasher.add(key) }
    let file = directory.appendingPathComponent("\(prefix)-\(CacheFolders.fileNamePart(dataset.name))-\(hasher.hex).json")
    if let data = try? Data(contentsOf: file), let value = try? JSONDecoder().decode(T.self, from: data) { return value }
    let value = try compute()
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    if let data = try? JSONEncoder().encode(value) { try? data.write(to: file, options: .atomic) }
    return value
}

/// 64-bit FNV-1a: a stable hash of the file list for cache names.
struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) {
        for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = (value ^ 0x0a) &* 0x100_0000_01b3
    }
    var hex: String { String(value, radix: 16) }
}
