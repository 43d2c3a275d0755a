// The loader: shapes, reproducibility across thread counts, epochs, sampling, unreadable files, second views.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class DataLoaderTests: XCTestCase {
    func dataset() throws -> ImageDataset { try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd")) }
    func pipeline() -> ImagePipeline {
        .articleTraining(crop: 288, outputSize: 32, mean: [0.7, 0.6, 0.7], std: [0.2, 0.2, 0.2])
    }

    func testBatch_isNCHW_withLabels_andSameForAnyWorkerCount() throws {
        let ds = try dataset()
        let one = DataLoader(ds, pipeline: pipeline(), batchSize: 8, seed: 3, workers: 1)
        let two = DataLoader(ds, pipeline: pipeline(), batchSize: 8, seed: 3, workers: 2)
        let four = DataLoader(ds, pipeline: pipeline(), batchSize: 8, seed: 3, workers: 4)
        let a = try one.batch(epoch: 1, index: 2), b = try two.batch(epoch: 1, index: 2), c = try four.batch(epoch: 1, index: 2)
        XCTAssertEqual(a.images.shape, [8, 3, 32, 32])
        XCTAssertEqual(a.images.scalars, b.images.scalars)
        XCTAssertEqual(a.images.scalars, c.images.scalars)
        XCTAssertEqual(a.indices, b.indices)
        XCTAssertEqual(a.labels, a.indices.map { ds.samples[$0].label })
        let other = DataLoader(ds, pipeline: pipeline(), batchSize: 8, seed: 4, workers: 2)
        XCTAssertNotEqual(try other.batch(epoch: 1, index: 2).images.scalars, a.images.scalars)
    }

    func testEpochs_dropLast_andEndlessIteratorCycles() throws {
        let ds = try dataset()   // 83 images
        let loader = DataLoader(ds, pipeline: pipeline(), batchSize: 20, seed: 1)
        XCTAssertEqual(loader.batchesPerEpoch, 4)
        XCTAssertEqual(DataLoader(ds, pipeline: pipeline(), batchSize: 20, dropLast: false).batchesPerEpoch, 5)
        XCTAssertEqual(Set(loader.order(epoch: 0)), Set(0..<83))
        XCTAssertNotEqual(loader.order(epoch: 0), loader.order(epoch: 1))
        let it = loader.makeIterator()
        var seen: [Int] = []
        for _ in 0..<5 { seen += try it.nextBatch().indices }
        XCTAssertEqual(it.epoch, 1)
        XCTAssertEqual(Array(seen[80...]), Array(loader.order(epoch: 1)[0..<20]))
        // The same stream as asking for each batch directly.
        XCTAssertEqual(try loader.batch(epoch: 1, index: 0).images.scalars.prefix(50),
                       try loader.makeIterator(startEpoch: 1).nextBatch().images.scalars.prefix(50))
    }

    func testClassBalancedSampling_drawsClassesEvenly() throws {
        let loader = DataLoader(try dataset(), pipeline: pipeline(), batchSize: 8, sampling: .classBalanced, seed: 2)
        var counts = [Int](repeating: 0, count: 5)
        for e in 0..<30 { for i in loader.order(epoch: e) { counts[loader.dataset.samples[i].label!] += 1 } }
        let share = Float(counts[0]) / Float(counts.reduce(0, +))   // basophils: 3 of 83 images, 1/5 of draws
        XCTAssertEqual(share, 0.2, accuracy: 0.03)
    }

    func testClassSharesSampling_drawsEachClassInItsShare_neverAZeroShareOne_andIsReproducible() throws {
        let shares = [0.0, 0.5, 0.25, 0.15, 0.1]   // by label: basophil never, eosinophil half the draws
        let loader = DataLoader(try dataset(), pipeline: pipeline(), batchSize: 8, sampling: .classShares(shares), seed: 2)
        var counts = [Int](repeating: 0, count: 5)
        for e in 0..<40 { for i in loader.order(epoch: e) { counts[loader.dataset.samples[i].label!] += 1 } }
        let total = Double(counts.reduce(0, +))   // 40 × 83 draws: a share's standard error is below 0.01
        XCTAssertEqual(counts[0], 0)
        for c in 1..<5 { XCTAssertEqual(Double(counts[c]) / total, shares[c], accuracy: 0.03, "class \(c)") }
        XCTAssertEqual(loader.order(epoch: 3), loader.order(epoch: 3))
        XCTAssertNotEqual(loader.order(epoch: 3), loader.order(epoch: 4))
        // Shares need not sum to 1: they are normalised over the classes that have images.
        let scaled = DataLoader(try dataset(), pipeline: pipeline(), batchSize: 8, sampling: .classShares(shares.map { $0 * 4 }), seed: 2)
        XCTAssertEqual(scaled.order(epoch: 3), loader.order(epoch: 3))
    }

    func testUnreadableFile_failsNamingIt_orIsSkipped() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("smear-ld-\(UUID().uuidString)/eosinophil")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp.deletingLastPathComponent()) }
        let src = sampleDirectory.appendingPathComponent("bccd/eosinophil")
        for f in try FileManager.default.contentsOfDirectory(atPath: src.path).sorted().prefix(3) {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: tmp.appendingPathComponent(f))
        }
        try Data("not an image".utf8).write(to: tmp.appendingPathComponent("zz.jpg"))
        let ds = try ImageDataset.folder(tmp.deletingLastPathComponent())
        let strict = DataLoader(ds, pipeline: pipeline(), batchSize: 4, sampling: .sequential)
        XCTAssertThrowsError(try strict.batch(epoch: 0, index: 0)) { e in XCTAssertTrue("\(e)".contains("zz.jpg"), "\(e)") }
        let lenient = DataLoader(ds, pipeline: pipeline(), batchSize: 4, sampling: .sequential, skipUnreadable: true)
        XCTAssertEqual(try lenient.batch(epoch: 0, index: 0).images.shape, [3, 3, 32, 32])
    }

    func testEvaluationPipeline_isDeterministic_andDecodesDownscaled() throws {
        let ds = try ImageDataset.folder(sampleDirectory.appendingPathComponent("pbc_barcelona"))
        let p = ImagePipeline.evaluation(crop: 300, outputSize: 64, mean: [0.87, 0.74, 0.72], std: [0.16, 0.19, 0.08])
        XCTAssertEqual(p.decodeScale(width: 360, height: 363), 4)
        let l = DataLoader(ds, pipeline: p, batchSize: 5, sampling: .sequential, seed: 1)
        let m = DataLoader(ds, pipeline: p, batchSize: 5, sampling: .sequential, seed: 99)
        XCTAssertEqual(try l.batch(epoch: 0, index: 0).images.scalars, try m.batch(epoch: 3, index: 0).images.scalars)
    }

    func testSecondView_holdsTheSameImagesInTheSameOrder_drawnAnew_andReproducibly() throws {
        let ds = try dataset()
        let first = DataLoader(ds, pipeline: pipeline(), batchSize: 8, seed: 3, workers: 2)
        let second = first.secondView(salt: 17), again = first.secondView(salt: 17)
        for (epoch, index) in [(0, 0), (2, 5)] {
            let a = try first.batch(epoch: epoch, index: index), b = try second.batch(epoch: epoch, index: index)
            XCTAssertEqual(a.indices, b.indices, "the same images, batch for batch")
            XCTAssertEqual(a.labels, b.labels)
            XCTAssertNotEqual(a.images.scalars, b.images.scalars, "the training pipeline's random draws are the second view's own")
            XCTAssertEqual(b.images.scalars, try again.batch(epoch: epoch, index: index).images.scalars, "seeded by the loader's seed and the salt")
        }
        XCTAssertNotEqual(try first.secondView(salt: 18).batch(epoch: 0, index: 0).images.scalars,
                          try second.batch(epoch: 0, index: 0).images.scalars)
    }
}
