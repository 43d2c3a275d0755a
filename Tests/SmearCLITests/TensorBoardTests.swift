// A run's TensorBoard event file, read back by TensorBoard's own reader (the tensorboard package in .venv-tools,
// which scripts/setup installs from PyPI), equals the run's history.jsonl scalar for scalar.
import Foundation
import SmearTrain
import XCTest

final class TensorBoardTests: SmearExecutableTestCase {
    /// CRC-32C's check value (the CRC of the ASCII digits 1–9) and TensorFlow's mask of it.
    func testCRC32C_checkValue() {
        XCTAssertEqual(TensorBoardEvents.crc32c(Data("123456789".utf8)), 0xE306_9283)
        let c: UInt32 = 0xE306_9283
        XCTAssertEqual(TensorBoardEvents.maskedCRC(Data("123456789".utf8)), ((c >> 15) | (c << 17)) &+ 0xa282_ead8)
    }

    func testEventFile_readByTensorBoard_equalsHistory() throws {
        let python = root.appendingPathComponent(".venv-tools/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python),
              try run(["-c", "import tensorboard"], executable: python).status == 0 else {
            throw XCTSkip("TensorBoard's reader is not installed (.venv-tools: scripts/setup installs it from PyPI when PyPI is reachable)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trained = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--method", "mdd",
                               "--epochs", "2", "--iters", "3", "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0",
                               "--out", dir.path])
        XCTAssertEqual(trained.status, 0, trained.err)
        let read = try run([root.appendingPathComponent("scripts/read_tensorboard.py").path, dir.path], executable: python)
        XCTAssertEqual(read.status, 0, read.err)
        let scalars = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(read.out.utf8)) as? [String: [[Double]]])
        let history = try String(contentsOf: dir.appendingPathComponent("history.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
        XCTAssertEqual(history.count, 2)
        let keys = Set(history.flatMap { $0.diagnostics.keys }).sorted()
        var compared = 0
        for r in history {
            for s in r.scalars(diagnosticKeys: keys, method: "mdd") where !TensorBoardEvents.stepAxis.contains(s.name) {
                guard let value = s.value else { XCTAssertNil(scalars["epoch/\(s.name)"]?.first { Int($0[0]) == r.iteration }); continue }
                let points = try XCTUnwrap(scalars["epoch/\(s.name)"], "epoch/\(s.name) is missing")
                let point = try XCTUnwrap(points.first { Int($0[0]) == r.iteration }, "epoch/\(s.name) at step \(r.iteration)")
                XCTAssertEqual(point[1], Double(Float(value)), accuracy: 1e-9, "epoch/\(s.name) at step \(r.iteration)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 25)
        XCTAssertNil(scalars["epoch/epoch"], "the epoch and the iteration are the step axis, not curves")
        XCTAssertNil(scalars["epoch/iteration"])
        let steps = history.flatMap { $0.stepLosses ?? [] }
        for (tag, column) in [("step/cls_loss", 0), ("step/transfer_loss", 1)] {
            let points = try XCTUnwrap(scalars[tag])
            XCTAssertEqual(points.map { Int($0[0]) }, Array(1...6))
            for (p, l) in zip(points, steps) { XCTAssertEqual(p[1], Double(Float(l[column])), accuracy: 1e-9, tag) }
        }
        let wall = try XCTUnwrap(scalars["epoch/cls_loss"]?.last?[2])
        XCTAssertEqual(wall, try XCTUnwrap(history.last?.finishedAt), accuracy: 1e-3, "the epoch's wall time")
    }
}
