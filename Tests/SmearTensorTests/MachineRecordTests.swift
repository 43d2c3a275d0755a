import XCTest
import SmearTensor

/// The machine a result records: /proc/cpuinfo's first model name, printable and bounded; this process's settings.
final class MachineRecordTests: XCTestCase {
    func testCPUModel_isTheFirstModelNameLine() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14 96-Core Processor\n\nprocessor\t: 1\nmodel name\t: Other\n"
        XCTAssertEqual(MachineRecord.cpuModel(cpuinfo: cpuinfo), "AMD EPYC 9R14 96-Core Processor")
    }

    func testCPUModel_withoutOne_isUnknown() {
        XCTAssertEqual(MachineRecord.cpuModel(cpuinfo: "processor\t: 0\nmodel\t\t: 143\n"), "unknown")
        XCTAssertEqual(MachineRecord.cpuModel(cpuinfo: ""), "unknown")
        XCTAssertEqual(MachineRecord.cpuModel(cpuinfo: "model name\t: \u{7}\n"), "unknown")
    }

    func testCPUModel_keepsPrintableASCIIOnly_atMostAHundredCharacters() {
        XCTAssertEqual(MachineRecord.cpuModel(cpuinfo: "model name : Intel\u{1b}[31m Xeon\u{e9}\n"), "Intel[31m Xeon")
        XCTAssertEqual(MachineRecord.cpuModel(cpuinfo: "model name : " + String(repeating: "x", count: 300)).count, 100)
    }

    func testCurrent_isThisProcessesSettings() {
        let m = MachineRecord.current
        XCTAssertEqual(m.threads, Parallel.threads)
        XCTAssertEqual(m.backend, ComputeBackend.current.rawValue)
        XCTAssertEqual(m.cores, ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(m.vectorUnits, CPUFeatures.current.summary)
        XCTAssertFalse(m.blasKernel.isEmpty)
    }
}
