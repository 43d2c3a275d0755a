// Bad input to the built `smear`: clear errors and exit codes, never a signal, in scripts, arguments and sessions.
import Foundation
import SmearTensor
import SmearData
import XCTest

final class BadInputTests: SmearExecutableTestCase {
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
            (train("size_cue=true"), 70, "size_cue hands the network each image's nucleus size, which only crops per image measure"),
            (sample + ["--size-cue"], 64, "add cell_crop=\"image\" or \"halfway\", or leave size_cue out"),
            (train("start_from=\"/nonexistent/run\""), 70, "start_from=\"/nonexistent/run\": no such run folder or file"),
            (sample + ["--start-from", dir.path], 70, "start_from=\"\(dir.path)\": the folder has no latest.safetensors"),
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
            (["-e", "matched_crops({diameter: 0.3, side: 100}, {diameter: 0.3, side: 100}, others=[{diameter: 2, side: 9}])"], 70,
             "others must be a record from cell_scale()"),
            (["-e", "matched_crops({diameter: 0.3, side: 100}, {diameter: 0.3, side: 100}, others=5)"], 70, "others must be a list"),
            (["-e", "b = dataset(\"data/sample/bccd\")\ntrain(b, b, more_sources=[b], more_source_crops=[])"], 70,
             "more_sources has 1 datasets but more_source_crops 0 crops"),
            (["-e", "b = dataset(\"data/sample/bccd\")\ntrain(b, b, more_sources=[\"x\"], more_source_crops=[100])"], 70,
             "more_sources must hold datasets, got a string"),
            (["-e", "b = dataset(\"data/sample/bccd\")\ntrain(b, b, more_sources=[b], more_source_crops=[0.5])"], 70,
             "more_source_crops must hold whole numbers of pixels"),
            (["-e", "b = dataset(\"data/sample/bccd\")\ntrain(b, b, more_sources=b, more_source_crops=[1])"], 70,
             "'more_sources' must be a list, got a dataset"),
            (["-e", "b = dataset(\"data/sample/bccd\", classes=[\"eosinophil\", \"neutrophil\"])\np = dataset(\"data/sample/pbc_barcelona\")\ntrain(b, b, more_sources=[p], more_source_crops=[200], batch=2, out=\"\(dir.path)/ms\")"], 70,
             "more_sources: dataset pbc_barcelona has classes the model does not know"),
            (["-e", "b = dataset(\"data/sample/bccd\")\nu = unlabeled(\"data/sample/pbc_barcelona\")\ntrain(b, b, more_sources=[u], more_source_crops=[200], batch=2, out=\"\(dir.path)/ms\")"], 70,
             "more_sources: pbc_barcelona must be a labelled dataset"),
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
}
