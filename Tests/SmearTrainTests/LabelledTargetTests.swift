// Target cells with labels (target_labels): their cross-entropy joins the source's in every step, they never count
// in the target's scores, and the run folder remembers them.
import Foundation
import MMEMethod
import SmearAdapt
import SmearData
import SmearNN
import SmearTestSupport
import SmearTrain
import XCTest

final class LabelledTargetTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-labelled-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func quiet(_ t: Trainer) -> Trainer { t.report = { _, _ in }; return t }

    /// The tiny run with `n` of the target's cells moved into the labelled set.
    func data(labelling n: Int) throws -> RunData {
        var d = try TinyRun.data()
        let labelled = ImageDataset(name: "labelled", samples: Array(d.target.samples.prefix(n)), classes: d.target.classes)
        d.target.samples.removeFirst(n)
        d.labelledTarget = labelled
        return d
    }

    func testTheLabelledCellsCrossEntropyIsAddedToTheSourcesInEachStep() throws {
        var config = TinyRun.config(epochs: 1)
        config.iterationsPerEpoch = 1
        config.forwardTogether = false   // each lab its own batch-norm statistics: the source's logits do not depend on the target's
        let with = quiet(try Trainer(config: config, method: SourceOnly(), data: try data(labelling: 6), directory: dir.appendingPathComponent("with")))
        var plainData = try data(labelling: 6)
        plainData.labelledTarget = nil
        let without = quiet(try Trainer(config: config, method: SourceOnly(), data: plainData, directory: dir.appendingPathComponent("without")))
        try with.run(); try without.run()
        let labelledLoss = try XCTUnwrap(with.history[0].diagnostics["labelled_target_cls"])
        XCTAssertGreaterThan(labelledLoss, 0.1, "an untrained network's cross-entropy on 5 classes is near log 5")
        XCTAssertNil(without.history[0].diagnostics["labelled_target_cls"])
        let (a, b) = (with.history[0].stepLosses![0][0], without.history[0].stepLosses![0][0])
        XCTAssertEqual(a, b + labelledLoss, accuracy: 1e-4 * (1 + a), "classification loss = source CE + labelled-target CE")
    }

    func testScoresCountOnlyTheCellsNotLabelled_andTheFolderRemembersThem() throws {
        let d = try data(labelling: 5)
        let out = dir.appendingPathComponent("run")
        let t = quiet(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: d, directory: out))
        try t.run()
        let e = try Evaluation.run(t.net, on: t.data.target, pipeline: t.targetPipeline(training: false))
        XCTAssertEqual(e.predictions.count, d.target.count)
        let reopened = try RunRecord.open(out)
        XCTAssertEqual(reopened.data.labelledTarget?.samples, d.labelledTarget?.samples)
        XCTAssertEqual(reopened.data.target.samples, d.target.samples)
        withExtendedLifetime(t) {}
    }

    /// MME brings its own classifier: the run trains with it, saves it as the head, and reopens with it.
    func testMME_withLabelledCells_trainsWithItsCosineHead_andReopens() throws {
        let out = dir.appendingPathComponent("mme")
        let t = quiet(try Trainer(config: TinyRun.config(epochs: 1), method: try MME.descriptor.instantiate(), data: try data(labelling: 5), directory: out))
        try t.run()
        XCTAssertTrue(t.net.head is CosineClassifier)
        XCTAssertTrue(t.history[0].transferLoss < 0, "the loss is minus an entropy")
        let names = Set(try SafeTensors.read(out.appendingPathComponent("latest.safetensors")).tensors.keys)
        XCTAssertTrue(names.contains("head.fc.weight"), "\(names.filter { $0.hasPrefix("head") })")
        withExtendedLifetime(t) {}
        let reopened = try RunRecord.open(out)
        XCTAssertTrue(reopened.net.head is CosineClassifier)
        assertClose(reopened.net.stateDict().first { $0.0 == "head.fc.weight" }!.1.scalars, t.net.stateDict().first { $0.0 == "head.fc.weight" }!.1.scalars)
    }

    /// Pseudo-labelled cells (a model's labels) train like labelled ones but stay in the target, scored, and the
    /// folder remembers them.
    func testPseudoLabelledCells_trainWithTheirLabels_stayScored_andTheFolderRemembersThem() throws {
        var d = try TinyRun.data()
        d.pseudoLabelledTarget = ImageDataset(name: "pseudo", samples: d.target.samples.prefix(5).map { Sample(path: $0.path, label: 1) },
                                              classes: d.target.classes)
        let out = dir.appendingPathComponent("pseudo")
        let t = quiet(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: d, directory: out))
        try t.run()
        XCTAssertNotNil(t.history[0].diagnostics["labelled_target_cls"], "their cross-entropy joins the step's")
        XCTAssertEqual(t.unlabelledPart(of: d.target).count, d.target.count, "every target cell is still scored")
        withExtendedLifetime(t) {}
        let reopened = try RunRecord.open(out)
        XCTAssertEqual(reopened.data.pseudoLabelledTarget?.samples, d.pseudoLabelledTarget?.samples)
        XCTAssertNil(reopened.data.labelledTarget)
        withExtendedLifetime(reopened) {}
        var other = d
        other.pseudoLabelledTarget?.samples.removeLast()
        XCTAssertThrowsError(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: other, directory: out)) { e in
            XCTAssertTrue("\(e)".contains("pseudo-labelled target"), "\(e)")
        }
    }

    func testResumingWithOtherLabelledCellsIsRefused() throws {
        let out = dir.appendingPathComponent("run")
        do { try quiet(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: try data(labelling: 5), directory: out)).run() }
        XCTAssertThrowsError(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: try data(labelling: 4), directory: out)) { e in
            XCTAssertTrue("\(e)".contains("labelled target"), "\(e)")
        }
    }

    func testAnEmptyLabelledSetIsAClearError() throws {
        var d = try TinyRun.data()
        d.labelledTarget = ImageDataset(name: "labelled", samples: [], classes: d.target.classes)
        XCTAssertThrowsError(try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: d, directory: dir)) { e in
            XCTAssertTrue("\(e)".contains("labelled target cells"), "\(e)")
        }
    }
}
