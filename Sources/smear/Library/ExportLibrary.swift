// export_onnx and `smear export`: a run's classifier as an ONNX model, through one function.
import Foundation
import SmearExport
import SmearLang
import SmearTensor
import SmearTrain

func registerExportLibrary(_ i: Interpreter) {
    i.register(Builtin("export_onnx", "export_onnx(run, path, checkpoint=\"\(SelectionCriterion.default.rawValue)\")",
                       help: "Writes the run's classifier for its target lab as an ONNX model (opset \(ONNXExport.opset)): input \"image\" [N, 3, S, S]\n(RGB in [0, 1] after the run's centre crop and resize), the lab's channel normalisation, the network, outputs\n\"logits\" and \"probabilities\". Its metadata holds the class names in order, the input size and the crop. Runs that\nmove colours per image or per lab (stain) cannot be exported. An existing file is replaced only if smear wrote it.",
                       example: "export_onnx(run, \"classifier.onnx\")") { a in
        let r = try runArg(a, 0, "run"), path = try a.string(1, "path")
        return .string(try exportONNX(r, to: URL(fileURLWithPath: path), checkpoint: try a.string(2, "checkpoint")))
    })
}

/// Writes the model (atomically) and returns a one-line summary.
func exportONNX(_ r: RunObject, to url: URL, checkpoint: String) throws -> String {
    guard r.trainer.completedEpochs > 0 else {
        throw LanguageError(.value, "\(r.trainer.directory.path) has no checkpoint yet: train it first")
    }
    guard url.pathExtension.lowercased() == "onnx" else { throw LanguageError(.value, "\(url.path): an ONNX model's name ends in .onnx") }
    switch FileKind.of(url.path) {
    case .missing: break
    case .regular:
        guard let existing = try? Data(contentsOf: url), ONNXExport.isSmearModel(existing) else {
            throw LanguageError(.value, "\(url.path) exists and is not an ONNX model smear wrote; choose another path or move that file")
        }
    default: throw LanguageError(.value, "\(url.path) exists and is not a file smear may replace")
    }
    if let criterion = try criterion(checkpoint) { try r.trainer.loadSelected(criterion) }
    let config = r.trainer.config
    let d = ONNXExport.Description(
        classes: r.trainer.data.source.classes, pipeline: r.trainer.targetPipeline(training: false),
        metadata: [("run", r.trainer.directory.lastPathComponent), ("checkpoint", checkpoint), ("method", r.trainer.method.name),
                   ("backbone", config.network.backbone.rawValue), ("lab", r.targetName), ("smear_version", version)])
    let data: Data
    do { data = try ONNXExport.model(r.trainer.net, d) } catch let e as ONNXExportError { throw LanguageError(.value, "export: \(e)") }
    do { try data.write(to: url, options: .atomic) } catch {
        throw LanguageError(.io, "cannot write \(url.path): \(ErrorText.oneLine(error))")
    }
    return "wrote \(url.path): \(d.classes.count) classes, input [N, 3, \(d.pipeline.outputSize), \(d.pipeline.outputSize)], checkpoint \(checkpoint)"
}
