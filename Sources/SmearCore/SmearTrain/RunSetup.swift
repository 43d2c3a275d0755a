// From the datasets a front end loaded and the run's settings to the run's data, the same way for the language's
// train() and `smear train`: the validation split, the target's class vocabulary, the target cells a person or a model
// labelled, the checks a batch needs, and both labs' channel statistics.
import Foundation
import SmearData

public enum RunSetupError: Error, Equatable, CustomStringConvertible {
    case split(String), classes(String), batch(String), labels(String)
    public var description: String {
        switch self { case .split(let m), .classes(let m), .batch(let m), .labels(let m): return m }
    }
}

public enum RunSetup {
    /// The run's data. `validation` replaces the held-out share of the source (RunSpec's `validation`) when given;
    /// a target without class folders takes the source's classes; `target_labels` moves the labelled cells out of
    /// the target into `labelledTarget`; `pseudo_labels` reads a model's labels for cells that stay in the target
    /// (`pseudoLabelledTarget`; a cell both labelled and pseudo-labelled is an error). `moreSources`: further labelled
    /// labs with their centre crops (SourceLab).
    public static func data(spec: RunSpec, config: TrainingConfig, source: ImageDataset, target: ImageDataset,
                            validation given: ImageDataset? = nil, moreSources: [(ImageDataset, crop: Int)] = []) throws -> RunData {
        var train = source, validation = given
        if given == nil && spec.validationFraction > 0 {
            (train, validation) = source.split(fraction: 1 - spec.validationFraction, seed: config.seed)
            guard validation?.count ?? 0 > 0, train.count > 0 else {
                throw RunSetupError.split("validation=\(spec.validationFraction) leaves \(train.count) training and \(validation?.count ?? 0) validation images")
            }
        }
        if target.isLabelled && !target.classes.isEmpty && target.classes != source.classes {
            throw RunSetupError.classes("the target's classes \(target.classes) differ from the source's \(source.classes); "
                                        + "load both with the same classes so that label indices agree")
        }
        var targetSet = target.classes.isEmpty ? ImageDataset(name: target.name, samples: target.samples, classes: source.classes) : target
        var labelledTarget: ImageDataset? = nil
        if let file = spec.choice(.targetLabels) {
            (labelledTarget, targetSet) = try TargetLabels.read(URL(fileURLWithPath: file), target: targetSet)
        }
        var pseudoLabelled: ImageDataset? = nil
        if let file = spec.choice(.pseudoLabels) {
            let given = Set((labelledTarget?.samples ?? []).map(\.path.standardizedFileURL.path))
            let whole = ImageDataset(name: targetSet.name, samples: targetSet.samples + (labelledTarget?.samples ?? []), classes: targetSet.classes)
            let pseudo = try TargetLabels.read(URL(fileURLWithPath: file), target: whole).labelled
            if let both = pseudo.samples.first(where: { given.contains($0.path.standardizedFileURL.path) }) {
                throw RunSetupError.labels("\(both.path.path) is in both target_labels and pseudo_labels: a cell a person labelled needs no pseudo-label")
            }
            pseudoLabelled = ImageDataset(name: "\(targetSet.name) pseudo-labelled", samples: pseudo.samples, classes: pseudo.classes)
        }
        for (set, role) in [(train, "source training"), (targetSet, "target")] where set.count < config.batchSize {
            throw RunSetupError.batch("batch=\(config.batchSize) is more than the \(set.count) \(role) images; use a smaller batch")
        }
        let crops = config.statisticsCrops   // crop statistics: the training split's, as the Trainer measures them (one pass, cached)
        return RunData(source: train, sourceValidation: validation, target: targetSet, labelledTarget: labelledTarget, pseudoLabelledTarget: pseudoLabelled,
                       sourceStatistics: try ChannelStatistics.cached(crops.source == nil ? source : train, crop: crops.source),
                       targetStatistics: try ChannelStatistics.cached(targetSet, crop: crops.target),
                       moreSources: try moreSources.map { try SourceLab.make($0.0, crop: $0.crop, source: source, config: config) })
    }
}

extension RunData {
    /// What the front ends say about the labelled and pseudo-labelled target cells (nil: none).
    public var labelledTargetSummary: String? {
        switch (labelledTarget, pseudoLabelledTarget) {
        case (nil, nil):
            return nil
        case (nil, let pseudo?):
            return "pseudo-labels: \(pseudo.count) target cells join training with a model's labels; reports score every target image"
        case (let given?, let pseudo):
            return "target labels: \(given.count) labelled cells join training; reports score the other \(target.count) target images"
                + (pseudo.map { "; pseudo-labels: \($0.count) of those join training too" } ?? "")
        }
    }
}
