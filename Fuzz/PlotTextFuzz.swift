// libFuzzer target: any bytes as a name put into a gnuplot script. The quoted literal is one line with no
// backtick, `@`, `$`, bare quote or backslash of its own, and its escapes give back exactly the (shortened) name;
// every 4096th input is also drawn by a real gnuplot (`print` of the literal, in a scratch folder) whose output
// must be the name and which must leave no file behind. Built by scripts/fuzz from SmearPlot/GnuplotText.swift.
import Foundation

nonisolated(unsafe) var executions = 0

/// A failed invariant: the message on standard error, then abort (libFuzzer keeps the input).
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data("plottext invariant: \(message())\n".utf8))
    abort()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlotText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let name = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let literal = GnuplotText.quoted(name)
    let inner = literal.utf8.dropFirst().dropLast()
    // Bytes, not Characters: a combining mark after a quote makes one Character of the two.
    check(literal.utf8.first == UInt8(ascii: "\"") && literal.utf8.last == UInt8(ascii: "\"") && literal.utf8.count >= 2, "not a double-quoted literal")
    for forbidden in "`@$\n\r\"".utf8 {
        check(!inner.contains(forbidden), "an unescaped byte \(forbidden) in \(literal.debugDescription)")
    }
    check(unescape(Array(inner)) == Array(GnuplotText.shortened(name).utf8), "the escapes do not give the name back: \(literal.debugDescription)")
    executions += 1
    if executions % 4096 == 1 { checkWithGnuplot(literal, expected: GnuplotText.shortened(name)) }
    return 0
}

/// gnuplot's reading of the escapes smear writes: `\ooo` (first digit 1–3) or `\0ooo` is one byte.
func unescape(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [], i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "\\") {
            let length = i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "0") ? 4 : 3
            check(i + length < bytes.count, "a backslash without its octal digits")
            let digits = bytes[(i + 1)...(i + length)].map { Int($0) - 48 }
            check(digits.allSatisfy { (0...7).contains($0) }, "a backslash not followed by octal digits")
            out.append(UInt8(digits.reduce(0) { $0 * 8 + $1 })); i += 1 + length
        } else { out.append(bytes[i]); i += 1 }
    }
    return out
}

func checkWithGnuplot(_ literal: String, expected: String) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("smear-plotfuzz-\(getpid())")
    try? FileManager.default.removeItem(at: scratch)
    try! FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let script = scratch.appendingPathComponent("s.gp"), output = scratch.appendingPathComponent("out")
    try! Data("set print '-'\nprint \(literal)\n".utf8).write(to: script)
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/gnuplot")
    p.arguments = ["s.gp"]
    p.currentDirectoryURL = scratch
    p.standardOutput = try! FileHandle(forWritingTo: output); p.standardError = FileHandle.nullDevice; p.standardInput = FileHandle.nullDevice
    try! p.run(); p.waitUntilExit()
    let printed = (try? Data(contentsOf: output)) ?? Data()
    // gnuplot ends a printed string at a NUL byte; compare up to the first one.
    let want = Array(expected.utf8.prefix { $0 != 0 }) + [10]
    check(p.terminationStatus == 0 && Array(printed) == want, "gnuplot printed \(String(decoding: printed, as: UTF8.self).debugDescription) for \(literal.debugDescription)")
    let left = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []
    check(Set(left) == ["s.gp", "out"], "gnuplot left files behind: \(left)")
}
