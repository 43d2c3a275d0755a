// Names from datasets and users reach gnuplot as data it never evaluates: no backtick command, no `system()`
// after a newline, no macro, no line continuation runs, when smear draws the plot or when a person re-runs
// the `.gp` file; every plot is still drawn.
import Foundation
import SmearPlot
import XCTest

final class HostileNamesTests: XCTestCase {
    /// One character of each kind gnuplot treats specially, by hand.
    func testQuoted_escapesEverySpecialCharacterAsOctal() {
        XCTAssertEqual(GnuplotText.quoted("neutrophil"), "\"neutrophil\"")
        XCTAssertEqual(GnuplotText.quoted("a`id`b"), "\"a\\140id\\140b\"")
        XCTAssertEqual(GnuplotText.quoted("a\nb"), "\"a\\0012b\"")
        XCTAssertEqual(GnuplotText.quoted("say \"hi\""), "\"say \\0042hi\\0042\"")
        XCTAssertEqual(GnuplotText.quoted("ends in \\"), "\"ends in \\134\"")
        XCTAssertEqual(GnuplotText.quoted("@macro $1"), "\"\\100macro \\00441\"", "a digit after an escape below 0o100 stays a digit")
        XCTAssertEqual(GnuplotText.quoted("tab\there\r"), "\"tab\\0011here\\0015\"")
        XCTAssertEqual(GnuplotText.quoted("Zürich → 5%"), "\"Zürich → 5%\"", "non-ASCII and plain punctuation stay readable")
    }

    /// gnuplot itself reads each literal back as the name, digits after escapes included (the fuzzer's find:
    /// gnuplot takes `\0` and three more digits, so `\0211` was one byte).
    func testQuoted_isReadBackByGnuplotAsTheName() throws {
        let names = ["\u{11}1", "$1", "a\n1", "\"7", "\\7", "`1", "@1", "x\u{1}0y", "Zürich ̈\"", "tab\t9"]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-readback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("print.gp"), output = dir.appendingPathComponent("out.txt")
        try ("set print '-'\n" + names.map { "print \(GnuplotText.quoted($0))\n" }.joined()).write(to: script, atomically: true, encoding: .utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: output.path, contents: nil))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try XCTUnwrap(Gnuplot.executable))
        p.arguments = [script.lastPathComponent]
        p.currentDirectoryURL = dir
        p.standardOutput = try FileHandle(forWritingTo: output); p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), names.map { $0 + "\n" }.joined())
    }

    func testLongText_isShortenedForTheFigure() {
        let long = String(repeating: "x", count: 200_000)
        XCTAssertEqual(GnuplotText.shortened(long).count, GnuplotText.maximumLength)
        XCTAssertTrue(GnuplotText.shortened(long).hasSuffix("…"))
        XCTAssertEqual(GnuplotText.shortened("short"), "short")
        XCTAssertEqual(GnuplotText.comment("a\nb\r\u{0}c"), "a b  c")
    }

    func testColour_onlyHexPasses() {
        XCTAssertEqual(GnuplotText.colour("#2b6cb0"), "#2b6cb0")
        for bad in ["red", "#2b6cb", "#2b6cb0'", "'; system('id')", "#zzzzzz"] { XCTAssertNil(GnuplotText.colour(bad), bad) }
    }

    /// Every plot function, fed names that would run `touch` in a shell; the marker files must never appear,
    /// neither from smear's run of gnuplot nor from re-running the written `.gp` files, and each PNG is drawn.
    func testEveryPlot_withHostileNames_drawsAndExecutesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-hostile-\(UUID().uuidString)")
        let traps = dir.appendingPathComponent("traps"), plots = dir.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: traps, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = Self.hostileNames(trapFolder: traps.path)
        var results: [PlotResult] = []
        for (k, name) in names.enumerated() {
            let other = names[(k + 1) % names.count]
            results.append(try Gnuplot.lines([Series(name, [(1, 0.5), (2, 0.7)]), Series(other, [(1, 1), (2, 2)], rightAxis: true)],
                                             title: name, xlabel: other, ylabel: name, y2label: other, markers: [Marker(x: 1, label: name)],
                                             directory: plots, name: "lines\(k)"))
            results.append(try Gnuplot.heatmap([[0.9, 0.1], [0.2, 0.8]], rowLabels: [name, other], columnLabels: [other, name], title: name,
                                               directory: plots, name: "heatmap\(k)"))
            results.append(try Gnuplot.bars([3, 4], labels: [name, other], title: name, ylabel: other, directory: plots, name: "bars\(k)"))
            results.append(try Gnuplot.picture([UInt8](repeating: 128, count: 4 * 2 * 3), width: 4, height: 2, title: name,
                                               columnHeadings: [(x: 1, text: name)], rowHeadings: [(y: 0, text: other)],
                                               captions: [(x: 2, y: 1, text: name)], directory: plots, name: "picture\(k)"))
            results.append(try Gnuplot.scatter([(title: name, points: [(0, 1)], colour: "#2b6cb0", pointType: 7)], title: other,
                                               xlabel: name, ylabel: other, directory: plots, name: "scatter\(k)"))
            results.append(try Gnuplot.groupedBars(groups: [name, other], series: [(title: other, means: [0.5, 0.6], stds: [0.1, nil])],
                                                   title: name, ylabel: other, directory: plots, name: "grouped\(k)"))
        }
        for r in results { XCTAssertNotNil(r.png, "\(r.scriptFile.lastPathComponent): \(r.problem ?? "")") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: traps.path), [], "a name ran a command")

        for r in results {
            let script = try String(contentsOf: r.scriptFile, encoding: .utf8)
            XCTAssertFalse(script.contains("`"), "\(r.scriptFile.lastPathComponent) holds a backtick")
            XCTAssertFalse(script.contains("@"), "\(r.scriptFile.lastPathComponent) holds a macro sign")
            let outsideStrings = script.replacingOccurrences(of: #""(?:[^"\\]|\\.)*""#, with: "S", options: .regularExpression)
            XCTAssertFalse(outsideStrings.contains("touch"), "\(r.scriptFile.lastPathComponent): a name is outside a string literal")
            let rerun = try Self.gnuplot(script: r.scriptFile)
            XCTAssertEqual(rerun, 0, "re-running \(r.scriptFile.lastPathComponent)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: traps.path), [], "re-running a .gp file ran a command")
    }

    /// The names the reliability review used, each aimed at creating a file in `trapFolder`.
    static func hostileNames(trapFolder: String) -> [String] {
        [
            "x`touch \(trapFolder)/backtick`",
            "lymphocyte\nsystem('touch \(trapFolder)/newline')",
            "x\"; system(\"touch \(trapFolder)/quote\"); y=\"",
            "x'; system('touch \(trapFolder)/single'); y='",
            "@shell_macro `touch \(trapFolder)/macro`",
            "$(touch \(trapFolder)/dollar)",
            String(repeating: "long-", count: 100) + "\\",
            "a\\\nsystem('touch \(trapFolder)/continued')",
            String(repeating: "n", count: 200_000) + "`touch \(trapFolder)/huge`",
        ]
    }

    static func gnuplot(script: URL) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try XCTUnwrap(Gnuplot.executable, "gnuplot-nox is installed by scripts/setup"))
        p.arguments = [script.lastPathComponent]
        p.currentDirectoryURL = script.deletingLastPathComponent()
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice; p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
