// Golden scripts (clox style): each Scripts/*.smear runs in a fresh interpreter; its printed lines must
// equal the `# expect: ...` comments in order, and `# expect error: ...` names a fragment of the error.
import Foundation
import SmearLang
import XCTest

final class GoldenScriptTests: XCTestCase {
    let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    func testGoldenScripts() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: scripts.path).filter { $0.hasSuffix(".smear") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 7)
        for file in files {
            let text = try String(contentsOf: scripts.appendingPathComponent(file), encoding: .utf8)
            var expected: [String] = [], expectedError: String? = nil
            for line in text.split(separator: "\n") {
                if let r = line.range(of: "# expect: ") { expected.append(String(line[r.upperBound...])) }
                if let r = line.range(of: "# expect error: ") { expectedError = String(line[r.upperBound...]) }
            }
            let interpreter = Interpreter()
            var printed: [String] = []
            interpreter.output = { printed.append($0) }
            do {
                try interpreter.run(text, name: file)
                XCTAssertNil(expectedError, "\(file): expected an error")
            } catch {
                guard let fragment = expectedError else { XCTFail("\(file): unexpected error \(error)"); continue }
                XCTAssertTrue("\(error)".contains(fragment), "\(file): error \"\(error)\" lacks \"\(fragment)\"")
            }
            XCTAssertEqual(printed, expected, file)
        }
    }
}
