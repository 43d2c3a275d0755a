// A further labelled lab of a run (RunData.moreSources, the language's train(..., more_sources=)): its images with the
// source's class indices, the centre crop that gives its nuclei the run's cell scale, and its own channel statistics.
// Each adds a quarter-batch of its cells to every step with its own class-weighted cross-entropy, as the labelled
// target cells do; the adaptation loss keeps the first source and the target. A further lab's images get the run's
// augmentations and per-image colour setting, never a lab-level colour transfer or the stain bank: its own statistics
// z-score it. Several stains with labels are what a classifier trained on one lab lacks (the article trains on two labs).
import Foundation
import SmearData

public struct SourceLab: Sendable {
    public var dataset: ImageDataset
    /// Centre crop of this lab's images, original pixels.
    public var crop: Int
    public var statistics: ChannelStatistics

    /// The crops a further lab may have, original pixels (what source_crop accepts).
    public static let crops = 1...100_000

    public init(dataset: ImageDataset, crop: Int, statistics: ChannelStatistics) {
        self.dataset = dataset; self.crop = crop; self.statistics = statistics
    }

    /// The lab as `source`'s classes index it, its statistics measured as the run's `config` measures each lab's
    /// (over its crop, or the whole frames). A lab without labels, or with a class the source does not have, is refused.
    public static func make(_ dataset: ImageDataset, crop: Int, source: ImageDataset, config: TrainingConfig) throws -> SourceLab {
        guard dataset.count > 0, dataset.isLabelled else {
            throw RunSetupError.classes("more_sources: \(dataset.name) must be a labelled dataset (class folders) with images")
        }
        guard crops.contains(crop) else { throw RunSetupError.classes("more_sources: \(dataset.name)'s crop \(crop) is not 1 to 100,000 px") }
        let mapped: ImageDataset
        do { mapped = try dataset.mapped(onto: source.classes) } catch {
            throw RunSetupError.classes("more_sources: \(error); load it with the source's classes (classes=, only=)")
        }
        return SourceLab(dataset: mapped, crop: crop,
                         statistics: try ChannelStatistics.cached(mapped, crop: statisticsCrop(crop, config)))
    }

    /// The region a lab cut at `crop` is measured over for `config`'s statistics: that crop, or nil (whole frames).
    static func statisticsCrop(_ crop: Int, _ config: TrainingConfig) -> Int? { config.statisticsRegion == .crop ? crop : nil }
}

extension RunRecord {
    /// A further source lab as run.json keeps it.
    public struct SourceLabRecord: Codable {
        public var dataset: DatasetRecord, crop: Int, statistics: ChannelStatistics
        init(_ lab: SourceLab) { dataset = DatasetRecord(lab.dataset); crop = lab.crop; statistics = lab.statistics }
        var lab: SourceLab { SourceLab(dataset: dataset.dataset, crop: crop, statistics: statistics) }
    }
}
