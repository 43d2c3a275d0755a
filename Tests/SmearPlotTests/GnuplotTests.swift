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
        XCTAssertTrue(try String(contentsOf: r.scriptFile, encoding: .utf8).contains("index 1 with linespoints title \"transfer\""))
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
}
