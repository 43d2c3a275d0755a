// `smear export`: a saved run's classifier as an ONNX model, through the same function as the language's
// export_onnx. Usage errors (a bad checkpoint name, an output that is not a .onnx smear may write) exit 64, a
// failure 70.
import ArgumentParser
import Foundation
import SmearExport
import SmearLang
import SmearTrain

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smear export",
        abstract: "Writes a run's classifier as an ONNX model (opset \(ONNXExport.opset)) for onnxruntime or any ONNX runtime.",
        discussion: """
            The model takes "image" [N, 3, S, S]: RGB in [0, 1], each image's centred square of the run's target crop \
            resized to S×S (both in the model's metadata, with the class names in order); it applies the target lab's \
            channel normalisation itself and returns "logits" and "probabilities" [N, K]. Runs that move colours per image \
            or per lab (stain) cannot be exported. An existing FILE is replaced only if smear wrote it.
            """)

    @Argument(help: "the run folder (written by smear train or train())") var runFolder: String
    @Option(help: "the ONNX model to write (.onnx)") var onnx: String
    @Option(help: SavedRun.checkpointHelp) var checkpoint = SelectionCriterion.default.rawValue

    func validate() throws {
        try SavedRun.validate(checkpoint: checkpoint)
        guard URL(fileURLWithPath: onnx).pathExtension.lowercased() == "onnx" else { throw ValidationError("--onnx must name a .onnx file, got \(onnx)") }
    }

    func run() throws {
        let r = try SavedRun.open(runFolder)
        do { print(try exportONNX(r, to: URL(fileURLWithPath: onnx), checkpoint: checkpoint)) }
        catch let e as LanguageError { throw ValidationError(e.message) }
    }
}
