// Pictures through gnuplot: an RGB montage (cells of several labs and classes, misclassified cells) and a
// scatter of 2-D points in groups (a feature map coloured by domain, marked by class).
import Foundation

extension Gnuplot {
    /// An RGB picture (packed bytes, rows top to bottom) with text: column headings above, row headings on
    /// the left, and captions under given pixel positions. Written as `<name>.rgb` (raw bytes) + `.gp`.
    public static func picture(_ rgb: [UInt8], width: Int, height: Int, title: String, columnHeadings: [(x: Double, text: String)] = [],
                               rowHeadings: [(y: Double, text: String)] = [], captions: [(x: Double, y: Double, text: String)] = [],
                               directory: URL, name: String) throws -> PlotResult {
        precondition(rgb.count == width * height * 3, "picture: \(rgb.count) bytes for \(width)x\(height)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dat = directory.appendingPathComponent(name + ".rgb"), gp = directory.appendingPathComponent(name + ".gp")
        let png = directory.appendingPathComponent(name + ".png")
        try Data(rgb).write(to: dat)
        var lines = ["set title \(GnuplotText.quoted(title))", "unset key", "unset border", "set size ratio -1",
                     "set xrange [-0.5:\(Double(width) - 0.5)]", "set yrange [\(Double(height) - 0.5):-0.5]", "set lmargin 14"]
        lines.append(columnHeadings.isEmpty ? "unset xtics"
                     : "set x2tics (" + columnHeadings.map { "\(GnuplotText.quoted($0.text)) \($0.x)" }.joined(separator: ", ") + ") scale 0\nunset xtics\nset x2range [-0.5:\(Double(width) - 0.5)]")
        lines.append(rowHeadings.isEmpty ? "unset ytics" : "set ytics (" + rowHeadings.map { "\(GnuplotText.quoted($0.text)) \($0.y)" }.joined(separator: ", ") + ") scale 0")
        for c in captions { lines.append("set label \(GnuplotText.quoted(c.text)) at \(c.x), \(c.y) center front font ',8' tc rgb 'black'") }
        lines.append("plot '\(dat.lastPathComponent)' binary array=(\(width),\(height)) format='%uchar%uchar%uchar' with rgbimage")
        let size = "\(min(1600, max(500, width * 2 + 150))),\(min(1600, max(300, height * 2 + 120)))"
        return try render(body: lines.joined(separator: "\n"), dat: dat, gp: gp, png: png, ascii: false, size: size)
    }

    /// Groups of 2-D points, each with its title, colour (#rrggbb) and point type (gnuplot's pt numbers).
    public static func scatter(_ groups: [(title: String, points: [(Double, Double)], colour: String, pointType: Int)], title: String,
                               xlabel: String, ylabel: String, directory: URL, name: String, ascii: Bool = false) throws -> PlotResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dat = directory.appendingPathComponent(name + ".dat"), gp = directory.appendingPathComponent(name + ".gp")
        let png = directory.appendingPathComponent(name + ".png")
        let colours = groups.compactMap { GnuplotText.colour($0.colour) }
        guard colours.count == groups.count else {
            throw PlotError.badColour(groups.map(\.colour).first { GnuplotText.colour($0) == nil } ?? "")
        }
        try groups.map { g in "# \(GnuplotText.comment(g.title))\n" + g.points.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n\n\n" }.joined()
            .write(to: dat, atomically: true, encoding: .utf8)
        let plots = groups.enumerated().map { k, g in
            "'\(dat.lastPathComponent)' index \(k) with points pt \(g.pointType) ps 0.8 lc rgb '\(colours[k])' title \(GnuplotText.quoted(g.title))"
        }
        let body = ["set title \(GnuplotText.quoted(title))", "set xlabel \(GnuplotText.quoted(xlabel))", "set ylabel \(GnuplotText.quoted(ylabel))",
                    "set key outside right", "set grid"].joined(separator: "\n") + "\nplot " + plots.joined(separator: ", \\\n     ")
        return try render(body: body, dat: dat, gp: gp, png: png, ascii: ascii, size: "1000,650")
    }
}

extension Gnuplot {
    /// Clustered bars with error bars: one cluster per group (a target lab), one bar per series (a method),
    /// each value a mean with its standard deviation (nil: no bar).
    public static func groupedBars(groups: [String], series: [(title: String, means: [Double?], stds: [Double?])], title: String,
                                   ylabel: String, directory: URL, name: String) throws -> PlotResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dat = directory.appendingPathComponent(name + ".dat"), gp = directory.appendingPathComponent(name + ".gp")
        let png = directory.appendingPathComponent(name + ".png")
        var lines = ["# group " + series.map { GnuplotText.comment($0.title) + " (mean, sd)" }.joined(separator: ", ")]
        for g in groups.indices {
            lines.append("\(g) " + series.map { s in
                "\(s.means[g].map { String($0) } ?? "-") \(s.stds[g].map { String($0) } ?? "0")"
            }.joined(separator: " "))
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dat, atomically: true, encoding: .utf8)
        let plots = series.enumerated().map { k, s in
            (k == 0 ? "'\(dat.lastPathComponent)'" : "''") + " using \(2 + 2 * k):\(3 + 2 * k)" + " title \(GnuplotText.quoted(s.title))"
        }
        let body = ["set title \(GnuplotText.quoted(title))", "set ylabel \(GnuplotText.quoted(ylabel))", "set yrange [0:1]", "set grid ytics",
                    "set style data histograms", "set style histogram errorbars gap 1 lw 1", "set style fill solid 0.6 border -1",
                    "set datafile missing '-'", "set key below",
                    "set xtics (" + groups.enumerated().map { "\(GnuplotText.quoted($0.element)) \($0.offset)" }.joined(separator: ", ") + ")"].joined(separator: "\n") + "\nplot " + plots.joined(separator: ", \\\n     ")
        return try render(body: body, dat: dat, gp: gp, png: png, ascii: false, size: "1000,560")
    }
}

public enum PlotError: Error, CustomStringConvertible {
    case badColour(String)
    public var description: String {
        switch self { case .badColour(let c): "a plot colour must be #rrggbb, not \(GnuplotText.quoted(c))" }
    }
}
