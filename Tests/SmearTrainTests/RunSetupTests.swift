// RunSetup: the one place both front ends turn datasets and settings into a run's data.
import Foundation
import SmearAdapt
import SmearData
import SmearTestSupport
import SmearTrain
import XCTest

final class RunSetupTests: XCTestCase {
    let pbc = try! ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
    var bccd: ImageDataset { try! ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"), classes: pbc.classes) }

    func spec(_ settings: [String: SettingValue]) throws -> (RunSpec, TrainingConfig) {
        var s = RunSpec()
        for (k, v) in settings { try s.set(k, v) }
        return (s, try s.trainingConfig(classes: pbc.classes.count))
    }

    func testSplit_vocabulary_andStatistics_fromTheSettings() throws {
        let (s, c) = try spec(["validation": .number(0.2), "batch": .number(8), "seed": .number(3)])
        let d = try RunSetup.data(spec: s, config: c, source: pbc, target: bccd)
        let (train, validation) = pbc.split(fraction: 0.8, seed: 3)
        XCTAssertEqual(d.source.samples, train.samples)
        XCTAssertEqual(d.sourceValidation?.samples, validation.samples)
        XCTAssertEqual(d.target.samples, bccd.samples)
        XCTAssertNil(d.labelledTarget)
        XCTAssertNil(d.labelledTargetSummary)
        let flat = ImageDataset(name: "flat", samples: bccd.samples.map { Sample(path: $0.path, label: nil) }, classes: [])
        XCTAssertEqual(try RunSetup.data(spec: s, config: c, source: pbc, target: flat).target.classes, pbc.classes,
                       "a target without class folders takes the source's classes")
        let given = try RunSetup.data(spec: s, config: c, source: pbc, target: bccd, validation: validation)
        XCTAssertEqual(given.source.count, pbc.count, "a validation set given explicitly leaves the source whole")
    }

    func testTargetLabels_moveTheLabelledCellsOutOfTheTarget() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("labels.csv")
        let cells = bccd.samples.prefix(3)
        try (["image,label"] + cells.map { "\($0.path.path),\(pbc.classes[$0.label!])" }).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let (s, c) = try spec(["batch": .number(8), "target_labels": .choice(file.path)])
        let d = try RunSetup.data(spec: s, config: c, source: pbc, target: bccd)
        XCTAssertEqual(d.labelledTarget?.samples, Array(cells))
        XCTAssertEqual(d.target.count, bccd.count - 3)
        XCTAssertEqual(d.labelledTargetSummary, "target labels: 3 labelled cells join training; reports score the other \(bccd.count - 3) target images")
    }

    func testPseudoLabels_joinTrainingButStayInTheTarget_andMayNotNameALabelledCell() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func csv(_ name: String, _ cells: ArraySlice<Sample>, as label: String? = nil) throws -> String {
            let file = dir.appendingPathComponent(name)
            try (["image,label"] + cells.map { "\($0.path.path),\(label ?? pbc.classes[$0.label!])" }).joined(separator: "\n")
                .write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }
        let given = try csv("labels.csv", bccd.samples.prefix(3))
        let pseudo = try csv("pseudo.csv", bccd.samples[3..<7], as: pbc.classes[0])   // a model's labels, right or wrong
        let (s, c) = try spec(["batch": .number(8), "target_labels": .choice(given), "pseudo_labels": .choice(pseudo)])
        let d = try RunSetup.data(spec: s, config: c, source: pbc, target: bccd)
        XCTAssertEqual(d.target.count, bccd.count - 3, "only a person's labels take cells out of the scored target")
        XCTAssertEqual(d.pseudoLabelledTarget?.samples.map(\.path), bccd.samples[3..<7].map(\.path))
        XCTAssertEqual(d.pseudoLabelledTarget?.samples.map(\.label), Array(repeating: 0, count: 4), "the CSV's labels, not the folders'")
        XCTAssertEqual(d.trainingLabelledTarget?.samples.map(\.path), bccd.samples.prefix(7).map(\.path), "a person's cells, then a model's")
        XCTAssertTrue(d.labelledTargetSummary?.contains("pseudo-labels: 4") ?? false, "\(d.labelledTargetSummary ?? "nil")")
        let (onlyPseudo, c2) = try spec(["batch": .number(8), "pseudo_labels": .choice(pseudo)])
        let p = try RunSetup.data(spec: onlyPseudo, config: c2, source: pbc, target: bccd)
        XCTAssertEqual(p.target.count, bccd.count)
        XCTAssertEqual(p.trainingLabelledTarget?.samples, p.pseudoLabelledTarget?.samples)
        let overlapping = try csv("overlap.csv", bccd.samples[2..<5])
        let (both, c3) = try spec(["batch": .number(8), "target_labels": .choice(given), "pseudo_labels": .choice(overlapping)])
        XCTAssertThrowsError(try RunSetup.data(spec: both, config: c3, source: pbc, target: bccd)) { e in
            XCTAssertTrue("\(e)".contains("in both target_labels and pseudo_labels"), "\(e)")
        }
    }

    func testBadInputTable() throws {
        let (s, c) = try spec(["batch": .number(200)])
        let (tiny, _) = try spec(["validation": .number(0.99), "batch": .number(1)])
        let other = ImageDataset(name: "other", samples: bccd.samples, classes: Array(pbc.classes.reversed()))
        let rows: [(() throws -> RunData, String)] = [
            ({ try RunSetup.data(spec: s, config: c, source: self.pbc, target: self.bccd) }, "batch=200 is more than the"),
            ({ try RunSetup.data(spec: tiny, config: try tiny.trainingConfig(classes: 5), source: ImageDataset(name: "one", samples: [self.pbc.samples[0]], classes: self.pbc.classes), target: self.bccd) },
             "validation=0.99 leaves"),
            ({ try RunSetup.data(spec: RunSpec(), config: c, source: self.pbc, target: other) }, "differ from the source's"),
        ]
        for (make, fragment) in rows {
            XCTAssertThrowsError(try make()) { e in XCTAssertTrue("\(e)".contains(fragment), "\(e)") }
        }
    }

    /// normalization="imagenet" z-scores both labs' inputs, training and evaluation, with ImageNet's statistics.
    func testImageNetNormalization_replacesEachLabsStatistics() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-norm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (s, _) = try spec(["normalization": .choice("imagenet")])
        let config = try s.trainingConfig(classes: 5)
        XCTAssertEqual(config.inputNormalization, .imageNet)
        var tiny = TinyRun.config(epochs: 1)
        tiny.inputNormalization = config.inputNormalization
        let t = try Trainer(config: tiny, method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        for p in [t.sourcePipeline(training: true), t.sourcePipeline(training: false), t.targetPipeline(training: true), t.targetPipeline(training: false)] {
            XCTAssertEqual(p.mean, [0.485, 0.456, 0.406])
            XCTAssertEqual(p.std, [0.229, 0.224, 0.225])
        }
        let lab = try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: try TinyRun.data(), directory: dir.appendingPathComponent("lab"))
        XCTAssertEqual(lab.targetPipeline(training: false).mean, try TinyRun.data().targetStatistics.mean, "the default: each lab's own")
        XCTAssertThrowsError(try spec(["normalization": .choice("zscore")])) { e in XCTAssertTrue("\(e)".contains("one of lab, imagenet"), "\(e)") }
    }
}
