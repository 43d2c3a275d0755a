// The core's values as script objects (tensors, datasets, models, methods, runs, reports).
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearLang
import SmearMetrics
import SmearNN
import SmearTensor

func numberList(_ xs: [Int]) -> Value { .list(xs.map { .number(Double($0)) }) }
func numberList(_ xs: [Float]) -> Value { .list(xs.map { .number(Double($0)) }) }
func stringList(_ xs: [String]) -> Value { .list(xs.map { .string($0) }) }
func optionalNumber(_ x: Double?) -> Value { x.map { .number($0) } ?? .none }

final class TensorObject: ScriptObject {
    let tensor: Tensor
    init(_ t: Tensor) { tensor = t }
    var typeName: String { "tensor" }
    var summary: String { tensor.description }
    var attributeNames: [String] { ["shape", "rank", "count", "T", "grad", "values"] }
    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "shape": return numberList(tensor.shape)
        case "rank": return .number(Double(tensor.rank))
        case "count": return .number(Double(tensor.count))
        case "T": return .object(TensorObject(tensor.transposed()))
        case "grad": return tensor.grad.map { .object(TensorObject($0)) } ?? Value.none
        case "values": return numberList(tensor.scalars)
        default: return nil
        }
    }
}

final class DatasetObject: ScriptObject {
    let dataset: ImageDataset
    init(_ d: ImageDataset) { dataset = d }
    var typeName: String { "dataset" }
    var summary: String { dataset.summary }
    var attributeNames: [String] { ["name", "classes", "counts", "count", "weights", "labelled", "files"] }
    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "name": return .string(dataset.name)
        case "classes": return stringList(dataset.classes)
        case "counts": return numberList(dataset.classCounts)
        case "count": return .number(Double(dataset.count))
        case "weights": return numberList(dataset.inverseFrequencyWeights())
        case "labelled": return .bool(dataset.isLabelled)
        case "files": return stringList(dataset.samples.map(\.path.path))
        default: return nil
        }
    }
}

final class ModelObject: ScriptObject {
    let module: Module
    let label: String
    init(_ m: Module, label: String) { module = m; self.label = label }
    var typeName: String { "model" }
    var summary: String { "\(label): \(module.parameterCount) parameters, \(module.namedParameters().count) tensors" }
    var attributeNames: [String] { ["parameters", "names", "training"] }
    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "parameters": return .number(Double(module.parameterCount))
        case "names": return stringList(module.stateDict().map(\.0))
        case "training": return .bool(module.isTraining)
        default: return nil
        }
    }
}

final class MethodObject: ScriptObject {
    let descriptor: MethodDescriptor
    /// The resolved values of every option (defaults and the user's).
    let options: MethodOptions
    init(_ d: MethodDescriptor, options: MethodOptions) { descriptor = d; self.options = options }
    var typeName: String { "method" }
    var summary: String {
        "method \(descriptor.name) (" + descriptor.options.map { "\($0.name)=\(Value.number(options[$0]))" }.joined(separator: ", ") + ")"
    }
    var attributeNames: [String] { ["name", "options", "help"] }
    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "name": return .string(descriptor.name)
        case "options": return .record(descriptor.options.map { ($0.name, .number(options[$0])) })
        case "help": return .string(descriptor.help)
        default: return nil
        }
    }
}

func recordValue(_ r: EpochRecord) -> Value {
    var fields: [(String, Value)] = [("epoch", .number(Double(r.epoch))), ("iteration", .number(Double(r.iteration))),
                                     ("cls_loss", .number(r.classificationLoss)), ("transfer_loss", .number(r.transferLoss)),
                                     ("source_acc", optionalNumber(r.sourceAccuracy)), ("source_f1", optionalNumber(r.sourceMacroF1)),
                                     ("target_entropy", .number(r.targetEntropy)), ("target_snd", .number(r.targetSND)),
                                     ("target_im", optionalNumber(r.targetIM)), ("target_dev", optionalNumber(r.targetDEV)),
                                     ("target_largest_class_share", optionalNumber(r.targetLargestClassShare)),
                                     ("target_f1", optionalNumber(r.targetMacroF1)), ("target_micro_f1", optionalNumber(r.targetMicroF1)),
                                     ("seconds", .number(r.seconds))]
    fields += r.diagnostics.keys.sorted().map { ($0, .number(r.diagnostics[$0] ?? 0)) }
    return .record(fields)
}

