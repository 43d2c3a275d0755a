// What the subcommands that read a finished run (`smear predict`, `smear export`) share: the check of the
// --checkpoint name and the opening of a run that has been trained.
import ArgumentParser
import Foundation
import SmearTrain

enum SavedRun {
    static let checkpointHelp = ArgumentHelp("the checkpoint: \(SelectionCriterion.allCases.map(\.rawValue).joined(separator: ", "))")

    static func validate(checkpoint: String) throws {
        guard SelectionCriterion(rawValue: checkpoint) != nil else {
            throw ValidationError("--checkpoint \(checkpoint) is not a checkpoint; use one of \(SelectionCriterion.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The run in `folder`, refused when it has no checkpoint yet.
    static func open(_ folder: String) throws -> RunObject {
        let trainer = try RunRecord.open(URL(fileURLWithPath: folder))
        guard trainer.completedEpochs > 0 else {
            throw ValidationError("\(folder) has no checkpoint yet: train it first (smear train --resume --out \(folder))")
        }
        return RunObject(trainer, source: trainer.data.source.name, target: trainer.data.target.name)
    }
}
