// A dataset from someone else's archive: class folders and a dataset name built to run shell commands through
// gnuplot. Every plot builtin draws its picture, and no command runs (no file appears outside the plot folder).
import Foundation
import XCTest

final class HostilePlotNamesTests: SmearExecutableTestCase {
    func testEveryPlotBuiltin_withHostileClassAndDatasetNames_drawsAndRunsNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-hostile-cli-\(UUID().uuidString)")
        let traps = dir.appendingPathComponent("traps"), plots = dir.appendingPathComponent("plots")
        let lab = dir.appendingPathComponent("lab")
        try FileManager.default.createDirectory(at: traps, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // gnuplot runs in the plot folder and smear in the repository: a command that ran leaves "<x>-ran" in either.
        let classFolders = ["lymph`touch backtick-ran`", "neutro\nsystem('touch newline-ran')"]
        try makeLab(at: lab, classFolders: classFolders)
        let datasetName = "x`touch \(traps.path)/dataset-ran` \\"
        let code = """
        d = dataset("\(lab.path)", name="\(datasetName.replacingOccurrences(of: "\\", with: "\\\\"))")
        plot_counts(d)
        plot_samples([d], per_class=2, size=32)
        run = train(d, d, epochs=1, iters=2, batch=8, width=4, bottleneck=16, head=0, out="\(dir.path)/run")
        r = evaluate(run, d)
        plot_confusion(r)
        plot_errors(r, n=4, size=32)
        plot_features(run, d, d, n=10)
        plot(run, "loss")
        plot(run, "f1")
        plot(run, "criteria")
        """
        let r = try run(["-e", code], environment: ProcessInfo.processInfo.environment.merging(["SMEAR_PLOTS": plots.path]) { $1 })
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.out.contains("gnuplot failed"), r.out)
        let pngs = try FileManager.default.contentsOfDirectory(atPath: plots.path).filter { $0.hasSuffix(".png") }
        XCTAssertEqual(pngs.count, 8, "one PNG per plot call: \(pngs.sorted())")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: traps.path), [], "a name ran a command")
        let everything = (FileManager.default.subpaths(atPath: dir.path) ?? []) + (try FileManager.default.contentsOfDirectory(atPath: root.path))
        XCTAssertEqual(everything.filter { $0.hasSuffix("-ran") }, [], "a name ran a command")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["traps", "plots", "lab", "run"],
                       "nothing appeared outside the plot and run folders")
    }
}
