// scripts/weights_convert.py reads a PyTorch state dict without running it: a legacy-layout .pth made by
// scripts/fixtures/make_state_dict_pickles.py converts to safetensors that smear's reader loads with the right
// values (a transposed storage gathered into row-major order, the integer buffer left out), and a pickle that
// would run a shell command is refused by name, with nothing run.
import Foundation
import SmearNN
import SmearTestSupport
import XCTest

final class WeightsConverterTests: XCTestCase {
    let root = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent()

    func convert(_ fixture: String, into dir: URL) throws -> (status: Int32, err: String, out: URL) {
        let out = dir.appendingPathComponent("out.safetensors")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", root.appendingPathComponent("scripts/weights_convert.py").path,
                       fixturesDirectory.appendingPathComponent("pickles/\(fixture)").path, out.path]
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err; p.standardOutput = FileHandle.nullDevice
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self), out)
    }

    func testLegacyStateDict_convertsToSafetensorsThatSmearReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try convert("legacy_state_dict.pth", into: dir)
        XCTAssertEqual(r.status, 0, r.err)
        let file = try SafeTensors.read(r.out)
        XCTAssertEqual(Set(file.tensors.keys), ["w", "b"], "the integer buffer is left out")
        XCTAssertEqual(file.tensors["w"]?.shape, [2, 3])
        XCTAssertEqual(file.tensors["w"]?.scalars, [0, 1, 2, 3, 4, 5], "gathered through strides (1, 2) into row-major order")
        XCTAssertEqual(file.tensors["b"]?.scalars, [0.5, 1.5, 2.5])
    }

    func testAPickleThatRunsACommand_isRefusedAndRunsNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try convert("runs_a_command.pth", into: dir)
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.err.contains("names the global posix.system, which a tensor state dict never needs"), r.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "no marker file, no output")
    }
}
