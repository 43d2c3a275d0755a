// Plots through gnuplot (gnuplot-nox), fed a script on standard input. Every plot writes its data
// (.dat) and script (.gp) beside the PNG, so it can be re-made or edited; without gnuplot those are
// still written and the caller is told so.
import Foundation

/// One named series of (x, y) points.
public struct Series: Sendable {
    public var title: String
    public var points: [(Double, Double)]
    /// Drawn against the right-hand y axis (for a quantity of another scale).
    public var rightAxis: Bool
    /// Points marked (per-epoch values) or a plain line (dense per-step curves).
    public var withPoints: Bool
    public init(_ title: String, _ points: [(Double, Double)], rightAxis: Bool = false, withPoints: Bool = true) {
        self.title = title; self.points = points; self.rightAxis = rightAxis; self.withPoints = withPoints
    }
}

/// A dashed vertical line with a label at x (the epoch a criterion chose, say).
public struct Marker: Sendable {
    public var x: Double, label: String
    public init(x: Double, label: String) { self.x = x; self.label = label }
}

public enum PlotName {
    /// A plot name is a file name stem: letters, digits, '.', '-' and '_', not starting with '.'.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.count <= 200
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
    }

    /// `stem`, or `stem-2`, `stem-3`… : the first whose PNG and data do not exist yet in `directory`.
    public static func unused(_ stem: String, in directory: URL) -> String {
        func taken(_ n: String) -> Bool {
            [".png", ".dat", ".gp"].contains { FileManager.default.fileExists(atPath: directory.appendingPathComponent(n + $0).path) }
        }
        guard taken(stem) else { return stem }
        var k = 2
        while taken("\(stem)-\(k)") { k += 1 }
        return "\(stem)-\(k)"
    }
}

public struct PlotResult: Sendable {
    /// The PNG written, or nil when gnuplot is missing or failed.
    public var png: URL?
    public var dataFile: URL, scriptFile: URL
    /// gnuplot's `dumb` terminal rendering, when asked for.
    public var ascii: String?
    /// Why there is no PNG, if there is none.
    public var problem: String?
}

public enum Gnuplot {
    /// The gnuplot executable, or nil when it is not installed.
    public static var executable: String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        return paths.map { $0 + "/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes `<directory>/<name>.dat`, `.gp` and (with gnuplot) `.png`; with `ascii`, also renders for
    /// the terminal. Series go into one data file as blocks separated by two blank lines (gnuplot's `index`).
    public static func lines(_ series: [Series], title: String, xlabel: String, ylabel: String, y2label: String? = nil,
                             markers: [Marker] = [], integerX: Bool = false, yRange: ClosedRange<Double>? = nil, directory: URL, name: String,
                             ascii: Bool = false) throws -> PlotResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dat = directory.appendingPathComponent(name + ".dat"), gp = directory.appendingPathComponent(name + ".gp")
        let png = directory.appendingPathComponent(name + ".png")
        var data = ""
        for s in series {
            data += "# \(GnuplotText.comment(s.title))\n" + s.points.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n\n\n"
        }
        try data.write(to: dat, atomically: true, encoding: .utf8)
        let plots = series.enumerated().map {
            "'\(dat.lastPathComponent)' index \($0.offset) axes x1y\($0.element.rightAxis ? 2 : 1) with \($0.element.withPoints ? "linespoints" : "lines") title \(GnuplotText.quoted($0.element.title))"
                + ($0.element.rightAxis ? " dt 2" : "")
        }
        var setup = ["set title \(GnuplotText.quoted(title))", "set xlabel \(GnuplotText.quoted(xlabel))", "set ylabel \(GnuplotText.quoted(ylabel))",
                     "set key below", "set grid"]
        if series.contains(where: \.rightAxis) {
            setup += ["set y2label \(GnuplotText.quoted(y2label ?? ""))", "set y2tics", "set ytics nomirror"]
        }
        if integerX { setup += ["set xtics 1", "set format x '%.0f'"] }
        if let yRange { setup.append("set yrange [\(yRange.lowerBound):\(yRange.upperBound)]") }
        let lastX = series.flatMap { $0.points.map(\.0) }.max() ?? 0
        for (k, m) in markers.enumerated() {
            let side = m.x >= lastX ? "right offset -0.5,0" : "left offset 0.5,0"   // labels stay inside the frame
            setup.append("set arrow from \(m.x), graph 0 to \(m.x), graph 1 nohead dt 3 lc rgb '#888888'")
            setup.append("set label \(GnuplotText.quoted(m.label)) at \(m.x), graph \(String(format: "%.2f", 0.97 - 0.05 * Double(k % 6))) \(side) font ',9'")
        }
        let body = setup.joined(separator: "\n") + "\nplot " + plots.joined(separator: ", \\\n     ")
        return try render(body: body, dat: dat, gp: gp, png: png, ascii: ascii, size: "900,500")
    }

