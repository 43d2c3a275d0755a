// `smear train`'s datasets (every image checked first) and its reports after the run.
import ArgumentParser
import Foundation
import SmearAdapt
import SmearData
import SmearTrain

extension TrainCommand {
    /// The source split into training and validation, and the target (class folders when it has the
    /// source's, else a flat folder), each image checked; sizes that cannot form a batch are usage errors.
    func loadData(classes: [String], spec: RunSpec, config: TrainingConfig) throws -> RunData {
        let sourceURL = URL(fileURLWithPath: source), targetURL = URL(fileURLWithPath: target)
        let scanned = try ImageDataset.folder(sourceURL, classes: classes, only: classes, allowNearMisses: allowNearMisses)
        let showScan: (Int, Int) -> Void = { done, total in
            if isatty(1) != 0 { print("\rchecking images \(done)/\(total)", terminator: done == total ? "\n" : ""); fflush(stdout) }
        }
        let labelled = try scanned.checked(skipUnreadable: skipUnreadable, progress: showScan)
        if labelled.count < scanned.count { print("skipped \(scanned.count - labelled.count) unreadable source image(s)") }
        var train = labelled, validation: ImageDataset? = nil
        if spec.validationFraction > 0 {
            (train, validation) = labelled.split(fraction: 1 - spec.validationFraction, seed: config.seed)
            guard validation?.count ?? 0 > 0, train.count > 0 else {
                throw ValidationError("--validation \(spec.validationFraction) leaves \(train.count) training and \(validation?.count ?? 0) validation images")
            }
        }
        var targetSet: ImageDataset
        let targetClasses = classes.filter { FileManager.default.fileExists(atPath: targetURL.appendingPathComponent($0).path) }
        if let t = try? ImageDataset.folder(targetURL, classes: classes, only: targetClasses, allowNearMisses: true) {
            let near = ImageDataset.nearMisses(t.foldersOutsideClasses, of: classes)
            if !near.isEmpty && !allowNearMisses {
                throw ValidationError("target \(targetURL.path): folder(s) \(near.joined(separator: ", ")) differ from a class of --classes only in case or a plural; rename them, or pass --allow-near-misses")
            }
            targetSet = t
        }
        else { targetSet = try ImageDataset.unlabeled(targetURL, classes: classes) }
        let checkedTarget = try targetSet.checked(skipUnreadable: skipUnreadable, progress: showScan)
        if checkedTarget.count < targetSet.count { print("skipped \(targetSet.count - checkedTarget.count) unreadable target image(s)") }
        targetSet = checkedTarget
        var labelledTarget: ImageDataset? = nil
        if let file = spec.choice("target_labels") {
            (labelledTarget, targetSet) = try TargetLabels.read(URL(fileURLWithPath: file), target: targetSet)
            print("target labels: \(labelledTarget!.count) labelled cells join training; reports score the other \(targetSet.count) target images")
        }
        print("source \(train.summary)\nsource validation \(validation?.count ?? 0) images\ntarget \(targetSet.summary)")
        for (set, role) in [(scanned, "source"), (targetSet, "target")] where !set.foldersOutsideClasses.isEmpty {
            print("\(role): left out \(set.foldersOutsideClasses.count) folder(s) not in --classes: \(set.foldersOutsideClasses.joined(separator: ", "))")
        }
        for (set, role) in [(labelled, "source"), (targetSet, "target")] where !set.skipped.isEmpty {
            print("\(role): \(set.skipped.count) entries not read: "
                  + set.skippedWithReasons.prefix(10).map { "\($0.path) (\($0.reason))" }.joined(separator: "; "))
        }
        for (set, role) in [(train, "source training"), (targetSet, "target")] where set.count < config.batchSize {
            throw ValidationError("--batch \(config.batchSize) is more than the \(set.count) \(role) images; use a smaller batch")
        }
        let crops = config.statisticsCrops   // crop statistics: the training split's, as the Trainer measures them (one pass, cached)
        return RunData(source: train, sourceValidation: validation, target: targetSet, labelledTarget: labelledTarget,
                       sourceStatistics: try ChannelStatistics.cached(crops.source == nil ? labelled : train, crop: crops.source),
                       targetStatistics: try ChannelStatistics.cached(targetSet, crop: crops.target))
    }

    /// Predictions and a report per checkpoint (each criterion's, the latest, and the averaged weights when kept).
    func writeReports(_ trainer: Trainer, descriptor: MethodDescriptor, target targetSet: ImageDataset, into dir: URL) throws {
        for criterion in SelectionCriterion.tracked + [.latest, .average] {
            guard (try? trainer.loadSelected(criterion)) != nil else { continue }
            let e = try Evaluation.run(trainer.net, on: targetSet, pipeline: trainer.targetPipeline(training: false))
            try e.writePredictions(to: dir.appendingPathComponent("predictions_\(criterion.rawValue).csv"))
            let title = "\(descriptor.name): \(URL(fileURLWithPath: source).lastPathComponent) → \(URL(fileURLWithPath: target).lastPathComponent), checkpoint \(criterion.rawValue)"
            try e.report(title: title).write(to: dir.appendingPathComponent("report_\(criterion.rawValue).txt"), atomically: true, encoding: .utf8)
            if let m = e.confusion {
                print(String(format: "checkpoint %@: target macro F1 %.4f (classes in labels %.4f), micro F1 %.4f", criterion.rawValue,
                             m.macroF1(.observed), m.macroF1(.presentInLabels), m.microF1(.observed)))
            }
        }
        print("wrote \(dir.path): history.csv, checkpoints, predictions_*.csv, report_*.txt")
    }
}
