// Checkpoints: round trip, atomic writes, and errors that name what is wrong.
import Foundation
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testSaveLoad_roundTrip_restoresEveryTensorAndMetadata() throws {
        let a = ResNet18(numClasses: 3, width: 4), b = ResNet18(numClasses: 3, width: 4)
        let url = dir.appendingPathComponent("m.safetensors")
        try a.save(to: url, metadata: ["epoch": "3"])
        XCTAssertEqual(try SafeTensors.read(url).metadata["epoch"], "3")
        try b.load(from: url)
        for ((n1, t1), (n2, t2)) in zip(a.stateDict(), b.stateDict()) {
            XCTAssertEqual(n1, n2); XCTAssertEqual(t1.scalars, t2.scalars, n1)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(leftovers, ["m.safetensors"], "no temporary file left behind")
    }

    func testLoad_wrongShapeAndMissing_namesTheTensors() throws {
        let url = dir.appendingPathComponent("w.safetensors")
        try ResNet18(numClasses: 3, width: 4).save(to: url)
        XCTAssertThrowsError(try ResNet18(numClasses: 7, width: 4).load(from: url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("fc.weight: file [3, 32], model [7, 32]"), text)
            XCTAssertTrue(text.contains("fc.bias"), text)
        }
        XCTAssertThrowsError(try ResNet18(numClasses: nil, width: 4).load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("unexpected fc.bias, fc.weight"), "\(error)")
        }
        var partial = Dictionary(uniqueKeysWithValues: ResNet18(numClasses: 3, width: 4).stateDict())
        partial["conv1.weight"] = nil
        XCTAssertThrowsError(try ResNet18(numClasses: 3, width: 4).load(partial)) { error in
            XCTAssertTrue("\(error)".contains("missing conv1.weight"), "\(error)")
        }
    }

    /// A checkpoint that cannot be written (here: its folder is gone; on a full disk the same path) is an error that
    /// names the file, its size and what to do, leaves no temporary file, and does not touch an existing checkpoint.
    func testWrite_intoAMissingFolder_namesTheFileAndWhatToDo() throws {
        let missing = dir.appendingPathComponent("gone/latest.safetensors")
        XCTAssertThrowsError(try SafeTensors.write([("a", Tensor([1, 2], shape: [2]))], to: missing)) { error in
            guard case CheckpointError.unwritable(let path, let bytes, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, missing.path)
            XCTAssertGreaterThan(bytes, 8)
            XCTAssertEqual(reason, "No such file or directory")
            XCTAssertTrue("\(error)".contains("make room on the disk, or check that the folder exists"), "\(error)")
        }
        // A rename that fails (the target is a folder): the old target stays, no temporary file is left.
        let occupied = dir.appendingPathComponent("occupied.safetensors")
        try FileManager.default.createDirectory(at: occupied.appendingPathComponent("inside"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try SafeTensors.write([("a", Tensor([1, 2], shape: [2]))], to: occupied))
        XCTAssertTrue(FileManager.default.fileExists(atPath: occupied.appendingPathComponent("inside").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }, [])
    }

    func testLoad_truncatedOrGarbageFile_isAnErrorNotACrash() throws {
        let url = dir.appendingPathComponent("t.safetensors")
        try ResNet18(numClasses: 3, width: 4).save(to: url)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        XCTAssertThrowsError(try ResNet18(numClasses: 3, width: 4).load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("corrupt or truncated"), "\(error)")
        }
        try Data("not a checkpoint".utf8).write(to: url)
        XCTAssertThrowsError(try SafeTensors.read(url))
        try Data([1, 2, 3]).write(to: url)
        XCTAssertThrowsError(try SafeTensors.read(url))
        XCTAssertThrowsError(try SafeTensors.read(dir.appendingPathComponent("absent.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("absent.safetensors"), "\(error)")
        }
    }
}
