// JPEG decoding against Pillow (scripts/fixtures/make_image_fixtures.py), and every kind of bad file.
import Foundation
import SmearData
import SmearNN
import SmearTestSupport
import XCTest

final class JPEGTests: XCTestCase {
    func testDecode_fullAndDCTScaled_matchPillowWithinOne() throws {
        let fixture = try SafeTensors.read(fixturesDirectory.appendingPathComponent("jpeg_decode.safetensors"))
        let files = fixture.metadata["files"]!.split(separator: ";").map(String.init)
        XCTAssertEqual(files.count, 2)
        for (i, file) in files.enumerated() {
            for d in [1, 2, 4, 8] {
                let expected = fixture.tensors["\(i).scale\(d)"]!
                let img = try JPEG.decode(repositoryRoot.appendingPathComponent(file), scaleDenominator: d)
                XCTAssertEqual([img.height, img.width, 3], expected.shape, "\(file) 1/\(d) size")
                let ref = expected.scalars
                var worst: Float = 0, exact = 0
                for (a, b) in zip(img.pixels, ref) { let e = abs(Float(a) - b); worst = max(worst, e); if e == 0 { exact += 1 } }
                XCTAssertLessThanOrEqual(worst, 1, "\(file) at 1/\(d): largest difference from Pillow")
                XCTAssertGreaterThan(Double(exact) / Double(ref.count), 0.99, "\(file) at 1/\(d): share of identical values")
            }
        }
    }

    /// One read: the scale is chosen from the stored size, which comes back with the image, and the pixels
    /// are those of a decode at that scale.
    func testDecodeWithScaleChosenFromTheHeader_readsOnce_andEqualsTheTwoStepDecode() throws {
        let url = sampleDirectory.appendingPathComponent("pbc_barcelona/basophil/BA_204774.jpg")
        var asked: (Int, Int)? = nil
        let once = try JPEG.decode(url) { w, h in asked = (w, h); return 4 }
        let size = try JPEG.size(of: url)
        XCTAssertEqual(asked?.0, size.width); XCTAssertEqual(asked?.1, size.height)
        XCTAssertEqual(once.width, size.width); XCTAssertEqual(once.height, size.height)
        let twoStep = try JPEG.decode(url, scaleDenominator: 4)
        XCTAssertEqual(once.image.width, twoStep.width); XCTAssertEqual(once.image.pixels, twoStep.pixels)
        XCTAssertEqual(once.image.width, (size.width + 3) / 4)
    }

    func testScaleDenominator_picksLargestThatKeepsEnoughPixels() {
        XCTAssertEqual(JPEG.scaleDenominator(side: 300, minimumSide: 64), 4)
        XCTAssertEqual(JPEG.scaleDenominator(side: 360, minimumSide: 224), 1)
        XCTAssertEqual(JPEG.scaleDenominator(side: 120, minimumSide: 64), 1)
        XCTAssertEqual(JPEG.scaleDenominator(side: 1000, minimumSide: 64), 8)
    }

    func testBadFiles_giveErrorsNamingTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-jpeg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try Data(contentsOf: sampleDirectory.appendingPathComponent("pbc_barcelona/basophil/BA_204774.jpg"))
        let cases: [(String, Data, String)] = [
            ("empty.jpg", Data(), "empty file"),
            ("text.jpg", Data("hello".utf8), "not an image smear reads"),
            ("png.jpg", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "corrupt or truncated"),   // a PNG signature, no PNG
            ("truncated.jpg", good.prefix(good.count / 2), "corrupt or truncated"),
            ("garbled.jpg", Data(good.prefix(200)) + Data(repeating: 0x55, count: 3000), "corrupt or truncated"),
        ]
        for (name, data, fragment) in cases {
            let url = dir.appendingPathComponent(name)
            try data.write(to: url)
            XCTAssertThrowsError(try JPEG.decode(url), name) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(name): \(error)")
                XCTAssertTrue("\(error)".contains(url.path), "\(name): \(error)")
            }
        }
        XCTAssertThrowsError(try JPEG.decode(dir.appendingPathComponent("absent.jpg"))) { error in
            XCTAssertTrue("\(error)".contains("absent.jpg"), "\(error)")
        }
    }
}
