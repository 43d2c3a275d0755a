// The built `smear` executable end to end: version and help, the two front ends of train, values, backends, the
// language reference.
import Foundation
import SmearTensor
import SmearData
import XCTest

final class CommandLineTests: SmearExecutableTestCase {
    func testVersionAndHelp() throws {
        let v = try run(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertTrue(v.out.hasPrefix("smear "))
        let h = try run(["--help"])
        XCTAssertEqual(h.status, 0)
        for fragment in ["smear FILE.smear [ARGS...]", "smear -e 'CODE'", "smear train", "SMEAR_PLUGIN_PATH"] {
            XCTAssertTrue(h.out.contains(fragment), fragment)
        }
        XCTAssertEqual(try run(["--bogus"]).status, 64)
    }

    /// Both front ends fill one RunSpec: `smear train --dry-run` with flags prints exactly what the language's
    /// train_settings() gives for the same keywords, with and without arguments (so the defaults agree), and
    /// `smear train --help` and help("train") both show every setting, the CLI with its default.
    func testTrainFrontEnds_produceTheSameRunSpec_andShowTheSameSettings() throws {
        let sample = ["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--dry-run"]
        let cases: [([String], String)] = [
            ([], ""),
            (["--epochs", "3", "--source-crop", "200", "--stain", "reinhard_image", "--dihedral", "--lr", "0.01", "--validation", "0"],
             "epochs=3, source_crop=200, stain=\"reinhard_image\", dihedral=true, lr=0.01, validation=0"),
            (["--no-dihedral", "--group-norm", "--schedule", "step_decay", "--hed-jitter", "0.05", "--width", "16"],
             "dihedral=false, group_norm=true, schedule=\"step_decay\", hed_jitter=0.05, width=16"),
        ]
        for (flags, keywords) in cases {
            let cli = try run(sample + flags), language = try run(["-e", "print(train_settings(\(keywords)))"])
            XCTAssertEqual(cli.status, 0, cli.err); XCTAssertEqual(language.status, 0, language.err)
            XCTAssertEqual(cli.out, language.out, "flags \(flags) vs keywords \(keywords)")
            XCTAssertTrue(cli.out.contains("epochs = "), cli.out)
        }
        let cliHelp = try run(["train", "--help"]).out, languageHelp = try run(["-e", "help(\"train\")"]).out
        let settings = try run(["-e", "print(train_settings())"]).out.split(separator: "\n").map { $0.components(separatedBy: " = ") }
        XCTAssertGreaterThan(settings.count, 15)
        for s in settings {
            let flag = "--" + s[0].replacingOccurrences(of: "_", with: "-")
            XCTAssertTrue(cliHelp.contains(flag), "smear train --help lacks \(flag)")
            XCTAssertTrue(languageHelp.contains("\(s[0])=\(s[1])"), "help(\"train\") lacks \(s[0])=\(s[1])")
            XCTAssertTrue(languageHelp.contains("  \(s[0]): "), "help(\"train\") does not explain \(s[0])")
        }
        XCTAssertTrue(cliHelp.contains("(default 15)"), cliHelp)
    }

    /// Both front ends set a run up the same way (split, statistics, pipelines, batches) and report it the same way:
    /// `smear train` and the language's train() with the same settings write the same history, to the seconds
    /// column, and smear train's report of its latest checkpoint equals the language's evaluate of it.
    func testTrainFrontEnds_setUpTheSameData_andWriteTheSameReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-frontends-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cli = dir.appendingPathComponent("cli").path, language = dir.appendingPathComponent("language").path
        let trained = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--method", "mdd", "--epochs", "2",
                               "--iters", "2", "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0", "--seed", "3", "--out", cli])
        XCTAssertEqual(trained.status, 0, trained.err)
        let script = """
            src = dataset("data/sample/pbc_barcelona"); tgt = dataset("data/sample/bccd")
            run = train(src, tgt, method=plugin("mdd"), epochs=2, iters=2, batch=8, width=4, bottleneck=16, head=0, seed=3, out="\(language)")
            print(evaluate(run, tgt, checkpoint="latest"))
            """
        let ran = try run(["-e", script])
        XCTAssertEqual(ran.status, 0, ran.err)
        let history = try historyWithoutSeconds(cli)
        XCTAssertEqual(history.count, 3)
        XCTAssertEqual(history, try historyWithoutSeconds(language), "the same split, statistics, pipelines and batches")
        let report = try String(contentsOf: URL(fileURLWithPath: cli).appendingPathComponent("report_latest.txt"), encoding: .utf8)
        XCTAssertTrue(report.contains("confusion matrix"), report)
        XCTAssertTrue(ran.out.contains(report.trimmingCharacters(in: .newlines)), "smear train's report:\n\(report)\nthe language's:\n\(ran.out)")
    }

    /// --start-from / start_from= start both front ends' runs from the same finished run alike; the report and run.json say so.
    func testTrainFrontEnds_startFromAFinishedRunAlike() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-start-from-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("first").path
        let cli = dir.appendingPathComponent("cli").path, language = dir.appendingPathComponent("language").path
        let tiny = ["--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--method", "mdd", "--epochs", "1",
                    "--iters", "2", "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0"]
        XCTAssertEqual(try run(["train"] + tiny + ["--seed", "3", "--out", first]).status, 0)
        let trained = try run(["train"] + tiny + ["--seed", "5", "--start-from", first, "--out", cli])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("started from \(first)"), trained.out)
        let script = """
            src = dataset("data/sample/pbc_barcelona"); tgt = dataset("data/sample/bccd")
            run = train(src, tgt, method=plugin("mdd"), epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, seed=5,
                        start_from="\(first)", out="\(language)")
            """
        let ran = try run(["-e", script])
        XCTAssertEqual(ran.status, 0, ran.err)
        XCTAssertEqual(try historyWithoutSeconds(cli), try historyWithoutSeconds(language))
        let fresh = try run(["train"] + tiny + ["--seed", "5", "--out", dir.appendingPathComponent("fresh").path])
        XCTAssertEqual(fresh.status, 0, fresh.err)
        XCTAssertNotEqual(try historyWithoutSeconds(cli), try historyWithoutSeconds(dir.appendingPathComponent("fresh").path),
                          "the start changes the run, so the comparison above tells a start from none")
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli).appendingPathComponent("run.json"))) as? [String: Any])
        XCTAssertEqual((record["config"] as? [String: Any])?["startWeights"] as? String, first)
    }

    /// A further labelled lab (--more-source / more_sources=) joins both front ends' runs alike, and run.json keeps it.
    func testTrainFrontEnds_takeFurtherSourceLabsAlike() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-more-sources-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cli = dir.appendingPathComponent("cli").path, language = dir.appendingPathComponent("language").path
        let trained = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--method", "mdd", "--epochs", "1",
                               "--iters", "2", "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0", "--seed", "3",
                               "--more-source", "data/sample/bccd", "--more-source-crop", "150", "--out", cli])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("further source bccd"), trained.out)
        let script = """
            src = dataset("data/sample/pbc_barcelona"); tgt = dataset("data/sample/bccd")
            run = train(src, tgt, method=plugin("mdd"), epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, seed=3,
                        more_sources=[dataset("data/sample/bccd")], more_source_crops=[150], out="\(language)")
            """
        let ran = try run(["-e", script])
        XCTAssertEqual(ran.status, 0, ran.err)
        XCTAssertEqual(try historyWithoutSeconds(cli), try historyWithoutSeconds(language))
        XCTAssertTrue(try historyWithoutSeconds(cli)[0].contains("more_sources_cls"), "the further lab's loss is in the history")
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli).appendingPathComponent("run.json"))) as? [String: Any])
        let labs = try XCTUnwrap(record["moreSources"] as? [[String: Any]])
        XCTAssertEqual(labs.count, 1); XCTAssertEqual(labs[0]["crop"] as? Int, 150)
        let mismatched = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--more-source", "data/sample/bccd",
                                  "--out", dir.appendingPathComponent("x").path])
        XCTAssertEqual(mismatched.status, 64); XCTAssertTrue(mismatched.err.contains("--more-source-crop 0"), mismatched.err)
    }

    func testEvaluate_printsTheValue() throws {
        let r = try run(["-e", "x = tensor([[1, 2], [3, 4]]); sum(x @ x)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "54\n")
    }

    /// pretrained_weights(): the cached ImageNet file under $SMEAR_WEIGHTS when it is there, nil when it is not.
    func testPretrainedWeights_isTheCachedFile_orNil() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var env = ProcessInfo.processInfo.environment
        env["SMEAR_WEIGHTS"] = dir.path
        let absent = try run(["-e", "print(pretrained_weights())"], environment: env)
        XCTAssertEqual(absent.status, 0, absent.err)
        XCTAssertEqual(absent.out, "nil\n")
        let file = dir.appendingPathComponent("efficientnet_lite0_imagenet.safetensors")
        try Data([0]).write(to: file)
        let present = try run(["-e", "print(pretrained_weights())"], environment: env)
        XCTAssertEqual(present.out, file.path + "\n", present.err)
    }

    /// A property that exists but holds nothing (a tensor's gradient before any backward pass) is nil, not an error.
    func testAnEmptyProperty_isNil() throws {
        let r = try run(["-e", "x = tensor([1, 2])\nprint(x.grad)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "nil\n")
    }

    /// stats(dataset, crop=N): a PBC image's centre is cell and red cells, its frame mostly glass, so the centre's
    /// channel means are lower; crop=nil is the whole frame; a crop below 1 px is an error that states the range.
    func testStats_ofTheCentreCrop_areDarkerThanTheFrames() throws {
        let pbc = "dataset(\"data/sample/pbc_barcelona\")"
        let r = try run(["-e", "c = stats(\(pbc), crop=120).mean; f = stats(\(pbc)).mean; n = stats(\(pbc), crop=nil).mean; "
                         + "print(c[0] < f[0], c[1] < f[1], n[0] == f[0])"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "true true true\n")
        let bad = try run(["-e", "stats(\(pbc), crop=0)"])
        XCTAssertEqual(bad.status, 70)
        XCTAssertTrue(bad.err.contains("'crop' must be between 1 and 100000"), bad.err)
    }

    func testBackend_isChosenFromTheLanguage_andAnUnknownNameIsAnError() throws {
        var env = ProcessInfo.processInfo.environment
        env["SMEAR_BACKEND"] = nil
        let r = try run(["-e", "a = backend(); b = backend(\"blas\"); [a, b, backend()]"], environment: env)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "[\"dnnl\", \"dnnl\", \"blas\"]\n", "dnnl by default; backend(name) returns the previous one")
        env["SMEAR_BACKEND"] = "blas"
        XCTAssertEqual(try run(["-e", "backend()"], environment: env).out, "blas\n", "SMEAR_BACKEND chooses at start-up")
        let bad = try run(["-e", "backend(\"cuda\")"], environment: env)
        XCTAssertEqual(bad.status, 70)
        XCTAssertTrue(bad.err.contains("'cuda' is not a back end"), bad.err)
    }

    /// docs/language.md documents every builtin (regenerate its reference with `smear --reference`).
    func testLanguageReference_documentsEveryBuiltin() throws {
        let docs = try String(contentsOf: root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let reference = try run(["--reference"])
        XCTAssertEqual(reference.status, 0)
        for line in reference.out.split(separator: "\n") where line.hasPrefix("### ") {
            XCTAssertTrue(docs.contains(line), "docs/language.md lacks \(line)")
        }
    }
}

/// The OpenBLAS kernel smear runs, as `smear --version` reports it, in the environment as the test has it
/// (OPENBLAS_CORETYPE is neither set nor changed here).
extension CommandLineTests {
    func testVersion_reportsTheBLASKernel_neverGenericOnAnAVX2CPUWhenUnset_andHonoursASetVariable() throws {
        let v = try run(["--version"])
        XCTAssertEqual(v.status, 0)
        let text = v.out
        guard let range = text.range(of: #"OpenBLAS (\w+) kernel \(([^)]*)\)"#, options: String.CompareOptions.regularExpression) else {
            return XCTFail("no kernel in: \(text)")
        }
        let words = text[range].split(separator: " ", maxSplits: 3)
        let kernel = String(words[1]), origin = String(words[3].dropFirst().dropLast())
        let cpu = CPUFeatures.current
        XCTAssertTrue(text.contains("CPU \(cpu.summary)"), text)
        if let set = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
            XCTAssertEqual(origin, "OPENBLAS_CORETYPE set by the environment")
            XCTAssertEqual(kernel.lowercased(), set.lowercased(), "the user's kernel is the one loaded")
        } else if cpu.canRunAVX2 {
            XCTAssertGreaterThanOrEqual(BLASKernel.level(ofCore: kernel), 2, "\(kernel) is a generic kernel on a \(cpu.summary) CPU")
            XCTAssertGreaterThanOrEqual(BLASKernel.level(ofCore: kernel), BLASKernel.level(ofCore: BLASKernel.best(for: cpu) ?? ""))
        }
    }

    /// A run folder's history.csv rows with the wall-clock column left out (the rest is reproducible).
    func historyWithoutSeconds(_ folder: String) throws -> [String] {
        let rows = try CSV.parse(String(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent("history.csv"), encoding: .utf8))
        let seconds = try XCTUnwrap(rows.first?.fields.firstIndex(of: "seconds"))
        return rows.map { r in r.fields.enumerated().filter { $0.offset != seconds }.map(\.element).joined(separator: ",") }
    }
}
