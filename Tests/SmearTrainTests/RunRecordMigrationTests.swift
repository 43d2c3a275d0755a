// run.json of every format smear has written opens: an older record is migrated to the current format in one
// place (RunRecord.migrated), its missing settings taking the values its run was trained with; a newer format is
// refused by name.
import Foundation
import SmearAdapt
import SmearTestSupport
import SmearTrain
import XCTest

final class RunRecordMigrationTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-migration-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func record() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: RunRecord.url(in: dir))) as? [String: Any])
    }

    private func write(_ json: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: json).write(to: RunRecord.url(in: dir))
    }

    /// A record as smear wrote it before format 3: no version, and the settings that did not exist yet (or were
    /// left out at their neutral value) absent.
    func testAFormat1Record_opensWithTheSettingsItsRunHad() throws {
        let written = try Trainer(config: TinyRun.config(epochs: 1), method: SourceOnly(), data: TinyRun.data(), directory: dir)
        try written.run()   // a run with a checkpoint: reopening it reads its record
        var json = try record()
        XCTAssertEqual(json["schemaVersion"] as? Int, RunRecord.currentSchemaVersion)
        json["schemaVersion"] = nil
        var config = try XCTUnwrap(json["config"] as? [String: Any]), network = try XCTUnwrap(config["network"] as? [String: Any])
        for key in ["dihedral", "statisticsRegion", "inputNormalization", "stainBank", "augmentation", "sourceSampling"] {
            XCTAssertNotNil(config.removeValue(forKey: key), "\(key) is written out")
        }
        XCTAssertNotNil(network.removeValue(forKey: "backbone"))
        config["network"] = network; json["config"] = config
        try write(json)

        let bytes = try Data(contentsOf: RunRecord.url(in: dir))
        let opened = try RunRecord.open(dir)
        XCTAssertEqual(try Data(contentsOf: RunRecord.url(in: dir)), bytes, "opening a run leaves its record as it was (older smears read it)")
        let c = opened.config
        XCTAssertEqual(c.statisticsRegion, .frame); XCTAssertEqual(c.inputNormalization, .lab); XCTAssertFalse(c.dihedral)
        XCTAssertFalse(c.stainBank); XCTAssertEqual(c.augmentation, .article); XCTAssertEqual(c.network.backbone, .resnet18)
        XCTAssertEqual(c.sourceSampling, .shuffled)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(c), as: UTF8.self), String(decoding: try encoder.encode(written.config), as: UTF8.self),
                       "the same settings as the run was trained with")
        var resumed = written.config
        resumed.epochs += 1   // resuming for longer: the record is written anew, in the current format
        _ = try Trainer(config: resumed, method: SourceOnly(), data: TinyRun.data(), directory: dir)
        XCTAssertEqual(try record()["schemaVersion"] as? Int, RunRecord.currentSchemaVersion)
        let migrated = RunRecord.migrated(json)
        XCTAssertEqual(migrated["schemaVersion"] as? Int, RunRecord.currentSchemaVersion)
    }

    func testAFormat2Record_keepsTheSettingsItHas() throws {
        var config = TinyRun.config()
        config.dihedral = true; config.statisticsRegion = .crop
        _ = try Trainer(config: config, method: SourceOnly(), data: TinyRun.data(), directory: dir)
        var json = try record()
        json["schemaVersion"] = 2
        var c = try XCTUnwrap(json["config"] as? [String: Any])
        c["stainBank"] = nil; c["augmentation"] = nil
        json["config"] = c
        try write(json)
        let opened = try RunRecord.open(dir).config
        XCTAssertTrue(opened.dihedral); XCTAssertEqual(opened.statisticsRegion, .crop); XCTAssertFalse(opened.stainBank)
    }

    /// The config of a dihedral run's record written as format `version`, without the setting `key` that format lacked,
    /// reopened.
    private func reopened(asFormat version: Int, without key: String) throws -> TrainingConfig {
        var config = TinyRun.config()
        config.dihedral = true
        _ = try Trainer(config: config, method: SourceOnly(), data: TinyRun.data(), directory: dir)
        var json = try record()
        json["schemaVersion"] = version
        var c = try XCTUnwrap(json["config"] as? [String: Any])
        XCTAssertNotNil(c.removeValue(forKey: key), "\(key) is written out")
        json["config"] = c
        try write(json)
        return try RunRecord.open(dir).config
    }

    func testAFormat3Record_drewItsSourceBatchesShuffled() throws {
        let opened = try reopened(asFormat: 3, without: "sourceSampling")
        XCTAssertEqual(opened.sourceSampling, .shuffled); XCTAssertTrue(opened.dihedral)
    }

    func testAFormat4Record_hadOneSource() throws {
        _ = try Trainer(config: TinyRun.config(), method: SourceOnly(), data: TinyRun.data(), directory: dir)
        var json = try record()
        json["schemaVersion"] = 4
        XCTAssertNotNil(json.removeValue(forKey: "moreSources"), "moreSources is written out")
        try write(json)
        XCTAssertTrue(try RunRecord.open(dir).data.moreSources.isEmpty)
    }

    func testAFormat5Record_trainedItsBackboneFromTheFirstStep() throws {
        let opened = try reopened(asFormat: 5, without: "headOnlySteps")
        XCTAssertEqual(opened.headOnlySteps, 0); XCTAssertTrue(opened.dihedral)
    }

    func testANewerFormat_isRefusedByName() throws {
        _ = try Trainer(config: TinyRun.config(), method: SourceOnly(), data: TinyRun.data(), directory: dir)
        var json = try record()
        json["schemaVersion"] = 99
        try write(json)
        XCTAssertThrowsError(try RunRecord.open(dir)) { XCTAssertTrue("\($0)".contains("schemaVersion 99 is not one this smear reads"), "\($0)") }
        try Data("{not json".utf8).write(to: RunRecord.url(in: dir))
        XCTAssertThrowsError(try RunRecord.open(dir)) { XCTAssertTrue("\($0)".contains("is not a run record smear can read"), "\($0)") }
    }
}
