// An epoch's files are written all or nothing: when one cannot be written (a full disk; here a folder stands
// where latest's temporary would go), the best_* checkpoints, latest and the history all stay at the last
// epoch, and the run resumes from there once the disk has room.
import Foundation
import SmearAdapt
import SmearNN
import SmearTrain
import XCTest

final class EpochWriteFailureTests: XCTestCase {
    func testAFailedWrite_leavesCheckpointsAndHistoryAtTheLastEpoch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-epoch-write-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        first.report = { _, _ in }
        XCTAssertTrue(try first.run())
        func snapshot() throws -> [String: Data] {
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".safetensors") || $0.hasPrefix("history.") }
            return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: dir.appendingPathComponent($0))) })
        }
        let before = try snapshot()
        XCTAssertTrue(before.keys.contains { $0.hasPrefix("best_") }, "epoch 1 wrote best_* checkpoints: \(before.keys.sorted())")

        let second = try Trainer(config: TinyRun.config(epochs: 3), method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        second.report = { _, _ in }
        XCTAssertTrue(try second.resume())
        let blocker = dir.appendingPathComponent(".latest.safetensors.tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        XCTAssertThrowsError(try second.run()) { e in XCTAssertTrue("\(e)".contains("latest.safetensors"), "\(e)") }
        try FileManager.default.removeItem(at: blocker)
        XCTAssertEqual(try snapshot(), before, "every checkpoint and the history are still epoch 1's")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }, [], "no temporary is left")

        let third = try Trainer(config: TinyRun.config(epochs: 3), method: SourceOnly(), data: try TinyRun.data(), directory: dir)
        third.report = { _, _ in }
        XCTAssertTrue(try third.resume())
        XCTAssertEqual(third.completedEpochs, 1)
        XCTAssertTrue(try third.run())
        let lines = try String(contentsOf: dir.appendingPathComponent("history.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "epochs 1, 2 and 3, once each")
    }
}
