// libFuzzer target: any bytes as a script must parse to a program or a LanguageError, never trap.
// Built by scripts/fuzz with `swiftc -sanitize=fuzzer,address` over Sources/SmearLang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? Parser.parse(text)
    return 0
}
