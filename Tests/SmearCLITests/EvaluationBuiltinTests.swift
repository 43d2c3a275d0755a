// evaluate() and predict() see a dataset through the right lab's pipeline: the source's crop and
// normalisation for the run's own source images (training or validation split), the target's otherwise.
import Foundation
import XCTest

final class EvaluationBuiltinTests: SmearExecutableTestCase {
    /// The validation split is PBC: evaluated like the source (the same logits as lab="source"), not through
    /// the target's 300 px crop (lab="target" gives other logits); a lab that is neither is an error.
    func testEvaluate_validationSplit_usesTheSourcePipeline() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-evaluate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = """
        classes = ["lymphocyte", "neutrophil"]
        pbc = dataset("data/sample/pbc_barcelona", classes=classes, only=classes)
        parts = split(pbc, 0.7, seed=1)
        bccd = dataset("data/sample/bccd", classes=classes, only=classes)
        run = train(parts[0], bccd, validation=parts[1], epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0,
                    source_crop=120, target_crop=300, out="\(dir.path)/run")
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
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-training-bn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = """
        classes = ["lymphocyte", "neutrophil"]
        pbc = dataset("data/sample/pbc_barcelona", classes=classes, only=classes)
        bccd = dataset("data/sample/bccd", classes=classes, only=classes)
        run = train(pbc, bccd, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, source_crop=120,
                    target_crop=300, out="\(dir.path)/run")
        plain = entropy(evaluate(run, bccd))
        print("differs", plain != entropy(evaluate(run, bccd, training_bn=true)))
        print("restored", plain == entropy(evaluate(run, bccd)))
        evaluate(run, bccd, adabn=true, training_bn=true)
        """
        let r = try run(["-e", code])
        XCTAssertTrue(r.out.contains("differs true"), r.out + r.err)
        XCTAssertTrue(r.out.contains("restored true"), r.out)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("adabn=true and training_bn=true each set the batch-norm statistics; choose one"), r.err)
    }
}
