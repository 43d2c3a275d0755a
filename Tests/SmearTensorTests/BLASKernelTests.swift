// Choosing OpenBLAS's kernel: the start-up decision as a table of cases, and the self-check.
import SmearTensor
import XCTest

final class BLASKernelTests: XCTestCase {
    let avx512 = CPUFeatures(avx2: true, fma: true, avx512f: true, avx512bw: true, avx512vl: true, avx512dq: true,
                             osSavesAVX: true, osSavesAVX512: true)
    let avx2 = CPUFeatures(avx2: true, fma: true, osSavesAVX: true)

    func decide(_ env: String?, _ smear: String? = nil, loaded: String, _ cpu: CPUFeatures, check: Bool = true) -> BLASKernel.Decision {
        BLASKernel.decide(environment: env, chosenBySmear: smear, loadedCore: loaded, features: cpu, selfCheckPassed: check)
    }

    func testDecide_unsetVariableAndGenericKernel_reexecutesWithTheCPUsBest() {
        XCTAssertEqual(decide(nil, loaded: "Prescott", avx512), .reexecute("SkylakeX"))
        XCTAssertEqual(decide(nil, loaded: "Prescott", avx2), .reexecute("Haswell"))
        XCTAssertEqual(decide(nil, loaded: "Sandybridge", avx2), .reexecute("Haswell"))
        XCTAssertEqual(decide(nil, loaded: "Haswell", avx512), .reexecute("SkylakeX"))
    }

    func testDecide_goodKernelOrNoAVX2_keepsOpenBLASsChoice() {
        XCTAssertEqual(decide(nil, loaded: "Cooperlake", avx512), .keep("OpenBLAS's own choice"))
        XCTAssertEqual(decide(nil, loaded: "Zen", avx2), .keep("OpenBLAS's own choice"))
        XCTAssertEqual(decide(nil, loaded: "Prescott", CPUFeatures(avx2: true, fma: true)), .keep("OpenBLAS's own choice"),
                       "AVX2 that the OS does not save is not usable")
        XCTAssertEqual(decide(nil, loaded: "Prescott", CPUFeatures()), .keep("OpenBLAS's own choice"))
    }

    func testDecide_variableSetByUserOrEnvironment_isAlwaysHonoured() {
        XCTAssertEqual(decide("Haswell", loaded: "Haswell", avx512), .keep("OPENBLAS_CORETYPE set by the environment"))
        XCTAssertEqual(decide("Prescott", loaded: "Prescott", avx512), .keep("OPENBLAS_CORETYPE set by the environment"))
        XCTAssertEqual(decide("SkylakeX", "Haswell", loaded: "SkylakeX", avx512), .keep("OPENBLAS_CORETYPE set by the environment"),
                       "a variable changed after smear chose is the user's")
    }

    func testDecide_reexecutedProcess_keepsAPassingKernelAndStepsDownAFailingOne() {
        XCTAssertEqual(decide("SkylakeX", "SkylakeX", loaded: "SkylakeX", avx512), .keep("chosen by smear for AVX-512"))
        XCTAssertEqual(decide("SkylakeX", "SkylakeX", loaded: "SkylakeX", avx512, check: false), .reexecute("Haswell"))
        XCTAssertEqual(decide("Haswell", "Haswell", loaded: "Haswell", avx512, check: false), .reexecute("Prescott"))
        XCTAssertEqual(decide("Prescott", "Prescott", loaded: "Prescott", avx512, check: false),
                       .keep("chosen by smear; its results failed the self-check"), "no endless re-execution")
    }

    func testKernelLevels_orderTheInstructionSets() {
        XCTAssertEqual(BLASKernel.level(ofCore: "Prescott"), 0)
        XCTAssertEqual(BLASKernel.level(ofCore: "Sandybridge"), 1)
        XCTAssertEqual(BLASKernel.level(ofCore: "HASWELL"), 2)
        XCTAssertEqual(BLASKernel.level(ofCore: "SkylakeX"), 3)
        XCTAssertEqual(BLASKernel.best(for: avx512), "SkylakeX")
        XCTAssertEqual(BLASKernel.best(for: avx2), "Haswell")
        XCTAssertNil(BLASKernel.best(for: CPUFeatures()))
    }

    func testSelfCheck_theLoadedKernelComputesCorrectly() {
        XCTAssertTrue(BLASKernel.sgemmSelfCheck(), "OpenBLAS \(BLAS.coreName) SGEMM disagrees with a double-precision loop")
    }
}
