// A run folder: recognised, never replaced without asking, cleaned of dead writers' temporaries, and a
// resume with other settings names what differs.
import Foundation
import SmearAdapt
import SmearTrain
import XCTest

final class RunFolderTests: XCTestCase {
    func folder() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("smear-runfolder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func testHoldsRun_onlyWithCheckpointsOrHistory_andClearKeepsOtherFiles() throws {
        let d = try folder()
        try Data("notes".utf8).write(to: d.appendingPathComponent("notes.txt"))
        XCTAssertFalse(RunFolder.holdsRun(d))
        try Data().write(to: d.appendingPathComponent("history.jsonl"))
        try Data().write(to: d.appendingPathComponent("best_snd.safetensors"))
        try Data().write(to: d.appendingPathComponent(TensorBoardEvents.fileName))
        XCTAssertTrue(RunFolder.holdsRun(d))
        try RunFolder.clear(d)
        XCTAssertFalse(RunFolder.holdsRun(d))
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.appendingPathComponent(TensorBoardEvents.fileName).path), "the old curves go too")
        XCTAssertTrue(FileManager.default.fileExists(atPath: d.appendingPathComponent("notes.txt").path))
    }

    /// A temporary of a process that no longer exists goes; one of a live process (this one) stays.
    func testStaleTemporaries_ofDeadWriters_areRemoved() throws {
        let d = try folder()
        let dead = d.appendingPathComponent(".latest.safetensors.tmp-2147483646")
        let live = d.appendingPathComponent(".latest.safetensors.tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try Data([1]).write(to: dead); try Data([1]).write(to: live)
        RunFolder.removeStaleTemporaries(in: d)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live.path))
    }

    func testSettingDifferences_nameEachChange_epochsMayOnlyGrow() throws {
        var a = TrainingConfig(network: NetworkConfig(classes: 5, width: 8))
        a.epochs = 3
        let stored = String(decoding: try JSONEncoder().encode(a), as: UTF8.self)
        var b = a
        b.epochs = 6
        XCTAssertEqual(RunFolder.settingDifferences(stored: stored, current: b), [], "more epochs extend the run")
        b.batchSize = 16; b.sourceCrop = 200
        let changed = RunFolder.settingDifferences(stored: stored, current: b)
        XCTAssertEqual(changed, ["batchSize: 32 → 16", "sourceCrop: 300 → 200"])
        b = a; b.epochs = 2
        XCTAssertEqual(RunFolder.settingDifferences(stored: stored, current: b), ["epochs: 3 → 2 (a run can grow, not shrink)"])
    }
}
