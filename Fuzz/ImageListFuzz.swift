// libFuzzer target: any bytes as an image list (CSV or `path label` lines) parse to rows or a DatasetError,
// never trap or run away (every path "exists"). Built by scripts/fuzz from ImageList.swift and DatasetError.swift.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageList(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file = URL(fileURLWithPath: "/fuzz/list.csv")
    _ = try? ImageList.parse(text, file: file, classes: nil) { _ in true }
    _ = try? ImageList.parse(text, file: file, classes: ["neutrophil", "eosinophil"]) { _ in true }
    return 0
}
