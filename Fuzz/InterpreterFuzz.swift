// libFuzzer target: any bytes as a script run by an interpreter with the core builtins (no file writing
// exists among them; source() is removed) must end in a value or a LanguageError, never trap or hang
// (loops are bounded by an interrupt after 1,000 steps per run, which keeps a run short).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInterpreter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let i = Interpreter()
    i.output = { _ in }
    i.unregister("source")
    var ticks = 0
    i.interrupted = { ticks += 1; return ticks > 1_000 }
    _ = try? i.run(text, name: "<fuzz>")
    return 0
}
