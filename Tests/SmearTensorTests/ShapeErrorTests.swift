// Wrong shapes stop with a message that names the op and both shapes, in every build configuration.
import SmearTensor
import SmearTestSupport
import XCTest

final class ShapeErrorTests: XCTestCase {
    func testMatmul_mismatchedShapes_namesOpAndBothShapes() {
        assertStops(withMessageContaining: ["matmul", "[2, 3]", "[4, 5]"]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
    }

    func testAdd_unbroadcastableShapes_namesOpAndBothShapes() {
        assertStops(withMessageContaining: ["add", "[2, 3]", "[4]"]) { _ = Tensor.zeros([2, 3]) + Tensor.zeros([4]) }
    }

    func testConv2d_channelMismatch_namesBothShapes() {
        assertStops(withMessageContaining: ["conv2d", "[1, 3, 8, 8]", "[4, 2, 3, 3]"]) {
            _ = Tensor.zeros([1, 3, 8, 8]).conv2d(weight: Tensor.zeros([4, 2, 3, 3]))
        }
    }

    func testReshape_wrongCount_namesBothShapes() {
        assertStops(withMessageContaining: ["reshape", "[2, 3]", "[4, 2]"]) { _ = Tensor.zeros([2, 3]).reshaped([4, 2]) }
    }

    /// The rules themselves, which the ops use and a host calls to report a user's bad shape as an error.
    func testShapeRules_resultsAndErrors_byHand() throws {
        XCTAssertEqual(try ShapeRules.broadcast([2, 1, 3], [4, 1], op: "add"), [2, 4, 3])
        XCTAssertEqual(try ShapeRules.reshape([2, 3], count: 6, to: [3, -1]), [3, 2])
        XCTAssertEqual(try ShapeRules.matmul([5, 2, 3], [5, 3, 4]), [5, 2, 4])
        XCTAssertEqual(try ShapeRules.axis(-1, rank: 3, op: "sum"), 2)
        let cases: [(() throws -> Any, String)] = [
            ({ try ShapeRules.broadcast([2, 3], [4], op: "add") }, "add: shapes [2, 3] and [4] cannot be broadcast together"),
            ({ try ShapeRules.reshape([6], count: 6, to: [4, -1]) }, "reshape: cannot reshape [6] to [4, -1]"),
            ({ try ShapeRules.reshape([6], count: 6, to: [-1, -1]) }, "reshape: [-1, -1] may hold one -1 and otherwise sizes of 0 or more"),
            ({ try ShapeRules.reshape([6], count: 6, to: [-3, -2]) }, "reshape: [-3, -2] may hold one -1 and otherwise sizes of 0 or more"),
            ({ try ShapeRules.matmul([2, 3], [2, 3]) }, "matmul: shapes [2, 3] and [2, 3] do not match (need [..., M, K] @ [..., K, N])"),
            ({ try ShapeRules.matmul([3], [3, 2]) }, "matmul: shapes [3] and [3, 2] must both be [..., M, K] and [..., K, N]"),
            ({ try ShapeRules.axis(3, rank: 3, op: "sum") }, "sum: axis 3 is out of range for rank 3"),
            ({ try ShapeRules.axis(-4, rank: 3, op: "sum") }, "sum: axis -4 is out of range for rank 3"),
        ]
        for (rule, message) in cases {
            XCTAssertThrowsError(try rule()) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testArgmax_badAxis_stopsWithTheRulesMessage() {
        assertStops(withMessageContaining: ["axis -2 is out of range for rank 1"]) { _ = Tensor.zeros([3]).argmax(axis: -2) }
    }
}
