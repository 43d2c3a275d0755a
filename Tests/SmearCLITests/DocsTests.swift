// The docs stay true to the tree: every `.md` a file cites exists in the repository, and the architecture page's
// module table equals the modules' `import` lines.
import Foundation
import XCTest

final class DocsTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Tracked text files that cite docs: the README, docs/, sources, tests, plugins, scripts and experiments (not
    /// generated protobuf code, which cites its schema's own project).
    func citingFiles() throws -> [URL] {
        let fm = FileManager.default
        var out = [root.appendingPathComponent("README.md"), root.appendingPathComponent("BENCHMARKS.md")]
        for top in ["docs", "Sources", "Tests", "plugins", "scripts", "experiments"] {
            guard let e = fm.enumerator(at: root.appendingPathComponent(top), includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in e where ["md", "swift", "smear", "py", ""].contains(url.pathExtension)
                && !url.path.contains("/Fixtures/") && !url.path.contains("/.build/") && !url.lastPathComponent.hasSuffix(".pb.swift") {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { out.append(url) }
            }
        }
        return out
    }

    func testEveryCitedMarkdownFile_existsInTheRepository() throws {
        let pattern = try NSRegularExpression(pattern: #"(?<![A-Za-z0-9_./$-])((?:\.\./)*[A-Za-z0-9_][A-Za-z0-9_./-]*\.md)\b"#)
        var dangling: [String] = []
        for file in try citingFiles() {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let reference = String(text[Range(m.range(at: 1), in: text)!])
                let candidates = [file.deletingLastPathComponent().appendingPathComponent(reference), root.appendingPathComponent(reference),
                                  root.appendingPathComponent("docs").appendingPathComponent(reference)].map(\.standardizedFileURL)
                let inside = candidates.filter { $0.path.hasPrefix(root.standardizedFileURL.path + "/") }
                if !inside.contains(where: { FileManager.default.fileExists(atPath: $0.path) }) {
                    dangling.append("\(file.path.dropFirst(root.path.count + 1)): \(reference)")
                }
            }
        }
        XCTAssertEqual(dangling, [], "references to files a clone does not have")
    }

    func testArchitecturePage_moduleTableEqualsTheImports() throws {
        let page = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var table: [String: Set<String>] = [:]
        for line in page.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| module") && !line.hasPrefix("|---") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, !cells[0].contains(" ") else { continue }
            table[cells[0]] = cells[1] == "—" ? [] : Set(cells[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        let folders = ["SmearTensor", "SmearNN", "SmearData", "SmearMetrics", "SmearAdapt", "SmearTrain"].map { ($0, "Sources/SmearCore/\($0)") }
            + [("SmearLang", "Sources/SmearLang"), ("SmearPlot", "Sources/SmearPlot"), ("SmearExport", "Sources/SmearExport"), ("smear", "Sources/smear")]
        XCTAssertEqual(Set(table.keys), Set(folders.map(\.0)), "the table lists every module")
        for (module, folder) in folders {
            var imports = Set<String>()
            let e = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = e?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where line.hasPrefix("import ") {
                    imports.insert(String(line.dropFirst("import ".count).split(separator: " ").first ?? ""))
                }
            }
            imports.subtract(["Foundation", "FoundationEssentials", "Glibc", "Dispatch"])
            XCTAssertEqual(imports, table[module], module)
        }
    }

    /// Records, docs and scripts carry no path of the machine they were made on (a home, root or work folder):
    /// dataset paths in records are relative to the data folder.
    func testNoTrackedFileHoldsAMachinesAbsolutePath() throws {
        let pattern = try NSRegularExpression(pattern: #"(^|[^A-Za-z0-9_.])(\\?/)(home|Users|root|work)\\?/"#)
        var found: [String] = []
        for top in ["README.md", "BENCHMARKS.md", "docs", "Sources", "Tests", "plugins", "scripts", "experiments", "results", "data/sample"] {
            let url = root.appendingPathComponent(top)
            var files = [url]
            if let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) { files = e.compactMap { $0 as? URL } }
            for file in files where ["md", "swift", "smear", "py", "json", "csv", "txt", ""].contains(file.pathExtension) && !file.path.contains("/Fixtures/") {
                guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
                if pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
                    found.append(String(file.path.dropFirst(root.path.count + 1)))
                }
            }
        }
        XCTAssertEqual(found, [], "files with an absolute path of a machine")
    }
}
