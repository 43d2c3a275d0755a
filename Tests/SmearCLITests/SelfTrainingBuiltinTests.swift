// pseudo_labels(): a run's most confident cells of each class, from its 8-orientation probabilities on the target
// cells nobody labelled, written as a CSV that train's pseudo_labels takes back; those cells stay scored.
import Foundation
import XCTest

final class SelfTrainingBuiltinTests: SmearExecutableTestCase {
    func testPseudoLabels_areTheClassBalancedTopOfTheRunsProbabilities_andTrainWithoutLeavingTheScores() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-pseudo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = """
        classes = ["lymphocyte", "neutrophil"]
        pbc = dataset("data/sample/pbc_barcelona", classes=classes, only=classes)
        bccd = dataset("data/sample/bccd", classes=classes, only=classes)
        run = train(pbc, bccd, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, validation=0, out="\(dir.path)/run")
        predict(run, bccd, "\(dir.path)/predictions.csv", tta=true)
        pseudo_labels(run, bccd, "\(dir.path)/pseudo.csv", portion=0.5)
        run2 = train(pbc, bccd, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, validation=0,
                     pseudo_labels="\(dir.path)/pseudo.csv", out="\(dir.path)/run2")
        print("scored", evaluate(run2, bccd).images, "of", bccd.count)
        print("history", run2.last.labelled_target_cls > 0)
        """
        let r = try run(["-e", code], environment: ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": dir.path]) { $1 })
        XCTAssertEqual(r.status, 0, r.err)
        // by hand from predict's probabilities: each class's cells ranked by their probability of it, the top half rounded up
        let rows = try String(contentsOf: dir.appendingPathComponent("predictions_probabilities.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        var expected: [String] = []
        for (c, name) in ["lymphocyte", "neutrophil"].enumerated() {
            let mine = rows.filter { Double($0[1 + c])! >= Double($0[2 - c])! && (c == 0 || Double($0[2])! > Double($0[1])!) }
            let ranked = mine.sorted { Double($0[1 + c])! > Double($1[1 + c])! }
            expected += ranked.prefix((mine.count + 1) / 2).map { "\($0[0]),\(name)" }
        }
        let written = try String(contentsOf: dir.appendingPathComponent("pseudo.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(written.first, "image,label")
        XCTAssertEqual(Set(written.dropFirst()), Set(expected), "the class-balanced top half of each class's predictions")
        XCTAssertGreaterThan(expected.count, 0)
        let total = try XCTUnwrap(r.out.range(of: #"scored (\d+) of (\d+)"#, options: .regularExpression).map { String(r.out[$0]) })
        let numbers = total.split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(numbers[0], numbers[1], "pseudo-labelled cells stay scored: \(r.out)")
        XCTAssertTrue(r.out.contains("history true"), r.out)
        let again = try run(["-e", code.replacingOccurrences(of: "run\")", with: "run_b\")")], environment: nil)
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.err.contains("must be a new .csv file"), again.err)
    }
}
