// start_from: a run that starts from another run's weights (StartWeights).
import Foundation
import MDDMethod
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTrain
import XCTest

final class StartWeightsTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-start-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func quiet(_ t: Trainer) -> Trainer { t.report = { _, _ in }; return t }

    /// A finished one-epoch run of `method` in dir/name.
    func finishedRun(_ name: String, method: AdaptationMethod, seed: UInt64 = 1) throws -> URL {
        var config = TinyRun.config(epochs: 1)
        config.seed = seed
        let out = dir.appendingPathComponent(name)
        XCTAssertTrue(try quiet(try Trainer(config: config, method: method, data: try TinyRun.data(), directory: out)).run())
        return out
    }

    func model(_ file: URL) throws -> [String: Tensor] { try SafeTensors.read(file).tensors }

    func testARunFolder_givesEveryWeightOfItsLatestCheckpoint_andTheRunRecordsIt() throws {
        let first = try finishedRun("first", method: try MDD.descriptor.instantiate())
        let saved = try model(first.appendingPathComponent("latest.safetensors"))
        var config = TinyRun.config(epochs: 1)
        config.seed = 7   // another seed would initialise every weight differently
        config.startWeights = first.path
        config.weightAverageDecay = 0.9
        let next = quiet(try Trainer(config: config, method: try MDD.descriptor.instantiate(), data: try TinyRun.data(),
                                     directory: dir.appendingPathComponent("next")))
        let names = next.net.stateDict().map(\.0)
        XCTAssertTrue(names.contains { $0.hasPrefix("method.") }, "MDD's adversarial head is part of the network")
        for (name, t) in next.net.stateDict() { XCTAssertEqual(t.scalars, saved[name]?.scalars, name) }
        XCTAssertTrue(try next.run())
        let record = try RunRecord.open(dir.appendingPathComponent("next"))
        XCTAssertEqual(record.config.startWeights, first.path)
        // The weight average starts from the loaded weights: after one epoch it lies between them and the final ones.
        let average = try model(dir.appendingPathComponent("next/average.safetensors"))
        let final = next.net.stateDict().first { $0.0 == "head.layers.0.weight" }!.1.scalars
        let start = saved["head.layers.0.weight"]!.scalars, averaged = average["head.layers.0.weight"]!.scalars
        for i in stride(from: 0, to: start.count, by: 97) where start[i] != final[i] {
            XCTAssertGreaterThanOrEqual(averaged[i], min(start[i], final[i]) - 1e-6, "weight \(i)")
            XCTAssertLessThanOrEqual(averaged[i], max(start[i], final[i]) + 1e-6, "weight \(i)")
        }
    }

    func testACheckpointFile_isAcceptedAsWellAsItsFolder() throws {
        let first = try finishedRun("first", method: SourceOnly())
        let net = AdaptationNetwork(TinyRun.config().network)
        try StartWeights.load(into: net, from: first.appendingPathComponent("best_snd.safetensors").path)
        let saved = try model(first.appendingPathComponent("best_snd.safetensors"))
        for (name, t) in net.stateDict() { XCTAssertEqual(t.scalars, saved[name]?.scalars, name) }
    }

    func testAnotherMethodsRun_givesTheNetwork_andTheMethodsModulesStartAfresh() throws {
        let first = try finishedRun("first", method: SourceOnly())
        let saved = try model(first.appendingPathComponent("latest.safetensors"))
        XCTAssertFalse(saved.keys.contains { $0.hasPrefix("method.") })
        let mdd = try MDD.descriptor.instantiate()
        func network() -> AdaptationNetwork {
            GlobalRandom.seed(3)
            return AdaptationNetwork(TinyRun.config().network, methodModules: { mdd.makeModules(featureDim: $0, classes: $1) })
        }
        let fresh = network(), started = network()
        XCTAssertEqual(try StartWeights.load(into: started, from: first.path), [], "no method module came from the file")
        let freshState = Dictionary(uniqueKeysWithValues: fresh.stateDict())
        for (name, t) in started.stateDict() {
            if name.hasPrefix("method.") { XCTAssertEqual(t.scalars, freshState[name]?.scalars, name) }
            else { XCTAssertEqual(t.scalars, saved[name]?.scalars, name) }
        }
        let mddRun = try finishedRun("mdd", method: mdd)
        XCTAssertEqual(try StartWeights.load(into: network(), from: mddRun.path), ["adv_head"])
    }

    func testAnotherNetwork_isAClearError_andChangesNothing() throws {
        let first = try finishedRun("first", method: SourceOnly())
        var wider = TinyRun.config().network
        wider.width = 8
        let net = AdaptationNetwork(wider)
        let before = net.stateDict().map { $0.1.scalars }
        XCTAssertThrowsError(try StartWeights.load(into: net, from: first.path)) {
            XCTAssertTrue("\($0)".contains("wrong shape backbone.conv1.weight: file [4, 3, 7, 7], model [8, 3, 7, 7]"), "\($0)")
        }
        XCTAssertEqual(net.stateDict().map { $0.1.scalars }, before, "nothing loaded")
        var lite = TinyRun.config().network
        lite.backbone = .efficientnetLite0
        XCTAssertThrowsError(try StartWeights.load(into: AdaptationNetwork(lite), from: first.path)) {
            XCTAssertTrue("\($0)".hasPrefix("start_from=\"\(first.path)/latest.safetensors\" is another network's: "), "\($0)")
            XCTAssertTrue("\($0)".contains("give the same backbone, bottleneck and head settings"), "\($0)")
        }
    }

    func testAMissingPathOrAFolderWithoutCheckpoint_isAClearError() throws {
        let net = AdaptationNetwork(TinyRun.config().network)
        let absent = dir.appendingPathComponent("absent").path
        XCTAssertThrowsError(try StartWeights.load(into: net, from: absent)) {
            XCTAssertEqual("\($0)", "start_from=\"\(absent)\": no such run folder or file")
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        XCTAssertThrowsError(try StartWeights.load(into: net, from: dir.path)) {
            XCTAssertEqual($0 as? StartWeightsError, .noCheckpoint(dir.path))
        }
    }

    func testAResumedRun_continuesFromItsOwnCheckpoint_whateverItStartedFrom() throws {
        let first = try finishedRun("first", method: SourceOnly())
        var config = TinyRun.config(epochs: 1)
        config.startWeights = first.path
        let out = dir.appendingPathComponent("next")
        let next = quiet(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: out))
        XCTAssertTrue(try next.run())
        try FileManager.default.removeItem(at: first)
        config.epochs = 2
        config.startWeights = dir.appendingPathComponent("elsewhere").path
        let resumed = quiet(try Trainer(config: config, method: SourceOnly(), data: try TinyRun.data(), directory: out))
        let own = try model(out.appendingPathComponent("latest.safetensors"))
        try resumed.resume()
        for (name, t) in resumed.net.stateDict() { XCTAssertEqual(t.scalars, own[name]?.scalars, name) }
        XCTAssertTrue(RunFolder.settingDifferences(stored: String(decoding: try JSONEncoder().encode(next.config), as: UTF8.self),
                                                   current: config).allSatisfy { !$0.hasPrefix("startWeights") })
    }
}
