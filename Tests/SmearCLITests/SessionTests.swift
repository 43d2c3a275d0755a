// Sessions and interruptions: the line editor on a terminal, piped sessions, Ctrl-C during training and in a loop,
// kill -9 then resume.
import Foundation
import SmearTensor
import SmearData
import XCTest

final class SessionTests: SmearExecutableTestCase {
    /// UTF-8 typed at the libedit prompt (a terminal, here a pseudo-terminal from util-linux's `script`), in the
    /// C locale: smear sets a UTF-8 locale itself, so "Zürich" is printed whole, not "Zrich".
    func testLineEditor_onATerminal_keepsUTF8Input() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qfc", smear.path, "/dev/null"]
        p.currentDirectoryURL = root
        var env = childEnvironment()
        env["LANG"] = "C"; env["LC_ALL"] = nil; env["SMEAR_HISTORY"] = FileManager.default.temporaryDirectory.appendingPathComponent("smear-utf8-history").path
        p.environment = env
        let input = Pipe(), out = Pipe()
        p.standardInput = input; p.standardOutput = out; p.standardError = out
        try p.run()
        Thread.sleep(forTimeInterval: 1.5)   // the prompt is up: libedit reads what follows
        input.fileHandleForWriting.write(Data("print(\"Zürich\")\n".utf8))
        Thread.sleep(forTimeInterval: 1.5)
        try input.fileHandleForWriting.close()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let lines = text.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("Zürich"), "the printed line, through libedit: \(lines)")
        XCTAssertTrue(lines.contains { $0.hasSuffix("print(\"Zürich\")") }, "the echoed input line: \(lines)")
    }

    func testPipedSession_continuesBlocks_andSurvivesErrors() throws {
        let session = """
        total = 0
        for i in range(4) {
            total = total + i
        }
        total
        print(undefined)
        total * 2
        help(train)
        """
        let r = try run([], stdin: session)
        XCTAssertEqual(r.status, 70, "the session goes on after an error, and piped input then exits non-zero")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "6")
        XCTAssertTrue(lines[1].contains("unknown name 'undefined'"))
        XCTAssertTrue(lines.contains("12"))
        XCTAssertTrue(r.out.contains("train(source, target, method=nil"))
        XCTAssertTrue(r.out.contains("example:"))
    }

    /// SIGINT (Ctrl-C) during train() stops the run at the end of the step; the script goes on.
    func testInterrupt_duringTraining_stopsCleanlyAndTheScriptContinues() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("smear-int-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        // Interrupted every 2 s until it ends (the first may arrive before training has started on a slow machine).
        let (p, text) = try runInterrupting(every: 2, atMost: 60, [
            "-e", "run = train(dataset(\"data/sample/pbc_barcelona\"), dataset(\"data/sample/bccd\"), epochs=50, iters=100, "
                + "batch=4, size=32, width=4, bottleneck=8, head=8, out=\"\(out.path)\"); print(\"after\", run.epochs)"])
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("stopped at iteration"), text)
        XCTAssertTrue(text.contains("after "), text)
    }

    /// `smear train` killed with SIGKILL just after its first checkpoint (inside its second of three epochs),
    /// then run again with --resume, ends with the
    /// same history as an uninterrupted run (one thread everywhere, so the numbers are bit for bit).
    func testKill9_thenResume_equalsAnUninterruptedRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var env = childEnvironment()
        env["SMEAR_THREADS"] = "1"; env["OMP_NUM_THREADS"] = "1"; env["OPENBLAS_NUM_THREADS"] = "1"
        func arguments(_ out: String) -> [String] {
            ["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--method", "mdd", "--epochs", "3",
             "--iters", "60", "--batch", "8", "--size", "32", "--width", "4", "--bottleneck", "16", "--head", "16", "--out", dir.path + "/" + out]
        }
        XCTAssertEqual(try run(arguments("whole"), environment: env).status, 0)
        let p = Process()
        p.executableURL = smear; p.currentDirectoryURL = root; p.environment = env
        p.arguments = arguments("killed")
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        let latest = dir.appendingPathComponent("killed/latest.safetensors").path
        while p.isRunning && !FileManager.default.fileExists(atPath: latest) { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.05)   // into the second epoch
        XCTAssertTrue(p.isRunning, "the run must still be going when killed (make it longer if this fails)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        let resumed = try run(arguments("killed") + ["--resume"], environment: env)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resumed from"), resumed.out)
        func lastEpoch(_ run: String) throws -> [String: Any] {
            let lines = try String(contentsOf: dir.appendingPathComponent(run + "/history.jsonl"), encoding: .utf8).split(separator: "\n")
            return try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        }
        let (a, b) = (try lastEpoch("whole"), try lastEpoch("killed"))
        for key in ["classificationLoss", "transferLoss", "targetEntropy", "targetSND"] {
            XCTAssertEqual(a[key] as? Double, b[key] as? Double, key)
        }
    }

    /// Ctrl-C in an endless loop ends the loop with an error naming the line, not the process with a signal.
    func testInterrupt_inAnEndlessLoop_isAnError() throws {
        let (p, text) = try runInterrupting(every: 1, atMost: 30, ["-e", "i = 0; while true { i = i + 1 }"])
        XCTAssertEqual(p.terminationReason, .exit, "ended by exit, not by a signal: \(text)")
        XCTAssertEqual(p.terminationStatus, 70, text)
        XCTAssertTrue(text.contains("interrupted (Ctrl-C)"), text)
    }

    /// Runs smear with `arguments` from the repository's root and sends it SIGINT every `seconds` (at most `times`
    /// times) until it ends; its status and both outputs, interleaved.
    func runInterrupting(every seconds: TimeInterval, atMost times: Int, _ arguments: [String]) throws -> (Process, String) {
        let p = Process()
        p.executableURL = smear
        p.currentDirectoryURL = root
        p.environment = childEnvironment()
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        DispatchQueue.global().async {
            for _ in 0..<times where p.isRunning { Thread.sleep(forTimeInterval: seconds); if p.isRunning { p.interrupt() } }
        }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p, text)
    }
}