    /// A heatmap of a matrix (rows top to bottom), with its values printed in the cells.
    public static func heatmap(_ matrix: [[Double]], rowLabels: [String], columnLabels: [String], title: String, directory: URL,
                               name: String, ascii: Bool = false) throws -> PlotResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dat = directory.appendingPathComponent(name + ".dat"), gp = directory.appendingPathComponent(name + ".gp")
        let png = directory.appendingPathComponent(name + ".png")
        var data = ""
        for (r, row) in matrix.enumerated() { for (c, v) in row.enumerated() { data += "\(c) \(r) \(v)\n" }; data += "\n" }
        try data.write(to: dat, atomically: true, encoding: .utf8)
        let n = matrix.count
        let xt = columnLabels.enumerated().map { "\(GnuplotText.quoted($0.element)) \($0.offset)" }.joined(separator: ", ")
        let yt = rowLabels.enumerated().map { "\(GnuplotText.quoted($0.element)) \($0.offset)" }.joined(separator: ", ")
        let body = """
        set title \(GnuplotText.quoted(title))
        set xlabel "predicted"
        set ylabel "true"
        set xtics (\(xt)) rotate by 30 right
        set ytics (\(yt))
        set yrange [\(Double(n) - 0.5):-0.5]
        set xrange [-0.5:\(Double(matrix.first?.count ?? 0) - 0.5)]
        set cbrange [0:*]
        set palette defined (0 "white", 1 "#2b6cb0")
        plot '\(dat.lastPathComponent)' using 1:2:3 with image notitle, \\
             '' using 1:2:(sprintf("%.2f", $3)) with labels notitle
        """
        return try render(body: body, dat: dat, gp: gp, png: png, ascii: ascii, size: "800,700")
    }

    /// Vertical bars, one per label.
    public static func bars(_ values: [Double], labels: [String], title: String, ylabel: String, directory: URL, name: String,
                            ascii: Bool = false) throws -> PlotResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dat = directory.appendingPathComponent(name + ".dat"), gp = directory.appendingPathComponent(name + ".gp")
        let png = directory.appendingPathComponent(name + ".png")
        try values.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: "\n")
            .appending("\n").write(to: dat, atomically: true, encoding: .utf8)
        let ticks = labels.enumerated().map { "\(GnuplotText.quoted($0.element)) \($0.offset)" }.joined(separator: ", ")
        let body = """
        set title \(GnuplotText.quoted(title))
        set ylabel \(GnuplotText.quoted(ylabel))
        set style fill solid 0.7
        set boxwidth 0.7
        set yrange [0:*]
        set xtics (\(ticks)) rotate by 30 right
        plot '\(dat.lastPathComponent)' using 1:2 with boxes notitle, '' using 1:2:(sprintf("%d", $2)) with labels offset 0,0.7 notitle
        """
        return try render(body: body, dat: dat, gp: gp, png: png, ascii: ascii, size: "800,500")
    }

    static func render(body: String, dat: URL, gp: URL, png: URL, ascii: Bool, size: String) throws -> PlotResult {
        let script = "set terminal pngcairo size \(size) noenhanced\nset output '\(png.lastPathComponent)'\n" + body + "\n"
        try script.write(to: gp, atomically: true, encoding: .utf8)
        var result = PlotResult(png: nil, dataFile: dat, scriptFile: gp, ascii: nil, problem: nil)
        guard let exe = executable else {
            result.problem = "gnuplot is not installed (apt-get install gnuplot-nox); wrote \(dat.path) and \(gp.path) — run `gnuplot \(gp.lastPathComponent)` there later"
            return result
        }
        let (status, _, err) = try runGnuplot(exe, script: script, directory: dat.deletingLastPathComponent())
        if status == 0 && FileManager.default.fileExists(atPath: png.path) { result.png = png }
        else { result.problem = "gnuplot failed (status \(status)): \(err.trimmingCharacters(in: .whitespacesAndNewlines))" }
        if ascii {
            let dumb = "set terminal dumb size 100,28 noenhanced\nset output\n" + body.replacingOccurrences(of: "with image", with: "with points") + "\n"
            let (s2, out, _) = try runGnuplot(exe, script: dumb, directory: dat.deletingLastPathComponent())
            if s2 == 0 { result.ascii = out }
        }
        return result
    }

    /// Runs gnuplot on `script` in `directory`. Its standard input, output and error are files, not pipes, so a
    /// large output on one stream can never block it while smear waits on the other.
    static func runGnuplot(_ exe: String, script: String, directory: URL) throws -> (Int32, String, String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("smear-gnuplot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("in.gp"), output = scratch.appendingPathComponent("out"), error = scratch.appendingPathComponent("err")
        try Data(script.utf8).write(to: input)
        FileManager.default.createFile(atPath: output.path, contents: nil)
        FileManager.default.createFile(atPath: error.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.currentDirectoryURL = directory
        p.standardInput = try FileHandle(forReadingFrom: input)
        p.standardOutput = try FileHandle(forWritingTo: output)
        p.standardError = try FileHandle(forWritingTo: error)
        try p.run()
        p.waitUntilExit()
        let out = (try? Data(contentsOf: output)) ?? Data(), err = (try? Data(contentsOf: error)) ?? Data()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
