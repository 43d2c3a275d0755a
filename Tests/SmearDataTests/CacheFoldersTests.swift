// One rule for smear's caches: which variable wins, and what an empty one means; names from datasets made safe.
import Foundation
import XCTest
import SmearData
import SmearTensor

final class CacheFoldersTests: XCTestCase {
    let home = FileManager.default.homeDirectoryForCurrentUser

    func testStatisticsFolderPrefersSmearCacheThenXdgThenHome() {
        XCTAssertEqual(CacheFolders.statistics(environment: ["SMEAR_CACHE": "/a", "XDG_CACHE_HOME": "/x"]).path, "/a")
        XCTAssertEqual(CacheFolders.statistics(environment: ["XDG_CACHE_HOME": "/x"]).path, "/x/smear")
        XCTAssertEqual(CacheFolders.statistics(environment: [:]).path, home.appendingPathComponent(".cache/smear").path)
    }

    func testWeightsFolderPrefersSmearWeightsThenXdgThenHomeAndIgnoresSmearCache() {
        XCTAssertEqual(CacheFolders.weights(environment: ["SMEAR_WEIGHTS": "/w", "XDG_CACHE_HOME": "/x"]).path, "/w")
        XCTAssertEqual(CacheFolders.weights(environment: ["SMEAR_CACHE": "/a", "XDG_CACHE_HOME": "/x"]).path, "/x/smear/weights",
                       "the statistics cache does not move the weights scripts/weights converted")
        XCTAssertEqual(CacheFolders.weights(environment: [:]).path, home.appendingPathComponent(".cache/smear/weights").path)
    }

    func testAnEmptyVariableCountsAsUnset() {
        XCTAssertEqual(CacheFolders.statistics(environment: ["SMEAR_CACHE": "", "XDG_CACHE_HOME": ""]).path,
                       home.appendingPathComponent(".cache/smear").path, "an empty SMEAR_CACHE is not the working directory")
        XCTAssertEqual(CacheFolders.weights(environment: ["SMEAR_WEIGHTS": "", "XDG_CACHE_HOME": "/x"]).path, "/x/smear/weights")
    }

    func testDatasetNamesBecomeSafeFileNameParts() {
        XCTAssertEqual(CacheFolders.fileNamePart("pbc_barcelona"), "pbc_barcelona")
        XCTAssertEqual(CacheFolders.fileNamePart("bccd[0.5]"), "bccd_0.5_")
        XCTAssertEqual(CacheFolders.fileNamePart("x`touch ran` \\ $(id)/.."), "x_touch_ran______id__..", "no separator survives")
        XCTAssertEqual(CacheFolders.fileNamePart("..hidden"), "_.hidden", "never a dot file")
        XCTAssertEqual(CacheFolders.fileNamePart("éclair\n"), "_clair_")
        XCTAssertEqual(CacheFolders.fileNamePart(String(repeating: "a", count: 300)).count, 64)
    }

    func testStatisticsOfAHostileNamedLabAreCachedUnderASafeName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let images = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("data/sample/bccd/lymphocyte").path)
            .sorted().prefix(2).map { root.appendingPathComponent("data/sample/bccd/lymphocyte/\($0)") }
        let lab = ImageDataset(name: "x`touch ran`\n", samples: images.map { Sample(path: $0, label: 0) }, classes: ["lymphocyte"])
        let first = try ChannelStatistics.cached(lab, in: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(files.count, 1)
        XCTAssertTrue(files[0].hasPrefix("stats-x_touch_ran__-"), files[0])
        XCTAssertEqual(try ChannelStatistics.cached(lab, in: dir).mean, first.mean, "read back from the cache")
    }
}
