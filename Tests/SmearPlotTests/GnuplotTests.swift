// Plots: the data and script are always written; with gnuplot a real PNG (checked by its signature).
import Foundation
import SmearPlot
import XCTest

final class GnuplotTests: XCTestCase {
    func testLinePlot_writesDataScriptAndPNG_andAnASCIIRendering() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-plot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Gnuplot.lines([Series("classification", [(1, 1.6), (2, 1.2), (3, 0.9)]), Series("transfer", [(1, 6.4), (2, 5.0), (3, 4.1)])],
                                  title: "losses", xlabel: "epoch", ylabel: "loss", directory: dir, name: "loss", ascii: true)
        let data = try String(contentsOf: r.dataFile, encoding: .utf8)
        XCTAssertTrue(data.contains("# classification\n1.0 1.6\n"))
        XCTAssertTrue(try String(contentsOf: r.scriptFile, encoding: .utf8).contains("index 1 axes x1y1 with linespoints title \"transfer\""))
        XCTAssertNotNil(Gnuplot.executable, "gnuplot-nox is installed by scripts/setup")
        let png = try Data(contentsOf: try XCTUnwrap(r.png, r.problem ?? ""))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG file")
        XCTAssertTrue(r.ascii?.contains("losses") ?? false)
    }

    func testHeatmapAndBars_renderPNGs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-plot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let h = try Gnuplot.heatmap([[0.9, 0.1], [0.3, 0.7]], rowLabels: ["a", "b"], columnLabels: ["a", "b"], title: "confusion",
                                    directory: dir, name: "cm")
        XCTAssertNotNil(h.png, h.problem ?? "")
        let b = try Gnuplot.bars([3, 20], labels: ["basophil", "eosinophil"], title: "counts", ylabel: "images", directory: dir, name: "counts")
        XCTAssertNotNil(b.png, b.problem ?? "")
    }

    /// Two scales on two axes, integer epoch ticks, a marker per chosen epoch, F1 on [0, 1].
    func testLinePlot_rightAxisMarkersAndIntegerTicks_areInTheScript() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-plot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Gnuplot.lines([Series("classification", [(1, 1.6), (2, 1.2)]), Series("transfer", [(1, 6.4), (2, 5.0)], rightAxis: true)],
                                  title: "t", xlabel: "epoch", ylabel: "classification loss", y2label: "transfer loss",
                                  markers: [Marker(x: 1, label: "SND"), Marker(x: 2, label: "IM")], integerX: true, yRange: 0...1,
                                  directory: dir, name: "two")
        let script = try String(contentsOf: r.scriptFile, encoding: .utf8)
        for fragment in ["index 1 axes x1y2 with linespoints title \"transfer\" dt 2", "set y2tics", "set y2label \"transfer loss\"",
                         "set xtics 1", "set yrange [0.0:1.0]", "set arrow from 1.0, graph 0 to 1.0, graph 1 nohead",
                         "set label \"SND\" at 1.0, graph 0.97 left", "set label \"IM\" at 2.0, graph 0.92 right", "set key below"] {
            XCTAssertTrue(script.contains(fragment), "missing \(fragment) in\n\(script)")
        }
        XCTAssertNotNil(r.png, r.problem ?? "")
    }

    /// Plot names are file names (no folders, no hidden files); a default name never replaces an older plot.
    func testPlotNames_validatedAndNeverReused() throws {
        for good in ["mdd-f1", "run_3.loss", "Zürich"] { XCTAssertTrue(PlotName.isValid(good), good) }
        for bad in ["../x", "a/b", ".hidden", "", "a b"] { XCTAssertFalse(PlotName.isValid(bad), bad) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(PlotName.unused("mdd-f1", in: dir), "mdd-f1")
        try Data().write(to: dir.appendingPathComponent("mdd-f1.png"))
        try Data().write(to: dir.appendingPathComponent("mdd-f1-2.dat"))
        XCTAssertEqual(PlotName.unused("mdd-f1", in: dir), "mdd-f1-3")
    }

    /// A montage is raw RGB bytes plus a script that draws them with rgbimage and the headings; a scatter has
    /// one data block per group with its colour and point type.
    func testPictureAndScatter_writeTheirDataAndScripts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-plot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rgb = (0..<(4 * 3 * 3)).map { UInt8($0 * 7 % 256) }
        let p = try Gnuplot.picture(rgb, width: 4, height: 3, title: "cells", columnHeadings: [(x: 1.5, text: "pbc")],
                                    rowHeadings: [(y: 1, text: "neutrophil")], captions: [(x: 2, y: 2, text: "neut→lymp")],
                                    directory: dir, name: "montage")
        XCTAssertEqual(try Data(contentsOf: p.dataFile), Data(rgb))
        let script = try String(contentsOf: p.scriptFile, encoding: .utf8)
        for fragment in ["binary array=(4,3) format='%uchar%uchar%uchar' with rgbimage", "set x2tics (\"pbc\" 1.5)",
                         "set ytics (\"neutrophil\" 1.0)", "set label \"neut→lymp\" at 2.0, 2.0"] {
            XCTAssertTrue(script.contains(fragment), "missing \(fragment) in\n\(script)")
        }
        XCTAssertNotNil(p.png, p.problem ?? "")
        let s = try Gnuplot.scatter([(title: "pbc: lymphocyte", points: [(0, 1), (1, 0)], colour: "#2b6cb0", pointType: 7),
                                     (title: "bccd: lymphocyte", points: [(2, 2)], colour: "#dd6b20", pointType: 7)],
                                    title: "features", xlabel: "pc 1", ylabel: "pc 2", directory: dir, name: "map")
        XCTAssertEqual(try String(contentsOf: s.dataFile, encoding: .utf8), "# pbc: lymphocyte\n0.0 1.0\n1.0 0.0\n\n\n# bccd: lymphocyte\n2.0 2.0\n\n\n")
        XCTAssertTrue(try String(contentsOf: s.scriptFile, encoding: .utf8).contains("index 1 with points pt 7 ps 0.8 lc rgb '#dd6b20' title \"bccd: lymphocyte\""))
        XCTAssertNotNil(s.png, s.problem ?? "")
    }
}
