// A run folder belongs to one process and to one run: a second process is refused naming the holder, a resume
// with other inputs is refused naming each difference (run.json untouched), an empty folder name is refused,
// and Ctrl-C ends `smear train` with 130 after saving the last whole epoch.
import Foundation
import XCTest

final class RunFolderOwnershipTests: SmearExecutableTestCase {
    func sampleTrain(_ out: URL, _ extra: [String]) -> [String] {
        ["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--out", out.path, "--width", "8"] + extra
    }

    func testSecondProcess_isRefusedNamingTheHolder_andCtrlCExits130() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = Process()
        first.executableURL = smear
        first.arguments = sampleTrain(dir, ["--epochs", "1000", "--iters", "50"])
        first.currentDirectoryURL = root
        first.environment = childEnvironment()
        first.standardOutput = FileHandle.nullDevice; first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { first.terminate() } }
        let lockFile = dir.appendingPathComponent(".smear-lock")
        let deadline = Date().addingTimeInterval(60)
        while (try? String(contentsOf: lockFile, encoding: .utf8))?.isEmpty ?? true, Date() < deadline { usleep(50_000) }
        let second = try run(sampleTrain(dir, ["--epochs", "1", "--iters", "2", "--overwrite"]))
        XCTAssertEqual(second.status, 70, second.err)
        XCTAssertTrue(second.err.contains("is in use by another smear process (PID \(first.processIdentifier))"), second.err)
        // Ctrl-C once the first epoch is saved: the run stops at the end of a step and says so.
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("latest.safetensors").path), Date() < deadline, first.isRunning {
            usleep(100_000)
        }
        kill(first.processIdentifier, SIGINT)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 130)
        let reopened = try run(["-e", "open_run(\"\(dir.path)\")"])
        XCTAssertEqual(reopened.status, 0, "the folder is free once its holder has ended: \(reopened.err)")
    }

    func testResumeWithOtherInputs_isRefusedNamingEachDifference_andEmptyOutIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try run(sampleTrain(dir, ["--epochs", "1", "--iters", "2"])).status, 0)
        let record = try Data(contentsOf: dir.appendingPathComponent("run.json"))
        let other = ["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/pbc_barcelona", "--out", dir.path, "--width", "8",
                     "--epochs", "2", "--iters", "2", "--resume", "--method", "dann", "--option", "trade_off=0.5"]
        let r = try run(other)
        XCTAssertEqual(r.status, 70, r.err)
        for fragment in ["holds a run made with other settings", "method: source_only → dann", "option trade_off: unset → 0.5",
                         "target: bccd (83 images) → pbc_barcelona (150 images)"] {
            XCTAssertTrue(r.err.contains(fragment), "missing \(fragment): \(r.err)")
        }
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("run.json")), record, "run.json is untouched")
        let grown = try run(sampleTrain(dir, ["--epochs", "2", "--iters", "2", "--resume"]))
        XCTAssertEqual(grown.status, 0, "the same inputs with more epochs continue: \(grown.err)")

        // A run.json edited by hand, or not JSON at all, and files that cannot be written: one line each, no dump.
        let edited = dir.deletingLastPathComponent().appendingPathComponent(dir.lastPathComponent + "-edited")
        try FileManager.default.copyItem(at: dir, to: edited)
        defer { try? FileManager.default.removeItem(at: edited) }
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: edited.appendingPathComponent("run.json"))) as? [String: Any])
        var config = try XCTUnwrap(json["config"] as? [String: Any])
        config["batchSize"] = -5; config["inputSize"] = 1e9
        json["config"] = config
        try JSONSerialization.data(withJSONObject: json).write(to: edited.appendingPathComponent("run.json"))
        let openEdited = "evaluate(open_run(\"\(edited.path)\"), dataset(\"data/sample/bccd\"))"
        let rows: [([String], Int32, String)] = [
            (["-e", openEdited], 70, "run.json is damaged: config.batchSize is -5, outside 1…4096; config.inputSize is 1000000000, outside 32…1024"),
            (["-e", "write_json(\"\(edited.path)/run.json/x\", 1)"], 74, "run.json/x: "),
            (["-e", "predict(open_run(\"\(dir.path)\"), dataset(\"data/sample/bccd\"), \"/etc/passwd/p.csv\")"], 70, "/etc/passwd/p.csv: no such file or folder"),
        ]
        for (args, status, message) in rows {
            let r = try run(args)
            XCTAssertEqual(r.status, status, args.joined(separator: " "))
            XCTAssertTrue(r.err.contains(message), "\(args.joined(separator: " ")): \(r.err)")
            XCTAssertFalse(r.err.contains("NSCocoaErrorDomain") || r.err.contains("DecodingError"), r.err)
        }
        try "{\"method\": 3".write(to: edited.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
        let broken = try run(["-e", "open_run(\"\(edited.path)\")"])
        XCTAssertTrue(broken.err.contains("run.json is not a run record smear can read: not valid JSON"), broken.err)
        let plots = ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": "/etc/passwd/plots"]) { $1 }
        let unwritable = try run(["-e", "plot_counts(dataset(\"data/sample/bccd\"))"], environment: plots)
        XCTAssertEqual(unwritable.status, 70)
        XCTAssertTrue(unwritable.err.contains("/etc/passwd/plots: cannot be written"), unwritable.err)

        let empty = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--out", ""])
        XCTAssertEqual(empty.status, 64, empty.err)
        XCTAssertTrue(empty.err.contains("the run folder is empty"), empty.err)
        let language = try run(["-e", "train(dataset(\"data/sample/bccd\"), dataset(\"data/sample/bccd\"), out=\" \")"])
        XCTAssertEqual(language.status, 70)
        XCTAssertTrue(language.err.contains("train(): out: the run folder is empty"), language.err)
    }
}
