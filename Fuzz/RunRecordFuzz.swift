// libFuzzer target: any bytes as a run.json are a RunRecord or a decoding error, and a decoded record's
// validation (the check open_run makes before building a network) returns its problems and never traps.
// Built by scripts/fuzz against the release build of SmearCore (only this file is instrumented: the fuzzer
// mutates blindly inside JSONDecoder and the validation, so the seeds are real run.json files).
import Foundation
import SmearTrain

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let record = try? JSONDecoder().decode(RunRecord.self, from: Data(bytes: data, count: size)) {
        _ = record.problems()
    }
    return 0
}
