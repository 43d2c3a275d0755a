// What computed a result, as result.json records it. A run repeats itself bit for bit on one machine with one
// thread count; on another CPU, thread count or kernel its float rounding may differ from the first steps on (sums
// split across threads, other vector kernels), and a few hundred SGD steps turn that into other numbers. The record
// says which of these a result came from. It holds no path and nothing a user typed except a checked kernel name.
import Foundation

public struct MachineRecord: Codable, Equatable, Sendable {
    /// The CPU's model name (/proc/cpuinfo), or "unknown".
    public var cpu: String
    /// The widest vector unit smear's kernels can use: "AVX-512", "AVX2" or "no AVX2".
    public var vectorUnits: String
    public var cores: Int
    /// Worker threads of smear's kernels and oneDNN's (SMEAR_THREADS, else the cores).
    public var threads: Int
    /// The compute back end (dnnl or blas).
    public var backend: String
    /// The OpenBLAS kernel loaded (whoever chose it: OpenBLAS, OPENBLAS_CORETYPE or smear).
    public var blasKernel: String

    enum CodingKeys: String, CodingKey {
        case cpu, cores, threads, backend
        case vectorUnits = "vector_units", blasKernel = "blas_kernel"
    }

    public init(cpu: String, vectorUnits: String, cores: Int, threads: Int, backend: String, blasKernel: String) {
        self.cpu = cpu; self.vectorUnits = vectorUnits; self.cores = cores; self.threads = threads
        self.backend = backend; self.blasKernel = blasKernel
    }

    /// This process's machine and settings, now.
    public static var current: MachineRecord {
        MachineRecord(cpu: cpuModel(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""),
                      vectorUnits: CPUFeatures.current.summary, cores: ProcessInfo.processInfo.activeProcessorCount,
                      threads: Parallel.threads, backend: ComputeBackend.current.rawValue, blasKernel: printable(BLAS.coreName))
    }

    /// The first "model name" of a /proc/cpuinfo text, printable and at most 100 characters; "unknown" without one.
    public static func cpuModel(cpuinfo: String) -> String {
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "model name" else { continue }
            let name = printable(parts[1].trimmingCharacters(in: .whitespaces))
            return name.isEmpty ? "unknown" : name
        }
        return "unknown"
    }

    /// Printable ASCII only, at most 100 characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { (0x20..<0x7f).contains($0.value) }).prefix(100))
    }
}
