// N batch (dynamic), F features, K classes. The backbones, heads and the adaptation network as ONNX nodes, in the
// order of their forward passes (ResNet.swift, EfficientNetLite.swift, Heads.swift, AdaptationNetwork.swift).
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

extension BasicBlock: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        let h = relu(try exportLayer(bn1, try exportLayer(conv1, x, &g, path: join(path, "conv1")), &g, path: join(path, "bn1")), &g, path: path + ".relu1")
        let out = try exportLayer(bn2, try exportLayer(conv2, h, &g, path: join(path, "conv2")), &g, path: join(path, "bn2"))
        let identity = try downsample.map { try exportLayer($0, x, &g, path: join(path, "downsample")) } ?? x
        let sum = ONNXValue(name: g.node("Add", [out.name, identity.name], path), shape: out.shape)
        return relu(sum, &g, path: path + ".relu2")
    }
}

extension ResNet18: ONNXExportable {
    /// Features [N, F] (and the logits of `fc` when the network has one), as `forward`.
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        var h = relu(try exportLayer(bn1, try exportLayer(conv1, x, &g, path: join(path, "conv1")), &g, path: join(path, "bn1")), &g, path: path + ".relu")
        h = try exportLayer(maxpool, h, &g, path: join(path, "maxpool"))
        for (name, layer) in [("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4)] {
            h = try exportLayer(layer, h, &g, path: join(path, name))
        }
        let f = pooledFeatures(h, &g, path: join(path, "avgpool"))
        return try fc.map { try exportLayer($0, f, &g, path: join(path, "fc")) } ?? f
    }
}

extension MBConvBlock: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        var h = x
        if let expandConv, let bn0 {
            h = relu6(try exportLayer(bn0, try exportLayer(expandConv, h, &g, path: join(path, "_expand_conv")), &g, path: join(path, "_bn0")), &g, path: path + ".expand")
        }
        h = relu6(try exportLayer(bn1, try exportLayer(depthwiseConv, h, &g, path: join(path, "_depthwise_conv")), &g, path: join(path, "_bn1")), &g, path: path + ".depthwise")
        h = try exportLayer(bn2, try exportLayer(projectConv, h, &g, path: join(path, "_project_conv")), &g, path: join(path, "_bn2"))
        return skip ? ONNXValue(name: g.node("Add", [h.name, x.name], path), shape: h.shape) : h
    }
}

extension EfficientNetLite: ONNXExportable {
    /// Features [N, 1280] (and the logits of `_fc` when the network has one), as `forward`.
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        var h = relu6(try exportLayer(bn0, try exportLayer(convStem, x, &g, path: join(path, "_conv_stem")), &g, path: join(path, "_bn0")), &g, path: path + ".stem")
        for (i, block) in blocks.enumerated() { h = try exportLayer(block, h, &g, path: join(path, "_blocks.\(i)")) }
        h = relu6(try exportLayer(bn1, try exportLayer(convHead, h, &g, path: join(path, "_conv_head")), &g, path: join(path, "_bn1")), &g, path: path + ".head")
        let f = pooledFeatures(h, &g, path: join(path, "avgpool"))
        return try fc.map { try exportLayer($0, f, &g, path: join(path, "_fc")) } ?? f
    }
}

extension ClassifierHead: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        try exportLayer(layers, x, &g, path: join(path, "layers"))
    }
}

extension CosineClassifier: ONNXExportable {
    /// fc(x / √(Σx² + 1e-12)) / T.
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        let squares = g.node("Mul", [x.name, x.name], path)
        let sum = g.node("ReduceSum", [squares, g.int64s(path + ".feature_axis", [1])], path, attributes: [ONNXAttribute.int("keepdims", 1)])
        let norm = g.node("Sqrt", [g.node("Add", [sum, g.constant(path + ".epsilon", [1e-12], shape: [])], path)], path)
        let unit = ONNXValue(name: g.node("Div", [x.name, norm], path), shape: x.shape)
        let scores = try exportLayer(fc, unit, &g, path: join(path, "fc"))
        return ONNXValue(name: g.node("Mul", [scores.name, g.constant(path + ".inverse_temperature", [1 / temperature], shape: [])], path),
                         shape: scores.shape)
    }
}

extension AdaptationNetwork: ONNXExportable {
    /// Logits [N, K]: backbone → bottleneck → classifier (the method's own modules are training-only).
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        let features = try exportLayer(backbone, x, &g, path: join(path, "backbone"))
        return try exportLayer(head, try exportLayer(bottleneck, features, &g, path: join(path, "bottleneck")), &g, path: join(path, "head"))
    }
}