final class RunObject: ScriptObject {
    var trainer: Trainer
    let sourceName: String, targetName: String
    init(_ t: Trainer, source: String, target: String) { trainer = t; sourceName = source; targetName = target }
    var typeName: String { "run" }
    var summary: String {
        var s = "run \(trainer.method.name): \(sourceName) → \(targetName), \(trainer.completedEpochs)/\(trainer.config.epochs) epochs, "
            + "folder \(trainer.directory.path)"
        if let r = trainer.history.last {
            s += String(format: "\n  last epoch %d: cls %.4f transfer %.4f, target entropy %.4f, SND %.4f", r.epoch, r.classificationLoss,
                        r.transferLoss, r.targetEntropy, r.targetSND)
            if let f = r.sourceMacroF1 { s += String(format: ", source val F1 %.4f", f) }
            if let f = r.targetMacroF1 { s += String(format: ", target macro F1 %.4f (reported only)", f) }
        }
        return s
    }
    var attributeNames: [String] { ["history", "last", "epochs", "directory", "method", "model", "config"] }
    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "history": return .list(trainer.history.map(recordValue))
        case "last": return trainer.history.last.map(recordValue) ?? Value.none
        case "epochs": return .number(Double(trainer.completedEpochs))
        case "directory": return .string(trainer.directory.path)
        case "method": return .string(trainer.method.name)
        case "model": return .object(ModelObject(trainer.net, label: "adaptation network of run \(trainer.method.name)"))
        case "config":
            let c = trainer.config
            return .record([("epochs", .number(Double(c.epochs))), ("iters", .number(Double(c.iterationsPerEpoch))),
                            ("batch", .number(Double(c.batchSize))), ("size", .number(Double(c.inputSize))),
                            ("width", .number(Double(c.network.width))), ("seed", .number(Double(c.seed))),
                            ("selection", .string(c.selection.rawValue))])
        default: return nil
        }
    }
}

final class ReportObject: ScriptObject {
    let evaluation: Evaluation
    let title: String
    init(_ e: Evaluation, title: String) { evaluation = e; self.title = title }
    var typeName: String { "report" }
    var summary: String { evaluation.report(title: title) }
    var attributeNames: [String] { ["macro_f1", "macro_f1_present", "micro_f1", "accuracy", "entropy", "snd", "confusion", "predictions",
                                    "classes", "logits", "images", "per_class_f1", "support"] }
    func attribute(_ name: String) throws -> Value? {
        let m = evaluation.confusion
        switch name {
        case "macro_f1": return optionalNumber(m?.macroF1(.observed))
        case "macro_f1_present": return optionalNumber(m?.macroF1(.presentInLabels))
        case "micro_f1": return optionalNumber(m?.microF1(.observed))
        case "accuracy": return optionalNumber(m?.accuracy)
        case "entropy": return .number(evaluation.meanEntropy)
        case "snd": return .number(evaluation.snd())
        case "confusion": return m.map { .list($0.counts.map(numberList)) } ?? Value.none
        case "predictions": return numberList(evaluation.predictions)
        case "classes": return stringList(evaluation.classes)
        case "logits": return .object(TensorObject(evaluation.logits))
        case "images": return .number(Double(evaluation.predictions.count))
        case "per_class_f1": return m.map { m in .list((0..<m.classes).map { .number(m.perClass($0).f1) }) } ?? Value.none
        case "support": return m.map { m in numberList((0..<m.classes).map { m.support($0) }) } ?? Value.none
        default: return nil
        }
    }
}
