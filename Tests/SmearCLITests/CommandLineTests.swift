// The built `smear` executable end to end: exit codes, output, scripts, piped sessions, help.
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
        func withoutSeconds(_ folder: String) throws -> [String] {
            let rows = try CSV.parse(String(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent("history.csv"), encoding: .utf8))
            let seconds = try XCTUnwrap(rows.first?.fields.firstIndex(of: "seconds"))
            return rows.map { r in r.fields.enumerated().filter { $0.offset != seconds }.map(\.element).joined(separator: ",") }
        }
        let history = try withoutSeconds(cli)
        XCTAssertEqual(history.count, 3)
        XCTAssertEqual(history, try withoutSeconds(language), "the same split, statistics, pipelines and batches")
        let report = try String(contentsOf: URL(fileURLWithPath: cli).appendingPathComponent("report_latest.txt"), encoding: .utf8)
        XCTAssertTrue(report.contains("confusion matrix"), report)
        XCTAssertTrue(ran.out.contains(report.trimmingCharacters(in: .newlines)), "smear train's report:\n\(report)\nthe language's:\n\(ran.out)")
    }

    func testEvaluate_printsTheValue() throws {
        let r = try run(["-e", "x = tensor([[1, 2], [3, 4]]); sum(x @ x)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "54\n")
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

    /// scripts/adapt.smear, shrunk to 1 × 3 steps at width 8: an unlabelled folder of BCCD images in, one
    /// prediction per image out, a report that says there are no labels, and the plots.
    func testAdaptScript_unlabelledTarget_writesAPredictionPerImageAndPlots() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-adapt-\(UUID().uuidString)")
        let flat = dir.appendingPathComponent("target"), out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: flat, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bccd = root.appendingPathComponent("data/sample/bccd")
        var images = 0
        for c in try FileManager.default.contentsOfDirectory(atPath: bccd.path) where !c.hasPrefix(".") {
            for f in try FileManager.default.contentsOfDirectory(atPath: bccd.appendingPathComponent(c).path) where f.hasSuffix(".jpg") {
                try FileManager.default.copyItem(at: bccd.appendingPathComponent(c).appendingPathComponent(f),
                                                 to: flat.appendingPathComponent("\(c)-\(f)"))
                images += 1
            }
        }
        var env = ProcessInfo.processInfo.environment
        env["SMEAR_PLOTS"] = out.appendingPathComponent("plots").path
        let r = try run(["scripts/adapt.smear", "data/sample/pbc_barcelona", flat.path, out.path, "1", "3", "8"], environment: env)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("(no labels: no F1)"), r.out)
        let predictions = try String(contentsOf: out.appendingPathComponent("predictions.csv"), encoding: .utf8)
        XCTAssertEqual(predictions.split(separator: "\n").count, images + 1, "a header and one line per image")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("plots/adapt-loss.dat").path))
    }

    /// scripts/adapt's few-labels loop as a person runs it: --label-budget proposes cells and writes the template and the
    /// montage; the template filled in and given back with --target-labels trains run-labelled, scored on the cells not labelled.
    func testAdaptScript_labelBudget_thenTheFilledTemplate_trainsOnTheLabelledCells() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-adapt-labels-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let first = try run(["scripts/adapt", "data/sample/pbc_barcelona", "data/sample/bccd", out.path, "--label-budget", "4", "1", "3", "8"], executable: "/bin/bash")
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(first.out.contains("label the 4 cells in \(out.path)/to_label.csv"), first.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("plots/adapt-proposals.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("run-labelled-4").path), "nothing is trained on labels yet")
        // The person: each proposed cell labelled with the class folder it lies in.
        let template = out.appendingPathComponent("to_label.csv")
        let rows = try String(contentsOf: template, encoding: .utf8).split(separator: "\n").dropFirst().map { row -> String in
            let image = String(row.dropLast())   // "path,"
            return "\(image),\(URL(fileURLWithPath: image).deletingLastPathComponent().lastPathComponent)"
        }
        XCTAssertEqual(rows.count, 4)
        try (["image,label"] + rows).joined(separator: "\n").write(to: template, atomically: true, encoding: .utf8)
        let second = try run(["scripts/adapt", "data/sample/pbc_barcelona", "data/sample/bccd", out.path, "--target-labels", template.path,
                              "--label-budget", "3", "1", "3", "8"], executable: "/bin/bash")
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("run-labelled-4/latest.safetensors").path))
        // the next round: 3 more cells, none of them the 4 labelled ones
        let next = try String(contentsOf: out.appendingPathComponent("to_label-round-4.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(next.count, 3)
        XCTAssertTrue(Set(next.map { String($0.dropLast()) }).isDisjoint(with: rows.map { String($0.split(separator: ",")[0]) }))
        XCTAssertTrue(second.out.contains("scored on the 79 cells not labelled; 4 labelled for training left out"), second.out)
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("result.json"))) as! [String: Any]
        XCTAssertEqual(result["scored_images"] as? Double, 79)
        XCTAssertEqual(result["oracle"] as? Bool, false)
        for (args, fragment) in [(["--label-budget", "x"], "--label-budget takes a whole number"),
                                 (["--target-labels", dir.appendingPathComponent("none.csv").path], "needs an existing CSV file"),
                                 (["--strategy", "best"], "--strategy is clue, balanced, badge, entropy or random"), (["--fast"], "unknown option --fast")] {
            let r = try run(["scripts/adapt", "data/sample/pbc_barcelona", "data/sample/bccd", out.path] + args, executable: "/bin/bash")
            XCTAssertEqual(r.status, 64, "\(args)")
            XCTAssertTrue(r.err.contains(fragment), "\(args): \(r.err)")
        }
    }

    /// Values that used to end smear with a signal (exit 139, 132, 134) are errors with a message.
    func testBadInputs_areErrorsNotSignals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let parens = dir.appendingPathComponent("parens.smear"), brackets = dir.appendingPathComponent("brackets.smear")
        try ("x = " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "\n")
            .write(to: parens, atomically: true, encoding: .utf8)
        try ("x = " + String(repeating: "[", count: 50000) + String(repeating: "]", count: 50000) + "\n")
            .write(to: brackets, atomically: true, encoding: .utf8)
        // Left-associative chains: each link is one level deeper in the tree the interpreter walks.
        let sum = dir.appendingPathComponent("sum.smear"), calls = dir.appendingPathComponent("calls.smear")
        let attributes = dir.appendingPathComponent("attributes.smear"), products = dir.appendingPathComponent("products.smear")
        try ("x = 1" + String(repeating: " + 1", count: 50_000) + "\n").write(to: sum, atomically: true, encoding: .utf8)
        try ("f = fn() { return f }\nf" + String(repeating: "()", count: 50_000) + "\n").write(to: calls, atomically: true, encoding: .utf8)
        try ("a = 1\na" + String(repeating: ".a", count: 50_000) + "\n").write(to: attributes, atomically: true, encoding: .utf8)
        try ("x = 2" + String(repeating: " * 1", count: 50_000) + " or true and false" + String(repeating: " and true", count: 50_000) + "\n")
            .write(to: products, atomically: true, encoding: .utf8)
        let nearMiss = dir.appendingPathComponent("near-miss")   // PBC's classes with "Basophil" and "lymphocytes" folders
        for c in ["Basophil", "eosinophil", "lymphocytes", "monocyte", "neutrophil"] {
            let from = root.appendingPathComponent("data/sample/pbc_barcelona").appendingPathComponent(c.lowercased().replacingOccurrences(of: "lymphocytes", with: "lymphocyte"))
            try FileManager.default.createDirectory(at: nearMiss, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: nearMiss.appendingPathComponent(c), withDestinationURL: from)
        }
        let recursive = dir.appendingPathComponent("recursive.smear"), latin1 = dir.appendingPathComponent("latin1.smear")
        try "source(\"\(recursive.path)\")\n".write(to: recursive, atomically: true, encoding: .utf8)
        try Data([0x70, 0x72, 0x69, 0x6E, 0x74, 0x28, 0x22, 0xE9, 0x22, 0x29, 0x0A]).write(to: latin1)   // print("é") in Latin-1
        let pbc = "dataset(\"data/sample/pbc_barcelona\", classes=[\"lymphocyte\", \"neutrophil\"], only=[\"lymphocyte\", \"neutrophil\"])"
        let bccd = "dataset(\"data/sample/bccd\", classes=[\"lymphocyte\", \"neutrophil\"], only=[\"lymphocyte\", \"neutrophil\"])"
        func train(_ arguments: String) -> [String] { ["-e", "train(\(pbc), \(bccd), \(arguments), out=\"\(dir.path)/run\")"] }
        let sample = ["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--out", dir.path + "/cli"]
        let table: [([String], Int32, String)] = [
            (train("batch=0"), 70, "'batch' must be between 1 and 4096"),
            (train("batch=-4"), 70, "'batch' must be between 1 and 4096"),
            (train("width=0"), 70, "'width' must be between 1 and 512"),
            (train("width=-8"), 70, "'width' must be between 1 and 512"),
            (train("bottleneck=-1"), 70, "'bottleneck' must be between 0 and 65536"),
            (train("size=1e9"), 70, "'size' must be between 32 and 1024"),
            (train("epochs=-1"), 70, "'epochs' must be between 1 and 100000"),
            (train("iters=0"), 70, "'iters' must be between 1 and 10000000"),
            (train("lr=-1"), 70, "'lr' must be between"),
            (train("source_crop=0"), 70, "'source_crop' must be between 1 and 100000"),
            (train("batch=1000"), 70, "more than the"),
            (train("validation=1.5"), 70, "'validation' must be between 0.0 and 0.99"),
            (train("epochs=1, epochs=2"), 70, "is given twice"),
            (["-e", "plugin(\"dann\", hidden=-3)"], 70, "option hidden = -3.0 is not allowed"),
            (["-e", "plugin(\"mdd\", head_width=0.5)"], 70, "a whole number"),
            (["-e", "plugin(\"mdd\", grl_max_iters=0)"], 70, "option grl_max_iters = 0.0 is not allowed"),
            (["-e", "range(1e12)"], 70, "more than the 10,000,000"),
            (["-e", "xs = [1]\nwhile true { xs = xs + xs }"], 70, "'+' of two lists would hold 16777216 elements, more than the 10,000,000"),
            (["-e", "xs = [1]\nwhile true { xs = append(xs, 1) + xs }"], 70, "more than the 10,000,000 a list may hold"),
            (["-e", "s = \"ab\"\nwhile true { s = s + s }"], 70, "more than the 100,000,000 a string may hold"),
            (["-e", "resnet18(-1, 8)"], 70, "'classes' must be between 1 and 100000"),
            (["-e", "resnet18(5, 1e12)"], 70, "'width' must be between 1 and 512"),
            (["-e", "split(dataset(\"data/sample/bccd\"), 0.5, seed=-1)"], 70, "'seed' must be between 0 and"),
            (["-e", "cell_scale(dataset(\"data/sample/bccd\"), images=-5)"], 70, "'images' must be between 1 and"),
            (["-e", "1 % 0"], 70, "division by zero"),
            (["-e", "log(-1)"], 70, "not positive"),
            (["-e", "sqrt(-1)"], 70, "negative number"),
            (["-e", "sqrt(2, 3)"], 70, "takes at most 1 argument"),
            ([recursive.path], 70, "nested more than 50 deep"),
            ([latin1.path], 74, "not UTF-8"),
            (sample + ["--size", "8"], 64, "'size' must be between 32 and 1024"),
            (sample + ["--validation", "1.5"], 64, "'validation' must be between 0.0 and 0.99"),
            (sample + ["--validation", "-0.2"], 64, "Missing value for '--validation"),
            (sample + ["--validation=-0.2"], 64, "'validation' must be between 0.0 and 0.99"),
            (sample + ["--head", "x"], 64, "The value 'x' is invalid for '--head"),
            (sample + ["--stain", "foo"], 64, "'stain' must be one of reinhard, macenko, reinhard_image"),
            (sample + ["--bogus"], 64, "Unknown option '--bogus'"),
            (["train", "--source", nearMiss.path, "--target", "data/sample/bccd", "--out", dir.path + "/near"], 70,
             "folder 'Basophil' (class 'basophil'), 'lymphocytes' (class 'lymphocyte') is not in the class list"),
            (["train", "--source", "data/sample/bccd", "--target", "data/sample/bccd", "--out", ""], 64, "the run folder is empty"),
            (sample + ["--batch", "1000"], 64, "more than the"),
            (["-e", "zeros([-1, 3])"], 70, "shape entries cannot be negative"),
            (["-e", "argmax(tensor([1, 2]), axis=-2)"], 70, "argmax(): axis -2 is out of range for rank 1"),
            // Found by the interpreter fuzzer (Fuzz/crashes, 2026-11-27): numbers too large for an Int as indices.
            (["-e", "xs = [1, 2, 3]\nxs[1111111111111111111111111111] = 10"], 70, "index 1.111111111111111e+27 is out of range for 3 element(s)"),
            (["-e", "[1, 2][1e300]"], 70, "is out of range for 2 element(s)"),
            (["-e", "format(0.5, 244444444444)"], 70, "'digits' must be between 0 and 20"),   // fuzzer find: a signal
            (["-e", "tensor([1, 2])[1e300]"], 70, "index 1e+300 is out of range for shape [2]"),
            (["-e", "tensor([1, 2])[0.5]"], 70, "a tensor index must be a whole number"),
            (["-e", "tensor(3)[0]"], 70, "has no rows to index"),
            (["-e", "sum(tensor([1, 2]), axis=1e300)"], 70, "'axis' is too large"),
            (["-e", "matched_crops({diameter: 0.3, side: 1e300}, {diameter: 0.3, side: 100})"], 70, "must be a record from cell_scale()"),
            (["-e", "reshape(arange(0, 6), [-1, -1])"], 70, "may hold one -1"),
            (["-e", "arange(0, 10, 0)"], 70, "step must not be 0"),
            (["-e", "zeros([1e6, 1e6])"], 70, "more than the 1073741824"),
            (["-e", "arange(0, 1e12)"], 70, "more than the 1073741824"),
            (["-e", "randn([1e30])"], 70, "whole numbers up to"),
            ([parens.path], 65, "nested more than 200 levels deep"),
            ([brackets.path], 65, "nested more than 200 levels deep"),
            ([sum.path], 65, "nested more than 200 levels deep"),
            ([calls.path], 65, "nested more than 200 levels deep"),
            ([attributes.path], 65, "nested more than 200 levels deep"),
            ([products.path], 65, "nested more than 200 levels deep"),
        ]
        for (args, status, fragment) in table {
            let r = try run(args)
            XCTAssertEqual(r.status, status, "\(args.joined(separator: " ").prefix(60)): \(r.err.prefix(300))")
            XCTAssertTrue(r.err.contains(fragment), "\(args.joined(separator: " ").prefix(60)): \(r.err.prefix(300))")
        }
        XCTAssertEqual(try run(["-e", "reshape(arange(0, 6), [-1, 2])"]).status, 0, "reshape still infers one -1")
        for threads in ["3000000000", "-3", "many"] {   // ignored with a warning, never converted blindly
            let environment = ProcessInfo.processInfo.environment.merging(["SMEAR_THREADS": threads]) { $1 }
            let r = try run(train("epochs=1, iters=2, batch=8, width=4, overwrite=true"), environment: environment)
            XCTAssertEqual(r.status, 0, "SMEAR_THREADS=\(threads): \(r.err.prefix(300))")
            XCTAssertTrue(r.err.contains("SMEAR_THREADS=\(threads) is not a whole number from 1 to 1024; ignored"), r.err)
        }
        XCTAssertEqual(try run([], stdin: "print(1)\nprint(nope)\n").status, 70, "piped input with an error exits non-zero")
        XCTAssertEqual(try run(["-e", "range(start=1, stop=3)"]).out, "[1, 2]\n", "range takes its ends by keyword")
        XCTAssertEqual(try run([], stdin: "print(\"Zürich\")\n").out, "Zürich\n", "UTF-8 input survives the line reader")
        XCTAssertTrue(try run([], stdin: "help\n").out.hasPrefix("help() or help(function)"), "a bare builtin shows its help")
        XCTAssertTrue(try run(["-e", "help(\"train\")"]).out.hasPrefix("train(source, target"), "help takes a name")
    }

    /// UTF-8 typed at the libedit prompt (a terminal, here a pseudo-terminal from util-linux's `script`), in the
    /// C locale: smear sets a UTF-8 locale itself, so "Zürich" is printed whole, not "Zrich".
    func testLineEditor_onATerminal_keepsUTF8Input() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qfc", smear.path, "/dev/null"]
        p.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
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
        let written = try run(["-e", "write_result(\"\(dir.path)/c/result.json\", {target: \"/data/bccd\", method: \"mme\", setting: \"x\", seed: 2, macro_f1_present: 0.3, own: [1, 2]})"])
        XCTAssertEqual(written.status, 0, written.err)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("c/result.json"))) as! [String: Any]
        XCTAssertEqual(record["version"] as? Int, 1); XCTAssertEqual(record["target"] as? String, "bccd"); XCTAssertEqual(record["own"] as? [Int], [1, 2])
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

    func testScript_exitCodesForSyntaxRuntimeAndIOErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = dir.appendingPathComponent("ok.smear"), bad = dir.appendingPathComponent("bad.smear"), typo = dir.appendingPathComponent("typo.smear")
        try "print(\"args:\", args)\nfor a in args { print(a) }\n".write(to: ok, atomically: true, encoding: .utf8)
        try "x = (1 +\n".write(to: bad, atomically: true, encoding: .utf8)
        try "value = 1\nprint(valeu)\n".write(to: typo, atomically: true, encoding: .utf8)
        let r = try run([ok.path, "a", "b"])
        XCTAssertEqual(r.status, 0); XCTAssertEqual(r.out, "args: [\"a\", \"b\"]\na\nb\n")
        let s = try run([bad.path])
        XCTAssertEqual(s.status, 65); XCTAssertTrue(s.err.contains("bad.smear:2:1: syntax error"), s.err)
        let t = try run([typo.path])
        XCTAssertEqual(t.status, 70)
        XCTAssertTrue(t.err.contains("typo.smear:2:7: error: unknown name 'valeu' — did you mean 'value'?"), t.err)
        XCTAssertTrue(t.err.contains("    print(valeu)\n          ^"), t.err)
        XCTAssertEqual(try run([dir.appendingPathComponent("absent.smear").path]).status, 74)
        XCTAssertEqual(try run(["-e", "source(\"/nonexistent.smear\")"]).status, 74)
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

    func testBadInputInTheSession_isAnErrorNotACrash() throws {
        let session = """
        tensor([1, 2]) @ tensor([1, 2, 3])
        tensor([1, 2]) + tensor([1, 2, 3])
        dataset("no/such/folder")
        plugin("nosuch")
        plugin("mdd", margn=3)
        reshape(tensor([1, 2, 3]), [2, 2])
        "still alive"
        """
        let r = try run([], stdin: session)
        XCTAssertEqual(r.status, 70, "every line runs, and piped input with errors exits non-zero: \(r.err)")
        for fragment in ["must both be [..., M, K] and [..., K, N]", "cannot be broadcast", "no/such/folder does not exist", "no plugin 'nosuch'",
                         "no option 'margn'", "cannot reshape [3] (3 elements) to [2, 2]", "still alive"] {
            XCTAssertTrue(r.out.contains(fragment), "missing: \(fragment)\n\(r.out)")
        }
    }

    func testPlotInAScript_writesAPNG_orSaysGnuplotIsMissing() throws {
        let r = try run(["-e", "plot_counts(dataset(\"data/sample/bccd\"), name=\"cli-counts\")"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("cli-counts.png") || r.out.contains("gnuplot is not installed"), r.out)
    }
}

