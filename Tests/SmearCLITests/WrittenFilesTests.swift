// Files other programs read are valid, and smear writes only where it may: every CSV of a run and of predict
// reads back field for field through Python's csv module in strict mode, with class and file names holding
// commas, quotes and newlines; predictions never replace a checkpoint, a folder or a file smear did not write.
import Foundation
import XCTest

final class WrittenFilesTests: SmearExecutableTestCase {
    func testEveryCSV_readsBackWithAStrictParser_andPredictWritesOnlyItsOwnFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-csv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lab = dir.appendingPathComponent("lab")
        let classes = ["baso,phil", "mono\"cyte"]
        try makeLab(at: lab, classFolders: classes) { k, f in k == 0 ? "two\nlines, \"quoted\".jpg" : f }
        let runFolder = dir.appendingPathComponent("run")
        let code = """
        d = dataset("\(lab.path)")
        run = train(d, d, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, out="\(runFolder.path)")
        predict(run, d, "\(dir.path)/predictions.csv")
        predict(run, d, "\(dir.path)/predictions.csv")
        """
        let r = try run(["-e", code])
        XCTAssertEqual(r.status, 0, r.err)

        let csvs = ["predictions.csv", "predictions_probabilities.csv", "run/history.csv"]
        let check = """
        import csv, json, sys
        out = {}
        for path in sys.argv[1:]:
            with open(path, newline="", encoding="utf-8") as f:
                out[path] = list(csv.reader(f, strict=True))
        print(json.dumps(out))
        """
        let py = try python(check, csvs.map { dir.appendingPathComponent($0).path })
        XCTAssertEqual(py.status, 0, py.err)
        let tables = try JSONSerialization.jsonObject(with: Data(py.out.utf8)) as? [String: [[String]]] ?? [:]
        let predictions = try XCTUnwrap(tables[dir.appendingPathComponent("predictions.csv").path])
        XCTAssertEqual(predictions.first, ["image", "label_id", "label"])
        XCTAssertEqual(predictions.count, 17, "header + 16 images")
        XCTAssertTrue(predictions.dropFirst().allSatisfy { $0.count == 3 && classes.contains($0[2]) }, "\(predictions)")
        XCTAssertTrue(predictions.contains { $0[0].hasSuffix("two\nlines, \"quoted\".jpg") }, "a path with a newline, comma and quotes survives")
        let probabilities = try XCTUnwrap(tables[dir.appendingPathComponent("predictions_probabilities.csv").path])
        XCTAssertEqual(probabilities.first, ["image"] + classes)
        XCTAssertTrue(probabilities.dropFirst().allSatisfy { $0.count == 3 && abs((Double($0[1]) ?? 0) + (Double($0[2]) ?? 0) - 1) < 1e-4 })
        let history = try XCTUnwrap(tables[runFolder.appendingPathComponent("history.csv").path])
        XCTAssertEqual(history.count, 2)
        XCTAssertEqual(history[0].count, history[1].count)

        let refusals: [(String, String)] = [
            (runFolder.appendingPathComponent("latest.safetensors").path, "predictions go to a .csv file"),
            (runFolder.path, "predictions go to a .csv file"),
            (dir.appendingPathComponent("folder.csv").path, "is a folder or a special file"),
            (runFolder.appendingPathComponent("history.csv").path, "exists and is not a predictions file smear wrote"),
        ]
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder.csv"), withIntermediateDirectories: true)
        let latest = try Data(contentsOf: runFolder.appendingPathComponent("latest.safetensors"))
        let historyBytes = try Data(contentsOf: runFolder.appendingPathComponent("history.csv"))
        for (path, message) in refusals {
            let p = try run(["-e", "predict(open_run(\"\(runFolder.path)\"), dataset(\"\(lab.path)\"), \"\(path)\")"])
            XCTAssertEqual(p.status, 70, path)
            XCTAssertTrue(p.err.contains(message), "\(path): \(p.err)")
        }
        XCTAssertEqual(try Data(contentsOf: runFolder.appendingPathComponent("latest.safetensors")), latest, "the checkpoint is untouched")
        XCTAssertEqual(try Data(contentsOf: runFolder.appendingPathComponent("history.csv")), historyBytes, "the history is untouched")
    }

    func python(_ code: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", code] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()   // small output: the error pipe cannot fill first
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
