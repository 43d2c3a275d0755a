// The built `smear` executable as a child process: arguments in, exit status and both outputs back.
import Foundation
import XCTest

/// Runs the built `smear` executable from the repository's root.
class SmearExecutableTestCase: XCTestCase {
    /// The executable beside the test bundle (swift build puts both in the same folder).
    var smear: URL { (Bundle.main.executableURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: ".build/debug")).appendingPathComponent("smear") }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The environment a child smear gets: `environment` (default: the test's own) with plots and the statistics
    /// cache in temporary folders unless it sets them, so the tests' labs (hostile names among them) never reach the
    /// user's own cache.
    func childEnvironment(_ environment: [String: String]? = nil) -> [String: String] {
        var env = environment ?? ProcessInfo.processInfo.environment
        env["SMEAR_PLOTS"] = env["SMEAR_PLOTS"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("smear-cli-plots").path
        env["SMEAR_CACHE"] = env["SMEAR_CACHE"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("smear-cli-cache").path
        return env
    }

    /// Runs smear (or `executable`, e.g. /bin/bash for the scripts) with `args` in the repository's root.
    func run(_ args: [String], stdin: String? = nil, environment: [String: String]? = nil, executable: String? = nil) throws
        -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? smear
        p.arguments = args
        p.currentDirectoryURL = root
        p.environment = childEnvironment(environment)
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Standard error is drained on another thread: a child that fills one pipe while the other is
        // being read would otherwise block forever.
        let e = DrainedOutput()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { e.data = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e.data, as: UTF8.self))
    }

    /// A labelled lab at `lab` made of bundled BCCD images: class folder `names[k]` holds the first 8 images of
    /// BCCD's lymphocytes (k = 0) or neutrophils (k = 1); `fileName(k, original)` names each copy (a test's own names).
    func makeLab(at lab: URL, classFolders names: [String], fileName: (Int, String) -> String = { $1 }) throws {
        let sample = root.appendingPathComponent("data/sample/bccd")
        for (folder, source) in zip(names, ["lymphocyte", "neutrophil"]) {
            let to = lab.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
            let images = try FileManager.default.contentsOfDirectory(atPath: sample.appendingPathComponent(source).path).filter { $0.hasSuffix(".jpg") }
            for (k, f) in images.sorted().prefix(8).enumerated() {
                try FileManager.default.copyItem(at: sample.appendingPathComponent(source).appendingPathComponent(f), to: to.appendingPathComponent(fileName(k, f)))
            }
        }
    }
}

/// What the draining thread read; written once on that thread, read after the semaphore says it is done.
private final class DrainedOutput: @unchecked Sendable {
    var data = Data()
}
