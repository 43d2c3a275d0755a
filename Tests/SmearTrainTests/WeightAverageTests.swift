// The moving average of the weights: its arithmetic by hand, counters, exact resumption, and the trainer's
// `average` checkpoint beside an unchanged final iterate.
import Foundation
import MDDMethod
import SmearAdapt
import SmearNN
import SmearTensor
import SmearTrain
import XCTest

final class WeightAverageTests: XCTestCase {
    /// d = 0.5 over the iterates 1, 3, 5 of one weight: shadows 0.5, 1.75, 3.375; bias correction 1/(1 − 0.125),
    /// so the average is 3.375 / 0.875 = (0.125·1 + 0.25·3 + 0.5·5) / 0.875 = 27/7. BatchNorm's running statistics
    /// are averaged the same way; its batch counter is copied.
    func testAverage_isTheBiasCorrectedExponentialMeanOfTheIterates_countersCopied() {
        let bn = BatchNorm(1)
        let average = WeightAverage(of: bn, decay: 0.5)
        for (w, mean, count) in [(Float(1), Float(2), Float(1)), (3, 4, 2), (5, 6, 3)] {
            bn.weight.assign(Tensor([w], shape: [1])); bn.runningMean.assign(Tensor([mean], shape: [1]))
            bn.numBatchesTracked = Tensor(scalar: count)
            average.update(from: bn)
        }
        let a = Dictionary(uniqueKeysWithValues: average.averaged())
        XCTAssertEqual(a["weight"]!.scalars[0], 27.0 / 7, accuracy: 1e-6)
        XCTAssertEqual(a["running_mean"]!.scalars[0], (0.125 * 2 + 0.25 * 4 + 0.5 * 6) / 0.875, accuracy: 1e-6)
        XCTAssertEqual(a["bias"]!.scalars[0], 0, accuracy: 1e-7, "a constant weight averages to itself")
        XCTAssertEqual(a["running_var"]!.scalars[0], 1, accuracy: 1e-6, "a constant weight averages to itself")
        XCTAssertEqual(a["num_batches_tracked"]!.scalars[0], 3, "the counter is the latest value")
        XCTAssertEqual(average.updates, 3)
    }

    func testRestore_fromItsOwnState_continuesIdentically_andRefusesAStateWithoutIt() {
        let layer = Linear(3, 2)
        let a = WeightAverage(of: layer, decay: 0.9), b = WeightAverage(of: layer, decay: 0.9)
        a.update(from: layer)
        let saved = Dictionary(uniqueKeysWithValues: a.state(prefix: "average."))
        XCTAssertTrue(b.restore(saved, prefix: "average.", updates: a.updates))
        layer.weight.assign(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]))
        a.update(from: layer); b.update(from: layer)
        for ((name, x), (_, y)) in zip(a.averaged(), b.averaged()) { XCTAssertEqual(x.scalars, y.scalars, name) }
        XCTAssertFalse(WeightAverage(of: layer, decay: 0.9).restore([:], prefix: "average.", updates: 1))
    }
}
