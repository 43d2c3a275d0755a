// Datasets on the bundled sample: class counts, vocabularies, subsets, weights, lists, errors.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class DatasetTests: XCTestCase {
    let pbc = sampleDirectory.appendingPathComponent("pbc_barcelona")
    let bccd = sampleDirectory.appendingPathComponent("bccd")
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("smear-ds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func testFolder_classesAndCounts_onBundledSample() throws {
        let ds = try ImageDataset.folder(pbc)
        XCTAssertEqual(ds.classes, ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"])
        XCTAssertEqual(ds.classCounts, [30, 30, 30, 30, 30])
        let b = try ImageDataset.folder(bccd)
        XCTAssertEqual(b.classCounts, [3, 20, 20, 20, 20])
        XCTAssertTrue(b.summary.contains("basophil 3"))
    }

    func testVocabulary_mapsByName_andRestrictionKeepsIndices() throws {
        let vocab = ["neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil", "erythroblast"]
        let ds = try ImageDataset.folder(bccd, classes: vocab, only: ["lymphocyte", "basophil"])
        XCTAssertEqual(ds.classes, vocab)
        XCTAssertEqual(ds.classCounts, [0, 20, 0, 0, 3, 0])
        XCTAssertTrue(ds.samples.filter { $0.label == 4 }.allSatisfy { $0.path.path.contains("/basophil/") })
        let restricted = try ImageDataset.folder(pbc).restricted(to: ["monocyte"])
        XCTAssertEqual(restricted.classCounts, [0, 0, 0, 30, 0])
        XCTAssertThrowsError(try ImageDataset.folder(bccd, only: ["platelet"]))
    }

    func testCombined_mapsLabelsOntoTheUnionVocabulary() throws {
        let a = try ImageDataset.folder(pbc, classes: ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"])
        let b = try ImageDataset.folder(bccd, classes: ["neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil"])
        let c = ImageDataset.combined([a, b])
        XCTAssertEqual(c.count, 233)
        XCTAssertEqual(c.classCounts, [33, 50, 50, 50, 50])
    }

    func testInverseFrequencyWeights_sumToOne_andFollowCounts() throws {
        let w = try ImageDataset.folder(bccd).inverseFrequencyWeights()
        XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-6)
        // counts [3, 20, 20, 20, 20]: weights ∝ [1/3, 1/20, ...] → [20/32, 3/32, 3/32, 3/32, 3/32].
        assertClose(w, [0.625, 0.09375, 0.09375, 0.09375, 0.09375], atol: 1e-6)
    }

    func testSplit_isStratified_andReproducible() throws {
        let ds = try ImageDataset.folder(pbc)
        let (a, b) = ds.split(fraction: 0.5, seed: 7)
        XCTAssertEqual(a.classCounts, [15, 15, 15, 15, 15])
        XCTAssertEqual(b.count, 75)
        XCTAssertEqual(Set(a.samples.map(\.path)).intersection(b.samples.map(\.path)).count, 0)
        XCTAssertEqual(ds.split(fraction: 0.5, seed: 7).0.samples, a.samples)
    }

    func testList_csvAndSpaceSeparated_resolveRelativePaths() throws {
        try FileManager.default.createSymbolicLink(at: tmp.appendingPathComponent("img"), withDestinationURL: pbc)
        let csv = tmp.appendingPathComponent("meta.csv")
        try "Image,Label\nimg/basophil/BA_204774.jpg,basophil\nimg/monocyte/\(first("monocyte")),monocyte\n".write(to: csv, atomically: true, encoding: .utf8)
        let a = try ImageDataset.list(csv, classes: ["basophil", "monocyte"])
        XCTAssertEqual(a.samples.map(\.label), [0, 1])
        let txt = tmp.appendingPathComponent("list.txt")
        try "img/basophil/BA_204774.jpg 4\nimg/monocyte/\(first("monocyte")) 2\n".write(to: txt, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ImageDataset.list(txt).samples.map(\.label), [4, 2])
    }

    func first(_ cls: String) -> String {
        (try! FileManager.default.contentsOfDirectory(atPath: pbc.appendingPathComponent(cls).path)).sorted()[0]
    }

    func testList_unknownLabelOrMissingFile_namesTheLine() throws {
        try FileManager.default.createSymbolicLink(at: tmp.appendingPathComponent("img"), withDestinationURL: pbc)
        let csv = tmp.appendingPathComponent("bad.csv")
        try "path,label\nimg/basophil/BA_204774.jpg,basophil\nimg/basophil/BA_204774.jpg,basofil\n".write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageDataset.list(csv, classes: ["basophil"])) { e in
            XCTAssertTrue("\(e)".contains("bad.csv:3: unknown label 'basofil'"), "\(e)")
        }
        try "path,label\nimg/nothere.jpg,basophil\n".write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageDataset.list(csv)) { e in XCTAssertTrue("\(e)".contains("bad.csv:2: image"), "\(e)") }
    }

    /// CRLF lists read like LF ones; a path with a comma is a quoted CSV field; a list labelled on some lines
    /// and not on others is an error naming the first unlabelled line.
    func testList_crlfQuotedPathsAndMissingLabels() throws {
        let image = pbc.appendingPathComponent("basophil/BA_204774.jpg")
        try FileManager.default.copyItem(at: image, to: tmp.appendingPathComponent("a,b.jpg"))
        let csv = tmp.appendingPathComponent("crlf.csv")
        try "path,label\r\n\"a,b.jpg\",basophil\r\n\(image.path),monocyte\r\n".write(to: csv, atomically: true, encoding: .utf8)
        let d = try ImageDataset.list(csv, classes: ["basophil", "monocyte"])
        XCTAssertEqual(d.samples.map(\.label), [0, 1])
        XCTAssertEqual(d.samples[0].path.lastPathComponent, "a,b.jpg")
        let txt = tmp.appendingPathComponent("crlf.txt")
        try "\(image.path) 1\r\n\(image.path) 0\r\n".write(to: txt, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ImageDataset.list(txt).samples.map(\.label), [1, 0])
        try "path,label\n\(image.path),basophil\n# a comment\n\(image.path),\n".write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageDataset.list(csv)) { e in
            XCTAssertTrue("\(e)".contains("crlf.csv:4: no label, though line 2 has one"), "\(e)")
        }
        try "path,label\n\"\(image.path),basophil\n".write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageDataset.list(csv)) { e in XCTAssertTrue("\(e)".contains("crlf.csv:2: a quoted field never closes"), "\(e)") }
    }

    /// A FIFO among the images (or as a class folder's only entry) is skipped without being opened.
    func testFolder_skipsWhatIsNotARegularFile() throws {
        let cls = tmp.appendingPathComponent("basophil")
        try FileManager.default.createDirectory(at: cls, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: pbc.appendingPathComponent("basophil/BA_204774.jpg"), to: cls.appendingPathComponent("a.jpg"))
        XCTAssertEqual(mkfifo(cls.appendingPathComponent("pipe.jpg").path, 0o600), 0)
        let d = try ImageDataset.folder(tmp)
        XCTAssertEqual(d.samples.map(\.path.lastPathComponent), ["a.jpg"])
        XCTAssertEqual(FileKind.of(cls.appendingPathComponent("pipe.jpg").path), .other)
        XCTAssertEqual(FileKind.of(cls.path), .directory)
        XCTAssertEqual(FileKind.of(tmp.appendingPathComponent("absent").path), .missing)
    }

    func testFolder_emptyClassFolderOrMissingRoot_isAClearError() throws {
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("neutrophil"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ImageDataset.folder(tmp)) { e in
            XCTAssertTrue("\(e)".contains("class folder \(tmp.appendingPathComponent("neutrophil").path) has no images (JPEG, PNG, BMP, TIFF)"), "\(e)")
        }
        XCTAssertThrowsError(try ImageDataset.folder(tmp.appendingPathComponent("nope"))) { e in
            XCTAssertTrue("\(e)".contains("does not exist"), "\(e)")
        }
    }

    func testScan_reportsUnreadableFiles_andCheckedSkipsOrFails() throws {
        let cls = tmp.appendingPathComponent("monocyte")
        try FileManager.default.createDirectory(at: cls, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: pbc.appendingPathComponent("monocyte/\(first("monocyte"))"), to: cls.appendingPathComponent("good.jpg"))
        try Data("junk".utf8).write(to: cls.appendingPathComponent("bad.jpg"))
        let ds = try ImageDataset.folder(tmp)
        let bad = ds.scan()
        XCTAssertEqual(bad.count, 1)
        XCTAssertTrue(bad[0].path.hasSuffix("bad.jpg"))
        XCTAssertThrowsError(try ds.checked(skipUnreadable: false)) { e in XCTAssertTrue("\(e)".contains("bad.jpg"), "\(e)") }
        XCTAssertEqual(try ds.checked(skipUnreadable: true).count, 1)
    }

    func testUnlabeled_findsImagesRecursively() throws {
        let ds = try ImageDataset.unlabeled(bccd)
        XCTAssertEqual(ds.count, 83)
        XCTAssertTrue(ds.samples.allSatisfy { $0.label == nil })
    }

    func testChannelStatistics_matchADirectComputation_andAreCached() throws {
        let ds = try ImageDataset.folder(bccd).restricted(to: ["basophil"])
        let stats = try ChannelStatistics.compute(ds, scaleDenominator: 1)
        var sum = [Double](repeating: 0, count: 3), sq = [Double](repeating: 0, count: 3), n = 0.0
        for s in ds.samples {
            let img = try JPEG.decode(s.path)
            for i in 0..<(img.width * img.height) {
                for c in 0..<3 { let v = Double(img.pixels[3 * i + c]) / 255; sum[c] += v; sq[c] += v * v }
            }
            n += Double(img.width * img.height)
        }
        for c in 0..<3 {
            let m = sum[c] / n
            XCTAssertEqual(Double(stats.mean[c]), m, accuracy: 1e-5)
            XCTAssertEqual(Double(stats.std[c]), (sq[c] / n - m * m).squareRoot(), accuracy: 1e-5)
        }
        let cached = try ChannelStatistics.cached(ds, in: tmp)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("stats-") }.count, 1)
        XCTAssertEqual(try ChannelStatistics.cached(ds, in: tmp), cached)
    }

    /// statistics="crop": the statistics of each image's centre square only (in original pixels, so the same
    /// at any decode scale), here checked against a direct sum over the centre 120 px of full-size decodes.
    /// PBC's centre is cell and red cells, its frame mostly glass: the crop is darker and more spread.
    func testChannelStatistics_ofACentreCrop_describeOnlyThatSquare() throws {
        let ds = try ImageDataset.folder(pbc).restricted(to: ["monocyte"])
        let side = 120
        let stats = try ChannelStatistics.compute(ds, scaleDenominator: 1, crop: side)
        var sum = [Double](repeating: 0, count: 3), sq = [Double](repeating: 0, count: 3), n = 0.0
        for s in ds.samples {
            let img = try JPEG.decode(s.path)
            let (x0, y0) = ((img.width - side) / 2, (img.height - side) / 2)
            for y in y0..<(y0 + side) {
                for x in x0..<(x0 + side) {
                    for c in 0..<3 { let v = Double(img.pixels[3 * (y * img.width + x) + c]) / 255; sum[c] += v; sq[c] += v * v }
                }
            }
            n += Double(side * side)
        }
        let frame = try ChannelStatistics.compute(ds, scaleDenominator: 1)
        for c in 0..<3 {
            let m = sum[c] / n
            XCTAssertEqual(Double(stats.mean[c]), m, accuracy: 1e-5)
            XCTAssertEqual(Double(stats.std[c]), (sq[c] / n - m * m).squareRoot(), accuracy: 1e-5)
            XCTAssertLessThan(stats.mean[c], frame.mean[c], "channel \(c): the centre holds the cell, darker than the glass")
        }
        let quarter = try ChannelStatistics.compute(ds, scaleDenominator: 4, crop: side)
        for c in 0..<3 { XCTAssertEqual(quarter.mean[c], stats.mean[c], accuracy: 0.01, "channel \(c): the same square at 1/4 decode") }
        let cachedCrop = try ChannelStatistics.cached(ds, in: tmp, crop: side)
        let cachedFrame = try ChannelStatistics.cached(ds, in: tmp)
        XCTAssertNotEqual(cachedCrop, cachedFrame, "cached apart")
        XCTAssertEqual(try ChannelStatistics.cached(ds, in: tmp, crop: side), cachedCrop)
    }

    /// A mutation fuzzer for image lists: 2,000 damaged lists (characters replaced, lines cut, labels made
    /// huge, negative or non-numeric) are each loaded or rejected with a DatasetError; never a trap.
    func testDamagedImageLists_areLoadedOrRejected_neverATrap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-lists-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = sampleDirectory.appendingPathComponent("bccd/lymphocyte").path
        let first = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: image).sorted().first)
        let csv = "path,label\n\(image)/\(first),lymphocyte\n\(image)/\(first),1\n"
        let spaced = "\(image)/\(first) 0\n\(image)/\(first) neutrophil\n"
        let pieces: [String] = ["", ",", " ", "\n", "\"", "-1", "99999999999999999999", "1e308", "path", "label", "\u{0}", "é", "../", ",,,,"]
        var g = RandomGenerator(seed: 21)
        var loaded = 0, rejected = 0
        let file = dir.appendingPathComponent("list.txt")
        for trial in 0..<2000 {
            var text = Array(trial % 2 == 0 ? csv : spaced)
            for _ in 0..<(1 + Int(g.next() % 3)) {
                let at = Int(g.next() % UInt64(text.count + 1))
                let piece = Array(pieces[Int(g.next() % UInt64(pieces.count))])
                let cut = min(text.count - at, Int(g.next() % 4))
                text.replaceSubrange(at..<(at + cut), with: piece)
            }
            try String(text).write(to: file, atomically: true, encoding: .utf8)
            do {
                let d = try ImageDataset.list(file, classes: ["lymphocyte", "neutrophil"])
                XCTAssertTrue(d.samples.allSatisfy { ($0.label ?? 0) >= 0 && ($0.label ?? 0) < 2 })
                loaded += 1
            } catch is DatasetError { rejected += 1 }
        }
        XCTAssertEqual(loaded + rejected, 2000)
        // Without a class list, a huge numeric label is a typo, not a vocabulary of 10^10 names.
        try "\(image)/\(first) 0\n\(image)/\(first) 9999999999\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageDataset.list(file)) { XCTAssertTrue("\($0)".contains("unknown label '9999999999'"), "\($0)") }
    }
}
