// Models and adaptation methods: resnet18, save, load, pretrained_weights, plugins, plugin.
import Foundation
import SmearAdapt
import SmearTrain
import SmearData
import SmearLang
import SmearNN
import SmearTensor

func registerModelLibrary(_ i: Interpreter) {
    i.register(Builtin("resnet18", "resnet18(classes=5, width=64, norm=\"batch\")",
                       help: "A ResNet-18 (torchvision's layout and parameter names); norm is \"batch\" or \"group\".",
                       example: "m = resnet18(classes=5, width=32, norm=\"group\")") { a in
        let norm = try a.string(2, "norm")
        guard norm == "batch" || norm == "group" else { throw LanguageError(.value, "resnet18(): norm is \"batch\" or \"group\", got \"\(norm)\"") }
        let classes = try a.int(0, "classes", in: 1...100_000), width = try a.int(1, "width", in: 1...512)
        let m = ResNet18(numClasses: classes, width: width, norm: norm == "batch" ? .batch : .group(maxGroups: 32))
        return .object(ModelObject(m, label: "ResNet-18 (width \(width), \(norm) norm)"))
    })
    i.register(Builtin("save", "save(model, path)", help: "Saves a model's parameters and buffers as safetensors (atomically).",
                       example: "save(m, \"m.safetensors\")") { a in
        let m = try a.object(0, "model", as: ModelObject.self, typeName: "model")
        let path = try a.string(1, "path")
        try m.module.save(to: URL(fileURLWithPath: path))
        return .string(path)
    })
    i.register(Builtin("load", "load(model, path)", help: "Loads a safetensors checkpoint into a model; names and shapes must match.",
                       example: "load(m, \"m.safetensors\")") { a in
        let m = try a.object(0, "model", as: ModelObject.self, typeName: "model")
        let path = try a.string(1, "path")
        do { try m.module.load(from: URL(fileURLWithPath: path)) } catch {
            // A run's checkpoint holds the whole adaptation network (backbone., bottleneck., head., method.):
            // say so, instead of a list of mismatched names.
            if let file = try? SafeTensors.read(URL(fileURLWithPath: path)), file.tensors.keys.contains(where: { $0.hasPrefix("backbone.") }) {
                throw LanguageError(.value, "load(): \(path) is a run checkpoint (backbone, bottleneck and heads), not a bare network's",
                                    hint: "reopen the whole run with open_run(\"<its folder>\") and use evaluate() / predict() on it")
            }
            throw error
        }
        return .object(m)
    })
    i.register(Builtin("pretrained_weights", "pretrained_weights(backbone=\"efficientnet_lite0\")",
                       help: "The file of an EfficientNet-Lite's ImageNet weights (train's pretrained=\"imagenet\" with that backbone) when\nscripts/weights has cached it, else nil.",
                       example: "if pretrained_weights() == nil { print(\"run scripts/weights\") }") { a in
        let name = try a.string(0, "backbone", default: BackboneKind.efficientnetLite0.rawValue)
        guard let variant = BackboneKind(rawValue: name)?.liteVariant else {
            throw LanguageError(.value, "pretrained_weights(): backbone must be one of "
                + BackboneKind.allCases.filter { $0.liteVariant != nil }.map(\.rawValue).joined(separator: ", ") + ", got '\(name)'")
        }
        let url = PretrainedWeights.imageNet(variant)
        return FileManager.default.fileExists(atPath: url.path) ? .string(url.path) : .none
    })
    i.register(Builtin("plugins", "plugins()", help: "The adaptation methods available (built in and on the plugin path), with their options.",
                       example: "plugins()") { _ in
        var lines: [String] = []
        let bundled = MethodRegistry.bundledMethods
        for name in bundled {
            if let d = try? MethodRegistry.shared.method(name) { lines.append(d.help) } else { lines.append("\(name): (plugin not found)") }
        }
        // Every plugin file on the path, loaded to read its options (files that are not plugins are left out).
        for name in MethodRegistry.availableNames where !bundled.contains(name) {
            _ = try? MethodRegistry.shared.method(name)
        }
        for name in MethodRegistry.shared.names where !bundled.contains(name) {
            if let d = MethodRegistry.shared.descriptor(name) { lines.append(d.help) }
        }
        return .string(lines.joined(separator: "\n"))
    })
    i.register(Builtin("plugin", "plugin(name, option=value, ...)", help: "Loads an adaptation method by name (a plugin file on the plugin path, or built in) with options.",
                       example: "mdd = plugin(\"mdd\", margin=4, trade_off=1)") { a in
        let d = try MethodRegistry.shared.method(try a.string(0, "name"))
        var options: [String: Double] = [:]
        for (k, v) in a.keywords {
            guard case .number(let n) = v else { throw LanguageError(.type, "plugin(): option \(k) must be a number") }
            options[k] = n
        }
        return .object(MethodObject(d, options: try d.resolve(options)))
    })
}
