// evaluate() and predict() see a dataset through the right lab's pipeline: the source's crop and
// normalisation for the run's own source images (training or validation split), the target's otherwise.
import Foundation
import XCTest

final class EvaluationBuiltinTests: SmearExecutableTestCase {
    /// The validation split is PBC: evaluated like the source (the same logits as lab="source"), not through
    /// the target's 300 px crop (lab="target" gives other logits); a lab that is neither is an error.
    func testEvaluate_validationSplit_usesTheSourcePipeline() throws {
        let dir = try temporaryFolder("smear-evaluate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: true) + """
        automatic = entropy(evaluate(run, parts[1]))
        print("source", automatic == entropy(evaluate(run, parts[1], lab="source")))
        print("target differs", automatic != entropy(evaluate(run, parts[1], lab="target")))
        print("bccd is target", entropy(evaluate(run, bccd)) == entropy(evaluate(run, bccd, lab="target")))
        evaluate(run, bccd, lab="moon")
        """
        let r = try run(["-e", code])
        XCTAssertTrue(r.out.contains("source true"), r.out + r.err)
        XCTAssertTrue(r.out.contains("target differs true"), r.out)
        XCTAssertTrue(r.out.contains("bccd is target true"), r.out)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("lab=\"moon\" is not a lab of the run"), r.err)
    }

    /// training_bn=true evaluates with the batch-norm statistics of the run's training batches, then puts the run's own
    /// back (the next plain evaluation is unchanged); with adabn=true as well it is an error that says to choose.
    func testEvaluate_trainingBatchNorm_changesTheLogits_restoresTheRun_andExcludesAdaBN() throws {
        let dir = try temporaryFolder("smear-training-bn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: false) + """
        plain = entropy(evaluate(run, bccd))
        print("differs", plain != entropy(evaluate(run, bccd, training_bn=true)))
        print("restored", plain == entropy(evaluate(run, bccd)))
        evaluate(run, bccd, adabn=true, training_bn=true)
        """
        let r = try run(["-e", code])
        XCTAssertTrue(r.out.contains("differs true"), r.out + r.err)
        XCTAssertTrue(r.out.contains("restored true"), r.out)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("adabn and training_bn each set the batch-norm statistics; choose one"), r.err)
    }

    /// centroids=true reaches the evaluation (its report says it was relabelled by the target's centroids; what the
    /// labels are is CentroidEvaluationTests'), scores the same images, and leaves the run as it was.
    func testEvaluate_centroids_relabelsByTheTargetsCentroids_andSaysSo() throws {
        let dir = try temporaryFolder("smear-centroids")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: false) + """
        plain = evaluate(run, bccd)
        c = evaluate(run, bccd, centroids=true)
        print("same images", c.images == plain.images)
        print("restored", entropy(plain) == entropy(evaluate(run, bccd)))
        print(c)
        """
        let r = try run(["-e", code])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("same images true"), r.out + r.err)
        XCTAssertTrue(r.out.contains("restored true"), r.out)
        XCTAssertTrue(r.out.contains("relabelled by the target's centroids (SHOT)"), r.out)
    }

    /// propagate=true reaches the evaluation (its report says so; what the labels are is PropagationEvaluationTests'),
    /// scores the same images and leaves the run as it was; with centroids=true as well it is an error naming both.
    func testEvaluate_propagate_spreadsOverTheCellsGraph_andSaysSo() throws {
        let dir = try temporaryFolder("smear-propagate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: false) + """
        plain = evaluate(run, bccd)
        p = evaluate(run, bccd, propagate=true)
        print("same images", p.images == plain.images)
        print("restored", entropy(plain) == entropy(evaluate(run, bccd)))
        print(p)
        evaluate(run, bccd, propagate=true, centroids=true)
        """
        let r = try run(["-e", code])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("same images true"), r.out + r.err)
        XCTAssertTrue(r.out.contains("restored true"), r.out)
        XCTAssertTrue(r.out.contains("propagated over the cells' nearest-neighbour graph"), r.out)
        XCTAssertTrue(r.err.contains("centroids and propagate each relabel the images; choose one"), r.err)
    }

    /// A report's per-class F1 and support follow its confusion matrix: each class's support is its row's sum, and
    /// the mean F1 over the classes with support is macro_f1_present.
    func testReport_perClassF1AndSupport_agreeWithTheConfusionMatrixAndMacroF1() throws {
        let dir = try temporaryFolder("smear-per-class")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: false) + """
        r = evaluate(run, bccd)
        total = 0
        present = 0
        rows = true
        for i in range(len(r.classes)) {
            row = 0
            for v in r.confusion[i] { row = row + v }
            rows = rows and row == r.support[i]
            if r.support[i] > 0 { total = total + r.per_class_f1[i]; present = present + 1 }
        }
        print("rows", rows, "classes", len(r.per_class_f1) == len(r.classes))
        print("macro", max([total / present - r.macro_f1_present, r.macro_f1_present - total / present]) < 0.000000001)
        """
        let r = try run(["-e", code])
        XCTAssertTrue(r.out.contains("rows true classes true"), r.out + r.err)
        XCTAssertTrue(r.out.contains("macro true"), r.out + r.err)
    }

    /// predict() writes one row per image and returns the report evaluate() gives for the same arguments, so a
    /// script needs one pass (and one batch-norm recomputation) for both.
    func testPredict_writesTheCSV_andReturnsEvaluatesReport() throws {
        let dir = try temporaryFolder("smear-predict")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: false) + """
        p = predict(run, bccd, "\(dir.path)/predictions.csv", training_bn=true)
        e = evaluate(run, bccd, training_bn=true)
        print("same report", entropy(p) == entropy(e), p.macro_f1_present == e.macro_f1_present)
        """
        let r = try run(["-e", code])
        XCTAssertTrue(r.out.contains("same report true true"), r.out + r.err)
        let rows = try String(contentsOf: dir.appendingPathComponent("predictions.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, try sampleImageCount("bccd", ["lymphocyte", "neutrophil"]))
    }

    /// A dataset whose classes come in another order is mapped onto the run's by name (the same report as the
    /// run's own order); one with a class the run does not know is refused with both lists; an empty dataset is a
    /// clear error in every builtin that reads images through the run, and as a validation set.
    func testDatasetsAreCheckedAgainstTheRun_orderMappedUnknownAndEmptyRefused() throws {
        let dir = try temporaryFolder("smear-vocabulary")
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = tinyRun(in: dir, validation: false)
        let mapped = try run(["-e", prefix + """
        swapped = dataset("data/sample/bccd", classes=["neutrophil", "lymphocyte"], only=["neutrophil", "lymphocyte"])
        print("same", evaluate(run, swapped).macro_f1 == evaluate(run, bccd).macro_f1)
        """])
        XCTAssertTrue(mapped.out.contains("same true"), mapped.out + mapped.err)
        let empty = "split(bccd, 0.001, seed=1)[0]"
        let table: [(String, String)] = [
            ("evaluate(run, dataset(\"data/sample/bccd\"))", "dataset bccd has classes the model does not know: basophil, eosinophil, monocyte"),
            ("evaluate(run, \(empty))", "has no images, so it cannot be evaluated"),
            ("predict(run, \(empty), \"\(dir.path)/p.csv\")", "has no images, so it cannot be evaluated"),
            ("evaluate(run, \(empty), adabn=true)", "has no images, so it cannot be evaluated"),
            ("plot_features(run, \(empty), bccd, n=10)", "has no images, so it cannot be evaluated"),
            ("a_distance(run, bccd, \(empty), n=10)", "has no images, so it cannot be evaluated"),
            ("train(pbc, bccd, validation=\(empty), epochs=1, iters=2, out=\"\(dir.path)/v\")", "has no images, so it cannot be a validation set"),
        ]
        let reopened = """
        classes = ["lymphocyte", "neutrophil"]
        pbc = dataset("data/sample/pbc_barcelona", classes=classes, only=classes)
        bccd = dataset("data/sample/bccd", classes=classes, only=classes)
        run = open_run("\(dir.path)/run")

        """
        for (line, message) in table {
            let r = try run(["-e", reopened + line])
            XCTAssertEqual(r.status, 70, line)
            XCTAssertTrue(r.err.contains(message), "\(line): \(r.err)")
        }
    }

    /// propose_labels: k distinct target images, the same for the same seed, none of those already labelled; a CSV
    /// template (image, empty label) that Python's csv module reads, never written over an existing file; a montage.
    func testProposeLabels_writesTheTemplateAndMontage_andSkipsLabelledImages() throws {
        let dir = try temporaryFolder("smear-propose")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: false) + """
        a = propose_labels(run, bccd, k=6, template="\(dir.path)/to_label.csv", name="cells")
        print("same", a == propose_labels(run, bccd, k=6, name="again"))
        b = propose_labels(run, bccd, k=6, strategy="entropy", labelled=a, name="more")
        overlap = 0
        for x in b { for y in a { if x == y { overlap = overlap + 1 } } }
        print("distinct", len(a), "overlap", overlap)
        propose_labels(run, bccd, k=2, template="\(dir.path)/to_label.csv")
        """
        let r = try run(["-e", code], environment: ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": dir.path]) { $1 })
        XCTAssertTrue(r.out.contains("same true"), r.out + r.err)
        XCTAssertTrue(r.out.contains("distinct 6 overlap 0"), r.out)
        XCTAssertEqual(r.status, 70)
        XCTAssertTrue(r.err.contains("must be a new .csv file"), r.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cells.png").path))
        let rows = try String(contentsOf: dir.appendingPathComponent("to_label.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "image,label")
        XCTAssertEqual(rows.count, 7)
        XCTAssertEqual(Set(rows.dropFirst()).count, 6)
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0.hasSuffix(",") && $0.contains("data/sample/bccd/") }, "\(rows)")
    }

    /// discover, on a run given no labels, takes each class's most probable cell first (the probabilities predict
    /// writes for the same weights, read by hand); on a run given a labelled cell of every class it is margin.
    func testProposeLabels_discoverTakesAnUnlabelledClassesMostProbableCellFirst() throws {
        let dir = try temporaryFolder("smear-discover")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sample = root.appendingPathComponent("data/sample/bccd")
        let oneOfEach = try ["lymphocyte", "neutrophil"].map { c in
            let name = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: sample.appendingPathComponent(c).path).sorted().first)
            return "\(sample.appendingPathComponent(c).appendingPathComponent(name).path),\(c)\n"
        }
        try ("image,label\n" + oneOfEach.joined()).write(to: dir.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
        let code = tinyRun(in: dir, validation: false) + """
        d = propose_labels(run, bccd, k=2, strategy="discover", name="d")
        predict(run, bccd, "\(dir.path)/p.csv", checkpoint="current")
        print("discover", d[0])
        print("discover", d[1])
        run2 = train(pbc, bccd, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, validation=0, source_crop=120,
                     target_crop=300, target_labels="\(dir.path)/labels.csv", out="\(dir.path)/run2")
        print("labelled", propose_labels(run2, bccd, k=6, strategy="discover", name="d2") == propose_labels(run2, bccd, k=6, strategy="margin", name="m2"))
        """
        let r = try run(["-e", code], environment: ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": dir.path]) { $1 })
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("labelled true"), r.out)
        let proposed = r.out.split(separator: "\n").filter { $0.hasPrefix("discover ") }.map { String($0.dropFirst("discover ".count)) }
        let rows = try String(contentsOf: dir.appendingPathComponent("p_probabilities.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }   // image, lymphocyte, neutrophil
        // the CSV rounds to 6 decimals: the proposed cell's probability is the column's largest within that rounding
        func path(_ p: String?) -> String? { p.map { URL(fileURLWithPath: $0).standardizedFileURL.path } }
        func probability(_ cell: String?, _ column: Int) throws -> Double {
            try XCTUnwrap(rows.first { path($0[0]) == path(cell) }.flatMap { Double($0[column]) }, "\(cell ?? "nil") has no probabilities")
        }
        func largest(_ column: Int, besides taken: [String]) -> Double {
            rows.filter { row in !taken.contains { path($0) == path(row[0]) } }.compactMap { Double($0[column]) }.max() ?? -1
        }
        XCTAssertEqual(proposed.count, 2, r.out)
        XCTAssertEqual(try probability(proposed.first, 1), largest(1, besides: []), accuracy: 1e-6, "class 0 (lymphocyte) first takes its most probable cell")
        XCTAssertEqual(try probability(proposed.last, 2), largest(2, besides: Array(proposed.prefix(1))), accuracy: 1e-6,
                       "then class 1 (neutrophil) its own")
    }

    /// The few-labels loop in the language and on the command line: cells proposed, answered by the oracle, taken back
    /// as target_labels; every report of that run scores only the cells not labelled, and they are never proposed again.
    func testTargetLabels_loop_proposeOracleTrainAndScoreTheRest() throws {
        let dir = try temporaryFolder("smear-target-labels")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = tinyRun(in: dir, validation: false) + """
        cells = propose_labels(run, bccd, k=4, template="\(dir.path)/to_label.csv", name="cells")
        oracle_labels("\(dir.path)/to_label.csv", bccd, "\(dir.path)/labels.csv")
        run2 = train(pbc, bccd, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, validation=0,
                     target_labels="\(dir.path)/labels.csv", out="\(dir.path)/run2")
        r = evaluate(run2, bccd)
        print("scored", r.images, "of", bccd.count)
        print(r)
        again = propose_labels(run2, bccd, k=4, name="again")
        overlap = 0
        for x in again { for y in cells { if x == y { overlap = overlap + 1 } } }
        print("overlap", overlap)
        reopened = open_run("\(dir.path)/run2")
        print("reopened", evaluate(reopened, bccd).images)
        print("history", run2.last.labelled_target_cls > 0)
        """
        let env = ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": dir.path]) { $1 }
        let r = try run(["-e", code], environment: env)
        XCTAssertEqual(r.status, 0, r.err)
        let labels = try String(contentsOf: dir.appendingPathComponent("labels.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(labels.count, 5)
        for row in labels.dropFirst() {   // the oracle answers with the folder each image lies in
            let fields = row.split(separator: ",").map(String.init)
            XCTAssertEqual(URL(fileURLWithPath: fields[0]).deletingLastPathComponent().lastPathComponent, fields[1])
        }
        let total = try XCTUnwrap(r.out.range(of: #"scored (\d+) of (\d+)"#, options: .regularExpression).map { String(r.out[$0]) })
        let numbers = total.split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(numbers[0], numbers[1] - 4, r.out)
        XCTAssertTrue(r.out.contains("scored on the \(numbers[0]) cells not labelled; 4 labelled for training left out"), r.out)
        XCTAssertTrue(r.out.contains("overlap 0"), r.out)
        XCTAssertTrue(r.out.contains("reopened \(numbers[0])"), r.out)
        XCTAssertTrue(r.out.contains("history true"), r.out)
        let cli = try run(["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--classes", "lymphocyte,neutrophil",
                           "--epochs", "1", "--iters", "2", "--batch", "8", "--width", "4", "--bottleneck", "16", "--head", "0",
                           "--target-labels", dir.appendingPathComponent("labels.csv").path, "--out", dir.appendingPathComponent("cli").path], environment: env)
        XCTAssertEqual(cli.status, 0, cli.err)
        XCTAssertTrue(cli.out.contains("target labels: 4 labelled cells join training; reports score the other \(numbers[0]) target images"), cli.out)
        let template = dir.appendingPathComponent("to_label.csv").path
        let bad: [([String], Int32, String)] = [
            (["-e", "train(dataset(\"data/sample/pbc_barcelona\"), dataset(\"data/sample/bccd\"), epochs=1, iters=1, batch=8, width=4, target_labels=\"\(template)\", out=\"\(dir.path)/bad\")"],
             70, "to_label.csv:2: no label for"),
            (["-e", "train(dataset(\"data/sample/pbc_barcelona\"), dataset(\"data/sample/bccd\"), epochs=1, iters=1, batch=8, width=4, target_labels=\"\(dir.path)/none.csv\", out=\"\(dir.path)/bad\")"],
             70, "none.csv:0: cannot read the labels file"),
            (["train", "--source", "data/sample/pbc_barcelona", "--target", "data/sample/bccd", "--target-labels", template, "--out", dir.path + "/bad2"],
             70, "to_label.csv:2: no label for"),
            (["-e", "oracle_labels(\"\(template)\", unlabeled(\"data/sample/bccd/basophil\"), \"\(dir.path)/o.csv\")"], 70, "has no labels to answer with"),
            (["-e", "oracle_labels(\"\(template)\", dataset(\"data/sample/pbc_barcelona\"), \"\(dir.path)/o.csv\")"], 70, "is not an image of"),
            (["-e", "oracle_labels(\"\(template)\", dataset(\"data/sample/bccd\"), \"\(dir.path)/labels.csv\")"], 70, "must be a new .csv file"),
        ]
        for (args, status, fragment) in bad {
            let b = try run(args, environment: env)
            XCTAssertEqual(b.status, status, "\(args.joined(separator: " ").prefix(80)): \(b.err.prefix(300))")
            XCTAssertTrue(b.err.contains(fragment), "\(args.joined(separator: " ").prefix(80)): \(b.err.prefix(300))")
        }
    }

    /// A fresh folder under the system's temporary directory.
    private func temporaryFolder(_ prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Script lines that train a tiny run from the bundled PBC sample (lymphocyte, neutrophil) to BCCD's, into `dir`:
    /// `pbc`, `bccd`, `run`, and `parts`: PBC split 70/30 with `validation` (the run validated on `parts[1]`), else `[pbc]`.
    private func tinyRun(in dir: URL, validation: Bool) -> String {
        """
        classes = ["lymphocyte", "neutrophil"]
        pbc = dataset("data/sample/pbc_barcelona", classes=classes, only=classes)
        bccd = dataset("data/sample/bccd", classes=classes, only=classes)
        \(validation ? "parts = split(pbc, 0.7, seed=1)" : "parts = [pbc]")
        run = train(parts[0], bccd, \(validation ? "validation=parts[1], " : "")epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0,
                    source_crop=120, target_crop=300, out="\(dir.path)/run")

        """
    }

    /// Images of `classes` in the bundled sample of `lab`.
    private func sampleImageCount(_ lab: String, _ classes: [String]) throws -> Int {
        try classes.map { c in
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("data/sample/\(lab)/\(c)").path).count
        }.reduce(0, +)
    }
}
