// Plots from the built `smear`: the picture builtins, plot_results, PNGs from scripts, and what happens without gnuplot.
import Foundation
import SmearTensor
import SmearTrain
import SmearData
import XCTest

final class PlotCommandTests: SmearExecutableTestCase {
    /// The picture builtins on the bundled sample: a montage of both labs (its raw bytes sized by the grid)
    /// and, from a tiny run, the misclassified cells, the feature map and the proxy A-distance.
    func testPictures_samplesErrorsFeaturesAndADistance() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-pictures-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = """
        pbc = dataset("data/sample/pbc_barcelona", classes=["lymphocyte", "neutrophil"], only=["lymphocyte", "neutrophil"])
        bccd = dataset("data/sample/bccd", classes=["lymphocyte", "neutrophil"], only=["lymphocyte", "neutrophil"])
        plot_samples([pbc, bccd], per_class=3, size=32, name="montage")
        run = train(pbc, bccd, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, out="\(dir.path)/run")
        plot_errors(evaluate(run, bccd), n=5, size=32, name="errors")
        plot_features(run, pbc, bccd, n=20, name="features")
        d = a_distance(run, pbc, bccd, n=40)
        print("distance ok", d >= -2 and d <= 2)
        plot(run, "loss", name="loss")
        """
        let r = try run(["-e", code], environment: ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": dir.path]) { $1 })
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("distance ok true"), r.out)
        let montage = try Data(contentsOf: dir.appendingPathComponent("montage.rgb"))
        XCTAssertEqual(montage.count, (6 * 34) * (2 * 34) * 3, "2 classes × (3 cells × 2 labs) of 32 px + 2 px gaps")
        for name in ["montage.png", "errors.png", "features.png", "features.dat", "loss.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), name)
        }
        let loss = try String(contentsOf: dir.appendingPathComponent("loss.dat"), encoding: .utf8)
        XCTAssertTrue(loss.contains("# classification, per step (smoothed)\n0.5 "), "2 steps in epoch 1: x = 0.5, 1.0\n\(loss)")
    }

    /// plot_results reads result records of every layout (the versioned one write_result writes, and the two before it,
    /// migrated: scripts/adapt's and the grid's final checkpoint) and draws mean ± sd per target and method: adapt on
    /// bccd over seeds 0.5 and 0.7 → 0.6 ± 0.1414.
    func testPlotResults_meanAndSpreadPerTargetAndMethod() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-results-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files: [(String, String)] = [
            ("a/seed0/result.json", #"{"target": "/data/bccd", "macro_f1_present": 0.5, "stain": "nil"}"#),
            ("a/seed1/result.json", #"{"target": "/data/bccd", "macro_f1_present": 0.7, "stain": "nil"}"#),
            ("b/result.json", #"{"target": "bccd", "method": "mdd", "crops": "article", "variant": "mixed", "checkpoints": [{"checkpoint": "latest", "test_macro_f1_present": 0.4}]}"#),
        ]
        for (path, text) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        // the current layout, written through write_result: versioned, the target's folder name only
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("c"), withIntermediateDirectories: true)
        // … and the machine that computed it, whatever the script says (here: 3 threads, the blas back end)
        let written = try run(["-e", "write_result(\"\(dir.path)/c/result.json\", {target: \"/data/bccd\", method: \"mme\", setting: \"x\", seed: 2, macro_f1_present: 0.3, own: [1, 2], machine: \"mine\"})"],
                              environment: ProcessInfo.processInfo.environment.merging(["SMEAR_THREADS": "3", "SMEAR_BACKEND": "blas"]) { $1 })
        XCTAssertEqual(written.status, 0, written.err)
        let bytes = try Data(contentsOf: dir.appendingPathComponent("c/result.json"))
        let record = try JSONSerialization.jsonObject(with: bytes) as! [String: Any]
        XCTAssertEqual(record["version"] as? Int, 1); XCTAssertEqual(record["target"] as? String, "bccd"); XCTAssertEqual(record["own"] as? [Int], [1, 2])
        let machine = try XCTUnwrap(ResultRecord.read(bytes)?.machine)
        XCTAssertEqual(machine.threads, 3); XCTAssertEqual(machine.backend, "blas")
        XCTAssertEqual(machine.cores, ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(machine.cpu, MachineRecord.cpuModel(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""))
        for (code, fragment) in [("{target: \"bccd\", macro_f1_present: 0.3}", "lacks method"),
                                 ("{target: \"bccd\", method: 3, macro_f1_present: 0.3}", "target and method must be strings"),
                                 ("{target: \"bccd\", method: \"mdd\", macro_f1_present: \"high\"}", "macro_f1_present must be a number"),
                                 ("{target: \"bccd\", method: \"mdd\", seed: \"one\", macro_f1_present: 0.3}", "seed a whole number"),
                                 ("[1]", "must be a record")] {
            let bad = try run(["-e", "write_result(\"\(dir.path)/bad.json\", \(code))"])
            XCTAssertEqual(bad.status, 70, code)
            XCTAssertTrue(bad.err.contains(fragment), "\(code): \(bad.err)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.json").path))
        let r = try run(["-e", "plot_results(\"\(dir.path)\", name=\"bars\")"],
                        environment: ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": dir.path]) { $1 })
        XCTAssertEqual(r.status, 0, r.err)
        let data = try String(contentsOf: dir.appendingPathComponent("bars.dat"), encoding: .utf8)
        XCTAssertTrue(data.contains("# group adapt (mean, sd), mdd (article) (mean, sd), mme (x) (mean, sd)"), data)
        XCTAssertTrue(data.contains(" 0.3 0.0"), data)
        XCTAssertTrue(data.contains("\n0 0.6 0.14142135623730"), data)
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("bars.gp"), encoding: .utf8).contains("set xtics (\"bccd\" 0)"))
        XCTAssertTrue(data.contains(" 0.4 0.0"), data)
    }

    func testPlotInAScript_writesAPNG_orSaysGnuplotIsMissing() throws {
        let r = try run(["-e", "plot_counts(dataset(\"data/sample/bccd\"), name=\"cli-counts\")"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("cli-counts.png") || r.out.contains("gnuplot is not installed"), r.out)
    }

    /// Without gnuplot on the PATH, a plot says so, still writes its data and script, and nothing fails.
    func testPlotWithoutGnuplot_saysSo_andWritesDataAndScript() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-nognuplot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["-e", "plot_counts(dataset(\"data/sample/bccd\"), name=\"c\"); print(\"still running\")"],
                        environment: ["PATH": "/nonexistent", "SMEAR_PLOTS": dir.path, "HOME": NSTemporaryDirectory()])
        let text = r.out + r.err
        XCTAssertEqual(r.status, 0, text)
        XCTAssertTrue(text.contains("gnuplot is not installed (apt-get install gnuplot-nox)"), text)
        XCTAssertTrue(text.contains("still running"), text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("c.dat").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("c.gp").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("c.png").path))
    }
}
