// N batch (dynamic), S the run's input size, K classes. A run's classifier as one ONNX model (opset 17): the input
// "image" [N, 3, S, S] (RGB in [0, 1] after the run's centre crop and resize), the run's channel normalisation,
// the network in evaluation mode, and two outputs, "logits" and "probabilities" [N, K]. What a caller must do
// before the graph (crop, resize) and the class names in order travel as metadata.
import Foundation
import SmearAdapt
import SmearData
import SmearNN
import SwiftProtobuf

public enum ONNXExport {
    public static let opset = 17
    /// The IR version of opset 17 (onnx's VERSION_TABLE).
    static let irVersion: Int64 = 8

    /// What a caller needs to know to feed the model, and what it describes.
    public struct Description {
        public var classes: [String]
        /// The evaluation pipeline of the lab the model is for: a centre crop, the resize and the normalisation.
        public var pipeline: ImagePipeline
        /// Extra metadata (run, checkpoint, method, backbone, smear's version), written as given.
        public var metadata: [(String, String)]
        public init(classes: [String], pipeline: ImagePipeline, metadata: [(String, String)]) {
            self.classes = classes; self.pipeline = pipeline; self.metadata = metadata
        }
    }

    /// The serialised model. Refuses (ONNXExportError) a pipeline with steps other than the centre crop (colour
    /// moves computed per image or per lab that a graph of fixed weights cannot carry) and layers without an ONNX form.
    public static func model(_ net: AdaptationNetwork, _ d: Description) throws -> Data {
        let centre = try centreCrop(of: d.pipeline)
        let (crop, pads) = (centre.size, centre.padsSmallFrames)
        let s = d.pipeline.outputSize
        net.eval()
        var g = ONNXGraph()
        let mean = g.constant("input.mean", d.pipeline.mean, shape: [1, 3, 1, 1])
        let std = g.constant("input.std", d.pipeline.std, shape: [1, 3, 1, 1])
        let centred = g.node("Sub", ["image", mean], "input")
        let normalised = ONNXValue(name: g.node("Div", [centred, std], "input"), shape: [3, s, s])
        let logits = try exportLayer(net, normalised, &g, path: "")
        guard logits.shape == [d.classes.count] else {
            throw ONNXExportError("the network gives \(logits.shape) scores per image for \(d.classes.count) classes")
        }
        _ = g.node("Identity", [logits.name], "logits", output: "logits")
        _ = g.node("Softmax", [logits.name], "probabilities", attributes: [ONNXAttribute.int("axis", 1)], output: "probabilities")

        var graph = Onnx_GraphProto()
        graph.name = "smear"
        graph.node = g.nodes
        graph.initializer = g.initializers
        graph.input = [valueInfo("image", [nil, 3, s, s])]
        graph.output = [valueInfo("logits", [nil, d.classes.count]), valueInfo("probabilities", [nil, d.classes.count])]
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        var opset = Onnx_OperatorSetIdProto(); opset.domain = ""; opset.version = Int64(Self.opset)
        model.opsetImport = [opset]
        model.producerName = "smear"
        model.graph = graph
        let classes = String(decoding: try JSONEncoder().encode(d.classes), as: UTF8.self)
        let fixed: [(String, String)] = [
            ("classes", classes), ("input_size", "\(s)"), ("centre_crop", "\(crop)"),
            ("input", "RGB in [0, 1], NCHW float32: each image's centred square of \(crop) px "
                + (pads ? "(an image smaller than that first centred on a square of \(crop) px filled with the per-channel median of its "
                          + "outermost pixels), " : "(its shorter side if smaller), ")
                + "resized bilinearly to \(s)×\(s); the graph applies the channel normalisation"),
            ("normalization_mean", d.pipeline.mean.map { "\($0)" }.joined(separator: ",")),
            ("normalization_std", d.pipeline.std.map { "\($0)" }.joined(separator: ",")),
        ]
        model.metadataProps = (fixed + d.metadata).map { var e = Onnx_StringStringEntryProto(); e.key = $0.0; e.value = $0.1; return e }
        return try model.serializedData()
    }

    /// Whether `data` is an ONNX model that smear wrote (the rule for replacing an existing file).
    public static func isSmearModel(_ data: Data) -> Bool {
        (try? Onnx_ModelProto(serializedBytes: data))?.producerName == "smear"
    }

    private static func centreCrop(of p: ImagePipeline) throws -> CenterCrop {
        guard p.cellZoom == nil else {
            throw ONNXExportError("the run crops each image by its own nucleus (cell_crop \"image\" or \"halfway\"), which an ONNX graph's fixed centre "
                + "crop cannot carry; export a run with cell_crop \"lab\"")
        }
        guard p.steps.count == 1, let crop = p.steps[0] as? CenterCrop else {
            throw ONNXExportError("the run's evaluation pipeline (\(p.steps.map(\.name).joined(separator: ", "))) changes colours per image "
                + "or per lab, which an ONNX graph with fixed weights cannot carry; export a run without stain or colour handling")
        }
        return crop
    }

    private static func valueInfo(_ name: String, _ dims: [Int?]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = Int64(d) } else { dim.dimParam = "batch" }
            return dim
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto(); type.tensorType = tensor
        var info = Onnx_ValueInfoProto(); info.name = name; info.type = type
        return info
    }
}