extension CommandLineTests {
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

extension CommandLineTests {
    /// SIGINT (Ctrl-C) during train() stops the run at the end of the step; the script goes on.
    func testInterrupt_duringTraining_stopsCleanlyAndTheScriptContinues() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("smear-int-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = smear
        p.currentDirectoryURL = root
        p.arguments = ["-e", "run = train(dataset(\"data/sample/pbc_barcelona\"), dataset(\"data/sample/bccd\"), epochs=50, iters=100, "
                       + "batch=4, size=32, width=4, bottleneck=8, head=8, out=\"\(out.path)\"); print(\"after\", run.epochs)"]
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        // Interrupt every 2 s until it ends (the first may arrive before training has started on a slow machine).
        DispatchQueue.global().async {
            for _ in 0..<60 where p.isRunning { Thread.sleep(forTimeInterval: 2); if p.isRunning { p.interrupt() } }
        }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
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
        var env = ProcessInfo.processInfo.environment
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
        let p = Process()
        p.executableURL = smear
        p.arguments = ["-e", "i = 0; while true { i = i + 1 }"]
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        DispatchQueue.global().async {
            for _ in 0..<30 where p.isRunning { Thread.sleep(forTimeInterval: 1); if p.isRunning { p.interrupt() } }
        }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "ended by exit, not by a signal: \(text)")
        XCTAssertEqual(p.terminationStatus, 70, text)
        XCTAssertTrue(text.contains("interrupted (Ctrl-C)"), text)
    }
}

extension CommandLineTests {
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
}
