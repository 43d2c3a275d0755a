// libFuzzer target: any bytes as a safetensors file parse to entries or a CheckpointError, never trap.
// Built by scripts/fuzz from Sources/SmearCore/SmearNN/SafeTensorsFormat.swift alone.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? SafeTensorsFormat.parse(Data(bytes: data, count: size), path: "<fuzz>")
    return 0
}
