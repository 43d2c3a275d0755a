// PNG, BMP and TIFF beside JPEG: every variant a lab's software writes decodes to Pillow's pixels
// (scripts/fixtures/make_format_fixtures.py), the format is told by content, and bad files are named errors.
import Foundation
import SmearData
import SmearTensor
import SmearTestSupport
import XCTest

final class ImageFormatTests: XCTestCase {
    let formats = fixturesDirectory.appendingPathComponent("formats")

    func expected() throws -> [String: [Int]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: formats.appendingPathComponent("expected.json"))) as! [String: Any]
        return (json["expected"] as! [String: [Int]])
    }

    /// Lossless formats decode exactly as Pillow does; alpha composited onto white within 1 level (libpng
    /// and Pillow round the blend differently).
    func testEveryVariant_decodesToPillowsPixels() throws {
        let all = try expected()
        XCTAssertEqual(all.count, 9)
        for (name, values) in all.sorted(by: { $0.key < $1.key }) {
            let image = try JPEG.decode(formats.appendingPathComponent(name))
            XCTAssertEqual(image.width, 23, name); XCTAssertEqual(image.height, 17, name)
            let worst = zip(image.pixels, values).map { abs(Int($0) - $1) }.max() ?? 99
            XCTAssertLessThanOrEqual(worst, name == "rgba.png" ? 1 : 0, name)
            let size = try JPEG.size(of: formats.appendingPathComponent(name))
            XCTAssertEqual(size.width, 23, name); XCTAssertEqual(size.height, 17, name)
        }
    }

    /// A reduced decode averages 2×2 blocks and says so in `scale`, as the JPEG path's DCT scaling does.
    func testReducedDecode_averagesBlocks() throws {
        let full = try JPEG.decode(formats.appendingPathComponent("rgb.png"))
        let half = try JPEG.decode(formats.appendingPathComponent("rgb.png"), scaleDenominator: 2)
        XCTAssertEqual(half.width, 11); XCTAssertEqual(half.height, 8); XCTAssertEqual(half.scale, 2)
        let block = [0, 1].flatMap { dy in [0, 1].map { dx in Int(full.pixels[(dy * 23 + dx) * 3]) } }
        XCTAssertEqual(Int(half.pixels[0]), (block.reduce(0, +) + 2) / 4)
    }

    /// The content decides, not the name; a truncated PNG and a text file are errors that name the file.
    func testFormatByContent_andBadFilesAreNamedErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-formats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let misnamed = dir.appendingPathComponent("cell.jpg")
        try FileManager.default.copyItem(at: formats.appendingPathComponent("rgb.png"), to: misnamed)
        XCTAssertEqual(try JPEG.decode(misnamed).width, 23, "a PNG named .jpg still decodes")
        XCTAssertThrowsError(try JPEG.decode(formats.appendingPathComponent("truncated.png"))) { e in
            XCTAssertTrue("\(e)".contains("truncated.png") && "\(e)".contains("corrupt"), "\(e)")
        }
        let text = dir.appendingPathComponent("notes.bmp")
        try Data("not an image".utf8).write(to: text)
        XCTAssertThrowsError(try JPEG.decode(text)) { e in XCTAssertTrue("\(e)".contains("JPEG, PNG, BMP or TIFF"), "\(e)") }
        // Found by the decoders fuzzer (2026-11-27): 210 bytes whose header claims 63,442 x 65,288 pixels.
        XCTAssertThrowsError(try JPEG.decode(formats.appendingPathComponent("huge-header.jpg"))) { e in
            XCTAssertTrue("\(e)".contains("huge-header.jpg") && "\(e)".contains("too large"), "\(e)")
        }
    }

    /// A class folder of PNG, BMP and TIFF files is a dataset like one of JPEGs.
    func testDatasetFolder_readsEveryFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-formats-\(UUID().uuidString)")
        let cls = dir.appendingPathComponent("neutrophil")
        try FileManager.default.createDirectory(at: cls, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["rgb.png", "rgb24.bmp", "lzw.tif"] {
            try FileManager.default.copyItem(at: formats.appendingPathComponent(name), to: cls.appendingPathComponent(name))
        }
        try Data("notes".utf8).write(to: cls.appendingPathComponent("notes.txt"))
        try FileManager.default.createDirectory(at: cls.appendingPathComponent("more"), withIntermediateDirectories: true)
        let d = try ImageDataset.folder(dir)
        XCTAssertEqual(d.count, 3)
        XCTAssertEqual(d.scan().count, 0, "all readable")
        XCTAssertEqual(d.skipped, ["neutrophil/more/", "neutrophil/notes.txt"], "what is not read is reported")
        XCTAssertTrue(d.summary.contains("2 entries not read"), d.summary)
        let flat = dir.appendingPathComponent("flat")
        try FileManager.default.createDirectory(at: flat, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: formats.appendingPathComponent("rgb.png"), to: flat.appendingPathComponent("a.png"))
        XCTAssertThrowsError(try ImageDataset.folder(flat)) { e in XCTAssertTrue("\(e)".contains("unlabeled("), "\(e)") }
        XCTAssertThrowsError(try ImageDataset.folder(cls.appendingPathComponent("rgb.png"))) { e in XCTAssertTrue("\(e)".contains("is a file"), "\(e)") }
    }

    /// A mutation fuzzer for the BMP reader (the one decoder written in Swift): 3,000 damaged copies of the
    /// fixtures (header bytes changed, files cut) are each decoded consistently or rejected as corrupt; a
    /// trap would end the test process.
    func testDamagedBMPs_areDecodedOrRejected_neverATrap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-bmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let originals = try ["rgb24.bmp", "palette8.bmp", "rgb32.bmp"].map { try Data(contentsOf: formats.appendingPathComponent($0)) }
        var g = RandomGenerator(seed: 12)
        var decoded = 0, rejected = 0
        let file = dir.appendingPathComponent("m.bmp")
        for trial in 0..<3000 {
            var d = originals[trial % 3]
            if trial % 5 == 4 { d = d.prefix(2 + Int(g.next() % UInt64(d.count - 2))) }
            else { for _ in 0..<(1 + Int(g.next() % 3)) { d[2 + Int(g.next() % 52)] = UInt8(truncatingIfNeeded: g.next()) } }
            try d.write(to: file)
            do {
                let image = try JPEG.decode(file)
                XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
                decoded += 1
            } catch is ImageError { rejected += 1 }
        }
        XCTAssertEqual(decoded + rejected, 3000)
        XCTAssertGreaterThan(rejected, 300)
    }
}
