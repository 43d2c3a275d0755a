// N batch (dynamic), C channels, H×W spatial, F features, K classes. Each layer smear can build, as ONNX nodes
// (opset 17) that compute what its `forward` computes in evaluation mode: batch norm with its running statistics,
// dropout as the identity. A layer without a form here is refused by its path and type.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor

protocol ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue
}

/// `m` applied to `x`: the nodes of its evaluation-mode forward pass.
func exportLayer(_ m: Module, _ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
    guard let layer = m as? ONNXExportable else {
        throw ONNXExportError("\(path) is a \(type(of: m)), which has no ONNX form in smear: the model cannot be exported")
    }
    return try layer.emit(x, &g, path: path)
}

/// Conv with explicit pads [top, left, bottom, right]; the output's spatial size follows ONNX's floor rule.
private func convolution(_ x: ONNXValue, _ g: inout ONNXGraph, path: String, weight: Tensor, bias: Tensor?, stride: Int,
                         pads: Padding2d, groups: Int) -> ONNXValue {
    let k = weight.shape[2]
    var inputs = [x.name, g.weight(join(path, "weight"), weight)]
    if let bias { inputs.append(g.weight(join(path, "bias"), bias)) }
    let y = g.node("Conv", inputs, path, attributes: [
        ONNXAttribute.ints("kernel_shape", [k, k]), ONNXAttribute.ints("strides", [stride, stride]),
        ONNXAttribute.ints("pads", [pads.top, pads.left, pads.bottom, pads.right]), ONNXAttribute.int("group", groups)])
    let h = (x.shape[1] + pads.top + pads.bottom - k) / stride + 1, w = (x.shape[2] + pads.left + pads.right - k) / stride + 1
    return ONNXValue(name: y, shape: [weight.shape[0], h, w])
}

/// ReLU6, as Clip(0, 6).
func relu6(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) -> ONNXValue {
    let low = g.constant(path + ".relu6_min", [0], shape: []), high = g.constant(path + ".relu6_max", [6], shape: [])
    return ONNXValue(name: g.node("Clip", [x.name, low, high], path), shape: x.shape)
}

func relu(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) -> ONNXValue {
    ONNXValue(name: g.node("Relu", [x.name], path), shape: x.shape)
}

extension Conv2d: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        convolution(x, &g, path: path, weight: weight, bias: bias, stride: stride, pads: Padding2d(padding), groups: 1)
    }
}

extension SameConv2d: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        let pads = Padding2d.same(height: x.shape[1], width: x.shape[2], kernel: kernel, stride: stride)
        return convolution(x, &g, path: path, weight: weight, bias: nil, stride: stride, pads: pads, groups: depthwise ? x.shape[0] : 1)
    }
}

extension BatchNorm: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        let inputs = [x.name, g.weight(join(path, "weight"), weight), g.weight(join(path, "bias"), bias),
                      g.weight(join(path, "running_mean"), runningMean), g.weight(join(path, "running_var"), runningVar)]
        return ONNXValue(name: g.node("BatchNormalization", inputs, path, attributes: [ONNXAttribute.float("epsilon", eps)]), shape: x.shape)
    }
}

extension GroupNorm: ONNXExportable {
    /// [N, C, H, W] → [N, G, C/G·H·W] → InstanceNormalization (unit scale) → [N, C, H, W] → × weight + bias per channel.
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        let c = x.shape[0]
        let grouped = g.node("Reshape", [x.name, g.int64s(path + ".grouped_shape", [0, groups, -1])], path)
        let normed = g.node("InstanceNormalization", [grouped, g.constant(path + ".unit_scale", Array(repeating: 1, count: groups), shape: [groups]),
                                                      g.constant(path + ".zero_shift", Array(repeating: 0, count: groups), shape: [groups])],
                            path, attributes: [ONNXAttribute.float("epsilon", eps)])
        let back = g.node("Reshape", [normed, g.int64s(path + ".shape", [0] + x.shape)], path)
        let scaled = g.node("Mul", [back, g.constant(join(path, "weight"), weight.scalars, shape: [c, 1, 1])], path)
        return ONNXValue(name: g.node("Add", [scaled, g.constant(join(path, "bias"), bias.scalars, shape: [c, 1, 1])], path), shape: x.shape)
    }
}

extension ReLU: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue { relu(x, &g, path: path) }
}

extension Dropout: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue { x }
}

extension MaxPool2d: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        let y = g.node("MaxPool", [x.name], path, attributes: [
            ONNXAttribute.ints("kernel_shape", [kernel, kernel]), ONNXAttribute.ints("strides", [stride, stride]),
            ONNXAttribute.ints("pads", [padding, padding, padding, padding])])
        let side = { ($0 + 2 * self.padding - self.kernel) / self.stride + 1 }
        return ONNXValue(name: y, shape: [x.shape[0], side(x.shape[1]), side(x.shape[2])])
    }
}

extension AdaptiveAvgPool2d: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        ONNXValue(name: g.node("GlobalAveragePool", [x.name], path), shape: [x.shape[0], 1, 1])
    }
}

extension Flatten: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        ONNXValue(name: g.node("Flatten", [x.name], path, attributes: [ONNXAttribute.int("axis", 1)]), shape: [x.shape.reduce(1, *)])
    }
}

extension Linear: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        var inputs = [x.name, g.weight(join(path, "weight"), weight)]
        if let bias { inputs.append(g.weight(join(path, "bias"), bias)) }
        return ONNXValue(name: g.node("Gemm", inputs, path, attributes: [ONNXAttribute.int("transB", 1)]), shape: [weight.shape[0]])
    }
}

extension Sequential: ONNXExportable {
    func emit(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) throws -> ONNXValue {
        var y = x
        for (name, layer) in children { y = try exportLayer(layer, y, &g, path: join(path, name)) }
        return y
    }
}

/// Global average pooling then flattening: a backbone's features [N, F].
func pooledFeatures(_ x: ONNXValue, _ g: inout ONNXGraph, path: String) -> ONNXValue {
    let pooled = g.node("GlobalAveragePool", [x.name], path)
    return ONNXValue(name: g.node("Flatten", [pooled], path, attributes: [ONNXAttribute.int("axis", 1)]), shape: [x.shape[0]])
}
