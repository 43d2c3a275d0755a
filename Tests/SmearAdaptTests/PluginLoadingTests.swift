// The real plugin libraries through dlopen, and the errors of the loader.
import Foundation
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTestSupport
import XCTest

final class PluginLoadingTests: XCTestCase {
    /// The folder where swift build put the test bundle and the plugin libraries.
    var buildDirectory: URL { Bundle.main.executableURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: ".") }

    func testRealPlugins_loadWithDlopen_andComputeTheirLosses() throws {
        let registry = MethodRegistry()
        for name in MethodRegistry.bundledMethods where name != "source_only" {
            let d = try registry.method(name)
            XCTAssertEqual(d.name, name)
            let method = try d.instantiate(["trade_off": 1])
            let modules = method.makeModules(featureDim: 8, classes: 3)
            let head = method.makeClassifier(featureDim: 8, classes: 3) ?? Linear(8, 3)
            var g = RandomGenerator(seed: 1)
            let fs = Tensor.normal([4, 8], generator: &g), ft = Tensor.normal([4, 8], generator: &g)
            let ctx = StepContext(sourceFeatures: fs, targetFeatures: ft, sourceLogits: Tensor.normal([4, 3], generator: &g),
                                  targetLogits: Tensor.normal([4, 3], generator: &g).requiringGrad(), sourceLabels: [0, 1, 2, 0],
                                  modules: modules, iteration: 10, head: head)
            let out = try method.transferLoss(ctx)
            XCTAssertTrue(out.loss.item.isFinite, name)
        }
        XCTAssertEqual(try registry.method("mdd").options.map(\.name).first, "margin")
        XCTAssertThrowsError(try registry.method("mdd").instantiate(["margn": 2])) { e in
            XCTAssertTrue("\(e)".contains("no option 'margn'"), "\(e)")
        }
    }

    /// A method is one folder: every plugins/<Name>/ is in Package.swift's one list of methods, was built into
    /// libSmear<Name>.so, and is found (not listed by hand) as a bundled method.
    func testEveryPluginFolder_isBuiltAndFound() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("plugins").path).filter { !$0.hasPrefix(".") }.sorted()
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let line = try XCTUnwrap(manifest.split(separator: "\n").first { $0.hasPrefix("let methods = [") })
        let listed = line.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }.sorted()
        XCTAssertEqual(listed, folders)
        XCTAssertEqual(MethodRegistry.bundledMethods, ["source_only"] + folders.map { $0.lowercased() }.sorted())
    }

    /// A method that asks for a module its makeModules did not create gets an error naming both, not a crash;
    /// options read through their declaration give the user's value or the declared default.
    func testMethodAPI_missingModuleIsAnError_andOptionsReadTheirDeclaration() throws {
        let registry = MethodRegistry()
        let mdd = try registry.method("mdd").instantiate(["margin": 2])
        let margin = try XCTUnwrap(registry.method("mdd").options.first { $0.name == "margin" })
        let headWidth = try XCTUnwrap(registry.method("mdd").options.first { $0.name == "head_width" })
        XCTAssertEqual(mdd.options[margin], 2); XCTAssertEqual(mdd.options[headWidth], 1024); XCTAssertEqual(mdd.tradeOff, 1)
        var g = RandomGenerator(seed: 1)
        let ctx = StepContext(sourceFeatures: Tensor.normal([2, 8], generator: &g), targetFeatures: Tensor.normal([2, 8], generator: &g),
                              sourceLogits: Tensor.normal([2, 3], generator: &g), targetLogits: Tensor.normal([2, 3], generator: &g),
                              sourceLabels: [0, 1], modules: ["other": Linear(8, 3)], iteration: 0)
        XCTAssertThrowsError(try mdd.transferLoss(ctx)) { e in
            XCTAssertTrue("\(e)".contains("'adv_head'") && "\(e)".contains("other"), "\(e)")
        }
    }

    func testMissingPlugin_saysWhereItLooked() {
        XCTAssertThrowsError(try MethodRegistry().method("nosuchmethod")) { e in
            XCTAssertTrue("\(e)".contains("no plugin 'nosuchmethod'"), "\(e)")
            XCTAssertTrue("\(e)".contains("SMEAR_PLUGIN_PATH"), "\(e)")
        }
    }

    /// A FIFO named like a plugin on the search path is passed over without being opened (opening it would block).
    func testFIFOOnTheSearchPath_isSkipped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("libSmearFifo.so").path, 0o600), 0)
        let before = ProcessInfo.processInfo.environment["SMEAR_PLUGIN_PATH"]
        setenv("SMEAR_PLUGIN_PATH", dir.path + ":" + dir.appendingPathComponent("libSmearFifo.so").path, 1)
        defer { if let before { setenv("SMEAR_PLUGIN_PATH", before, 1) } else { unsetenv("SMEAR_PLUGIN_PATH") } }
        XCTAssertFalse(MethodRegistry.availableNames.contains("fifo"))
        XCTAssertThrowsError(try MethodRegistry().method("fifo")) { e in XCTAssertTrue("\(e)".contains("no plugin 'fifo'"), "\(e)") }
    }

    func testLibraryWithoutEntrySymbol_isRejectedNamingTheSymbol() throws {
        let core = buildDirectory.appendingPathComponent("libSmearCore.so").path
        XCTAssertThrowsError(try MethodRegistry().load(path: core)) { e in
            XCTAssertTrue("\(e)".contains("smear_plugin_abi_version"), "\(e)")
        }
        XCTAssertThrowsError(try MethodRegistry().load(path: "/nonexistent/libx.so")) { e in
            XCTAssertTrue("\(e)".contains("cannot load plugin /nonexistent/libx.so"), "\(e)")
        }
    }

    func testWrongABIVersion_isRejectedWithBothVersions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-abi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("old.c"), library = dir.appendingPathComponent("libold.so")
        try "int smear_plugin_abi_version(void) { return 999; }\n".write(to: source, atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-shared", "-fPIC", "-o", library.path, source.path]
        try cc.run(); cc.waitUntilExit()
        XCTAssertEqual(cc.terminationStatus, 0, "cc must build the test library")
        XCTAssertThrowsError(try MethodRegistry().load(path: library.path)) { e in
            XCTAssertTrue("\(e)".contains("ABI 999"), "\(e)"); XCTAssertTrue("\(e)".contains("ABI \(pluginABIVersion)"), "\(e)")
        }
    }
}
