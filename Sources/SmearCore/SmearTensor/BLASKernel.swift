// Choosing OpenBLAS's kernel for this CPU.
//
// OpenBLAS picks its kernel in a library constructor, before `main`, from OPENBLAS_CORETYPE or, when
// that is unset, from the CPU model; OpenBLAS 0.3.21 does not know recent models and silently falls
// back to a generic SSE kernel (`Prescott`, 2–3× slower). So at start-up smear reads the CPU's features
// itself (CPUID, XGETBV) and, when the variable is unset and OpenBLAS chose a kernel below what the CPU
// can run, re-executes itself once with the variable set to that kernel. The re-executed process checks
// the kernel's results against a plain loop and falls back one level (SkylakeX → Haswell → Prescott)
// if they are wrong. A variable that the user or the environment set is always honoured.
import COpenBLAS
import Foundation

public struct CPUFeatures: Sendable, Equatable {
    public var avx2 = false, fma = false, avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false
    public var osSavesAVX = false, osSavesAVX512 = false

    public init(avx2: Bool = false, fma: Bool = false, avx512f: Bool = false, avx512bw: Bool = false,
                avx512vl: Bool = false, avx512dq: Bool = false, osSavesAVX: Bool = false, osSavesAVX512: Bool = false) {
        self.avx2 = avx2; self.fma = fma; self.avx512f = avx512f; self.avx512bw = avx512bw
        self.avx512vl = avx512vl; self.avx512dq = avx512dq; self.osSavesAVX = osSavesAVX; self.osSavesAVX512 = osSavesAVX512
    }

    /// This machine's features.
    public static let current: CPUFeatures = {
        let b = smear_cpu_features()
        func has(_ bit: Int) -> Bool { b & UInt32(bit) != 0 }
        return CPUFeatures(avx2: has(SMEAR_CPU_AVX2), fma: has(SMEAR_CPU_FMA), avx512f: has(SMEAR_CPU_AVX512F),
                           avx512bw: has(SMEAR_CPU_AVX512BW), avx512vl: has(SMEAR_CPU_AVX512VL),
                           avx512dq: has(SMEAR_CPU_AVX512DQ), osSavesAVX: has(SMEAR_OS_SAVES_AVX),
                           osSavesAVX512: has(SMEAR_OS_SAVES_AVX512))
    }()

    /// AVX2 with FMA, usable (the OS saves the YMM state).
    public var canRunAVX2: Bool { avx2 && fma && osSavesAVX }
    /// The AVX-512 subset OpenBLAS's SkylakeX kernels use, usable (the OS saves the ZMM state).
    public var canRunAVX512: Bool { canRunAVX2 && avx512f && avx512bw && avx512vl && avx512dq && osSavesAVX512 }

    public var summary: String { canRunAVX512 ? "AVX-512" : canRunAVX2 ? "AVX2" : "no AVX2" }
}

public enum BLASKernel {
    /// Kernels smear chooses among, best first, with the instruction sets they need.
    static let ladder = ["SkylakeX", "Haswell", "Prescott"]

    /// How capable an OpenBLAS core name's kernels are: 3 AVX-512, 2 AVX2, 1 AVX, 0 SSE only.
    public static func level(ofCore name: String) -> Int {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen", "skylake": return 2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return 1
        default: return 0
        }
    }

    /// The best kernel for `features` (nil: nothing better than OpenBLAS's generic choice).
    public static func best(for features: CPUFeatures) -> String? {
        features.canRunAVX512 ? "SkylakeX" : features.canRunAVX2 ? "Haswell" : nil
    }

    /// What to do at start-up.
    public enum Decision: Equatable {
        /// Keep the kernel OpenBLAS loaded; the text says who chose it.
        case keep(String)
        /// Re-execute with OPENBLAS_CORETYPE set to this kernel.
        case reexecute(String)
    }

    /// The start-up decision, as a pure function of what the process sees.
    /// - Parameters:
    ///   - environment: OPENBLAS_CORETYPE as the process got it (nil when unset).
    ///   - chosenBySmear: SMEAR_BLAS_KERNEL, which smear sets beside it before re-executing.
    ///   - loadedCore: `openblas_get_corename()`.
    ///   - selfCheckPassed: whether the loaded kernel's SGEMM matched a plain loop.
    public static func decide(environment: String?, chosenBySmear: String?, loadedCore: String,
                              features: CPUFeatures, selfCheckPassed: Bool) -> Decision {
        if let env = environment, let chosen = chosenBySmear, env == chosen {
            if selfCheckPassed { return .keep("chosen by smear for \(features.summary)") }
            if let i = ladder.firstIndex(of: chosen), i + 1 < ladder.count { return .reexecute(ladder[i + 1]) }
            return .keep("chosen by smear; its results failed the self-check")
        }
        if environment != nil { return .keep("OPENBLAS_CORETYPE set by the environment") }
        if let best = best(for: features), level(ofCore: loadedCore) < level(ofCore: best) { return .reexecute(best) }
        return .keep("OpenBLAS's own choice")
    }

    nonisolated(unsafe) public private(set) static var origin = "OpenBLAS's own choice"

    /// Applies `decide` to this process: may replace it (execv) with itself and OPENBLAS_CORETYPE set.
    /// Call first thing in `main`. Returns when the loaded kernel is kept.
    public static func ensureBest(arguments: [String] = CommandLine.arguments) {
        let env = ProcessInfo.processInfo.environment
        let decision = decide(environment: env["OPENBLAS_CORETYPE"], chosenBySmear: env["SMEAR_BLAS_KERNEL"],
                              loadedCore: BLAS.coreName, features: .current, selfCheckPassed: sgemmSelfCheck())
        switch decision {
        case .keep(let why):
            origin = why
        case .reexecute(let kernel):
            setenv("OPENBLAS_CORETYPE", kernel, 1)
            setenv("SMEAR_BLAS_KERNEL", kernel, 1)
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            execv("/proc/self/exe", &argv)
            // Only reached when execv failed: carry on with the kernel that is loaded.
            unsetenv("OPENBLAS_CORETYPE"); unsetenv("SMEAR_BLAS_KERNEL")
            origin = "OpenBLAS's own choice (re-executing with \(kernel) failed: \(String(cString: strerror(errno))))"
        }
    }

    /// SGEMM of awkward sizes, both transposes, against a double-precision loop. True when they agree.
    public static func sgemmSelfCheck() -> Bool {
        let m = 37, n = 29, k = 67
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: n * k)
        for i in 0..<a.count { a[i] = Float((i * 7919) % 201) / 100 - 1 }
        for i in 0..<b.count { b[i] = Float((i * 104729) % 199) / 100 - 1 }
        var c = [Float](repeating: 0, count: m * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k),
                    0, &c, Int32(n))
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[j * k + p]) }
                if abs(Double(c[i * n + j]) - s) > 1e-4 * (1 + abs(s)) { return false }
            }
        }
        return true
    }
}
