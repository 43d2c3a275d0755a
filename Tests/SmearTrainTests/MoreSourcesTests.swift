// Further labelled source labs (train's more_sources): each adds its own class-weighted cross-entropy to every step on
// images cut at its own crop and z-scored with its own statistics, and the run folder remembers them.
import Foundation
import MDDMethod
import SmearAdapt
import SmearData
import SmearTensor
import SmearTestSupport
import SmearTrain
import XCTest

final class MoreSourcesTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-more-sources-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func quiet(_ t: Trainer) -> Trainer { t.report = { _, _ in }; return t }

    /// The tiny run with the sample's other bccd cells (not the target's) as a further source lab.
    func data(crop: Int = 120, statistics: ChannelStatistics = ChannelStatistics(mean: [0.6, 0.5, 0.7], std: [0.2, 0.2, 0.1], images: 0)) throws -> RunData {
        var d = try TinyRun.data()
        let bccd = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"), classes: d.source.classes).split(fraction: 0.25, seed: 1).1
        d.moreSources = [SourceLab(dataset: bccd, crop: crop, statistics: statistics)]
        return d
    }

    func config(epochs: Int = 1) -> TrainingConfig {
        var c = TinyRun.config(epochs: epochs)
        c.iterationsPerEpoch = 2
        c.forwardTogether = false   // source labs and target through the network apart (the further labs go with the source)
        return c
    }

    func testEachFurtherLabsCrossEntropyIsAddedToTheSourcesInEachStep() throws {
        let with = quiet(try Trainer(config: config(), method: SourceOnly(), data: try data(), directory: dir.appendingPathComponent("with")))
        var plain = try data()
        plain.moreSources = []
        let without = quiet(try Trainer(config: config(), method: SourceOnly(), data: plain, directory: dir.appendingPathComponent("without")))
        try with.run(); try without.run()
        let moreLoss = try XCTUnwrap(with.history[0].diagnostics["more_sources_cls"])
        XCTAssertGreaterThan(moreLoss, 0.1, "an untrained network's cross-entropy on 5 classes is near log 5")
        XCTAssertNil(without.history[0].diagnostics["more_sources_cls"])
        let (a, b) = (with.history[0].stepLosses![0][0], without.history[0].stepLosses![0][0])
        XCTAssertGreaterThan(a, b + 0.1)
        XCTAssertLessThanOrEqual(abs(a - b), 2 * moreLoss + 1e-3, "the first step adds the further lab's loss, nothing else")
    }

    /// The further lab's images are cut at its own crop and z-scored with its own statistics: changing either changes
    /// its loss.
    func testItsOwnCropAndStatisticsAreWhatItsImagesGet() throws {
        var c = config()
        c.iterationsPerEpoch = 1
        func firstStep(_ d: RunData, _ name: String) throws -> Double {
            let t = quiet(try Trainer(config: c, method: SourceOnly(), data: d, directory: dir.appendingPathComponent(name)))
            try t.run()
            return try XCTUnwrap(t.history[0].diagnostics["more_sources_cls"])
        }
        let base = try firstStep(try data(), "base")
        let cropped = try firstStep(try data(crop: 40), "crop")
        let shifted = try firstStep(try data(statistics: ChannelStatistics(mean: [0.2, 0.2, 0.2], std: [0.05, 0.05, 0.05], images: 0)), "stats")
        XCTAssertNotEqual(base, cropped, accuracy: 1e-6)
        XCTAssertNotEqual(base, shifted, accuracy: 1e-6)
    }

    func testMake_mapsTheLabOntoTheSourcesClasses_measuresItsOwnStatistics_andRefusesWhatItCannotUse() throws {
        let source = try TinyRun.data().source
        let bccd = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"))   // its own vocabulary
        var c = config()
        c.statisticsRegion = .crop
        let lab = try SourceLab.make(bccd, crop: 100, source: source, config: c)
        XCTAssertEqual(lab.dataset.classes, source.classes)
        XCTAssertEqual(lab.dataset.samples.map { source.classes[$0.label!] }, bccd.samples.map { bccd.classes[$0.label!] }, "labels by class name")
        XCTAssertEqual(lab.statistics, try ChannelStatistics.cached(lab.dataset, crop: 100))
        c.statisticsRegion = .frame
        XCTAssertEqual(try SourceLab.make(bccd, crop: 100, source: source, config: c).statistics, try ChannelStatistics.cached(lab.dataset))
        let unlabelled = ImageDataset(name: "u", samples: bccd.samples.map { Sample(path: $0.path, label: nil) }, classes: [])
        XCTAssertThrowsError(try SourceLab.make(unlabelled, crop: 100, source: source, config: c)) { XCTAssertTrue("\($0)".contains("labelled"), "\($0)") }
        let alien = ImageDataset(name: "alien", samples: [Sample(path: bccd.samples[0].path, label: 0)], classes: ["megakaryocyte"])
        XCTAssertThrowsError(try SourceLab.make(alien, crop: 100, source: source, config: c)) { XCTAssertTrue("\($0)".contains("megakaryocyte"), "\($0)") }
        XCTAssertThrowsError(try SourceLab.make(bccd, crop: 0, source: source, config: c)) { XCTAssertTrue("\($0)".contains("crop"), "\($0)") }
    }

    func testTheRunFolderRemembersThem_andRefusesOtherLabsOnResume() throws {
        let out = dir.appendingPathComponent("run")
        let d = try data()
        do { try quiet(try Trainer(config: config(), method: SourceOnly(), data: d, directory: out)).run() }
        let reopened = try RunRecord.open(out)
        XCTAssertEqual(reopened.data.moreSources.map(\.dataset.samples), d.moreSources.map(\.dataset.samples))
        XCTAssertEqual(reopened.data.moreSources.map(\.crop), [120])
        XCTAssertEqual(reopened.data.moreSources.map(\.statistics), d.moreSources.map(\.statistics))
        withExtendedLifetime(reopened) {}
        XCTAssertThrowsError(try Trainer(config: config(), method: SourceOnly(), data: try data(crop: 60), directory: out)) { e in
            XCTAssertTrue("\(e)".contains("more sources"), "\(e)")
        }
        var none = d
        none.moreSources = []
        XCTAssertThrowsError(try Trainer(config: config(), method: SourceOnly(), data: none, directory: out)) { e in
            XCTAssertTrue("\(e)".contains("more sources"), "\(e)")
        }
    }

    func testResume_givesTheSameWeightsAsAnUninterruptedRun() throws {
        let savedThreads = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = savedThreads }
        try TinyRun.assertResumedRunMatchesUninterrupted {
            quiet(try Trainer(config: config(epochs: $1), method: MDD(options: try MDD.descriptor.resolve([:])), data: try data(),
                              directory: dir.appendingPathComponent($0)))
        }
    }

    func testAnEmptyFurtherLabIsAClearError() throws {
        var d = try data()
        d.moreSources[0].dataset.samples = []
        XCTAssertThrowsError(try Trainer(config: config(), method: SourceOnly(), data: d, directory: dir)) { e in
            XCTAssertTrue("\(e)".contains("a further source lab"), "\(e)")
        }
    }
}
