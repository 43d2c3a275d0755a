// A builtin reads its arguments by (position, name) pairs; the signature help() shows is their one declaration.
// This test reads every builtin's body in the sources and checks each pair against the registered signature (from
// `smear --reference`), so a keyword the signature does not name, or a position that reads another parameter,
// fails here instead of silently ignoring what a user wrote.
import Foundation
import XCTest

final class BuiltinArgumentsTests: SmearExecutableTestCase {
    /// The parameter names of each form of `signature` ("range(stop) or range(start, stop, step=1)" → two forms).
    static func forms(of name: String, in signature: String) -> [[String]] {
        var forms: [[String]] = [], rest = Substring(signature)
        while let open = rest.range(of: name + "("), let close = rest[open.upperBound...].firstIndex(of: ")") {
            forms.append(rest[open.upperBound..<close].split(separator: ",").map {
                $0.split(separator: "=")[0].trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty })
            rest = rest[rest.index(after: close)...]
        }
        return forms
    }

    func testEveryArgumentAccessor_readsAParameterAtItsPosition() throws {
        let reference = try run(["--reference"])
        XCTAssertEqual(reference.status, 0, reference.err)
        var signatures: [String: String] = [:]
        for line in reference.out.split(separator: "\n") where line.hasPrefix("### `") {
            let signature = String(line.dropFirst(5).dropLast())
            signatures[String(signature.prefix { $0 != "(" })] = signature
        }
        XCTAssertGreaterThan(signatures.count, 60)
        // A registration by a literal name, or by a variable (a loop over names: its accessors are not attributed).
        let registration = try NSRegularExpression(pattern: #"Builtin\((?:"([a-z_0-9]+)"|[a-z][A-Za-z0-9]*),"#)
        let accessor = try NSRegularExpression(pattern: #"(?:\ba\.[a-zA-Z]+|[a-zA-Z]+Arg)\((?:a, )?([0-9]+), "([a-z_0-9]+)""#)
        var checked = 0, wrong: [String] = []
        for folder in ["Sources/smear", "Sources/SmearLang"] {
            let e = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = e?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                let text = try String(contentsOf: url, encoding: .utf8), ns = text as NSString
                let starts = registration.matches(in: text, range: NSRange(location: 0, length: ns.length))
                for (i, m) in starts.enumerated() {
                    guard m.range(at: 1).location != NSNotFound else { continue }
                    let name = ns.substring(with: m.range(at: 1))
                    let end = i + 1 < starts.count ? starts[i + 1].range.location : ns.length
                    let body = NSRange(location: m.range.location, length: end - m.range.location)
                    guard let signature = signatures[name] else { wrong.append("\(name): registered but not in --reference"); continue }
                    let forms = Self.forms(of: name, in: signature)
                    guard !signature.contains("...") else { continue }   // any number of arguments
                    for a in accessor.matches(in: text, range: body) {
                        let index = Int(ns.substring(with: a.range(at: 1)))!, parameter = ns.substring(with: a.range(at: 2))
                        checked += 1
                        if !forms.contains(where: { index < $0.count && $0[index] == parameter }) {
                            wrong.append("\(name): reads argument \(index) as '\(parameter)'; the signature is \(signature)")
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 120)
        XCTAssertEqual(wrong, [], "accessors that do not read what the signature declares")
    }
}
