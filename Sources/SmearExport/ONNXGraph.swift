// N batch (dynamic), C channels, H×W spatial. A builder for an ONNX graph: nodes in order, weights as initialisers,
// and the shape of every value it hands out (a "SAME" convolution's padding depends on its input's size).
import Foundation
import SmearTensor

/// A value of the graph under construction: its name and its shape without the batch dimension.
public struct ONNXValue {
    public let name: String
    public let shape: [Int]
}

/// Why a network cannot be exported: the layer's path and type, or a run setting the graph cannot carry.
public struct ONNXExportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

struct ONNXGraph {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var taken: Set<String> = []

    /// A weight under its module path (`backbone.layer1.0.conv1.weight`), as float32 raw data.
    mutating func weight(_ name: String, _ t: Tensor) -> String { constant(name, t.scalars, shape: t.shape) }

    mutating func constant(_ name: String, _ values: [Float], shape: [Int]) -> String {
        var p = Onnx_TensorProto()
        p.name = unique(name)
        p.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        p.dims = shape.map(Int64.init)
        p.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }   // little-endian on every host smear runs on
        initializers.append(p)
        return p.name
    }

    mutating func int64s(_ name: String, _ values: [Int]) -> String {
        var p = Onnx_TensorProto()
        p.name = unique(name)
        p.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        p.dims = [Int64(values.count)]
        p.int64Data = values.map(Int64.init)
        initializers.append(p)
        return p.name
    }

    /// Appends a node and returns its output's name.
    /// `output` names the result (a graph output); otherwise it is named after the path and the operator.
    mutating func node(_ op: String, _ inputs: [String], _ path: String, attributes: [Onnx_AttributeProto] = [],
                       output: String? = nil) -> String {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = unique(path + "/" + op)
        n.input = inputs
        n.output = [output.map { unique($0) } ?? unique(path + "." + op.lowercased())]
        n.attribute = attributes
        nodes.append(n)
        return n.output[0]
    }

    private mutating func unique(_ base: String) -> String {
        var name = base, i = 1
        while taken.contains(name) { i += 1; name = "\(base)_\(i)" }
        taken.insert(name)
        return name
    }
}

/// A child module's path under its parent's (`backbone` + `conv1` → `backbone.conv1`; the root's path is empty).
func join(_ path: String, _ child: String) -> String { path.isEmpty ? child : path + "." + child }

enum ONNXAttribute {
    static func int(_ name: String, _ v: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .int; a.i = Int64(v); return a
    }
    static func ints(_ name: String, _ v: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .ints; a.ints = v.map(Int64.init); return a
    }
    static func float(_ name: String, _ v: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .float; a.f = v; return a
    }
}
