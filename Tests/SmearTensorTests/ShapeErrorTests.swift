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
}
