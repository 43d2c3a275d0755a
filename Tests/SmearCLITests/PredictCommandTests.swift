// `smear predict`: a saved run's model over images, the same predictions as the language's predict, and each bad
// input a clear error with its exit code.
import Foundation
import XCTest

final class PredictCommandTests: SmearExecutableTestCase {
    func testPredict_writesWhatTheLanguagesPredictWrites_andRefusesBadInputs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let runDir = dir.appendingPathComponent("run").path
        let trained = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--epochs", "1", "--iters", "2",
                               "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0", "--out", runDir])
        XCTAssertEqual(trained.status, 0, trained.err)
        let out = dir.appendingPathComponent("p.csv").path
        let r = try run(["predict", runDir, "data/sample/bccd", out])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("macro F1"), r.out)
        let language = try run(["-e", "predict(open_run(\"\(runDir)\"), dataset(\"data/sample/bccd\"), \"\(dir.path)/q.csv\")"])
        XCTAssertEqual(language.status, 0, language.err)
        for (a, b) in [("p.csv", "q.csv"), ("p_probabilities.csv", "q_probabilities.csv")] {
            XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent(a), encoding: .utf8),
                           try String(contentsOf: dir.appendingPathComponent(b), encoding: .utf8), "\(a) equals the language's \(b)")
        }
        let viewed = try run(["predict", runDir, "data/sample/bccd", dir.appendingPathComponent("v.csv").path, "--tta", "--scales"])
        XCTAssertEqual(viewed.status, 0, viewed.err)
        XCTAssertTrue(viewed.out.contains("+ 8 orientations at 3 scales"), viewed.out)
        let languageViewed = try run(["-e", "predict(open_run(\"\(runDir)\"), dataset(\"data/sample/bccd\"), \"\(dir.path)/w.csv\", tta=true, scales=true)"])
        XCTAssertEqual(languageViewed.status, 0, languageViewed.err)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("v_probabilities.csv"), encoding: .utf8),
                       try String(contentsOf: dir.appendingPathComponent("w_probabilities.csv"), encoding: .utf8), "--tta --scales as tta=true, scales=true")
        XCTAssertNotEqual(try String(contentsOf: dir.appendingPathComponent("v_probabilities.csv"), encoding: .utf8),
                          try String(contentsOf: dir.appendingPathComponent("p_probabilities.csv"), encoding: .utf8), "the views change the probabilities")
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n").count, 84)
        let report = try String(contentsOf: dir.appendingPathComponent("p_report.txt"), encoding: .utf8)
        XCTAssertTrue(report.contains("confusion matrix"), report)
        XCTAssertEqual(try run(["predict", runDir, "data/sample/bccd", out]).status, 0, "its own earlier predictions may be replaced")

        let wrongClasses = dir.appendingPathComponent("wrong")
        for c in ["platelet", "erythroblast"] {
            try FileManager.default.createDirectory(at: wrongClasses.appendingPathComponent(c), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: root.appendingPathComponent("data/sample/bccd/monocyte/BloodImage_00196_1.jpg"),
                                             to: wrongClasses.appendingPathComponent(c).appendingPathComponent("cell.jpg"))
        }
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try "not predictions\n".write(to: dir.appendingPathComponent("mine.csv"), atomically: true, encoding: .utf8)
        let untrained = try ONNXExportTests.withoutCheckpoints(URL(fileURLWithPath: runDir), at: dir.appendingPathComponent("untrained"))
        let table: [([String], Int32, String)] = [
            (["predict", empty.path, "data/sample/bccd", out], 70, "has no run.json"),
            (["predict", untrained.path, "data/sample/bccd", out], 64, "has no checkpoint yet"),
            (["predict", runDir, "data/sample/bccd", out, "--checkpoint", "best"], 64, "--checkpoint best is not a checkpoint"),
            (["predict", runDir, "data/sample/bccd", dir.appendingPathComponent("p.txt").path], 64, "OUT must be a .csv file"),
            (["predict", runDir, "data/sample/bccd", dir.appendingPathComponent("mine.csv").path], 70, "mine.csv"),
            (["predict", runDir, "data/sample/bccd", dir.appendingPathComponent("nowhere/p.csv").path], 70, "nowhere"),
            (["predict", runDir, wrongClasses.path, out], 70, "has classes the model does not know: erythroblast, platelet"),
            (["predict", runDir, dir.appendingPathComponent("none").path, out], 64, "no such file or folder of images"),
            (["predict", runDir], 64, "Missing expected argument"),
        ]
        for (args, status, fragment) in table {
            let b = try run(args)
            XCTAssertEqual(b.status, status, "\(args.joined(separator: " ")): \(b.err.prefix(300))")
            XCTAssertTrue(b.err.contains(fragment), "\(args.joined(separator: " ")): \(b.err.prefix(300))")
        }
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("mine.csv"), encoding: .utf8), "not predictions\n", "a file smear did not write is kept")
        let help = try run(["predict", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("USAGE: smear predict <run-folder> <images> <out>"), help.out)
        XCTAssertTrue(try run(["--help"]).out.contains("smear predict RUN IMAGES OUT.csv"))
    }
}
