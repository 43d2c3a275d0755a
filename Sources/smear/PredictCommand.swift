// `smear predict`: a saved run's model over a folder or list of images, with the run's own pipeline for the target
// lab (crop, normalisation, colour handling), through the same function as the language's predict. Usage errors
// (a bad checkpoint name, an output that is not a .csv smear may write) exit 64, a failure 70.
import ArgumentParser
import Foundation
import SmearData
import SmearLang
import SmearTensor
import SmearTrain

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smear predict",
        abstract: "Classifies images with a run's model: predictions and probabilities as CSV, and a report when the images have labels.",
        discussion: """
            IMAGES is a folder of class folders (labels score the predictions; their names must be the run's classes), a folder \
            of images (searched recursively), or an image list (CSV with image and label columns). OUT is the predictions \
            file (.csv); OUT's name with _probabilities.csv holds the class probabilities, and with _report.txt the report. \
            An existing OUT is replaced only if smear wrote it. Cells the run was given labels for (target_labels) are left out.
            """)

    @Argument(help: "the run folder (written by smear train or train())") var runFolder: String
    @Argument(help: "the images: class folders, a folder of images, or an image list") var images: String
    @Argument(help: "the predictions file to write (.csv)") var out: String
    @Option(help: SavedRun.checkpointHelp) var checkpoint = SelectionCriterion.default.rawValue
    @Flag(help: "recompute the batch-norm statistics over these images first (AdaBN; no labels used)") var adabn = false
    @Flag(help: "average the probabilities over the 8 orientations of each image (8 times the work)") var tta = false
    @Flag(help: "also read each image with its lab's centre crop about a seventh smaller and larger (1/1.15 and 1.15), and average the probabilities over the three (3 times the work)")
    var scales = false

    func validate() throws {
        try SavedRun.validate(checkpoint: checkpoint)
        guard URL(fileURLWithPath: out).pathExtension.lowercased() == "csv" else { throw ValidationError("OUT must be a .csv file, got \(out)") }
    }

    func run() throws {
        let r = try SavedRun.open(runFolder)
        let dataset = try Self.images(images, classes: r.trainer.data.source.classes)
        let options = EvaluationOptions(adabn: adabn, tta: tta, scales: scales)
        print("\(dataset.summary); checkpoint \(checkpoint)\(options.viewsDescription)")
        let report: ReportObject
        do {
            report = try predictions(r, dataset, to: URL(fileURLWithPath: out), checkpoint: checkpoint, options: options, lab: .target)
        } catch let e as LanguageError { throw ValidationError(e.message) }
        let base = URL(fileURLWithPath: out).deletingPathExtension()
        let reportURL = base.deletingLastPathComponent().appendingPathComponent(base.lastPathComponent + "_report.txt")
        try report.summary.write(to: reportURL, atomically: true, encoding: .utf8)
        print(report.summary)
        print("wrote \(out), \(base.lastPathComponent)_probabilities.csv and \(reportURL.lastPathComponent)")
    }

    /// A list file, a folder of class folders (its own class names, mapped onto the run's when evaluated), or a
    /// folder of images.
    static func images(_ path: String, classes: [String]) throws -> ImageDataset {
        let url = URL(fileURLWithPath: path)
        switch FileKind.of(url.path) {
        case .regular: return try ImageDataset.list(url, classes: classes)
        case .directory:
            let hasClassFolders = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).contains {
                !$0.hasPrefix(".") && FileKind.of(url.appendingPathComponent($0).path) == .directory
            }
            return hasClassFolders ? try ImageDataset.folder(url) : try ImageDataset.unlabeled(url, classes: classes)
        default: throw ValidationError("\(path): no such file or folder of images")
        }
    }
}
