// `smear train`'s datasets (every image checked first).
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
        var more: [(ImageDataset, crop: Int)] = []
        for (folder, crop) in zip(moreSource, moreSourceCrop) {
            let lab = try ImageDataset.folder(URL(fileURLWithPath: folder), classes: classes, allowNearMisses: allowNearMisses)
            more.append((try lab.checked(skipUnreadable: skipUnreadable, progress: showScan), crop: crop))
        }
        let data: RunData
        do { data = try RunSetup.data(spec: spec, config: config, source: labelled, target: targetSet, moreSources: more) }
        catch let e as RunSetupError { throw ValidationError("\(e)") }
        if let summary = data.labelledTargetSummary { print(summary) }
        print("source \(data.source.summary)\nsource validation \(data.sourceValidation?.count ?? 0) images\ntarget \(data.target.summary)")
        for lab in data.moreSources { print("further source \(lab.dataset.summary), crop \(lab.crop) px") }
        for (set, role) in [(scanned, "source"), (targetSet, "target")] where !set.foldersOutsideClasses.isEmpty {
            print("\(role): left out \(set.foldersOutsideClasses.count) folder(s) not in --classes: \(set.foldersOutsideClasses.joined(separator: ", "))")
        }
        for (set, role) in [(labelled, "source"), (targetSet, "target")] where !set.skipped.isEmpty {
            print("\(role): \(set.skipped.count) entries not read: "
                  + set.skippedWithReasons.prefix(10).map { "\($0.path) (\($0.reason))" }.joined(separator: "; "))
        }
        return data
    }
}
