// A mutation fuzzer for the checkpoint reader, run in the suite: thousands of damaged safetensors files
// (bytes flipped, files cut, hostile headers) must each be read or rejected with a CheckpointError; a trap
// (overflow, out-of-range slice) would end the test process and fail the suite.
import Foundation
import SmearNN
import SmearTensor
import XCTest

final class MutatedCheckpointTests: XCTestCase {
    func testDamagedFiles_areReadOrRejected_neverATrap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smear-mutate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.safetensors")
        try SafeTensors.write([("a", Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])), ("b", Tensor([7], shape: [1]))], metadata: ["k": "v"], to: good)
        let original = try Data(contentsOf: good)
        let headerLength = Int(original.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let hostile = [#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#,
                       #"{"a":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}"#,
                       #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775800,9223372036854775807]}}"#,
                       #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}"#,
                       #"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, #"[]"#, #"{"a":7}"#,
                       // empty, but strides that overflow: 0 × 2^62 × 4 (rejected: each dimension at most 2^31)
                       #"{"a":{"dtype":"F32","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}}"#]
        var g = RandomGenerator(seed: 9)
        var read = 0, rejected = 0
        let file = dir.appendingPathComponent("m.safetensors")
        for trial in 0..<3000 {
            var d = original
            switch trial % 4 {
            case 0: for _ in 0..<(1 + Int(g.next() % 4)) { let i = Int(g.next() % UInt64(8 + headerLength)); d[i] = UInt8(truncatingIfNeeded: g.next()) }
            case 1: d = d.prefix(Int(g.next() % UInt64(d.count)))
            case 2: let i = Int(g.next() % UInt64(d.count)); d[i] ^= UInt8(1 << (g.next() % 8))
            default:
                let h = Data(hostile[trial / 4 % hostile.count].utf8)
                var length = UInt64(h.count)
                d = Data(bytes: &length, count: 8) + h + Data(count: 16)
            }
            try d.write(to: file)
            do {
                let t = try SafeTensors.read(file)
                for (_, tensor) in t.tensors { XCTAssertEqual(tensor.shape.reduce(1, *), tensor.scalars.count) }
                read += 1
            } catch is CheckpointError { rejected += 1 }
        }
        XCTAssertEqual(read + rejected, 3000)
        XCTAssertGreaterThan(rejected, 1000, "most damage is detected")
    }
}
