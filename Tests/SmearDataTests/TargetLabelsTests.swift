// Target labels a person filled in: the CSV is read against the target lab, and every way it can be wrong is an
// error with its line number.
import Foundation
import SmearData
import SmearTestSupport
import XCTest

final class TargetLabelsTests: XCTestCase {
    var dir: URL!
    var target: ImageDataset!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-target-labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        target = try ImageDataset.folder(sampleDirectory.appendingPathComponent("bccd"))
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func csv(_ text: String) throws -> URL {
        let url = dir.appendingPathComponent("labels.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testLabelledCellsLeaveTheTarget_withTheCSVsLabels() throws {
        let a = target.samples[0], b = target.samples[40]
        // b is given a label other than its folder's: the person's answer is what counts.
        let other = target.classes[(b.label! + 1) % target.classes.count]
        let url = try csv("image,label\n\(a.path.path),\(target.classes[a.label!])\r\n\(b.path.path),\(other)\n\n")
        let (labelled, rest) = try TargetLabels.read(url, target: target)
        XCTAssertEqual(labelled.samples.map(\.path), [a.path, b.path])
        XCTAssertEqual(labelled.samples.map(\.label), [a.label, target.classes.firstIndex(of: other)])
        XCTAssertEqual(labelled.classes, target.classes)
        XCTAssertEqual(rest.count, target.count - 2)
        XCTAssertFalse(rest.samples.contains { $0.path == a.path || $0.path == b.path })
        XCTAssertEqual(rest.samples.map(\.label), target.samples.filter { $0.path != a.path && $0.path != b.path }.map(\.label),
                       "the rest keeps its own labels, for scoring")
    }

    func testRelativePathsResolveAgainstTheCSVsFolder() throws {
        let a = target.samples[3]
        let up = String(repeating: "../", count: dir.standardizedFileURL.pathComponents.count - 1)
        let url = try csv("label,image\n\(target.classes[a.label!]),\(up)\(a.path.path.dropFirst())\n")
        XCTAssertEqual(try TargetLabels.read(url, target: target).labelled.samples.map(\.path), [a.path])
        let dotted = try csv("label,image\n\(target.classes[a.label!]),\(a.path.path.replacingOccurrences(of: "/bccd/", with: "/bccd/./"))\n")
        XCTAssertEqual(try TargetLabels.read(dotted, target: target).labelled.samples.map(\.path), [a.path])
    }

    /// Each row: the file's text, and what the error must say (with its line).
    func testBadInputTable() throws {
        let a = target.samples[0].path.path, b = target.samples[1].path.path
        let rows: [(String, [String])] = [
            ("image,label\n\(a),\n", [":2:", "no label", "fill in the label column"]),
            ("image,label\n\(a),basophil\n/nowhere/x.jpg,basophil\n", [":3:", "is not one of the", "images of the target"]),
            ("image,label\n\(a),platelet\n", [":2:", "platelet"]),
            ("image,label\n\(a),basophil\n\(b),monocyte\n\(a),eosinophil\n", [":4:", "labelled twice", "line 2"]),
            ("image,label\n", [":1:", "no labelled images"]),
            ("file name,cls\n\(a),basophil\n", [":1:", "header"]),
            ("image,label\n\"\(a),basophil\n", ["labels.csv:"]),
            (",label\n,basophil\n", [":1:", "header"]),
            ("image,label\n,basophil\n", [":2:", "no image"]),
        ]
        for (text, expected) in rows {
            XCTAssertThrowsError(try TargetLabels.read(try csv(text), target: target), text) { e in
                for part in expected { XCTAssertTrue("\(e)".contains(part), "\(text.debugDescription): \(e) lacks \(part)") }
            }
        }
        XCTAssertThrowsError(try TargetLabels.read(dir.appendingPathComponent("missing.csv"), target: target)) { e in
            XCTAssertTrue("\(e)".contains("cannot read"), "\(e)")
        }
        XCTAssertThrowsError(try TargetLabels.read(dir, target: target)) { e in XCTAssertTrue("\(e)".contains("cannot read"), "\(e)") }
    }
}
